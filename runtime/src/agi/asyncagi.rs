//! AsyncAGI: AGI commands sent as AMI `Action: AGI`, results read from
//! `AsyncAGIExec` events.
//!
//! The AMI side is abstracted by [`AsyncAgiLink`], which the AMI client
//! implements; this module decodes the URL-encoded `Env` header of
//! `AsyncAGIStart` and `Result` header of `AsyncAGIExec`, and provides the
//! [`AsyncAgi`] transport, so the generated command methods run over AMI too.

use super::error::AgiError;
use super::percent;
use super::reply::{AgiReply, assemble_block};
use super::request::{AgiRequest, EnvLimits};
use super::transport::{HangupNotice, Transport};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

/// What an AsyncAGI session needs from an AMI connection.
pub trait AsyncAgiLink: Send {
    /// Send `Action: AGI` with `Channel: channel`, `Command: command` and
    /// `CommandID: command_id`; fail if the response is not `Success`; then wait
    /// for the `AsyncAGIExec` event of that channel whose `CommandId` header
    /// (note the lower-case `d`) equals `command_id`, and return its `Result`
    /// header as received (still URL-encoded). When `AsyncAGIEnd` or `Hangup`
    /// for the channel comes first, return [`AgiError::ChannelHungUp`].
    fn send_command(
        &mut self,
        channel: &str,
        command: &str,
        command_id: &str,
    ) -> impl Future<Output = Result<String, AgiError>> + Send;
}

/// Decode `AsyncAGIStart`'s `Env` header into the session's request.
pub fn decode_start_env(env: &str, limits: EnvLimits) -> Result<AgiRequest, AgiError> {
    if env.len() > limits.max_bytes.saturating_mul(3) {
        return Err(AgiError::Environment(format!(
            "environment larger than {} bytes",
            limits.max_bytes
        )));
    }
    AgiRequest::from_env_text(&percent::decode(env, false), limits)
}

/// Decode `AsyncAGIExec`'s `Result` header into the reply to `command`
/// (error replies such as `510` or `511` become errors).
pub fn decode_exec_result(command: &str, result: &str) -> Result<AgiReply, AgiError> {
    assemble_block(command, &percent::decode(result, false)).0
}

static NEXT_COMMAND_ID: AtomicU64 = AtomicU64::new(1);

/// The AsyncAGI transport for one channel.
#[derive(Debug)]
pub struct AsyncAgi<L> {
    link: L,
    channel: String,
    hangup: Option<HangupNotice>,
}

impl<L: AsyncAgiLink> AsyncAgi<L> {
    /// A session on `channel` (the `Channel` header of `AsyncAGIStart`).
    pub fn new(link: L, channel: impl Into<String>) -> Self {
        AsyncAgi {
            link,
            channel: channel.into(),
            hangup: None,
        }
    }

    /// The channel this session drives.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Record that the session ended (the AMI client saw `AsyncAGIEnd` or
    /// `Hangup`); later commands fail with [`AgiError::ChannelHungUp`].
    pub fn mark_ended(&mut self) {
        self.hangup.get_or_insert(HangupNotice::SessionEnded);
    }
}

impl<L: AsyncAgiLink> Transport for AsyncAgi<L> {
    async fn execute(&mut self, line: &str) -> Result<AgiReply, AgiError> {
        if self.hangup == Some(HangupNotice::SessionEnded) {
            return Err(AgiError::ChannelHungUp);
        }
        let id = format!("asdk-{}", NEXT_COMMAND_ID.fetch_add(1, Ordering::Relaxed));
        let raw = match self.link.send_command(&self.channel, line, &id).await {
            Ok(raw) => raw,
            Err(AgiError::ChannelHungUp) => {
                self.mark_ended();
                return Err(AgiError::ChannelHungUp);
            }
            Err(e) => return Err(e),
        };
        let (reply, hangup) = assemble_block(line, &percent::decode(&raw, false));
        if hangup {
            self.hangup.get_or_insert(HangupNotice::HangupLine);
        }
        if matches!(reply, Err(AgiError::ChannelHungUp)) {
            self.hangup.get_or_insert(HangupNotice::DeadChannel);
        }
        reply
    }

    fn hangup(&self) -> Option<HangupNotice> {
        self.hangup
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_captured_headers() {
        let env = "agi_request%3A%20async%0Aagi_channel%3A%20Local%2F500%40asyncagi-0000000f%3B2%0Aagi_callerid%3A%20unknown%0Aagi_priority%3A%202%0Aagi_accountcode%3A%20%0A%0A";
        let r = decode_start_env(env, EnvLimits::default()).unwrap();
        assert_eq!(r.request, "async");
        assert_eq!(r.channel, "Local/500@asyncagi-0000000f;2");
        assert_eq!(r.caller_id, None);
        assert_eq!(r.priority, Some(2));
        let reply = decode_exec_result(
            "GET VARIABLE CHANNEL(name)",
            "200%20result%3D1%20(Local%2F500%40asyncagi-0000000f%3B2)%0A",
        )
        .unwrap();
        assert_eq!(reply.data.as_deref(), Some("Local/500@asyncagi-0000000f;2"));
        let reply = decode_exec_result("X", "510%20Invalid%20or%20unknown%20command%0A");
        assert!(matches!(reply, Err(AgiError::UnknownCommand { .. })));
    }
}
