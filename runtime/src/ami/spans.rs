//! Where the headers of a message are: one [`Span`] per header line, kept as a
//! [`SpanList`] that shares a chunk of memory with the spans of the messages
//! decoded before and after it.
//!
//! Sharing a chunk (written by a [`SpanWriter`], split off per message) instead
//! of one allocation per message matters when messages are decoded on one thread
//! and dropped on another: the allocator's cross-thread path then costs more than
//! the decoding itself.

use bytes::{Bytes, BytesMut};

/// Bytes of one encoded span: four little-endian `u32`.
const SPAN_BYTES: usize = 16;
/// Room reserved at a time for spans (about 2,000 header lines).
const CHUNK: usize = 32 * 1024;
/// More room than this is released by [`SpanWriter::clear`].
const KEEP: usize = 4 * CHUNK;

/// Byte ranges of one header line inside the message buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) name_start: u32,
    pub(crate) name_end: u32,
    pub(crate) value_start: u32,
    pub(crate) value_end: u32,
}

/// Names are short: look for the colon byte by byte over this many bytes before
/// handing the rest of a (colonless, long) line to `memchr`.
const SHORT_SCAN: usize = 32;

pub(crate) fn find_colon(line: &[u8]) -> Option<usize> {
    let head = &line[..line.len().min(SHORT_SCAN)];
    match head.iter().position(|&b| b == b':') {
        Some(i) => Some(i),
        None if line.len() > SHORT_SCAN => {
            memchr::memchr(b':', &line[SHORT_SCAN..]).map(|i| SHORT_SCAN + i)
        }
        None => None,
    }
}

impl Span {
    /// The span of one non-empty header line: `line` is its content without the
    /// line ending, found at offset `start` of the message buffer (which must be
    /// shorter than 4 GiB). A line without a colon gets an empty name and the
    /// whole line as its value.
    pub(crate) fn of_line(line: &[u8], start: usize) -> Span {
        Span::with_colon(line, start, find_colon(line))
    }

    /// Like [`Span::of_line`] when the position of the first colon in `line` is
    /// already known.
    #[inline]
    pub(crate) fn with_colon(line: &[u8], start: usize, colon: Option<usize>) -> Span {
        let line_end = (start + line.len()) as u32;
        let start32 = start as u32;
        match colon {
            Some(colon) => {
                let mut v = colon + 1;
                if line.get(v) == Some(&b' ') {
                    v += 1;
                }
                Span {
                    name_start: start32,
                    name_end: start32 + colon as u32,
                    value_start: start32 + v as u32,
                    value_end: line_end,
                }
            }
            None => Span {
                name_start: start32,
                name_end: start32,
                value_start: start32,
                value_end: line_end,
            },
        }
    }

    #[inline]
    fn encode(self) -> [u8; SPAN_BYTES] {
        let mut out = [0u8; SPAN_BYTES];
        out[0..4].copy_from_slice(&self.name_start.to_le_bytes());
        out[4..8].copy_from_slice(&self.name_end.to_le_bytes());
        out[8..12].copy_from_slice(&self.value_start.to_le_bytes());
        out[12..16].copy_from_slice(&self.value_end.to_le_bytes());
        out
    }

    #[inline]
    fn decode(raw: &[u8; SPAN_BYTES]) -> Span {
        let word = |i: usize| u32::from_le_bytes([raw[i], raw[i + 1], raw[i + 2], raw[i + 3]]);
        Span {
            name_start: word(0),
            name_end: word(4),
            value_start: word(8),
            value_end: word(12),
        }
    }
}

/// The spans of one message, in header order.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct SpanList(Bytes);

impl SpanList {
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.0.len() / SPAN_BYTES
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<Span> {
        let start = index.checked_mul(SPAN_BYTES)?;
        let raw = self.0.get(start..start.checked_add(SPAN_BYTES)?)?;
        raw.try_into().ok().map(Span::decode)
    }

    #[inline]
    pub(crate) fn first(&self) -> Option<Span> {
        self.get(0)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = Span> + '_ {
        self.0
            .chunks_exact(SPAN_BYTES)
            .filter_map(|c| c.try_into().ok().map(Span::decode))
    }
}

/// Collects the spans of the message being decoded; [`SpanWriter::finish`] hands
/// them out as a [`SpanList`] and starts the next message in the same chunk.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpanWriter(BytesMut);

impl SpanWriter {
    #[inline]
    pub(crate) fn push(&mut self, span: Span) {
        if self.0.capacity() - self.0.len() < SPAN_BYTES {
            self.0.reserve(CHUNK);
        }
        self.0.extend_from_slice(&span.encode());
    }

    /// The spans pushed since the last `finish` or `clear`.
    pub(crate) fn finish(&mut self) -> SpanList {
        SpanList(self.0.split().freeze())
    }

    /// Forget the spans pushed since the last `finish`. Room grown for a huge
    /// message (one that was then skipped) is given back.
    pub(crate) fn clear(&mut self) {
        if self.0.capacity() > KEEP {
            self.0 = BytesMut::new();
        } else {
            self.0.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_round_trip_and_lists_stay_apart() {
        let mut w = SpanWriter::default();
        let a = Span::of_line(b"Event: Hangup", 0);
        let b = Span::of_line(b"no colon here", 15);
        w.push(a);
        w.push(b);
        let first = w.finish();
        w.push(Span::of_line(b"X: 1", 70_000));
        w.clear();
        let c = Span::of_line(b"Channel:PJSIP/1", 4_000_000);
        w.push(c);
        let second = w.finish();
        assert_eq!(first.len(), 2);
        assert_eq!(first.iter().collect::<Vec<_>>(), [a, b]);
        assert_eq!(first.get(1), Some(b));
        assert_eq!(first.get(2), None);
        assert_eq!(first.get(usize::MAX), None);
        assert_eq!(second.first(), Some(c));
        assert_eq!(
            (c.name_start, c.name_end, c.value_start),
            (4_000_000, 4_000_007, 4_000_008)
        );
        assert_eq!(
            (b.name_start, b.name_end, b.value_start, b.value_end),
            (15, 15, 15, 28)
        );
        assert!(SpanList::default().is_empty());
    }

    #[test]
    fn clear_releases_room_grown_for_a_huge_message() {
        let mut w = SpanWriter::default();
        for i in 0..100_000 {
            w.push(Span::of_line(b"a", i * 2));
        }
        assert!(w.0.capacity() > KEEP);
        w.clear();
        assert!(w.0.capacity() <= KEEP);
        w.push(Span::of_line(b"Event: X", 0));
        assert_eq!(w.finish().len(), 1);
    }

    #[test]
    fn a_writer_outlives_many_chunks() {
        let mut w = SpanWriter::default();
        let mut lists = Vec::new();
        for i in 0..10_000u32 {
            w.push(Span::of_line(b"Key: value", i as usize * 12));
            lists.push(w.finish());
        }
        for (i, l) in lists.iter().enumerate() {
            assert_eq!(l.len(), 1);
            assert_eq!(l.first().map(|s| s.name_start), Some(i as u32 * 12));
        }
    }
}
