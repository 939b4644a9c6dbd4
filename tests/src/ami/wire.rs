//! Rendering of outgoing AMI blocks (`Name: value` lines ended by an empty line).

use bytes::Bytes;

/// One outgoing block under construction.
#[derive(Debug, Default)]
pub(crate) struct Block {
    buf: Vec<u8>,
}

impl Block {
    /// An empty block.
    pub(crate) fn new() -> Self {
        Block {
            buf: Vec::with_capacity(256),
        }
    }

    /// A block that starts with `Response: <status>` and the action's ActionID (if any).
    pub(crate) fn response(status: &str, action_id: Option<&str>) -> Self {
        Block::new()
            .header("Response", status)
            .opt("ActionID", action_id)
    }

    /// Append `name: value`. CR and LF inside the value become spaces so a scripted
    /// value can never break the framing.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.push(name, value);
        self
    }

    /// Append `name: value` when `value` is present.
    pub(crate) fn opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }

    /// Append every pair.
    pub(crate) fn pairs<'a>(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        for (k, v) in pairs {
            self.push(k, v);
        }
        self
    }

    /// Append `name: value` in place.
    pub(crate) fn push(&mut self, name: &str, value: &str) {
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b": ");
        for &b in value.as_bytes() {
            self.buf
                .push(if b == b'\r' || b == b'\n' { b' ' } else { b });
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    /// Append raw header lines (each already ended by a line ending).
    pub(crate) fn raw_lines(mut self, lines: &[u8]) -> Self {
        self.buf.extend_from_slice(lines);
        if !lines.is_empty() && !lines.ends_with(b"\n") {
            self.buf.extend_from_slice(b"\r\n");
        }
        self
    }

    /// Close the block with its empty line.
    pub(crate) fn finish(mut self) -> Bytes {
        self.buf.extend_from_slice(b"\r\n");
        Bytes::from(self.buf)
    }
}

/// `<seconds>.<6-digit microseconds>` of the current time, as Ping's `Timestamp`.
pub(crate) fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:06}", now.as_secs(), now.subsec_micros())
}

/// Percent-encode like Asterisk's URI encoding of AsyncAGI `Env` and `Result`:
/// letters, digits and `-_.!~*'()` stay, every other byte becomes `%XX`.
pub(crate) fn uri_encode(s: &str) -> String {
    asterisk_sdk_runtime::percent::encode_uri_marks(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_inject_lines() {
        let b = Block::response("Success", Some("a\r\nEvent: X")).finish();
        assert_eq!(
            &b[..],
            b"Response: Success\r\nActionID: a  Event: X\r\n\r\n"
        );
    }

    #[test]
    fn uri_encoding_matches_capture() {
        assert_eq!(
            uri_encode("200 result=1 (Local/500@asyncagi-0000000f;2)\n"),
            "200%20result%3D1%20(Local%2F500%40asyncagi-0000000f%3B2)%0A"
        );
    }
}
