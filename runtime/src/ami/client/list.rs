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
    /// Set when the completion's `ListItems` differs from the number of events
    /// that arrived before it (`items` plus `unmatched`): Asterisk sent items the
    /// client could not tell apart, or announced a wrong count. `None` when they
    /// agree or the completion has no `ListItems`.
    pub count_mismatch: Option<CountMismatch>,
}

/// The item count a list's completion announced and the count that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CountMismatch {
    /// `ListItems` of the completion event.
    pub announced: u64,
    /// Events of the list that arrived before its completion.
    pub received: u64,
}

impl<I, C> ListResponse<I, C> {
    /// `Ok(self)` when the item count agrees with the completion's `ListItems`
    /// (or it has none), else [`AmiError::ListCountMismatch`].
    pub fn into_checked(self) -> Result<Self, AmiError> {
        match self.count_mismatch {
            None => Ok(self),
            Some(m) => Err(AmiError::ListCountMismatch {
                action: self.response.action().unwrap_or("(unknown)").to_string(),
                announced: m.announced,
                received: m.received,
            }),
        }
    }
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
                unkeyed: action
                    .unkeyed_items()
                    .then_some(A::Item::matches as fn(&str) -> bool),
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
        count_mismatch: None,
    };
    let mut received: u64 = 0;
    loop {
        let msg = next(rx, name, timeout).await?;
        if msg.event_name().is_none() && msg.response().is_some() {
            // An error after `EventList: start` ends the list (CoreShowChannelMap).
            return Err(Response::from_message(msg).with_action(name).into_failure());
        }
        if ends_list(&msg, complete) {
            let announced = msg
                .get("ListItems")
                .and_then(|v| v.trim().parse::<u64>().ok());
            out.count_mismatch =
                announced
                    .filter(|a| *a != received)
                    .map(|announced| CountMismatch {
                        announced,
                        received,
                    });
            match A::Complete::from_message(msg) {
                Ok(c) => out.complete = Some(c),
                Err(m) => out.unmatched.push(m),
            }
            return Ok(out);
        }
        received += 1;
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
