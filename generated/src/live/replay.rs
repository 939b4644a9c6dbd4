//! Replaying a capture: the typed [`Event`]s of raw AMI bytes, decoded with the
//! client's own frame decoder, so a capture feeds [`LiveModel`](super::LiveModel)
//! exactly as a live connection does.

use crate::ami::Event;
use asterisk_sdk_runtime::ami::{Frame, FrameDecoder, FrameError};
use bytes::BytesMut;

/// What a replay read: its events, and what was not an event.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Capture {
    /// Every event, in order.
    pub events: Vec<Event>,
    /// Messages that were not events (action responses).
    pub responses: usize,
    /// Frames that did not decode, with their error.
    pub errors: Vec<FrameError>,
    /// Bytes left after the last complete message (a capture cut short).
    pub trailing_bytes: usize,
}

/// Decode `bytes` (an AMI byte stream as received, with or without the banner)
/// into typed events.
pub fn decode_capture(bytes: &[u8]) -> Capture {
    let mut buf = BytesMut::from(bytes);
    let mut decoder = FrameDecoder::new();
    let mut out = Capture::default();
    while let Some(frame) = decoder.decode(&mut buf) {
        match frame {
            Ok(Frame::Message(m)) if m.event_name().is_some() => {
                out.events.push(Event::from_message(m));
            }
            Ok(Frame::Message(_)) => out.responses += 1,
            Ok(_) => {}
            Err(e) => out.errors.push(e),
        }
    }
    out.trailing_bytes = buf.len();
    out
}
