//! ARI timestamps (`Date` in the Swagger files): `2026-11-26T21:17:38.012+0000`.
//!
//! Asterisk writes local time with milliseconds and a `±hhmm` offset. [`Timestamp`]
//! keeps the instant (UTC seconds and nanoseconds since the Unix epoch) and the
//! original offset, so formatting gives back Asterisk's form. Parsing also accepts
//! `Z`, `±hh:mm` and `±hh` offsets and a missing or longer fraction (up to 9
//! digits). Written by hand: no date-time dependency.
//!
//! Range: both the instant (in UTC) and its local time lie in the years 0000 to
//! 9999, the years the four-digit form can write. Values outside are refused when
//! built ([`Timestamp::from_unix`] gives `None`, parsing an error), so formatting
//! never overflows and always gives a string that parses back to the same value.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A point in time with the UTC offset it was written in.
///
/// Equality and ordering compare the instant first, then the offset: two
/// timestamps of the same instant written with different offsets are not equal
/// (use [`Timestamp::same_instant`] for that).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    secs: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    nanos: u32,
    /// Offset from UTC in minutes, east positive.
    offset_minutes: i16,
}

/// Why a string is not a timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    input: String,
    reason: &'static str,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid ARI timestamp {:?}: {} (expected e.g. 2026-11-26T21:17:38.012+0000)",
            self.input, self.reason
        )
    }
}

impl std::error::Error for TimestampError {}

const NANOS_PER_SEC: u32 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;
/// Largest accepted offset magnitude, in minutes (±23:59).
const MAX_OFFSET_MINUTES: i16 = 23 * 60 + 59;
/// Unix seconds of 0000-01-01T00:00:00Z, the earliest time that can be written.
const MIN_SECS: i64 = -62_167_219_200;
/// Unix seconds of 9999-12-31T23:59:59Z, the latest time that can be written.
const MAX_SECS: i64 = 253_402_300_799;

/// Whether an instant and its local time at `offset_minutes` both lie in the
/// years 0000 to 9999.
fn in_range(secs: i64, offset_minutes: i16) -> bool {
    let writable = |s: i64| (MIN_SECS..=MAX_SECS).contains(&s);
    // `secs` is checked first, so adding at most a day's seconds cannot overflow.
    writable(secs) && writable(secs + i64::from(offset_minutes) * 60)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // 0..=399
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // 0..=365
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // 0..=146096
    era * 146_097 + doe - 719_468
}

/// Proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365
    let mp = (5 * doy + 2) / 153; // 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A cursor over the ASCII bytes of the input.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.pos.checked_add(n)?;
        let chunk = self.bytes.get(self.pos..end)?;
        let mut v = 0u32;
        for &b in chunk {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(b - b'0');
        }
        self.pos = end;
        Some(v)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
}

impl Timestamp {
    /// A timestamp from Unix seconds, nanoseconds (`< 1_000_000_000`) and an offset
    /// in minutes east of UTC (at most ±23:59). `None` when out of range, including
    /// when the instant or its local time falls outside the years 0000 to 9999.
    pub fn from_unix(secs: i64, nanos: u32, offset_minutes: i16) -> Option<Self> {
        if nanos >= NANOS_PER_SEC
            || offset_minutes.unsigned_abs() > MAX_OFFSET_MINUTES as u16
            || !in_range(secs, offset_minutes)
        {
            return None;
        }
        Some(Timestamp {
            secs,
            nanos,
            offset_minutes,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub fn unix_millis(&self) -> i64 {
        self.secs
            .saturating_mul(1000)
            .saturating_add(i64::from(self.nanos / 1_000_000))
    }

    /// The offset from UTC the timestamp was written with, in minutes east.
    pub fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// The same instant written in UTC (`+0000`).
    pub fn to_utc(self) -> Self {
        Timestamp {
            offset_minutes: 0,
            ..self
        }
    }

    /// Whether both denote the same instant, whatever their offsets.
    pub fn same_instant(&self, other: &Timestamp) -> bool {
        self.secs == other.secs && self.nanos == other.nanos
    }

    /// Parse Asterisk's form `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hhmm|±hh:mm|±hh)`.
    pub fn parse(input: &str) -> Result<Self, TimestampError> {
        let err = |reason| TimestampError {
            input: input.to_string(),
            reason,
        };
        let mut c = Cursor {
            bytes: input.as_bytes(),
            pos: 0,
        };
        let year = c.digits(4).ok_or_else(|| err("year must be 4 digits"))?;
        if !c.eat(b'-') {
            return Err(err("expected '-' after the year"));
        }
        let month = c.digits(2).ok_or_else(|| err("month must be 2 digits"))?;
        if !c.eat(b'-') {
            return Err(err("expected '-' after the month"));
        }
        let day = c.digits(2).ok_or_else(|| err("day must be 2 digits"))?;
        if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
            return Err(err("expected 'T' between date and time"));
        }
        let hour = c.digits(2).ok_or_else(|| err("hour must be 2 digits"))?;
        if !c.eat(b':') {
            return Err(err("expected ':' after the hour"));
        }
        let minute = c.digits(2).ok_or_else(|| err("minute must be 2 digits"))?;
        if !c.eat(b':') {
            return Err(err("expected ':' after the minute"));
        }
        let second = c.digits(2).ok_or_else(|| err("second must be 2 digits"))?;
        let mut nanos = 0u32;
        if c.eat(b'.') || c.eat(b',') {
            let mut n = 0usize;
            while let Some(b) = c.peek().filter(u8::is_ascii_digit) {
                if n == 9 {
                    return Err(err("more than 9 fraction digits"));
                }
                nanos = nanos * 10 + u32::from(b - b'0');
                n += 1;
                c.pos += 1;
            }
            if n == 0 {
                return Err(err("no digits after the decimal point"));
            }
            nanos *= 10u32.pow((9 - n) as u32);
        }
        let offset_minutes: i16 = match c.peek() {
            Some(b'Z') | Some(b'z') => {
                c.pos += 1;
                0
            }
            Some(sign @ (b'+' | b'-')) => {
                c.pos += 1;
                let h = c
                    .digits(2)
                    .ok_or_else(|| err("offset hours must be 2 digits"))?;
                let colon = c.eat(b':');
                let m = match c.digits(2) {
                    Some(m) => m,
                    None if colon => return Err(err("offset minutes must be 2 digits")),
                    None => 0,
                };
                if h > 23 || m > 59 {
                    return Err(err("offset out of range"));
                }
                // h ≤ 23 and m ≤ 59: fits in i16.
                let total = (h * 60 + m) as i16;
                if sign == b'-' { -total } else { total }
            }
            None => return Err(err("missing UTC offset (Z or ±hhmm)")),
            Some(_) => return Err(err("expected Z or ±hhmm after the time")),
        };
        if c.pos != c.bytes.len() {
            return Err(err("unexpected characters after the offset"));
        }
        if !(1..=12).contains(&month) {
            return Err(err("month out of range"));
        }
        let year = i64::from(year);
        if day == 0 || day > days_in_month(year, month) {
            return Err(err("day out of range"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(err("time of day out of range"));
        }
        let local = days_from_civil(year, month, day) * SECS_PER_DAY
            + i64::from(hour * 3600 + minute * 60 + second);
        let secs = local - i64::from(offset_minutes) * 60;
        if !in_range(secs, offset_minutes) {
            return Err(err(
                "the instant in UTC falls outside the years 0000 to 9999",
            ));
        }
        Ok(Timestamp {
            secs,
            nanos,
            offset_minutes,
        })
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl fmt::Display for Timestamp {
    /// Asterisk's form: local time with milliseconds and a `±hhmm` offset. Finer
    /// fractions are written with 6 or 9 digits so no precision is lost.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // In range by construction (see `in_range`): no overflow.
        let local = self.secs + i64::from(self.offset_minutes) * 60;
        let days = local.div_euclid(SECS_PER_DAY);
        let tod = local.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            tod / 3600,
            tod / 60 % 60,
            tod % 60
        )?;
        // Exact multiples, written without `%` so the crate keeps its 1.85 MSRV
        // (clippy suggests `is_multiple_of`, stable only since 1.87).
        let (millis, micros) = (self.nanos / 1_000_000, self.nanos / 1_000);
        if millis * 1_000_000 == self.nanos {
            write!(f, ".{millis:03}")?;
        } else if micros * 1_000 == self.nanos {
            write!(f, ".{micros:06}")?;
        } else {
            write!(f, ".{:09}", self.nanos)?;
        }
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let abs = self.offset_minutes.unsigned_abs();
        write!(f, "{sign}{:02}{:02}", abs / 60, abs % 60)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ARI timestamp string such as 2026-11-26T21:17:38.012+0000")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        match Timestamp::parse(s) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn parses_asterisk_form_and_round_trips() {
        let t = ts("2026-11-26T21:17:38.012+0000");
        assert_eq!(t.unix_seconds(), 1_795_727_858);
        assert_eq!(t.subsec_nanos(), 12_000_000);
        assert_eq!(t.offset_minutes(), 0);
        assert_eq!(t.unix_millis(), 1_795_727_858_012);
        assert_eq!(t.to_string(), "2026-11-26T21:17:38.012+0000");
    }

    #[test]
    fn keeps_offsets() {
        let t = ts("2026-11-26T23:17:38.012+0200");
        assert_eq!(t.unix_seconds(), 1_795_727_858);
        assert_eq!(t.offset_minutes(), 120);
        assert_eq!(t.to_string(), "2026-11-26T23:17:38.012+0200");
        let w = ts("2026-11-26T16:47:38.012-0430");
        assert_eq!(w.offset_minutes(), -270);
        assert!(w.same_instant(&t));
        assert_ne!(w, t);
        assert_eq!(w.to_string(), "2026-11-26T16:47:38.012-0430");
        assert_eq!(w.to_utc().to_string(), "2026-11-26T21:17:38.012+0000");
    }

    #[test]
    fn accepts_other_forms() {
        let base = ts("2026-11-26T21:17:38.012+0000");
        assert_eq!(ts("2026-11-26T21:17:38.012Z"), base);
        assert_eq!(ts("2026-11-26T21:17:38.012+00:00"), base);
        assert_eq!(ts("2026-11-26T21:17:38.012+00"), base);
        let whole = ts("2026-11-26T21:17:38Z");
        assert_eq!(whole.subsec_nanos(), 0);
        assert_eq!(whole.to_string(), "2026-11-26T21:17:38.000+0000");
        let fine = ts("2026-11-26T21:17:38.123456789+0000");
        assert_eq!(fine.subsec_nanos(), 123_456_789);
        assert_eq!(fine.to_string(), "2026-11-26T21:17:38.123456789+0000");
        assert_eq!(
            ts("2026-11-26T21:17:38.5+0000").to_string(),
            "2026-11-26T21:17:38.500+0000"
        );
        assert_eq!(
            ts("2026-11-26T21:17:38.000123+0000").to_string(),
            "2026-11-26T21:17:38.000123+0000"
        );
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(ts("1970-01-01T00:00:00.000+0000").unix_seconds(), 0);
        assert_eq!(ts("1969-12-31T23:59:59.000+0000").unix_seconds(), -1);
        assert_eq!(ts("2000-02-29T00:00:00Z").unix_seconds(), 951_782_400);
        assert_eq!(ts("2038-01-19T03:14:08Z").unix_seconds(), 2_147_483_648);
        assert_eq!(ts("1970-01-01T00:30:00.000+0100").unix_seconds(), -1800);
        assert_eq!(
            ts("1970-01-01T00:30:00.000+0100").to_string(),
            "1970-01-01T00:30:00.000+0100"
        );
        // Every day of a few years round-trips through the calendar functions.
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn rejects_invalid_input() {
        for bad in [
            "",
            "garbage",
            "2026-11-26",
            "2026-11-26T21:17:38.012",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-31T00:00:00Z",
            "2026-11-26T24:00:00Z",
            "2026-11-26T21:60:00Z",
            "2026-11-26T21:17:60Z",
            "2026-11-26T21:17:38.Z",
            "2026-11-26T21:17:38.0123456789Z",
            "2026-11-26T21:17:38+2400",
            "2026-11-26T21:17:38+0060",
            "2026-11-26T21:17:38+00:",
            "2026-11-26T21:17:38Zjunk",
            "2026-11-26T21:17:38.012+0000 ",
            "２026-11-26T21:17:38Z",
        ] {
            let e = Timestamp::parse(bad).expect_err(bad);
            assert!(e.to_string().contains("invalid ARI timestamp"), "{e}");
        }
    }

    #[test]
    fn serde_round_trip_and_errors() {
        let json = "\"2026-11-26T21:17:38.012+0000\"";
        let t: Timestamp = serde_json::from_str(json).expect("parses");
        assert_eq!(serde_json::to_string(&t).expect("serializes"), json);
        let e = serde_json::from_str::<Timestamp>("\"yesterday\"").expect_err("invalid");
        assert!(e.to_string().contains("invalid ARI timestamp"), "{e}");
        assert!(serde_json::from_str::<Timestamp>("12").is_err());
    }

    #[test]
    fn the_writable_range_is_the_four_digit_years() {
        assert_eq!(MIN_SECS, days_from_civil(0, 1, 1) * SECS_PER_DAY);
        assert_eq!(MAX_SECS, days_from_civil(10_000, 1, 1) * SECS_PER_DAY - 1);
    }

    #[test]
    fn far_instants_are_refused_and_the_range_ends_round_trip() {
        assert_eq!(Timestamp::from_unix(i64::MAX, 0, 60), None);
        assert_eq!(Timestamp::from_unix(i64::MIN, 0, -60), None);
        assert_eq!(Timestamp::from_unix(MAX_SECS, 0, 1), None);
        assert_eq!(Timestamp::from_unix(MIN_SECS, 0, -1), None);
        assert_eq!(Timestamp::from_unix(MAX_SECS + 1, 0, 0), None);
        for t in [
            Timestamp::from_unix(MAX_SECS, 999_999_999, 0),
            Timestamp::from_unix(MAX_SECS - 60, 0, -1),
            Timestamp::from_unix(MIN_SECS, 0, 0),
            Timestamp::from_unix(MIN_SECS + 86_399, 0, -MAX_OFFSET_MINUTES),
        ] {
            let t = t.expect("in range");
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t));
            assert_eq!(Timestamp::parse(&t.to_utc().to_string()), Ok(t.to_utc()));
        }
        assert_eq!(
            Timestamp::from_unix(MAX_SECS, 0, 0).map(|t| t.to_string()),
            Some("9999-12-31T23:59:59.000+0000".to_string())
        );
        // The local time is writable but the instant in UTC is not.
        assert!(Timestamp::parse("0000-01-01T00:30:00+0100").is_err());
        assert!(Timestamp::parse("9999-12-31T23:30:00-0100").is_err());
        assert!(Timestamp::parse("0000-01-01T00:30:00-0100").is_ok());
    }

    #[test]
    fn from_unix_checks_ranges() {
        assert!(Timestamp::from_unix(0, NANOS_PER_SEC, 0).is_none());
        assert!(Timestamp::from_unix(0, 0, 24 * 60).is_none());
        let t = Timestamp::from_unix(1_795_727_858, 12_000_000, 0).expect("in range");
        assert_eq!(t.to_string(), "2026-11-26T21:17:38.012+0000");
    }
}
