//! Decoding support for generated event types: [`FromHeader`] for typed values and
//! [`FromEvent`] for whole events.

use super::message::Message;

/// A value type that can be read from one header value. Generated event fields
/// use it; an empty value or one that does not parse gives `None` (the raw value
/// stays reachable in the message).
pub trait FromHeader: Sized {
    /// Parse a header value.
    fn from_header(value: &str) -> Option<Self>;
}

macro_rules! from_header_num {
    ($($t:ty),*) => {$(
        impl FromHeader for $t {
            #[inline]
            fn from_header(value: &str) -> Option<Self> {
                value.trim().parse().ok()
            }
        }
    )*};
}
from_header_num!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl FromHeader for bool {
    /// Asterisk writes booleans as `yes`/`no`, `true`/`false`, `on`/`off`, `1`/`0`
    /// (and sometimes capitalised).
    fn from_header(value: &str) -> Option<Self> {
        let v = value.trim();
        const TRUE: [&str; 5] = ["yes", "true", "on", "1", "y"];
        const FALSE: [&str; 5] = ["no", "false", "off", "0", "n"];
        if TRUE.iter().any(|t| v.eq_ignore_ascii_case(t)) {
            Some(true)
        } else if FALSE.iter().any(|f| v.eq_ignore_ascii_case(f)) {
            Some(false)
        } else {
            None
        }
    }
}

impl FromHeader for String {
    fn from_header(value: &str) -> Option<Self> {
        Some(value.to_string())
    }
}

/// A type built from an AMI event message: every generated event, the generated
/// `Event` enum, and list item enums.
pub trait FromEvent: Sized {
    /// Whether a message with this `Event:` name decodes to this type.
    fn matches(event_name: &str) -> bool;

    /// Decode; gives the message back when it is not this type.
    fn from_message(msg: Message) -> Result<Self, Message>;
}

impl FromEvent for Message {
    fn matches(_event_name: &str) -> bool {
        true
    }
    fn from_message(msg: Message) -> Result<Self, Message> {
        Ok(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values() {
        assert_eq!(i32::from_header(" 16 "), Some(16));
        assert_eq!(i32::from_header(""), None);
        assert_eq!(bool::from_header("Yes"), Some(true));
        assert_eq!(bool::from_header("off"), Some(false));
        assert_eq!(bool::from_header("maybe"), None);
        assert_eq!(
            f64::from_header("1795727843.202705"),
            Some(1795727843.202705)
        );
    }
}
