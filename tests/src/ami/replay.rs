//! Replaying captured AMI streams: the bytes as they are, or repeated up to a
//! number of messages for benchmarks (big writes, no per-message work).

use asterisk_sdk_runtime::ami::{Frame, FrameDecoder};
use bytes::{Bytes, BytesMut};

/// A capture cut into whole messages.
#[derive(Debug, Clone)]
pub(crate) struct Capture {
    /// The capture up to the end of its last complete message.
    pub(crate) data: Bytes,
    /// End offset (exclusive) of each message in `data`.
    ends: Vec<usize>,
}

impl Capture {
    /// Find the message boundaries of `bytes` (a banner line is kept but not counted).
    pub(crate) fn new(bytes: Bytes) -> Capture {
        let mut decoder = FrameDecoder::with_max_message(usize::MAX);
        let mut buf = BytesMut::from(&bytes[..]);
        let total = buf.len();
        let mut ends = Vec::new();
        let mut last_end = 0;
        while let Some(frame) = decoder.decode(&mut buf) {
            last_end = total - buf.len();
            if let Ok(Frame::Message(_)) = frame {
                ends.push(last_end);
            }
        }
        Capture {
            data: bytes.slice(..last_end),
            ends,
        }
    }

    /// How to write exactly `total` messages: whole copies, then a prefix.
    pub(crate) fn plan(&self, total: usize) -> Option<(usize, Bytes)> {
        let n = self.ends.len();
        if n == 0 {
            return None;
        }
        let rem = total % n;
        let tail = if rem == 0 {
            Bytes::new()
        } else {
            self.data.slice(..self.ends[rem - 1])
        };
        Some((total / n, tail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_counts_messages() {
        let c = Capture::new(Bytes::from_static(
            b"Event: A\r\n\r\nEvent: B\r\n\r\nEvent: C\r\n\r\nEvent: partial",
        ));
        assert_eq!(c.ends.len(), 3);
        assert_eq!(c.data.len(), 36);
        let (copies, tail) = c.plan(7).unwrap();
        assert_eq!(copies, 2);
        assert_eq!(&tail[..], b"Event: A\r\n\r\n");
    }
}
