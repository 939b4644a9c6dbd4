//! Cutting outgoing audio of any length into frames of the optimal size:
//! Asterisk (outside bulk mode) drops the remainder of a BINARY message that
//! is shorter than a frame, so only whole frames are sent and a partial frame
//! waits for the next audio.

use bytes::Bytes;

/// Holds the partial frame between calls.
#[derive(Debug, Default)]
pub(crate) struct Reframer {
    size: usize,
    partial: Vec<u8>,
}

impl Reframer {
    /// Frames of `size` bytes; 0: every call's audio is one frame (passthrough).
    pub(crate) fn new(size: usize) -> Self {
        Reframer {
            size,
            partial: Vec::with_capacity(size),
        }
    }

    /// The whole frames `audio` completes, in order.
    pub(crate) fn push(&mut self, audio: &[u8]) -> Vec<Bytes> {
        if self.size == 0 {
            return if audio.is_empty() {
                Vec::new()
            } else {
                vec![Bytes::copy_from_slice(audio)]
            };
        }
        let mut frames = Vec::with_capacity((self.partial.len() + audio.len()) / self.size);
        let mut rest = audio;
        if !self.partial.is_empty() {
            let need = self.size - self.partial.len();
            let take = need.min(rest.len());
            self.partial.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.partial.len() < self.size {
                return frames;
            }
            frames.push(Bytes::from(std::mem::replace(
                &mut self.partial,
                Vec::with_capacity(self.size),
            )));
        }
        let mut chunks = rest.chunks_exact(self.size);
        frames.extend(chunks.by_ref().map(Bytes::copy_from_slice));
        self.partial.extend_from_slice(chunks.remainder());
        frames
    }

    /// Bytes waiting for a whole frame.
    pub(crate) fn pending(&self) -> usize {
        self.partial.len()
    }

    /// The partial frame filled up with `fill` bytes (none when empty).
    pub(crate) fn finish(&mut self, fill: u8) -> Option<Bytes> {
        if self.partial.is_empty() {
            return None;
        }
        self.partial.resize(self.size.max(self.partial.len()), fill);
        Some(Bytes::from(std::mem::take(&mut self.partial)))
    }

    /// Drop the partial frame.
    pub(crate) fn clear(&mut self) {
        self.partial.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_split_gives_the_same_frames() {
        let audio: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for step in [1, 3, 159, 160, 161, 999] {
            let mut r = Reframer::new(160);
            let mut out = Vec::new();
            for chunk in audio.chunks(step) {
                for f in r.push(chunk) {
                    assert_eq!(f.len(), 160, "step {step}");
                    out.extend_from_slice(&f);
                }
            }
            assert_eq!(out, audio[..960], "step {step}");
            assert_eq!(r.pending(), 40);
            let last = r.finish(0xff).expect("a partial frame");
            assert_eq!(&last[..40], &audio[960..]);
            assert!(last[40..].iter().all(|b| *b == 0xff) && last.len() == 160);
            assert_eq!(r.pending(), 0);
        }
    }

    #[test]
    fn passthrough_keeps_each_call_whole() {
        let mut r = Reframer::new(0);
        assert_eq!(r.push(&[1, 2, 3]), vec![Bytes::from_static(&[1, 2, 3])]);
        assert!(r.push(&[]).is_empty());
        assert_eq!(r.finish(0), None);
    }
}
