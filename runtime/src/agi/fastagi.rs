//! FastAGI: AGI over a TCP connection Asterisk opens to our server.

use super::error::AgiError;
use super::lines::{LineReader, Lookahead};
use super::reply::{AgiReply, ReplyAssembler, Step};
use super::request::{AgiRequest, EnvLimits, EnvParser};
use super::transport::{HangupNotice, Transport};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a FastAGI transport waits, after a reply with `result=-1`, for the
/// `HANGUP` line that explains it.
///
/// When the channel hangs up during a command such as `STREAM FILE` or `WAIT FOR
/// DIGIT`, Asterisk first answers `200 result=-1 …` and writes `HANGUP` only
/// afterwards. Only `result=-1` replies wait (at most this long, less when the
/// line is already there); every other reply returns at once.
pub const HANGUP_GRACE: Duration = Duration::from_millis(100);

/// Settings of one FastAGI connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FastAgiOptions {
    /// Longest line accepted from Asterisk, in bytes.
    pub max_line: usize,
    /// Longest wait for each reply line; `None` waits as long as the command runs
    /// (playback and recording commands can take minutes).
    pub reply_timeout: Option<Duration>,
}

impl Default for FastAgiOptions {
    fn default() -> Self {
        FastAgiOptions {
            max_line: 64 * 1024,
            reply_timeout: None,
        }
    }
}

/// Shared record of when a session last used its connection (for idle timeouts).
#[derive(Debug)]
pub(crate) struct Activity {
    base: Instant,
    last_ms: AtomicU64,
    busy: AtomicBool,
}

impl Activity {
    pub(crate) fn new() -> Self {
        Activity {
            base: Instant::now(),
            last_ms: AtomicU64::new(0),
            busy: AtomicBool::new(false),
        }
    }

    fn touch(&self, busy: bool) {
        let ms = u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
        self.busy.store(busy, Ordering::Relaxed);
    }

    /// Time since the last command ended, or `None` while a command runs.
    pub(crate) fn idle_for(&self) -> Option<Duration> {
        if self.busy.load(Ordering::Relaxed) {
            return None;
        }
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        Some(self.base.elapsed().saturating_sub(last))
    }
}

/// The FastAGI transport over a stream (a [`TcpStream`] by default).
#[derive(Debug)]
pub struct FastAgi<S = TcpStream> {
    io: LineReader<S>,
    options: FastAgiOptions,
    hangup: Option<HangupNotice>,
    closed: bool,
    activity: Option<Arc<Activity>>,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> FastAgi<S> {
    /// Wrap a connection from Asterisk.
    pub fn new(stream: S, options: FastAgiOptions) -> Self {
        FastAgi {
            io: LineReader::new(stream, options.max_line),
            options,
            hangup: None,
            closed: false,
            activity: None,
        }
    }

    pub(crate) fn track_activity(&mut self, activity: Arc<Activity>) {
        activity.touch(false);
        self.activity = Some(activity);
    }

    /// Read the `agi_*` environment up to its empty line.
    pub async fn read_environment(&mut self, limits: EnvLimits) -> Result<AgiRequest, AgiError> {
        let mut parser = EnvParser::new(limits);
        loop {
            match self.io.read_line().await {
                Ok(Some(line)) => {
                    if parser.push_line(&line)? {
                        return Ok(parser.finish());
                    }
                }
                Ok(None) => return Err(AgiError::Closed),
                Err(AgiError::LineTooLong { .. }) => {
                    return Err(AgiError::Environment(format!(
                        "environment line longer than {} bytes",
                        self.options.max_line
                    )));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Wait until Asterisk announces the hang-up (`HANGUP`) or closes the
    /// connection. Other lines are ignored.
    pub async fn wait_for_hangup(&mut self) -> Result<HangupNotice, AgiError> {
        while !self.closed {
            match self.io.read_line().await? {
                Some(line) if line == "HANGUP" => {
                    self.hangup = Some(HangupNotice::HangupLine);
                    return Ok(HangupNotice::HangupLine);
                }
                Some(_) => {}
                None => self.closed = true,
            }
        }
        Ok(*self.hangup.get_or_insert(HangupNotice::SessionEnded))
    }

    /// The underlying stream.
    pub fn stream(&self) -> &S {
        &self.io.stream
    }

    async fn next_line(&mut self) -> Result<Option<String>, AgiError> {
        match self.options.reply_timeout {
            None => self.io.read_line().await,
            Some(t) => tokio::time::timeout(t, self.io.read_line())
                .await
                .map_err(|_| AgiError::Timeout)?,
        }
    }

    fn gone(&self) -> AgiError {
        if self.hangup.is_some() {
            AgiError::ChannelHungUp
        } else {
            AgiError::Closed
        }
    }

    async fn exchange(&mut self, line: &str) -> Result<AgiReply, AgiError> {
        if self.closed {
            return Err(self.gone());
        }
        let mut out = Vec::with_capacity(line.len() + 1);
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
        if let Err(e) = self.io.stream.write_all(&out).await {
            self.closed = true;
            return Err(if self.hangup.is_some() {
                AgiError::ChannelHungUp
            } else {
                AgiError::Io(e)
            });
        }
        let mut asm = ReplyAssembler::new(line);
        loop {
            let Some(received) = self.next_line().await? else {
                self.closed = true;
                return Err(self.gone());
            };
            match asm.feed(&received) {
                Step::Continue => {}
                Step::Hangup => self.hangup = Some(HangupNotice::HangupLine),
                Step::Done(Err(AgiError::ChannelHungUp)) => {
                    self.hangup.get_or_insert(HangupNotice::DeadChannel);
                    return Err(AgiError::ChannelHungUp);
                }
                Step::Done(Ok(reply)) if reply.result == "-1" && self.hangup.is_none() => {
                    self.notice_hangup_after_failure().await?;
                    return Ok(reply);
                }
                Step::Done(result) => return result,
            }
        }
    }

    /// After a `result=-1` reply: take a `HANGUP` line that follows within
    /// [`HANGUP_GRACE`] (or the end of the session) as the reason for it.
    async fn notice_hangup_after_failure(&mut self) -> Result<(), AgiError> {
        match self.io.take_line_if("HANGUP", HANGUP_GRACE).await? {
            Lookahead::Taken => self.hangup = Some(HangupNotice::HangupLine),
            Lookahead::Ended => {
                self.closed = true;
                self.hangup = Some(HangupNotice::SessionEnded);
            }
            Lookahead::Other | Lookahead::NothingYet => {}
        }
        Ok(())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Transport for FastAgi<S> {
    async fn execute(&mut self, line: &str) -> Result<AgiReply, AgiError> {
        if let Some(a) = &self.activity {
            a.touch(true);
        }
        let result = self.exchange(line).await;
        if let Some(a) = &self.activity {
            a.touch(false);
        }
        result
    }

    async fn skip_usage_block(&mut self) -> Result<(), AgiError> {
        loop {
            match self.next_line().await? {
                None => {
                    self.closed = true;
                    return Ok(());
                }
                Some(l) if l == "HANGUP" => self.hangup = Some(HangupNotice::HangupLine),
                Some(l) if l.starts_with("520 ") => return Ok(()),
                Some(_) => {}
            }
        }
    }

    fn hangup(&self) -> Option<HangupNotice> {
        self.hangup
    }
}
