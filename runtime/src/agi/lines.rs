//! A small line reader over a byte stream: `\n`-terminated lines, `\r\n`
//! tolerated, bounded length, and a buffer that stays small between lines.

use super::error::AgiError;
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
}
