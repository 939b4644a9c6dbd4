//! The error type of AGI sessions, commands and servers.

use std::io;

/// Everything that can go wrong on an AGI session.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgiError {
    /// Reading from or writing to the connection failed.
    #[error("AGI I/O error: {0}")]
    Io(#[from] io::Error),
    /// Asterisk closed the connection without having announced a hang-up.
    #[error("AGI connection closed by Asterisk before any hang-up was announced")]
    Closed,
    /// The channel has hung up: Asterisk sent `HANGUP`, answered `511`, or closed
    /// the session after a hang-up. Also what a command gives when the channel
    /// hung up while it ran (e.g. during `STREAM FILE` or `WAIT FOR DIGIT`):
    /// Asterisk then answers `result=-1` and sends `HANGUP` right after (see
    /// [`HANGUP_GRACE`](super::HANGUP_GRACE)). Dead-safe commands may still work before the
    /// connection closes.
    #[error("the AGI channel has hung up (the command was cut short or refused)")]
    ChannelHungUp,
    /// Asterisk does not know the command (`510`), or its module is not loaded.
    #[error("Asterisk does not know the AGI command `{command}` (510)")]
    UnknownCommand {
        /// The command line that was sent.
        command: String,
    },
    /// Asterisk rejected the command's syntax (`520`), with its usage text.
    #[error("invalid AGI command syntax for `{command}` (520)")]
    Usage {
        /// The command line that was sent.
        command: String,
        /// The usage lines Asterisk sent (possibly empty).
        usage: String,
    },
    /// The command ran and reported failure through its result value, and the
    /// channel was not known to have hung up (no `HANGUP` followed the reply).
    #[error("AGI command `{command}` failed (no hang-up announced): {reply}")]
    Failed {
        /// The command line that was sent.
        command: String,
        /// The reply line as received.
        reply: String,
    },
    /// Asterisk could not allocate memory for the command (`503`).
    #[error("Asterisk reported a resource failure (503): {reply}")]
    ResourceFailure {
        /// The reply line as received.
        reply: String,
    },
    /// A command argument cannot be sent (CR or LF in it, or a missing earlier
    /// optional argument).
    #[error("invalid AGI argument: {0}")]
    InvalidArgument(String),
    /// A line from Asterisk is not a valid AGI reply.
    #[error("invalid AGI reply `{line}`: {reason}")]
    InvalidReply {
        /// The line, cut to 200 bytes.
        line: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The AGI environment at the start of a session is invalid or too large.
    #[error("invalid AGI environment: {0}")]
    Environment(String),
    /// A line from Asterisk is longer than the configured limit.
    #[error("AGI line longer than {limit} bytes")]
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// No reply or environment arrived within the configured time.
    #[error("AGI read timed out")]
    Timeout,
    /// The AMI connection carrying AsyncAGI failed, or Asterisk refused the
    /// `AGI` action (e.g. the channel is not in AsyncAGI).
    #[error("AsyncAGI over AMI failed: {0}")]
    Transport(String),
}

impl AgiError {
    /// An [`AgiError::InvalidReply`] with the line cut to a readable length.
    pub(crate) fn invalid_reply(line: &str, reason: &'static str) -> Self {
        let mut end = line.len().min(200);
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        AgiError::InvalidReply {
            line: line[..end].to_string(),
            reason,
        }
    }

    /// Whether the error means Asterisk ended the session: the channel hung up or
    /// the connection closed (the normal end of many sessions).
    pub fn is_hangup(&self) -> bool {
        matches!(self, AgiError::ChannelHungUp | AgiError::Closed)
    }
}
