//! [`Request`] and [`ListRequest`]: what [`AmiClient::send`] and
//! [`AmiClient::list`] return, to await directly or after setting a timeout for
//! this one request.

use super::super::action::{Action, ListAction};
use super::super::response::{ActionResponse, Response};
use super::{AmiClient, AmiError, ListResponse};
use futures::future::BoxFuture;
use std::fmt;
use std::future::IntoFuture;
use std::time::Duration;

/// Added to an action's own [`Action::answer_within`] to get the least time the
/// client waits for its answer (5 s): room for the network and for Asterisk to
/// write the answer once the call is answered or the time is up.
pub const ANSWER_MARGIN: Duration = Duration::from_secs(5);

/// The timeout a request of `action` runs with: `requested`, raised to
/// `answer_within + ANSWER_MARGIN` when the action states a longer answer time.
fn effective_timeout<A: Action>(action: &A, requested: Duration) -> Duration {
    match action.answer_within() {
        Some(within) => requested.max(within.saturating_add(ANSWER_MARGIN)),
        None => requested,
    }
}

impl AmiClient {
    /// Refuse `action` when the server's release line lacks it.
    fn admit<A: Action>(&self, action: &A) -> Result<(), AmiError> {
        let availability = action.availability();
        self.inner
            .shared
            .version
            .admit(action.name(), availability.as_ref())?;
        Ok(())
    }
}

/// An action to send, from [`AmiClient::send`]. Await it for the answer;
/// [`Request::timeout`] first replaces the client's
/// [`action_timeout`](super::AmiClientBuilder::action_timeout) for this request.
/// Nothing is sent before it is awaited. Dropping the future before the answer
/// frees its `ActionID` (a late answer is then dropped).
#[must_use = "a request is sent only when awaited"]
pub struct Request<'a, A> {
    client: &'a AmiClient,
    action: &'a A,
    timeout: Duration,
}

impl<'a, A: Action> Request<'a, A> {
    pub(super) fn new(client: &'a AmiClient, action: &'a A, timeout: Duration) -> Self {
        Request {
            client,
            action,
            timeout,
        }
    }

    /// Wait at most `timeout` for the answer of this request (it is raised to
    /// the action's [`Action::answer_within`] plus [`ANSWER_MARGIN`] when that is
    /// longer).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl<A: Action> fmt::Debug for Request<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("action", &self.action.name())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<'a, A: Action> IntoFuture for Request<'a, A> {
    type Output = Result<A::Response, AmiError>;
    type IntoFuture = BoxFuture<'a, Result<A::Response, AmiError>>;

    fn into_future(self) -> Self::IntoFuture {
        let timeout = effective_timeout(self.action, self.timeout);
        Box::pin(async move {
            self.client.admit(self.action)?;
            let name = self.action.name();
            if let Some(reason) = self.action.no_response() {
                return Err(AmiError::NoResponse {
                    action: name.to_string(),
                    reason,
                });
            }
            let conn = self.client.inner.shared.current()?;
            let msg = conn
                .request(
                    name,
                    self.action.headers(),
                    self.action.user_action_id(),
                    timeout,
                )
                .await?;
            Ok(A::Response::from_response(
                Response::from_message(msg).with_action(name),
            ))
        })
    }
}

/// A list action to send, from [`AmiClient::list`]. Await it for the list;
/// [`ListRequest::timeout`] first replaces the client's
/// [`action_timeout`](super::AmiClientBuilder::action_timeout) for this request
/// (it bounds each wait for the next message of the list). Nothing is sent before
/// it is awaited. Dropping the future before the list is complete frees its
/// `ActionID`.
#[must_use = "a request is sent only when awaited"]
pub struct ListRequest<'a, A> {
    client: &'a AmiClient,
    action: &'a A,
    timeout: Duration,
}

impl<'a, A: ListAction> ListRequest<'a, A> {
    pub(super) fn new(client: &'a AmiClient, action: &'a A, timeout: Duration) -> Self {
        ListRequest {
            client,
            action,
            timeout,
        }
    }

    /// Wait at most `timeout` for each message of this list (raised to the
    /// action's [`Action::answer_within`] plus [`ANSWER_MARGIN`] when that is
    /// longer).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl<A: ListAction> fmt::Debug for ListRequest<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListRequest")
            .field("action", &self.action.name())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<'a, A: ListAction> IntoFuture for ListRequest<'a, A> {
    type Output = Result<ListResponse<A::Item, A::Complete>, AmiError>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let timeout = effective_timeout(self.action, self.timeout);
        Box::pin(async move {
            self.client.admit(self.action)?;
            let conn = self.client.inner.shared.current()?;
            super::list::collect(&conn, self.action, timeout).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ami::ActionHeaders;

    struct Slow(Option<Duration>);
    impl Action for Slow {
        const NAME: &'static str = "Slow";
        type Response = Response;
        fn headers(&self) -> &ActionHeaders {
            static EMPTY: std::sync::OnceLock<ActionHeaders> = std::sync::OnceLock::new();
            EMPTY.get_or_init(ActionHeaders::new)
        }
        fn answer_within(&self) -> Option<Duration> {
            self.0
        }
    }

    #[test]
    fn answer_time_plus_margin_raises_the_timeout_only() {
        let s = Duration::from_secs;
        assert_eq!(effective_timeout(&Slow(None), s(3)), s(3));
        assert_eq!(effective_timeout(&Slow(Some(s(30))), s(10)), s(35));
        assert_eq!(effective_timeout(&Slow(Some(s(1))), s(10)), s(10));
    }
}
