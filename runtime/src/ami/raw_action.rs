//! [`RawAction`]: an action built from a name and headers at run time, for actions
//! outside the generated set (newer releases, modules, dialplan-defined ones).

use super::action::{Action, ActionHeaders};
use super::message::Message;
use std::borrow::Cow;

/// An action named at run time: `RawAction::new("Name").header("K", "v")`.
///
/// Works with [`AmiClient::send`](super::AmiClient::send) and, as a list action,
/// with [`AmiClient::list`](super::AmiClient::list): the list items are raw
/// [`Message`]s, and the list ends on an event with `EventList: Complete` or on
/// the completion event set with [`RawAction::completion_event`]. `Debug` hides
/// the values of `Secret` and `Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAction {
    name: Cow<'static, str>,
    headers: ActionHeaders,
    complete_event: Cow<'static, str>,
}

impl RawAction {
    /// An action named `name` (sent as `Action: <name>`), without headers.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        RawAction {
            name: name.into(),
            headers: ActionHeaders::new(),
            complete_event: Cow::Borrowed(""),
        }
    }

    /// Set header `name` to `value` (replacing a header of that name). An
    /// `ActionID` header is sent unchanged and used for correlation.
    pub fn header(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        self.headers.set(name, value);
        self
    }

    /// Add a header even when one of that name exists (repeatable headers such as
    /// `Variable`).
    pub fn push_header(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.headers.push(name, value);
        self
    }

    /// The name of the event that completes the list this action answers with
    /// (case-insensitive), for lists whose completion event lacks
    /// `EventList: Complete`.
    pub fn completion_event(mut self, event: impl Into<Cow<'static, str>>) -> Self {
        self.complete_event = event.into();
        self
    }

    /// The headers, to edit in place.
    pub fn headers_mut(&mut self) -> &mut ActionHeaders {
        &mut self.headers
    }
}

impl Action for RawAction {
    /// Empty: the name of a raw action is per value ([`Action::name`]).
    const NAME: &'static str = "";
    type Response = super::response::Response;

    fn name(&self) -> &str {
        &self.name
    }

    fn headers(&self) -> &ActionHeaders {
        &self.headers
    }
}

impl super::action::ListAction for RawAction {
    type Item = Message;
    type Complete = Message;
    /// Empty: set per value with [`RawAction::completion_event`].
    const COMPLETE_EVENT: &'static str = "";

    fn complete_event(&self) -> &str {
        &self.complete_event
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ami::ListAction;

    #[test]
    fn renders_name_and_headers_in_order() {
        let a = RawAction::new("PJSIPShowEndpoint")
            .header("Endpoint", "100")
            .push_header("Variable", "A=1")
            .push_header("Variable", "B=2");
        assert_eq!(a.name(), "PJSIPShowEndpoint");
        let mut out = Vec::new();
        a.headers().render(a.name(), Some("x-1"), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Action: PJSIPShowEndpoint\r\nActionID: x-1\r\nEndpoint: 100\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"
        );
        assert_eq!(a.complete_event(), "");
        let a = a.completion_event("EndpointDetailComplete");
        assert_eq!(a.complete_event(), "EndpointDetailComplete");
    }

    #[test]
    fn debug_hides_secret_and_key() {
        let a = RawAction::new("Login")
            .header("Secret", "amp111")
            .header("Key", "379d3328");
        let shown = format!("{a:?}");
        assert!(shown.contains("Login"));
        assert!(!shown.contains("amp111") && !shown.contains("379d3328"));
    }
}
