//! A small line reader over a byte stream: `\n`-terminated lines, `\r\n`
//! tolerated, bounded length, and a buffer that stays small between lines.

use super::error::AgiError;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Initial and resting buffer capacity: an idle session keeps only this much.
const RESTING: usize = 256;

/// Reads lines from `S`.
#[derive(Debug)]
pub(crate) struct LineReader<S> {
    pub(crate) stream: S,
    buf: Vec<u8>,
    start: usize,
    max_line: usize,
}

impl<S: AsyncRead + Unpin> LineReader<S> {
    pub(crate) fn new(stream: S, max_line: usize) -> Self {
        LineReader {
            stream,
            buf: Vec::new(),
            start: 0,
            max_line,
        }
    }

    /// The next line without its ending, or `None` at the end of the stream.
    /// A partial last line before the end is returned as a line.
    pub(crate) async fn read_line(&mut self) -> Result<Option<String>, AgiError> {
        loop {
            if let Some(pos) = memchr::memchr(b'\n', &self.buf[self.start..]) {
                let end = self.start + pos;
                let mut line = &self.buf[self.start..end];
                if let [rest @ .., b'\r'] = line {
                    line = rest;
                }
                let text = String::from_utf8_lossy(line).into_owned();
                self.start = end + 1;
                self.compact();
                return Ok(Some(text));
            }
            if self.buf.len() - self.start > self.max_line {
                return Err(AgiError::LineTooLong {
                    limit: self.max_line,
                });
            }
            if self.start > 0 {
                self.buf.drain(..self.start);
                self.start = 0;
            }
            if self.buf.capacity() - self.buf.len() < 64 {
                let extra = self
                    .buf
                    .capacity()
                    .max(RESTING)
                    .min(self.max_line.max(64) + 1);
                self.buf.reserve(extra);
            }
            let n = self.stream.read_buf(&mut self.buf).await?;
            if n == 0 {
                if self.start < self.buf.len() {
                    let text = String::from_utf8_lossy(&self.buf[self.start..]).into_owned();
                    self.buf.clear();
                    self.start = 0;
                    return Ok(Some(text));
                }
                return Ok(None);
            }
        }
    }

    /// Look at the next line, waiting at most `wait` for it to arrive: when it is
    /// `expected` it is consumed ([`Lookahead::Taken`]); any other line stays
    /// buffered for [`LineReader::read_line`].
    pub(crate) async fn take_line_if(
        &mut self,
        expected: &str,
        wait: Duration,
    ) -> Result<Lookahead, AgiError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let pending = &self.buf[self.start..];
            if let Some(pos) = memchr::memchr(b'\n', pending) {
                let line = &pending[..pos];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line != expected.as_bytes() {
                    return Ok(Lookahead::Other);
                }
                self.start += pos + 1;
                self.compact();
                return Ok(Lookahead::Taken);
            }
            if pending.len() > self.max_line.max(expected.len() + 1) {
                return Ok(Lookahead::Other);
            }
            if self.buf.capacity() - self.buf.len() < 64 {
                self.buf.reserve(RESTING);
            }
            let read = self.stream.read_buf(&mut self.buf);
            match tokio::time::timeout_at(deadline, read).await {
                Err(_) => return Ok(Lookahead::NothingYet),
                Ok(read) => {
                    if read? == 0 {
                        let rest = &self.buf[self.start..];
                        return Ok(match rest.strip_suffix(b"\r").unwrap_or(rest) {
                            [] => Lookahead::Ended,
                            line if line == expected.as_bytes() => {
                                self.buf.clear();
                                self.start = 0;
                                Lookahead::Taken
                            }
                            _ => Lookahead::Other,
                        });
                    }
                }
            }
        }
    }

    /// Reset the buffer when it is empty, shrinking it after a long line.
    fn compact(&mut self) {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            if self.buf.capacity() > 4 * 1024 {
                self.buf = Vec::with_capacity(RESTING);
            }
        }
    }
}

/// What [`LineReader::take_line_if`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookahead {
    /// The expected line, now consumed.
    Taken,
    /// Another line (or the start of one), left for the next read.
    Other,
    /// No complete line within the wait.
    NothingYet,
    /// The stream ended with nothing left to read.
    Ended,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn splits_lines_and_limits_length() {
        let data: &[u8] = b"a\r\nbb\n\npartial";
        let mut r = LineReader::new(data, 100);
        assert_eq!(r.read_line().await.unwrap().as_deref(), Some("a"));
        assert_eq!(r.read_line().await.unwrap().as_deref(), Some("bb"));
        assert_eq!(r.read_line().await.unwrap().as_deref(), Some(""));
        assert_eq!(r.read_line().await.unwrap().as_deref(), Some("partial"));
        assert_eq!(r.read_line().await.unwrap(), None);
        let long = vec![b'x'; 1000];
        let mut r = LineReader::new(&long[..], 100);
        assert!(matches!(
            r.read_line().await,
            Err(AgiError::LineTooLong { limit: 100 })
        ));
    }

    #[tokio::test]
    async fn takes_only_the_expected_line() {
        let data: &[u8] = b"HANGUP\r\n200 result=0\nHANG";
        let mut r = LineReader::new(data, 100);
        let wait = Duration::from_millis(50);
        assert_eq!(
            r.take_line_if("HANGUP", wait).await.unwrap(),
            Lookahead::Taken
        );
        assert_eq!(
            r.take_line_if("HANGUP", wait).await.unwrap(),
            Lookahead::Other
        );
        assert_eq!(
            r.read_line().await.unwrap().as_deref(),
            Some("200 result=0")
        );
        assert_eq!(
            r.take_line_if("HANGUP", wait).await.unwrap(),
            Lookahead::Other
        );
        assert_eq!(r.read_line().await.unwrap().as_deref(), Some("HANG"));
        assert_eq!(
            r.take_line_if("HANGUP", wait).await.unwrap(),
            Lookahead::Ended
        );
    }

    #[tokio::test]
    async fn gives_up_after_the_wait() {
        let (client, mut server) = tokio::io::duplex(64);
        let mut r = LineReader::new(client, 100);
        let wait = Duration::from_millis(20);
        assert_eq!(
            r.take_line_if("HANGUP", wait).await.unwrap(),
            Lookahead::NothingYet
        );
        tokio::io::AsyncWriteExt::write_all(&mut server, b"HANGUP\n")
            .await
            .unwrap();
        assert_eq!(
            r.take_line_if("HANGUP", wait).await.unwrap(),
            Lookahead::Taken
        );
    }
}
