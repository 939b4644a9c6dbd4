//! [`Message`]: one AMI message (response or event) as an ordered multimap of
//! headers over one shared buffer.

use super::spans::{Span, SpanList, SpanWriter};
use super::text::Text;
use bytes::Bytes;
use std::fmt;

/// One AMI message: the frame's bytes plus the position of every header.
///
/// Headers keep their order and repeats (`Variable`, `Output`, `ChanVariable`).
/// Names are matched ASCII case-insensitively by the `get*` methods. Values that
/// are not UTF-8 stay reachable as bytes ([`Message::value_bytes`]); the `&str`
/// accessors skip them and [`Message::value_text`] converts them lossily.
///
/// A line without a colon (legacy `Response: Follows` command output, or garbage)
/// is kept as a header with an empty name and the whole line as its value.
///
/// A received message shares the client's read buffer (up to 256 KiB) with the
/// messages read along with it, and keeps it alive while it lives. To keep a few
/// messages for long, store [`Message::detached`] copies.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    buf: Bytes,
    spans: SpanList,
    utf8: bool,
}

/// A borrowed view of one header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header<'a> {
    /// Position of the header in the message.
    pub index: usize,
    /// The header name (empty for a line without a colon).
    pub name: &'a str,
    /// The value bytes, exactly as received (leading space after the colon removed,
    /// line ending removed).
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    /// The value as `&str`, or `None` when it is not UTF-8.
    #[inline]
    pub fn value_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.value).ok()
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}

impl Message {
    /// Parse one frame: header lines separated by `\r\n` or `\n`, without the
    /// terminating empty line (a trailing empty line is ignored). Never fails and
    /// never panics: odd lines are kept as described on [`Message`].
    pub fn parse(buf: Bytes) -> Message {
        let utf8 = std::str::from_utf8(&buf).is_ok();
        let mut spans = SpanWriter::default();
        let bytes: &[u8] = &buf;
        let mut start = 0usize;
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[start..])
                .map(|i| start + i)
                .unwrap_or(bytes.len());
            let line = trim_cr(&bytes[start..end]);
            if !line.is_empty() {
                spans.push(Span::of_line(line, start));
            }
            start = end + 1;
        }
        Message {
            buf,
            spans: spans.finish(),
            utf8,
        }
    }

    /// Assemble a message from a frame and the spans of its header lines, found by
    /// a caller that already walked the lines (the frame decoder). `spans` must be
    /// exactly what [`Message::parse`] would find in `buf`, and `utf8` whether all
    /// of `buf` is valid UTF-8.
    pub(crate) fn from_parts(buf: Bytes, spans: SpanList, utf8: bool) -> Message {
        debug_assert_eq!(utf8, std::str::from_utf8(&buf).is_ok());
        Message { buf, spans, utf8 }
    }

    /// Build a message from header pairs (for tests, mocks and synthesized events).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Message {
        let mut s = String::new();
        for (k, v) in pairs {
            s.push_str(k);
            s.push_str(": ");
            s.push_str(v);
            s.push_str("\r\n");
        }
        Message::parse(Bytes::from(s))
    }

    /// An equal message in buffers of its own, so that keeping it does not keep
    /// the read buffer it came from alive.
    pub fn detached(&self) -> Message {
        Message::parse(Bytes::copy_from_slice(&self.buf))
    }

    /// The frame's bytes, exactly as received (without the terminating empty line).
    pub fn as_bytes(&self) -> &Bytes {
        &self.buf
    }

    /// Number of header lines.
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the message has no header at all.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Header number `index`, or `None` past the end.
    #[inline]
    pub fn header(&self, index: usize) -> Option<Header<'_>> {
        let s = self.spans.get(index)?;
        Some(Header {
            index,
            name: self.name_at(s),
            value: &self.buf[s.value_start as usize..s.value_end as usize],
        })
    }

    #[inline]
    fn name_at(&self, s: Span) -> &str {
        self.str_at(s.name_start, s.name_end).unwrap_or("")
    }

    /// The bytes `start..end` as `&str`, when they are UTF-8. Spans always start
    /// and end at ASCII bytes (line starts and ends, `:`, a space), so when the
    /// whole buffer is UTF-8 every span is too and is not checked again.
    #[inline]
    fn str_at(&self, start: u32, end: u32) -> Option<&str> {
        let raw = &self.buf[start as usize..end as usize];
        if self.utf8 {
            // SAFETY: `self.utf8` means the whole buffer passed `from_utf8` in
            // `parse`; spans are cut at ASCII bytes, which are never inside a
            // multi-byte sequence, so every span is valid UTF-8 too.
            Some(unsafe { std::str::from_utf8_unchecked(raw) })
        } else {
            std::str::from_utf8(raw).ok()
        }
    }

    /// All headers in order.
    pub fn headers(&self) -> impl Iterator<Item = Header<'_>> + '_ {
        (0..self.spans.len()).filter_map(move |i| self.header(i))
    }

    /// Name of header `index` (empty when out of range or not UTF-8).
    #[inline]
    pub fn name(&self, index: usize) -> &str {
        self.spans.get(index).map(|s| self.name_at(s)).unwrap_or("")
    }

    /// Raw value bytes of header `index` (empty when out of range).
    #[inline]
    pub fn value_bytes(&self, index: usize) -> &[u8] {
        match self.spans.get(index) {
            Some(s) => &self.buf[s.value_start as usize..s.value_end as usize],
            None => &[],
        }
    }

    /// Value of header `index` as `&str`, `None` when out of range or not UTF-8.
    #[inline]
    pub fn value_str(&self, index: usize) -> Option<&str> {
        let s = self.spans.get(index)?;
        self.str_at(s.value_start, s.value_end)
    }

    /// Value of header `index` as shared [`Text`] (lossy when not UTF-8; empty
    /// when out of range). No copy when the message is valid UTF-8.
    #[inline]
    pub fn value_text(&self, index: usize) -> Text {
        match self.spans.get(index) {
            Some(s) => {
                let (start, end) = (s.value_start as usize, s.value_end as usize);
                if self.utf8 {
                    Text::from_validated_range(&self.buf, start, end)
                } else {
                    self.lossy_text(start, end)
                }
            }
            None => Text::default(),
        }
    }

    /// `buf[start..end]` of a message that is not all UTF-8 (out of line: rare).
    #[inline(never)]
    fn lossy_text(&self, start: usize, end: usize) -> Text {
        Text::from_bytes(self.buf.slice(start..end))
    }

    /// Position of the first header named `name` (ASCII case-insensitive).
    #[inline]
    pub fn position(&self, name: &str) -> Option<usize> {
        let nb = name.as_bytes();
        self.spans.iter().position(|s| {
            let raw = &self.buf[s.name_start as usize..s.name_end as usize];
            raw.eq_ignore_ascii_case(nb)
        })
    }

    /// First value of header `name` (ASCII case-insensitive), `None` when absent or
    /// not UTF-8.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.position(name).and_then(|i| self.value_str(i))
    }

    /// First value of header `name` as shared [`Text`].
    pub fn get_text(&self, name: &str) -> Option<Text> {
        self.position(name).map(|i| self.value_text(i))
    }

    /// First value of header `name` as raw bytes.
    pub fn get_bytes(&self, name: &str) -> Option<&[u8]> {
        self.position(name).map(|i| self.value_bytes(i))
    }

    /// Every value of header `name`, in order (values that are not UTF-8 skipped;
    /// use [`Message::headers`] for bytes).
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .filter_map(|h| h.value_str())
    }

    /// The `Event` header, when this is an event.
    #[inline]
    pub fn event_name(&self) -> Option<&str> {
        // `Event` is the first header of every event Asterisk sends.
        match self.spans.first() {
            Some(s) if self.name_at(s).eq_ignore_ascii_case("Event") => self.value_str(0),
            _ => self.get("Event"),
        }
    }

    /// The `Response` header, when this is a response to an action.
    pub fn response(&self) -> Option<&str> {
        match self.spans.first() {
            Some(s) if self.name_at(s).eq_ignore_ascii_case("Response") => self.value_str(0),
            _ => self.get("Response"),
        }
    }

    /// The `ActionID` header.
    pub fn action_id(&self) -> Option<&str> {
        self.get("ActionID")
    }

    /// Whether every byte of the message is valid UTF-8.
    pub fn is_utf8(&self) -> bool {
        self.utf8
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for h in self.headers() {
            // Never print credentials, even from a message we received.
            if h.name.eq_ignore_ascii_case("Secret") || h.name.eq_ignore_ascii_case("Key") {
                m.entry(&h.name, &"<redacted>");
            } else {
                m.entry(&h.name, &String::from_utf8_lossy(h.value));
            }
        }
        m.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers_in_order_with_repeats() {
        let m = Message::parse(Bytes::from_static(
            b"Event: VarSet\r\nPrivilege: dialplan,all\r\nVariable: A=1\r\nVariable: B=2\r\nEmpty:\r\n",
        ));
        assert_eq!(m.len(), 5);
        assert_eq!(m.event_name(), Some("VarSet"));
        assert_eq!(m.get("privilege"), Some("dialplan,all"));
        assert_eq!(m.get_all("Variable").collect::<Vec<_>>(), ["A=1", "B=2"]);
        assert_eq!(m.get("Empty"), Some(""));
        assert_eq!(m.get("Missing"), None);
    }

    #[test]
    fn detached_copy_is_equal_and_owns_its_bytes() {
        let read_buffer =
            Bytes::from_static(b"Event: Hangup\r\nChannel: PJSIP/1\r\n\r\nEvent: X\r\n");
        let m = Message::parse(read_buffer.slice(..33));
        let d = m.detached();
        assert_eq!(d, m);
        assert_eq!(d.get("Channel"), Some("PJSIP/1"));
        assert_ne!(d.as_bytes().as_ptr(), read_buffer.as_ptr());
    }

    #[test]
    fn tolerates_bare_lf_missing_space_and_colonless_lines() {
        let m = Message::parse(Bytes::from_static(
            b"Response: Follows\nA:b\nsome output line\r\n\r\n",
        ));
        assert_eq!(m.response(), Some("Follows"));
        assert_eq!(m.get("A"), Some("b"));
        assert_eq!(m.name(2), "");
        assert_eq!(m.value_str(2), Some("some output line"));
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn invalid_utf8_stays_reachable_as_bytes() {
        let m = Message::parse(Bytes::from_static(b"Event: X\r\nName: a\xffb\r\n"));
        assert!(!m.is_utf8());
        assert_eq!(m.get("Name"), None);
        assert_eq!(m.get_bytes("Name"), Some(&b"a\xffb"[..]));
        assert_eq!(m.get_text("Name").unwrap().as_str(), "a\u{fffd}b");
        assert_eq!(m.event_name(), Some("X"));
    }

    #[test]
    fn debug_redacts_secrets() {
        let m = Message::from_pairs([("Action", "Login"), ("Secret", "hunter2")]);
        let d = format!("{m:?}");
        assert!(!d.contains("hunter2"), "{d}");
    }
}
