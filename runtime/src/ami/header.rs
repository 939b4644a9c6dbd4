//! Decoding support for generated event types: [`FromHeader`] for typed values,
//! [`FromEvent`] for whole events, and [`TypedEvent`], the one-name event structs
//! that get [`FromEvent`] from a single generic impl.

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

/// A struct for one AMI event name, decoded from its message in one pass with
/// the whole message kept: what every generated event struct implements.
///
/// [`FromEvent`] follows from it: a message decodes when its `Event:` name equals
/// [`NAME`](TypedEvent::NAME) ignoring ASCII case.
pub trait TypedEvent: Sized {
    /// The name sent in `Event:`.
    const NAME: &'static str;

    /// Decode without checking the event name (one pass over the headers).
    fn decode(raw: Message) -> Self;

    /// The whole message the event was decoded from.
    fn message(&self) -> &Message;
}

impl<T: TypedEvent> FromEvent for T {
    #[inline]
    fn matches(event_name: &str) -> bool {
        event_name.eq_ignore_ascii_case(T::NAME)
    }

    #[inline]
    fn from_message(msg: Message) -> Result<Self, Message> {
        if msg.event_name().is_some_and(Self::matches) {
            Ok(T::decode(msg))
        } else {
            Err(msg)
        }
    }
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

    /// An event struct holding only its message, as the generated ones do.
    #[derive(Debug)]
    struct Ping(Message);

    impl TypedEvent for Ping {
        const NAME: &'static str = "PingEvent";
        fn decode(raw: Message) -> Self {
            Ping(raw)
        }
        fn message(&self) -> &Message {
            &self.0
        }
    }

    #[test]
    fn typed_event_matches_its_name_ignoring_ascii_case_only() {
        assert!(Ping::matches("PingEvent"));
        assert!(Ping::matches("pingevent"));
        assert!(!Ping::matches("PingEvent2"));
        assert!(!Ping::matches("Pıngevent"));
    }

    #[test]
    fn typed_event_decodes_its_own_event_and_gives_back_any_other() {
        let own = Message::from_pairs([("Event", "PINGEVENT"), ("X", "1")]);
        let ping = Ping::from_message(own).expect("its own event decodes");
        assert_eq!(ping.message().get("X"), Some("1"));
        let other = Message::from_pairs([("Event", "Pong"), ("X", "2")]);
        let back = Ping::from_message(other).expect_err("another event is given back");
        assert_eq!(back.get("X"), Some("2"));
        let response = Message::from_pairs([("Response", "Success")]);
        assert!(Ping::from_message(response).is_err());
    }
}
