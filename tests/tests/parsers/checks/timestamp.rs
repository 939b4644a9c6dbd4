//! ARI timestamps: whatever parses, and whatever `from_unix` accepts, formats to
//! text that parses back to the same value (also in UTC and through serde).

use asterisk_sdk_runtime::ari::Timestamp;

/// The fuzz entry: the bytes as timestamp text, and their first 14 bytes as
/// `from_unix` arguments.
pub fn check(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(t) = Timestamp::parse(text)
    {
        round_trips(t);
    }
    if let [s0, s1, s2, s3, s4, s5, s6, s7, n0, n1, n2, n3, o0, o1, ..] = *data {
        let secs = i64::from_le_bytes([s0, s1, s2, s3, s4, s5, s6, s7]);
        // Mostly near the present and the ends of the range, sometimes anywhere.
        let secs = match o1 & 3 {
            0 => secs,
            1 => secs % 400_000_000_000,
            _ => secs % 4_000_000_000,
        };
        let nanos = u32::from_le_bytes([n0, n1, n2, n3]) % 1_100_000_000;
        let offset = i16::from_le_bytes([o0, o1]) % 1500;
        if let Some(t) = Timestamp::from_unix(secs, nanos, offset) {
            round_trips(t);
        }
    }
}

fn round_trips(t: Timestamp) {
    let text = t.to_string();
    assert_eq!(Timestamp::parse(&text), Ok(t), "{text}");
    let utc = t.to_utc();
    assert_eq!(Timestamp::parse(&utc.to_string()), Ok(utc));
    assert!(utc.same_instant(&t));
    let json = serde_json::to_string(&t).expect("encodes");
    assert_eq!(serde_json::from_str::<Timestamp>(&json).ok(), Some(t));
    let _ = t.unix_millis();
}
