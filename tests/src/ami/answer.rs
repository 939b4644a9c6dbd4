//! [`Answer`]: what a session writes in reply to one action, and what it starts
//! afterwards.

use super::call::Originate;
use super::mask::EventMask;
use super::wire::Block;
use bytes::Bytes;
use std::time::Duration;

/// Work started after the reply is written.
#[derive(Debug)]
pub(crate) enum Followup {
    /// Simulate the originated call.
    Originate(Originate),
    /// Emit the AsyncAGI result of a queued command.
    AgiExec {
        channel: String,
        command: String,
        command_id: Option<String>,
    },
    /// Broadcast one event (e.g. from the UserEvent action).
    Broadcast(Bytes, EventMask),
}

/// The reply to one action.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    /// Blocks to write, in order (each one message).
    pub(crate) blocks: Vec<Bytes>,
    /// Exact bytes written after the blocks.
    pub(crate) raw: Option<Bytes>,
    /// The blocks are an event list (ack, items, completion last).
    pub(crate) is_list: bool,
    /// Wait before writing.
    pub(crate) delay: Duration,
    /// Close the connection after writing.
    pub(crate) close: bool,
    /// Work to start once written.
    pub(crate) followup: Option<Followup>,
}

impl Answer {
    /// A single block.
    pub(crate) fn block(block: Block) -> Answer {
        Answer {
            blocks: vec![block.finish()],
            ..Answer::default()
        }
    }

    /// `Response: Success` with `Message: <message>`.
    pub(crate) fn ack(action_id: Option<&str>, message: &str) -> Answer {
        Answer::block(Block::response("Success", action_id).header("Message", message))
    }

    /// `Response: Error` with `Message: <message>`.
    pub(crate) fn error(action_id: Option<&str>, message: &str) -> Answer {
        Answer::block(Block::response("Error", action_id).header("Message", message))
    }

    /// Close the connection after this answer.
    pub(crate) fn then_close(mut self) -> Answer {
        self.close = true;
        self
    }

    /// Start `followup` after this answer.
    pub(crate) fn then(mut self, followup: Followup) -> Answer {
        self.followup = Some(followup);
        self
    }
}
