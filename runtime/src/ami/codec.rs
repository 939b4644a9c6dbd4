//! Framing of the AMI byte stream: [`FrameDecoder`] splits received bytes into
//! [`Frame`]s (the banner line, then one [`Message`] per block ended by an empty line).
//!
//! Tolerated on input, as Asterisk really sends them: `\r\n` and bare `\n` line
//! endings in any mix (`\r\n\r\n`, `\r\n\n`, `\n\n` all end a message); the banner
//! `Asterisk Call Manager/<version>` without an empty line after it; extra empty
//! lines between messages (QueueRule); command output as repeated `Output:` headers
//! and in the legacy `Response: Follows` … `--END COMMAND--` form whose body may
//! contain empty lines. A message longer than the configured cap is skipped up to its
//! terminating empty line without being buffered and reported as
//! [`FrameError::TooLarge`]; decoding then continues with the next message.

use super::message::Message;
use super::scan;
use super::spans::{Span, SpanWriter, find_colon};
use super::text::Text;
use bytes::{Buf, BytesMut};

/// Default cap on one message: 1 MiB.
pub const DEFAULT_MAX_MESSAGE: usize = 1 << 20;

/// Prefix of the banner line Asterisk writes right after accepting a connection.
const BANNER_PREFIX: &[u8] = b"Asterisk Call Manager";
/// First line of a legacy command response whose body ends with [`END_COMMAND`].
const FOLLOWS: &[u8] = b"Response: Follows";
/// End marker of a legacy `Response: Follows` body.
const END_COMMAND: &[u8] = b"--END COMMAND--";

/// One decoded unit of the AMI stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// The banner line, e.g. `Asterisk Call Manager/12.0.0` (without line ending).
    Banner(Text),
    /// A response, an event, or (server side) an action.
    Message(Message),
}

/// A problem in the stream that the decoder reported and stepped over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// A message exceeded the cap; its bytes were discarded up to and including its
    /// terminating empty line.
    #[error("AMI message of {size} bytes exceeds the limit of {limit} bytes and was skipped")]
    TooLarge {
        /// Bytes discarded (the whole message including its line endings).
        size: usize,
        /// The configured cap.
        limit: usize,
    },
}

/// Incremental AMI frame decoder.
///
/// Feed it by appending received bytes to one [`BytesMut`] and calling
/// [`FrameDecoder::decode`] until it returns `None`. Complete frames are split off
/// the front of the buffer and frozen, so every [`Message`] shares the received
/// bytes without copying. Bytes already scanned are never scanned again when a
/// frame arrives in many chunks, and the header positions are recorded while the
/// end of the frame is searched, so a frame's lines are walked once.
///
/// The frames and errors decoded from a stream never depend on how its bytes
/// were split into chunks. The cap counts every byte of a message's lines,
/// line endings included, up to its terminating empty line (excluded): a message
/// of exactly the cap is kept. A banner line counts with its line ending, and a
/// banner line longer than the cap is skipped alone (it has no empty line after
/// it). A message is given up before its end only once it is certain to be too
/// long, and the last bytes of the line being discarded are kept so that a
/// `--END COMMAND--` line split across reads is still recognised.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    max: usize,
    /// Offset (in the buffer) of the first byte of the line being scanned.
    line_start: usize,
    /// Offset from which the search for the next `\n` resumes.
    search_from: usize,
    /// The current message is a legacy `Response: Follows` command response.
    follows: bool,
    /// Its `--END COMMAND--` line has been seen.
    end_seen: bool,
    /// Discarding an oversized message.
    skipping: Option<Skip>,
    /// Header spans of the lines of the current message seen so far.
    spans: SpanWriter,
    /// Every byte of the current message scanned so far, OR-ed together (and
    /// maybe a few bytes after it): the message is ASCII when no high bit is set.
    seen: u64,
}

/// Bytes of a line kept in the buffer while the rest of it is discarded: enough
/// to recognise `--END COMMAND--` (and a `\r` after it) at its end.
const KEEP_TAIL: usize = END_COMMAND.len() + 1;

/// Where the decoder is while discarding an oversized message.
#[derive(Debug, Clone, Copy)]
struct Skip {
    /// Bytes of the message discarded so far (bytes kept in the buffer excluded).
    discarded: usize,
    /// Part of the current line was already discarded: the buffer starts inside it.
    mid_line: bool,
    /// The current line is the message's first and may be a banner line: it starts
    /// with the banner prefix and no colon has been seen in it so far.
    banner: bool,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

fn is_empty_line(line: &[u8]) -> bool {
    line.is_empty() || line == b"\r"
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn is_banner(content: &[u8]) -> bool {
    content.starts_with(BANNER_PREFIX) && memchr::memchr(b':', content).is_none()
}

impl FrameDecoder {
    /// A decoder with the default cap of [`DEFAULT_MAX_MESSAGE`] bytes per message.
    pub fn new() -> Self {
        Self::with_max_message(DEFAULT_MAX_MESSAGE)
    }

    /// A decoder that skips messages longer than `max` bytes (at least 64 bytes, at
    /// most 4 GiB − 1).
    pub fn with_max_message(max: usize) -> Self {
        FrameDecoder {
            max: max.clamp(64, u32::MAX as usize - 1),
            line_start: 0,
            search_from: 0,
            follows: false,
            end_seen: false,
            skipping: None,
            spans: SpanWriter::default(),
            seen: 0,
        }
    }

    /// The cap on one message, in bytes.
    pub fn max_message(&self) -> usize {
        self.max
    }

    fn reset_message(&mut self) {
        self.line_start = 0;
        self.search_from = 0;
        self.follows = false;
        self.end_seen = false;
        self.skipping = None;
        self.clear_spans();
    }

    fn clear_spans(&mut self) {
        self.spans.clear();
        self.seen = 0;
    }

    fn message_may_end(&self) -> bool {
        !self.follows || self.end_seen
    }

    fn too_large(&self, size: usize) -> FrameError {
        FrameError::TooLarge {
            size,
            limit: self.max,
        }
    }

    /// Decode the next frame from the front of `buf`, removing its bytes.
    ///
    /// Returns `None` when more bytes are needed (the bytes seen so far stay in
    /// `buf`, except those of an oversized message, which are dropped), `Some(Err)`
    /// after skipping an oversized message, `Some(Ok)` for a frame.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Option<Result<Frame, FrameError>> {
        loop {
            if let Some(skip) = self.skipping {
                match self.skip_step(buf, skip) {
                    SkipStep::NeedMore => return None,
                    SkipStep::Continue => continue,
                    SkipStep::Done(size) => {
                        self.reset_message();
                        return Some(Err(self.too_large(size)));
                    }
                }
            }
            let Some((nl, colon)) = scan::next_line(buf, self.search_from, &mut self.seen) else {
                self.search_from = buf.len();
                self.give_up_if_certain(buf);
                return None;
            };
            // The colon found is the line's first only when the whole line was
            // scanned in this call (not resumed after more bytes arrived).
            let whole_line = self.search_from == self.line_start;
            let line = &buf[self.line_start..nl];
            let colon = |content: &[u8]| match whole_line {
                true => colon.map(|c| c - self.line_start),
                false => find_colon(content),
            };
            let first = self.line_start == 0;
            if is_empty_line(line) {
                if first {
                    // Stray empty line between messages (QueueRule, or a lone CRLF).
                    buf.advance(nl + 1);
                    self.reset_message();
                    continue;
                }
                if self.message_may_end() {
                    let frame = buf.split_to(self.line_start).freeze();
                    buf.advance(nl + 1 - frame.len());
                    let utf8 = scan::all_ascii(self.seen) || std::str::from_utf8(&frame).is_ok();
                    let spans = self.spans.finish();
                    self.reset_message();
                    return Some(Ok(Frame::Message(Message::from_parts(frame, spans, utf8))));
                }
                // An empty line inside a legacy command body.
            } else if first {
                let content = trim_cr(line);
                if is_banner(content) {
                    let len = content.len();
                    let size = nl + 1;
                    if size > self.max {
                        buf.advance(size);
                        self.reset_message();
                        return Some(Err(self.too_large(size)));
                    }
                    let bytes = buf.split_to(size).freeze().slice(..len);
                    self.reset_message();
                    return Some(Ok(Frame::Banner(Text::from_bytes(bytes))));
                }
                if content.eq_ignore_ascii_case(FOLLOWS) {
                    self.follows = true;
                }
                let span = Span::with_colon(content, self.line_start, colon(content));
                self.spans.push(span);
            } else {
                let content = trim_cr(line);
                if self.follows && content.ends_with(END_COMMAND) {
                    self.end_seen = true;
                }
                let span = Span::with_colon(content, self.line_start, colon(content));
                self.spans.push(span);
            }
            self.line_start = nl + 1;
            self.search_from = nl + 1;
            if self.line_start > self.max {
                let size = self.line_start;
                buf.advance(size);
                self.enter_skip(Skip {
                    discarded: size,
                    mid_line: false,
                    banner: false,
                });
            }
        }
    }

    /// With no line end in `buf`: start discarding the message when it is sure to
    /// exceed the cap, whatever comes next. The unterminated line will be a line of
    /// at least one byte more than it has now unless it is (the start of) the
    /// terminating empty line, so the message is sure to be too long once the
    /// buffer holds the cap and that line is neither empty nor a lone `\r`.
    fn give_up_if_certain(&mut self, buf: &mut BytesMut) {
        let partial = &buf[self.line_start..];
        if is_empty_line(partial) || buf.len() < self.max {
            return;
        }
        let banner = self.line_start == 0 && is_banner(partial);
        let keep = partial.len().min(KEEP_TAIL);
        let discard = buf.len() - keep;
        let mid_line = discard > self.line_start;
        buf.advance(discard);
        self.enter_skip(Skip {
            discarded: discard,
            mid_line,
            banner,
        });
    }

    fn enter_skip(&mut self, skip: Skip) {
        self.skipping = Some(skip);
        self.line_start = 0;
        self.search_from = 0;
        self.clear_spans();
    }

    /// One step of discarding an oversized message (the buffer starts at a line
    /// boundary, or inside a line when `skip.mid_line`).
    fn skip_step(&mut self, buf: &mut BytesMut, mut skip: Skip) -> SkipStep {
        let Some(i) = memchr::memchr(b'\n', buf) else {
            if skip.banner && memchr::memchr(b':', buf).is_some() {
                skip.banner = false;
            }
            // Keep the tail of the line: it may be part of `--END COMMAND--`, or
            // the `\r` of the terminating empty line.
            let discard = buf.len().saturating_sub(KEEP_TAIL);
            if discard > 0 {
                buf.advance(discard);
                skip.discarded += discard;
                skip.mid_line = true;
            }
            self.skipping = Some(skip);
            return SkipStep::NeedMore;
        };
        let line = &buf[..i];
        let total = skip.discarded + i + 1;
        if skip.banner && memchr::memchr(b':', line).is_none() {
            // An oversized banner line: a frame of its own.
            buf.advance(i + 1);
            return SkipStep::Done(total);
        }
        let empty = !skip.mid_line && is_empty_line(line);
        if !empty && self.follows && trim_cr(line).ends_with(END_COMMAND) {
            self.end_seen = true;
        }
        buf.advance(i + 1);
        if empty && self.message_may_end() {
            return SkipStep::Done(total);
        }
        self.skipping = Some(Skip {
            discarded: total,
            mid_line: false,
            banner: false,
        });
        SkipStep::Continue
    }
}

enum SkipStep {
    NeedMore,
    Continue,
    Done(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(
        dec: &mut FrameDecoder,
        input: &[u8],
        chunk: usize,
    ) -> Vec<Result<Frame, FrameError>> {
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            buf.extend_from_slice(c);
            while let Some(f) = dec.decode(&mut buf) {
                out.push(f);
            }
        }
        out
    }

    fn msg(f: &Result<Frame, FrameError>) -> &Message {
        match f {
            Ok(Frame::Message(m)) => m,
            other => panic!("not a message: {other:?}"),
        }
    }

    #[test]
    fn banner_then_messages_with_mixed_terminators() {
        let input = b"Asterisk Call Manager/12.0.0\r\nResponse: Success\r\nMessage: ok\n\r\n\r\nEvent: A\n\nEvent: B\r\n\r\n";
        for chunk in [1, 2, 3, 5, 100] {
            let out = decode_all(&mut FrameDecoder::new(), input, chunk);
            assert_eq!(out.len(), 4, "chunk {chunk}");
            assert_eq!(
                out[0],
                Ok(Frame::Banner(Text::from("Asterisk Call Manager/12.0.0")))
            );
            assert_eq!(msg(&out[1]).get("Message"), Some("ok"));
            assert_eq!(msg(&out[2]).event_name(), Some("A"));
            assert_eq!(msg(&out[3]).event_name(), Some("B"));
        }
    }

    #[test]
    fn legacy_follows_body_keeps_empty_lines() {
        let input = b"Response: Follows\r\nPrivilege: Command\r\nActionID: 1\r\nline one\n\nline: three\n--END COMMAND--\r\n\r\nEvent: Next\r\n\r\n";
        for chunk in [1, 4, 1000] {
            let out = decode_all(&mut FrameDecoder::new(), input, chunk);
            assert_eq!(out.len(), 2);
            let m = msg(&out[0]);
            assert_eq!(m.response(), Some("Follows"));
            assert!(m.as_bytes().ends_with(b"--END COMMAND--\r\n"));
            assert_eq!(msg(&out[1]).event_name(), Some("Next"));
        }
    }

    #[test]
    fn oversized_message_is_reported_and_skipped() {
        let mut input = b"Event: Small\r\n\r\nEvent: Big\r\n".to_vec();
        for i in 0..100 {
            input.extend_from_slice(
                format!("Variable: v{i}=xxxxxxxxxxxxxxxxxxxxxxxx\r\n").as_bytes(),
            );
        }
        input.extend_from_slice(b"\r\nEvent: After\r\n\r\n");
        for chunk in [1, 7, 4096] {
            let out = decode_all(&mut FrameDecoder::with_max_message(1024), &input, chunk);
            assert_eq!(out.len(), 3, "chunk {chunk}");
            assert_eq!(msg(&out[0]).event_name(), Some("Small"));
            match &out[1] {
                Err(FrameError::TooLarge { size, limit }) => {
                    assert_eq!(*limit, 1024);
                    assert_eq!(*size, input.len() - 16 - 16);
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(msg(&out[2]).event_name(), Some("After"));
        }
    }

    #[test]
    fn oversized_single_line_is_not_buffered() {
        let mut dec = FrameDecoder::with_max_message(100);
        let mut buf = BytesMut::new();
        buf.extend_from_slice(b"Event: X\r\nData: ");
        assert!(dec.decode(&mut buf).is_none());
        for _ in 0..50 {
            buf.extend_from_slice(&[b'a'; 100]);
            assert!(dec.decode(&mut buf).is_none());
            assert!(buf.len() <= 200, "buffered {}", buf.len());
        }
        buf.extend_from_slice(b"\r\n\r\nEvent: Y\r\n\r\n");
        assert!(matches!(
            dec.decode(&mut buf),
            Some(Err(FrameError::TooLarge { .. }))
        ));
        assert_eq!(msg(&dec.decode(&mut buf).unwrap()).event_name(), Some("Y"));
    }

    #[test]
    fn messages_equal_a_fresh_parse_of_their_bytes() {
        let input = b"Event: A\r\nX:y\r\nno colon here\nVal: \xff\r\n\r\nResponse: Follows\r\nActionID: 2\nout:\n\nmore\n--END COMMAND--\n\n";
        for chunk in [1, 3, 4096] {
            let out = decode_all(&mut FrameDecoder::new(), input, chunk);
            assert_eq!(out.len(), 2, "chunk {chunk}");
            for f in &out {
                let m = msg(f);
                assert_eq!(*m, Message::parse(m.as_bytes().clone()), "chunk {chunk}");
            }
        }
    }

    /// Decode `input` as one chunk and as two chunks split at `at`.
    fn whole_and_split(max: usize, input: &[u8], at: usize) -> [Vec<Result<Frame, FrameError>>; 2] {
        let whole = decode_all(&mut FrameDecoder::with_max_message(max), input, input.len());
        let mut dec = FrameDecoder::with_max_message(max);
        let mut buf = BytesMut::new();
        let mut split = Vec::new();
        for part in [&input[..at], &input[at..]] {
            buf.extend_from_slice(part);
            while let Some(f) = dec.decode(&mut buf) {
                split.push(f);
            }
        }
        [whole, split]
    }

    #[test]
    fn oversized_follows_ends_when_a_read_splits_its_end_marker() {
        let mut input = b"Response: Follows\r\n".to_vec();
        input.extend_from_slice(&[b'x'; 60]);
        input.extend_from_slice(b"\n--END COMMAND--\r\n\r\nEvent: Lost\r\n\r\n");
        let size = input.len() - "Event: Lost\r\n\r\n".len();
        for at in 0..=input.len() {
            let [whole, split] = whole_and_split(64, &input, at);
            assert_eq!(split, whole, "split at {at}");
            assert_eq!(split.len(), 2, "split at {at}");
            assert_eq!(split[0], Err(FrameError::TooLarge { size, limit: 64 }));
            assert_eq!(msg(&split[1]).event_name(), Some("Lost"));
        }
    }

    #[test]
    fn a_megabyte_of_command_output_split_in_its_marker_loses_nothing_after_it() {
        let mut input = b"Response: Follows\r\nPrivilege: Command\r\n".to_vec();
        while input.len() < 1_100_000 {
            input.extend_from_slice(b"PJSIP/100-00000001  Up  Dial(PJSIP/200)  0:01:02\n");
        }
        let marker = input.len() + 5;
        input.extend_from_slice(b"--END COMMAND--\r\n\r\n");
        for i in 0..20 {
            input.extend_from_slice(format!("Event: After{i}\r\n\r\n").as_bytes());
        }
        let [whole, split] = whole_and_split(DEFAULT_MAX_MESSAGE, &input, marker);
        assert_eq!(split.len(), 21);
        assert_eq!(split, whole);
        assert!(matches!(split[0], Err(FrameError::TooLarge { .. })));
        assert_eq!(msg(&split[20]).event_name(), Some("After19"));
    }

    #[test]
    fn a_message_of_exactly_the_cap_is_kept_however_it_is_split() {
        let mut input = b"Event: Full\r\nData: ".to_vec();
        input.resize(62, b'd');
        input.extend_from_slice(b"\r\n");
        assert_eq!(input.len(), 64);
        input.extend_from_slice(b"\r\nEvent: Next\r\n\r\n");
        for at in 0..=input.len() {
            let [whole, split] = whole_and_split(64, &input, at);
            assert_eq!(split, whole, "split at {at}");
            assert_eq!(msg(&split[0]).get("Data").map(str::len), Some(43));
            assert_eq!(msg(&split[1]).event_name(), Some("Next"));
        }
    }

    #[test]
    fn a_banner_over_the_cap_is_skipped_alone_however_it_is_split() {
        let mut input = b"Asterisk Call Manager/".to_vec();
        input.resize(100, b'9');
        input.extend_from_slice(b"\r\nEvent: Next\r\n\r\n");
        for at in 0..=input.len() {
            let [whole, split] = whole_and_split(64, &input, at);
            assert_eq!(split, whole, "split at {at}");
            assert_eq!(
                split[0],
                Err(FrameError::TooLarge {
                    size: 102,
                    limit: 64
                })
            );
            assert_eq!(msg(&split[1]).event_name(), Some("Next"));
        }
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed = 0x2545_f491_u32;
        let mut data = Vec::new();
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            data.push(match seed % 7 {
                0 => b'\n',
                1 => b'\r',
                2 => b':',
                _ => (seed >> 8) as u8,
            });
        }
        for chunk in [1, 13, 512] {
            let out = decode_all(&mut FrameDecoder::with_max_message(256), &data, chunk);
            assert!(!out.is_empty());
            for f in &out {
                if let Ok(Frame::Message(m)) = f {
                    assert_eq!(*m, Message::parse(m.as_bytes().clone()));
                }
            }
        }
    }
}
