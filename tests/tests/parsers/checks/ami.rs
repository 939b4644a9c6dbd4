//! AMI framing and typed decoding: the frames and errors of a stream never depend
//! on how it was split into reads; every message equals a fresh parse of its
//! bytes; typed decoding never panics.

use asterisk_sdk::ami::Event;
use asterisk_sdk_runtime::ami::{Frame, FrameDecoder, FrameError, Message, Response};
use bytes::BytesMut;

/// Every frame (or error) decoded from `chunks` appended one after the other.
pub fn decode<'a>(
    max: usize,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<Result<Frame, FrameError>> {
    let mut decoder = FrameDecoder::with_max_message(max);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(frame) = decoder.decode(&mut buf) {
            out.push(frame);
        }
    }
    out
}

/// `stream` cut at `cuts` (positions, any order, clamped to the stream).
pub fn pieces<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|&c| c.min(stream.len())).collect();
    at.sort_unstable();
    let mut out = Vec::with_capacity(at.len() + 1);
    let mut from = 0;
    for c in at {
        out.push(&stream[from..c]);
        from = c;
    }
    out.push(&stream[from..]);
    out
}

/// Decoding `stream` whole and cut at `cuts` gives the same frames and errors;
/// the frames hold what a fresh parse finds; typed decoding does not panic.
pub fn framing_agrees(stream: &[u8], max: usize, cuts: &[usize]) {
    let whole = decode(max, [stream]);
    let split = decode(max, pieces(stream, cuts));
    assert!(
        split == whole,
        "max {max}, cuts {cuts:?}: split {split:?} != whole {whole:?} for {}",
        super::shown(stream, 400)
    );
    for frame in &whole {
        match frame {
            Ok(Frame::Message(m)) => {
                assert_eq!(*m, Message::parse(m.as_bytes().clone()));
                assert!(m.as_bytes().len() <= max, "a message over the cap was kept");
                typed(m);
            }
            // The banner is kept as lossy text: its length says little about the
            // bytes received, and whole-versus-split already covers its framing.
            Ok(Frame::Banner(_)) => {}
            Err(FrameError::TooLarge { size, limit }) => {
                assert_eq!(*limit, max);
                assert!(*size > max, "skipped {size} bytes under the cap {max}");
            }
            Err(other) => panic!("unexpected frame error {other}"),
        }
    }
}

/// Typed views of a message: they must not panic, whatever it holds.
fn typed(m: &Message) {
    let event = Event::from_message(m.clone());
    let _ = (event.name(), event.is_unknown(), event.raw().len());
    let response = Response::from_message(m.clone());
    let _ = (
        response.is_success(),
        response.action_id(),
        response.event_list(),
    );
}

/// The fuzz entry: two bytes choose the cap (64 to 1,087 bytes), one seeds the
/// cut positions, the rest is the stream. Short streams are also fed one byte
/// at a time (one input in four, for speed).
pub fn check(data: &[u8]) {
    let [a, b, seed, stream @ ..] = data else {
        return;
    };
    let max = 64 + usize::from(u16::from_le_bytes([*a, *b])) % 1024;
    let mut state = u32::from(*seed).wrapping_mul(0x9e37_79b9) | 1;
    let mut cuts = Vec::new();
    for _ in 0..1 + seed % 8 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        cuts.push(state as usize % (stream.len() + 1));
    }
    framing_agrees(stream, max, &cuts);
    if stream.len() <= 1024 && seed % 4 == 0 {
        let every: Vec<usize> = (1..stream.len()).collect();
        framing_agrees(stream, max, &every);
    }
}
