//! [`Text`]: a header value as a cheap, shared, always-valid UTF-8 string slice.

use bytes::Bytes;
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// A string value that shares the buffer it was read from (cloning it is a
/// reference-count increment, not a copy).
///
/// It is always valid UTF-8: a value that is not is replaced, at construction, by
/// its lossy conversion (U+FFFD for bad bytes). The exact bytes stay reachable in
/// the [`Message`](super::Message) it came from.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Bytes);

impl Text {
    /// Build from bytes, converting lossily when they are not UTF-8.
    pub fn from_bytes(bytes: Bytes) -> Text {
        match std::str::from_utf8(&bytes) {
            Ok(_) => Text(bytes),
            Err(_) => Text(Bytes::from(String::from_utf8_lossy(&bytes).into_owned())),
        }
    }

    /// Build from bytes the caller has proven to be valid UTF-8 (a sub-slice,
    /// cut at ASCII bytes, of a buffer that was checked as a whole).
    pub(crate) fn from_validated(bytes: Bytes) -> Text {
        debug_assert!(std::str::from_utf8(&bytes).is_ok());
        Text(bytes)
    }

    /// Build from a static string.
    pub const fn from_static(s: &'static str) -> Text {
        Text(Bytes::from_static(s.as_bytes()))
    }

    /// The value as `&str`.
    pub fn as_str(&self) -> &str {
        // SAFETY: every constructor guarantees valid UTF-8: `from_bytes` checks or
        // converts, `from_static`/`From<&str>`/`From<String>` start from `str`, and
        // `from_validated` is only called on sub-slices of a buffer that was
        // checked as a whole, cut at ASCII bytes (see `Message::value_text`).
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }

    /// The underlying shared bytes.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(Bytes::copy_from_slice(s.as_bytes()))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Bytes::from(s))
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_converted_not_panicking() {
        let t = Text::from_bytes(Bytes::from_static(b"ab\xffc"));
        assert_eq!(t.as_str(), "ab\u{fffd}c");
        let ok = Text::from_bytes(Bytes::from_static(b"Up"));
        assert_eq!(ok, "Up");
        assert_eq!(format!("{ok:?}"), "\"Up\"");
    }
}
