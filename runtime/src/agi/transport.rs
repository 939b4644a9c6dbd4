//! The transport abstraction and [`AgiChannel`], the command connection handlers use.
//!
//! A [`Transport`] sends one command line and returns its final reply; FastAGI
//! ([`super::FastAgi`]) and AsyncAGI ([`super::AsyncAgi`]) both implement it, so the
//! generated command methods run unchanged over either.

use super::command::{Command, RawCommand};
use super::error::AgiError;
use super::reply::AgiReply;
use std::future::Future;

/// How a hang-up became known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HangupNotice {
    /// Asterisk sent the `HANGUP` line.
    HangupLine,
    /// Asterisk refused a command on the dead channel (`511`).
    DeadChannel,
    /// AsyncAGI: the AGI session ended (`AsyncAGIEnd`) or the channel hung up.
    SessionEnded,
}

/// Carries AGI command lines to Asterisk and their replies back.
pub trait Transport: Send {
    /// Send one command line (no line ending) and wait for its final reply.
    /// Error replies (`510`, `511`, `520`, `503`) come back as errors.
    fn execute(&mut self, line: &str) -> impl Future<Output = Result<AgiReply, AgiError>> + Send;

    /// Read and drop a `520` usage block Asterisk writes after the last reply
    /// (only FastAGI needs to; AsyncAGI gets it inside the same result).
    fn skip_usage_block(&mut self) -> impl Future<Output = Result<(), AgiError>> + Send {
        async { Ok(()) }
    }

    /// The hang-up notice received so far, if any.
    fn hangup(&self) -> Option<HangupNotice>;
}

/// The command connection of one AGI session, over FastAGI by default.
///
/// Generated command methods (trait `AgiCommands` in `asterisk-sdk`) are
/// available on every `AgiChannel<T>`.
#[derive(Debug)]
pub struct AgiChannel<T = super::FastAgi> {
    transport: T,
}

impl<T: Transport> AgiChannel<T> {
    /// Wrap a transport.
    pub fn new(transport: T) -> Self {
        AgiChannel { transport }
    }

    /// Send a raw command line (no line ending; CR/LF rejected) and return the
    /// final reply.
    pub async fn execute(&mut self, line: &str) -> Result<AgiReply, AgiError> {
        let line = RawCommand(line.to_string()).render()?;
        self.transport.execute(&line).await
    }

    /// Send a typed command and parse its result. A failure result on a channel
    /// known to have hung up becomes [`AgiError::ChannelHungUp`].
    pub async fn run<C: Command + Sync>(&mut self, command: &C) -> Result<C::Output, AgiError> {
        let line = command.render()?;
        let reply = self.transport.execute(&line).await?;
        if command.usage_follows(&reply) {
            self.transport.skip_usage_block().await?;
        }
        match command.parse(&line, reply) {
            Err(AgiError::Failed { .. }) if self.transport.hangup().is_some() => {
                Err(AgiError::ChannelHungUp)
            }
            other => other,
        }
    }

    /// The hang-up notice received so far, if any. (The `hangup` method of the
    /// generated `AgiCommands` trait sends the HANGUP command.)
    pub fn hangup_notice(&self) -> Option<HangupNotice> {
        self.transport.hangup()
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Give the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }
}
