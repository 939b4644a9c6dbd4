//! The small helpers every generated event decoder calls on the per-header path:
//! a case-insensitive header-name key, typed values, and channel-variable pairs.
//!
//! They sit on the hot path (one call per header of every event), so none of them
//! allocates beyond the [`Text`] it returns (a shared slice of the frame), and
//! none goes through dynamic dispatch. The generic ones are monomorphised in the
//! generated crate; the others are `#[inline]` so they can be inlined across the
//! crate boundary as they were when they lived in the generated crate.

use super::header::FromHeader;
use super::message::Message;
use super::text::Text;

/// Lower-cases a header name into a fixed buffer of `N` bytes, so that one
/// generated `match` on byte strings finds a field whatever the spelling
/// (`CommandID`/`CommandId`).
///
/// `N` is the longest name the generated matches compare (rounded up); a longer
/// name can match nothing and gives an empty key.
#[derive(Debug, Clone)]
pub struct HeaderKey<const N: usize>([u8; N]);

impl<const N: usize> HeaderKey<N> {
    /// An empty key buffer.
    #[inline]
    pub fn new() -> Self {
        HeaderKey([0; N])
    }

    /// The ASCII-lower-cased bytes of `name`; empty (matching no field) when the
    /// name is longer than `N`. Non-ASCII bytes are kept as they are.
    #[inline]
    pub fn lower(&mut self, name: &str) -> &[u8] {
        let b = name.as_bytes();
        if b.len() > N {
            return &[];
        }
        for (d, s) in self.0.iter_mut().zip(b) {
            *d = s.to_ascii_lowercase();
        }
        &self.0[..b.len()]
    }
}

impl<const N: usize> Default for HeaderKey<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Header `i` of `raw` parsed as `T`; `None` when the value is not UTF-8 or does
/// not parse.
#[inline]
pub fn typed<T: FromHeader>(raw: &Message, i: usize) -> Option<T> {
    raw.value_str(i).and_then(T::from_header)
}

/// A `name=value` channel variable as a pair (the value empty when there is no
/// `=`); both halves share the value's buffer.
#[inline]
pub fn split_var(v: Text) -> (Text, Text) {
    match v.split_once('=') {
        Some(pair) => pair,
        None => (v, Text::default()),
    }
}

/// The pair of a legacy `ChanVariable(name): value` header `i` of `raw`: the name
/// between the first `(` and the closing `)` (empty when the header name does not
/// have that shape), and the value.
#[inline]
pub fn legacy_var(raw: &Message, i: usize) -> (Text, Text) {
    let n = raw.name(i);
    let name = match (n.find('('), n.strip_suffix(')')) {
        (Some(open), Some(head)) if open < head.len() => &head[open + 1..],
        _ => "",
    };
    (Text::from(name), raw.value_text(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lower_cases_like_std_for_every_byte_and_length() {
        let mut key = HeaderKey::<64>::new();
        let all: Vec<char> = (0u8..128).map(char::from).chain(['é', 'Ä', '€']).collect();
        for len in 0..=64 {
            for start in 0..all.len() {
                let name: String = all.iter().cycle().skip(start).take(len).collect();
                if name.len() > 64 {
                    continue;
                }
                assert_eq!(key.lower(&name), name.to_ascii_lowercase().as_bytes());
            }
        }
    }

    #[test]
    fn key_of_a_name_longer_than_the_buffer_matches_nothing() {
        let mut key = HeaderKey::<8>::new();
        assert_eq!(key.lower("ChannelX"), b"channelx");
        assert!(key.lower("ChannelXY").is_empty());
        // A short name after a long one is not polluted by the earlier bytes.
        assert_eq!(key.lower("Uniqueid"), b"uniqueid");
        assert_eq!(key.lower("Id"), b"id");
    }

    #[test]
    fn typed_parses_or_gives_none() {
        let m = Message::from_pairs([("Count", " 16 "), ("Flag", "Yes"), ("Bad", "x1")]);
        assert_eq!(typed::<u32>(&m, 0), Some(16));
        assert_eq!(typed::<bool>(&m, 1), Some(true));
        assert_eq!(typed::<u32>(&m, 2), None);
        assert_eq!(typed::<u32>(&m, 7), None);
    }

    #[test]
    fn typed_is_none_for_a_value_that_is_not_utf8() {
        let m = Message::parse(bytes::Bytes::from_static(b"Count: 1\xff\r\n\r\n"));
        assert_eq!(m.len(), 1);
        assert_eq!(typed::<u32>(&m, 0), None);
    }

    #[test]
    fn split_var_splits_at_the_first_equals_sign() {
        let (n, v) = split_var(Text::from("A=b=c"));
        assert_eq!((n.as_str(), v.as_str()), ("A", "b=c"));
        let (n, v) = split_var(Text::from("NOVALUE"));
        assert_eq!((n.as_str(), v.as_str()), ("NOVALUE", ""));
        let (n, v) = split_var(Text::from("=x"));
        assert_eq!((n.as_str(), v.as_str()), ("", "x"));
    }

    #[test]
    fn legacy_var_reads_the_name_between_the_parentheses() {
        let m = Message::from_pairs([
            ("ChanVariable(FOO)", "bar"),
            ("ChanVariable(A(B))", "1"),
            ("ChanVariable()", "2"),
            ("ChanVariable(open", "3"),
            ("ChanVariable", "4"),
        ]);
        let pair = |i| {
            let (n, v) = legacy_var(&m, i);
            (n.as_str().to_owned(), v.as_str().to_owned())
        };
        assert_eq!(pair(0), ("FOO".into(), "bar".into()));
        assert_eq!(pair(1), ("A(B)".into(), "1".into()));
        assert_eq!(pair(2), (String::new(), "2".into()));
        assert_eq!(pair(3), (String::new(), "3".into()));
        assert_eq!(pair(4), (String::new(), "4".into()));
    }
}
