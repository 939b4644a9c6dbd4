//! [`Text`]: a header value as a cheap, shared, always-valid UTF-8 string slice.

use bytes::Bytes;
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Values up to this many bytes are stored inside the `Text` itself.
const INLINE: usize = 23;

/// A string value read from a message: short values (up to 23 bytes, most AMI
/// values) are stored inline, longer ones share the buffer they were read from.
/// Cloning is a copy of 32 bytes or a reference-count increment, never a copy
/// of a long value.
///
/// Keeping short values inline matters for throughput: a shared buffer's
/// reference count is also touched by the socket reader, on another core, so
/// every field that shared it would cost a contended atomic operation.
///
/// It is always valid UTF-8: a value that is not is replaced, at construction, by
/// its lossy conversion (U+FFFD for bad bytes). The exact bytes stay reachable in
/// the [`Message`](super::Message) it came from.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` bytes of UTF-8 at the start of `data` (what follows is ignored).
    Inline { len: u8, data: [u8; INLINE] },
    /// Valid UTF-8.
    Shared(Bytes),
}

impl Default for Text {
    fn default() -> Self {
        Text(Repr::Inline {
            len: 0,
            data: [0; INLINE],
        })
    }
}

impl Text {
    /// Build from bytes, converting lossily when they are not UTF-8.
    pub fn from_bytes(bytes: Bytes) -> Text {
        match std::str::from_utf8(&bytes) {
            Ok(_) => Text::inline(&bytes).unwrap_or(Text(Repr::Shared(bytes))),
            Err(_) => Text::from(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// `buf[start..end]`, which the caller has proven to be valid UTF-8: copied
    /// when short, otherwise shared (only then is `buf`'s count touched).
    #[inline]
    pub(crate) fn from_validated_range(buf: &Bytes, start: usize, end: usize) -> Text {
        debug_assert!(std::str::from_utf8(&buf[start..end]).is_ok());
        let len = end - start;
        if len <= INLINE && start + INLINE <= buf.len() {
            // A fixed-size copy (the bytes past `len` are ignored): cheaper than a
            // copy of `len` bytes, which the CPU cannot forward to the next load.
            let mut data = [0u8; INLINE];
            data.copy_from_slice(&buf[start..start + INLINE]);
            return Text(Repr::Inline {
                len: len as u8,
                data,
            });
        }
        Text::from_validated_range_rest(buf, start, end)
    }

    /// [`Text::from_validated_range`] for long values and values at the very end
    /// of the buffer: out of line, so the common path stays small enough to inline.
    #[inline(never)]
    fn from_validated_range_rest(buf: &Bytes, start: usize, end: usize) -> Text {
        match Text::inline(&buf[start..end]) {
            Some(t) => t,
            None => Text(Repr::Shared(buf.slice(start..end))),
        }
    }

    /// `bytes` stored inline, when they fit (they must be valid UTF-8).
    #[inline]
    fn inline(bytes: &[u8]) -> Option<Text> {
        if bytes.len() > INLINE {
            return None;
        }
        let mut data = [0u8; INLINE];
        data[..bytes.len()].copy_from_slice(bytes);
        Some(Text(Repr::Inline {
            len: bytes.len() as u8,
            data,
        }))
    }

    /// Build from a static string.
    pub const fn from_static(s: &'static str) -> Text {
        Text(Repr::Shared(Bytes::from_static(s.as_bytes())))
    }

    /// The value as `&str`.
    #[inline]
    pub fn as_str(&self) -> &str {
        // SAFETY: every constructor guarantees valid UTF-8: `from_bytes` checks or
        // converts, `from_static`/`From<&str>`/`From<String>` start from `str`, and
        // `from_validated_range` is only called on sub-slices of a buffer that was
        // checked as a whole, cut at ASCII bytes (see `Message::value_text`);
        // `inline` copies such bytes whole.
        unsafe { std::str::from_utf8_unchecked(self.as_bytes()) }
    }

    /// The value's bytes (always valid UTF-8).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, data } => &data[..usize::from(*len)],
            Repr::Shared(b) => b,
        }
    }

    /// The parts before and after the first `delimiter`, or `None` without one.
    /// Shared parts stay shared.
    pub fn split_once(&self, delimiter: char) -> Option<(Text, Text)> {
        let pos = self.as_str().find(delimiter)?;
        let after = pos + delimiter.len_utf8();
        Some(match &self.0 {
            Repr::Shared(b) => (
                Text::from_validated_range(b, 0, pos),
                Text::from_validated_range(b, after, b.len()),
            ),
            Repr::Inline { .. } => {
                let s = self.as_str();
                (Text::from(&s[..pos]), Text::from(&s[after..]))
            }
        })
    }

    /// The value as [`Bytes`]: shared when it already is, otherwise a copy.
    pub fn to_bytes(&self) -> Bytes {
        match &self.0 {
            Repr::Inline { .. } => Bytes::copy_from_slice(self.as_bytes()),
            Repr::Shared(b) => b.clone(),
        }
    }
}

impl Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    #[inline]
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    /// Hashes like `str`, so a `HashMap<Text, _>` can be queried with `&str`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
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
        Text::inline(s.as_bytes())
            .unwrap_or_else(|| Text(Repr::Shared(Bytes::copy_from_slice(s.as_bytes()))))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::inline(s.as_bytes()).unwrap_or_else(|| Text(Repr::Shared(Bytes::from(s))))
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

    #[test]
    fn short_and_long_values_behave_alike() {
        let long = "PJSIP/trunk-provider-0000000a;2";
        assert!(long.len() > INLINE);
        let buf = Bytes::from(format!("Up{long}"));
        let short = Text::from_validated_range(&buf, 0, 2);
        let shared = Text::from_validated_range(&buf, 2, buf.len());
        assert!(matches!(short.0, Repr::Inline { .. }));
        assert!(matches!(shared.0, Repr::Shared(_)));
        assert_eq!(short, "Up");
        assert_eq!(shared, long);
        assert_eq!(shared, Text::from(long));
        assert_eq!(short, Text::from_static("Up"));
        assert_eq!(Text::from(String::from("Up")), short);
        assert_eq!(shared.to_bytes(), long.as_bytes());
        assert_eq!(short.to_bytes(), &b"Up"[..]);
        assert!(shared < short);
        let pair = Text::from("CDR(dst)=100").split_once('=');
        assert_eq!(pair, Some((Text::from("CDR(dst)"), Text::from("100"))));
        let (k, v) = Text::from_bytes(Bytes::from(format!("key={long}")))
            .split_once('=')
            .expect("has =");
        assert_eq!((k.as_str(), v.as_str()), ("key", long));
        assert_eq!(short.split_once('='), None);
        let exact = "x".repeat(INLINE);
        assert_eq!(Text::from(exact.as_str()).as_str(), exact);
        assert_eq!(Text::default(), "");
        let mut set = std::collections::HashSet::new();
        set.insert(shared.clone());
        assert!(set.contains(long));
        assert_eq!(std::mem::size_of::<Text>(), 32);
    }
}
