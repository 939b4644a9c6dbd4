//! [`Reply`]: a scripted answer to one action, set with
//! [`MockAmi::set_response`](super::MockAmi::set_response).

use super::wire::Block;
use asterisk_sdk_runtime::ami::Message;
use bytes::Bytes;
use std::sync::Arc;

/// A function that answers one action; it sees the action as the client sent it.
pub type Handler = Arc<dyn Fn(&Message) -> Reply + Send + Sync>;

/// A scripted answer to an action.
///
/// The mock adds the action's `ActionID` to every block it renders from a reply
/// (responses, list items, the completion event), except [`Reply::raw`] bytes.
#[derive(Debug, Clone)]
pub struct Reply {
    pub(crate) kind: ReplyKind,
    pub(crate) close: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum ReplyKind {
    /// `Response: <status>` then the headers.
    Response {
        status: String,
        headers: Vec<(String, String)>,
    },
    /// An event list: ack, items, completion event.
    List {
        items: Vec<Message>,
        complete_headers: Vec<(String, String)>,
    },
    /// Exact bytes.
    Raw(Bytes),
    /// Nothing at all.
    Silent,
}

impl Reply {
    /// `Response: Success`.
    pub fn success() -> Reply {
        Reply::response("Success")
    }

    /// `Response: Error` with `Message: <message>`.
    pub fn error(message: impl Into<String>) -> Reply {
        Reply::response("Error").header("Message", message)
    }

    /// `Response: <status>` (e.g. `Goodbye`, `Follows`).
    pub fn response(status: impl Into<String>) -> Reply {
        Reply {
            kind: ReplyKind::Response {
                status: status.into(),
                headers: Vec::new(),
            },
            close: false,
        }
    }

    /// An event-list answer: `Response: Success` with `EventList: start`, then each
    /// item (its `Event` header first), then the action's completion event with
    /// `EventList: Complete` and `ListItems`.
    pub fn list(items: impl IntoIterator<Item = Message>) -> Reply {
        Reply {
            kind: ReplyKind::List {
                items: items.into_iter().collect(),
                complete_headers: Vec::new(),
            },
            close: false,
        }
    }

    /// Exact bytes written as they are (no `ActionID` added).
    pub fn raw(bytes: impl Into<Bytes>) -> Reply {
        Reply {
            kind: ReplyKind::Raw(bytes.into()),
            close: false,
        }
    }

    /// No answer at all (to test a client's timeout).
    pub fn silent() -> Reply {
        Reply {
            kind: ReplyKind::Silent,
            close: false,
        }
    }

    /// Add a header: to the response, or to the completion event of a list.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        match &mut self.kind {
            ReplyKind::Response { headers, .. } => headers.push((name.into(), value.into())),
            ReplyKind::List {
                complete_headers, ..
            } => complete_headers.push((name.into(), value.into())),
            ReplyKind::Raw(_) | ReplyKind::Silent => {}
        }
        self
    }

    /// Close the connection right after writing this reply.
    pub fn then_close(mut self) -> Reply {
        self.close = true;
        self
    }
}

/// Headers of `msg` as raw lines, with `ActionID: <id>` inserted after the first
/// line when the message has none of its own.
pub(crate) fn with_action_id(msg: &Message, action_id: Option<&str>) -> Block {
    let bytes: &[u8] = msg.as_bytes();
    let (first, rest) = match bytes.iter().position(|&b| b == b'\n') {
        Some(i) => bytes.split_at(i + 1),
        None => (bytes, &b""[..]),
    };
    let block = Block::new().raw_lines(first);
    let block = match action_id {
        Some(id) if msg.action_id().is_none() => block.header("ActionID", id),
        _ => block,
    };
    block.raw_lines(rest)
}

/// Render a list answer into blocks: ack, items, completion (the completion is the
/// last element). With `unkeyed_items` the items go out without `ActionID`, as
/// Asterisk sends those of IAXpeers.
pub(crate) fn render_list(
    items: &[Message],
    complete_event: &str,
    ack_message: &str,
    complete_headers: &[(String, String)],
    action_id: Option<&str>,
    unkeyed_items: bool,
) -> Vec<Bytes> {
    let mut out = Vec::with_capacity(items.len() + 2);
    out.push(
        Block::response("Success", action_id)
            .header("EventList", "start")
            .header("Message", ack_message)
            .finish(),
    );
    let item_id = if unkeyed_items { None } else { action_id };
    for item in items {
        out.push(with_action_id(item, item_id).finish());
    }
    let count = items.len().to_string();
    out.push(
        Block::new()
            .header("Event", complete_event)
            .opt("ActionID", action_id)
            .header("EventList", "Complete")
            .header("ListItems", &count)
            .pairs(
                complete_headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .finish(),
    );
    out
}
