//! [`SoftHangupFlags`]: the `AST_SOFTHANGUP_*` flag set that `SoftHangupRequest`
//! carries in its `Cause` header.

use super::header::FromHeader;
use std::fmt;

/// Why a channel was asked to hang up softly: the `AST_SOFTHANGUP_*` flags of
/// Asterisk's `include/asterisk/channel.h`, as `ast_softhangup()` (main/channel.c)
/// publishes them in the `Cause` header of `SoftHangupRequest`.
///
/// This is not a Q.850 cause: `Cause: 16` there means [`APPUNLOAD`](Self::APPUNLOAD)
/// (0x10), not "Normal Clearing". Every bit is kept, including bits this version
/// has no name for ([`unknown_bits`](Self::unknown_bits)).
///
/// ```
/// use asterisk_sdk_runtime::ami::{FromHeader, SoftHangupFlags};
///
/// let f = SoftHangupFlags::from_header("48").unwrap();
/// assert!(f.contains(SoftHangupFlags::APPUNLOAD) && f.contains(SoftHangupFlags::EXPLICIT));
/// assert_eq!(f.to_string(), "APPUNLOAD|EXPLICIT");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SoftHangupFlags(u32);

impl SoftHangupFlags {
    /// `AST_SOFTHANGUP_DEV` (0x01): requested by the device or another internal reason.
    pub const DEV: SoftHangupFlags = SoftHangupFlags(1 << 0);
    /// `AST_SOFTHANGUP_ASYNCGOTO` (0x02): breaks the frame flow for an async goto,
    /// no real hang-up.
    pub const ASYNCGOTO: SoftHangupFlags = SoftHangupFlags(1 << 1);
    /// `AST_SOFTHANGUP_SHUTDOWN` (0x04): requested by system shutdown.
    pub const SHUTDOWN: SoftHangupFlags = SoftHangupFlags(1 << 2);
    /// `AST_SOFTHANGUP_TIMEOUT` (0x08): an absolute timeout expired (goto `T`, or hang up).
    pub const TIMEOUT: SoftHangupFlags = SoftHangupFlags(1 << 3);
    /// `AST_SOFTHANGUP_APPUNLOAD` (0x10): requested by an application or channel
    /// driver being unloaded.
    pub const APPUNLOAD: SoftHangupFlags = SoftHangupFlags(1 << 4);
    /// `AST_SOFTHANGUP_EXPLICIT` (0x20): requested by a non-associated party (e.g.
    /// the AMI `Hangup` action).
    pub const EXPLICIT: SoftHangupFlags = SoftHangupFlags(1 << 5);
    /// `AST_SOFTHANGUP_HANGUP_EXEC` (0x80): the channel runs its hang-up dialplan logic.
    pub const HANGUP_EXEC: SoftHangupFlags = SoftHangupFlags(1 << 7);

    /// Every named flag with its name (without the `AST_SOFTHANGUP_` prefix), in bit order.
    pub const KNOWN: [(SoftHangupFlags, &'static str); 7] = [
        (Self::DEV, "DEV"),
        (Self::ASYNCGOTO, "ASYNCGOTO"),
        (Self::SHUTDOWN, "SHUTDOWN"),
        (Self::TIMEOUT, "TIMEOUT"),
        (Self::APPUNLOAD, "APPUNLOAD"),
        (Self::EXPLICIT, "EXPLICIT"),
        (Self::HANGUP_EXEC, "HANGUP_EXEC"),
    ];

    /// The flag set with exactly these bits (unknown bits kept).
    pub const fn from_bits(bits: u32) -> SoftHangupFlags {
        SoftHangupFlags(bits)
    }

    /// The bits as sent.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: SoftHangupFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The bits that have no name here (0 when every set bit is known).
    pub fn unknown_bits(self) -> u32 {
        Self::KNOWN.iter().fold(self.0, |rest, (f, _)| rest & !f.0)
    }

    /// The names of the named flags that are set, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::KNOWN
            .into_iter()
            .filter(move |(f, _)| self.contains(*f))
            .map(|(_, n)| n)
    }
}

impl FromHeader for SoftHangupFlags {
    /// The decimal value Asterisk writes (`%jd` of an `int`, so the all-bits mask
    /// arrives as `-1`); `None` when it is not an integer of 32 bits.
    fn from_header(value: &str) -> Option<Self> {
        let v: i64 = value.trim().parse().ok()?;
        let bits = u32::try_from(v)
            .ok()
            .or_else(|| i32::try_from(v).ok().map(|n| n as u32))?;
        Some(SoftHangupFlags(bits))
    }
}

impl fmt::Display for SoftHangupFlags {
    /// The set names joined with `|`, unknown bits as one hex value
    /// (`APPUNLOAD|0x100`); `0` for the empty set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("0");
        }
        let mut first = true;
        for name in self.names() {
            if !first {
                f.write_str("|")?;
            }
            f.write_str(name)?;
            first = false;
        }
        let unknown = self.unknown_bits();
        if unknown != 0 {
            if !first {
                f.write_str("|")?;
            }
            write!(f, "{unknown:#x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SoftHangupFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SoftHangupFlags({self})")
    }
}

impl serde::Serialize for SoftHangupFlags {
    /// The bits as a number, as on the wire.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_is_appunload_not_a_q850_cause() {
        let f = SoftHangupFlags::from_header("16").unwrap();
        assert_eq!(f, SoftHangupFlags::APPUNLOAD);
        assert_eq!(f.names().collect::<Vec<_>>(), ["APPUNLOAD"]);
        assert_eq!(f.unknown_bits(), 0);
    }

    #[test]
    fn keeps_unknown_bits_and_shows_them() {
        let f = SoftHangupFlags::from_header("304").unwrap(); // 0x130
        assert!(f.contains(SoftHangupFlags::APPUNLOAD) && f.contains(SoftHangupFlags::EXPLICIT));
        assert_eq!(f.unknown_bits(), 0x100);
        assert_eq!(f.bits(), 304);
        assert_eq!(f.to_string(), "APPUNLOAD|EXPLICIT|0x100");
        assert_eq!(
            format!("{f:?}"),
            "SoftHangupFlags(APPUNLOAD|EXPLICIT|0x100)"
        );
        assert_eq!(SoftHangupFlags::default().to_string(), "0");
    }

    #[test]
    fn all_bits_arrive_as_minus_one() {
        let f = SoftHangupFlags::from_header("-1").unwrap();
        assert_eq!(f.bits(), u32::MAX);
        assert!(SoftHangupFlags::KNOWN.iter().all(|(k, _)| f.contains(*k)));
        for bad in ["", "x", "4294967296", "-2147483649", "1.5"] {
            assert_eq!(SoftHangupFlags::from_header(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn serializes_as_the_wire_number() {
        let json = serde_json::to_string(&SoftHangupFlags::EXPLICIT).unwrap();
        assert_eq!(json, "32");
    }
}
