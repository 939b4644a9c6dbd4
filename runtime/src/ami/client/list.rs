//! List actions: collect the events of one `ListAction` up to its completion event.

use super::super::action::ListAction;
use super::super::header::FromEvent;
use super::super::message::Message;
use super::super::response::Response;
use super::AmiError;
use super::connection::ConnHandle;
use super::pending::{Waiter, ends_list};
use std::time::Duration;
use tokio::sync::mpsc;

/// The result of a list action.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListResponse<I, C> {
    /// The acknowledgement (`Response: Success`, `EventList: start`).
    pub response: Response,
    /// The item events, in order.
    pub items: Vec<I>,
    /// The completion event; `None` when the list ended with a message that is
    /// not `C` (it is then the last entry of `unmatched`).
    pub complete: Option<C>,
    /// Events of this list that are neither `I` nor `C` (nothing is dropped).
    pub unmatched: Vec<Message>,
}

async fn next(
    rx: &mut mpsc::UnboundedReceiver<Message>,
    action: &str,
    timeout: Duration,
) -> Result<Message, AmiError> {
    match tokio::time::timeout(timeout, rx.recv()).await {
        Ok(Some(m)) => Ok(m),
        Ok(None) => Err(AmiError::Disconnected),
        Err(_) => Err(AmiError::Timeout {
            action: action.to_string(),
            after: timeout,
        }),
    }
}

/// Send `action` and collect its list. `timeout` bounds each wait for the next
/// message. Dropping the future frees the `ActionID`.
pub(crate) async fn collect<A: ListAction>(
    conn: &ConnHandle,
    action: &A,
    timeout: Duration,
) -> Result<ListResponse<A::Item, A::Complete>, AmiError> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let complete: Box<str> = action.complete_event().into();
    let registration = conn
        .write_action(
            action.name(),
            action.headers(),
            action.user_action_id(),
            Waiter::List {
                tx,
                complete: complete.clone(),
            },
        )
        .await?;
    match collect_inner::<A>(&mut rx, action.name(), &complete, timeout).await {
        Err(AmiError::Disconnected) => Err(registration.lost(action.name())),
        other => other,
    }
}

async fn collect_inner<A: ListAction>(
    rx: &mut mpsc::UnboundedReceiver<Message>,
    name: &str,
    complete: &str,
    timeout: Duration,
) -> Result<ListResponse<A::Item, A::Complete>, AmiError> {
    let ack = Response::from_message(next(rx, name, timeout).await?).with_action(name);
    if !ack.is_success() {
        return Err(ack.into_failure());
    }
    let mut out = ListResponse {
        response: ack,
        items: Vec::new(),
        complete: None,
        unmatched: Vec::new(),
    };
    loop {
        let msg = next(rx, name, timeout).await?;
        if msg.event_name().is_none() && msg.response().is_some() {
            // An error after `EventList: start` ends the list (CoreShowChannelMap).
            return Err(Response::from_message(msg).with_action(name).into_failure());
        }
        if ends_list(&msg, complete) {
            match A::Complete::from_message(msg) {
                Ok(c) => out.complete = Some(c),
                Err(m) => out.unmatched.push(m),
            }
            return Ok(out);
        }
        let name = msg.event_name().unwrap_or("");
        if A::Item::matches(name) {
            match A::Item::from_message(msg) {
                Ok(item) => out.items.push(item),
                Err(m) => out.unmatched.push(m),
            }
        } else {
            out.unmatched.push(msg);
        }
    }
}
