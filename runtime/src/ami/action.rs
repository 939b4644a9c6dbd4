//! Actions: the [`Action`] trait generated action types implement, and
//! [`ActionHeaders`], their ordered header list.

use super::header::FromEvent;
use super::response::ActionResponse;
use std::borrow::Cow;
use std::fmt;

/// The ordered headers of an action, without `Action:` and `ActionID:` (the client
/// adds those). Headers are written in the order they were set; setting a header
/// that is already there replaces its value in place; [`ActionHeaders::push`] adds a
/// repeat (`Variable`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ActionHeaders {
    headers: Vec<(Cow<'static, str>, String)>,
}

/// A header name or value that would break the framing (CR or LF inside, a colon
/// in a name, or an empty name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid AMI header {name:?}: {reason}")]
#[non_exhaustive]
pub struct InvalidHeader {
    /// The header name.
    pub name: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Names whose values are never printed by `Debug`.
const SECRET_HEADERS: [&str; 2] = ["Secret", "Key"];

impl ActionHeaders {
    /// An empty header list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set `name` to `value`: replace the first header of that name or append.
    pub fn set(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            Some(slot) => slot.1 = value,
            None => self.headers.push((name, value)),
        }
    }

    /// Append a header even when one of that name exists (repeatable headers).
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) {
        self.headers.push((name.into(), value.into()));
    }

    /// Remove every header named `name`.
    pub fn remove(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_ref(), v.as_str()))
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// Whether there is no header.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// Check that every name and value can be written without breaking the framing.
    pub fn validate(&self) -> Result<(), InvalidHeader> {
        for (n, v) in &self.headers {
            let bad = |reason| InvalidHeader {
                name: n.to_string(),
                reason,
            };
            if n.is_empty() {
                return Err(bad("empty name"));
            }
            if n.contains([':', '\r', '\n']) {
                return Err(bad("name contains ':', CR or LF"));
            }
            if v.contains(['\r', '\n']) {
                return Err(bad("value contains CR or LF"));
            }
        }
        Ok(())
    }

    /// Write `Action: <action>`, `ActionID: <id>` (when given), every header, and
    /// the terminating empty line, after validating.
    pub fn render(
        &self,
        action: &str,
        action_id: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<(), InvalidHeader> {
        self.validate()?;
        if let Some(id) = action_id
            && id.contains(['\r', '\n'])
        {
            return Err(InvalidHeader {
                name: "ActionID".into(),
                reason: "value contains CR or LF",
            });
        }
        out.extend_from_slice(b"Action: ");
        out.extend_from_slice(action.as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(id) = action_id {
            out.extend_from_slice(b"ActionID: ");
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        for (n, v) in &self.headers {
            if n.eq_ignore_ascii_case("ActionID") && action_id.is_some() {
                continue;
            }
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }
}

impl fmt::Debug for ActionHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (n, v) in &self.headers {
            if SECRET_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s)) {
                m.entry(n, &"<redacted>");
            } else {
                m.entry(n, v);
            }
        }
        m.finish()
    }
}

/// An AMI action. Generated for every action of every release ([`RawAction`](super::RawAction)
/// covers the others); the client sends it with [`ActionHeaders::render`], adding
/// its own `ActionID`.
pub trait Action: Send + Sync {
    /// The action name sent in `Action:`, for every value of the type (generated
    /// actions). [`RawAction`](super::RawAction), whose name is per value, leaves
    /// it empty.
    const NAME: &'static str;

    /// What [`AmiClient::send`](super::AmiClient::send) returns for it:
    /// [`Response`](super::Response) (no headers of its own), or a generated
    /// typed response decoding the headers its C handler appends (e.g.
    /// `GetvarResponse` with `variable` and `value`), which keeps the whole
    /// [`Response`](super::Response).
    type Response: ActionResponse;

    /// The name of this action as sent in `Action:`; the client only uses this
    /// method. Default: [`Action::NAME`].
    fn name(&self) -> &str {
        Self::NAME
    }

    /// The headers to send (without `Action` and the client's `ActionID`).
    fn headers(&self) -> &ActionHeaders;

    /// The `ActionID` the user set, if any (it is echoed back in the response
    /// although the client correlates on its own prefixed id).
    fn user_action_id(&self) -> Option<&str> {
        self.headers().get("ActionID")
    }

    /// How long Asterisk may legitimately take to answer this action, when the
    /// action itself says so (a synchronous `Originate` waits up to its own
    /// `Timeout` for the call to be answered). The client waits at least this
    /// long plus 5 s ([`ANSWER_MARGIN`](super::ANSWER_MARGIN)) before it reports a
    /// timeout, whatever the request's own timeout. `None` (the default): the
    /// action answers at once.
    fn answer_within(&self) -> Option<std::time::Duration> {
        None
    }

    /// `Some(why)` when Asterisk answers this action without any `Response:`
    /// (IAXnetstats writes a bare empty line): nothing could be matched to it, so
    /// the client fails at once with [`AmiError::NoResponse`](super::AmiError::NoResponse)
    /// instead of sending it and waiting for its timeout. `None` (the default):
    /// it has an answer.
    fn no_response(&self) -> Option<&'static str> {
        None
    }

    /// The releases that have this action, when some generated release lacks it
    /// (generated actions); the client refuses it on a server whose release line
    /// lacks it (see [`crate::version`]). `None` (the default): always sent.
    fn availability(&self) -> Option<crate::version::Availability> {
        None
    }
}

/// An action that answers with an event list (`EventList: start`, item events,
/// a completion event).
pub trait ListAction: Action {
    /// The item events (an enum when the list mixes several event types).
    type Item: FromEvent + Send + 'static;
    /// The completion event.
    type Complete: FromEvent + Send + 'static;
    /// Wire name of the completion event, for every value of the type.
    const COMPLETE_EVENT: &'static str;

    /// Wire name of the event that completes this list; the client only uses this
    /// method. A list also ends on any event with `EventList: Complete`; an empty
    /// name means only that. Default: [`ListAction::COMPLETE_EVENT`].
    fn complete_event(&self) -> &str {
        Self::COMPLETE_EVENT
    }

    /// Whether Asterisk sends this list's items without the `ActionID` (its
    /// acknowledgement and completion carry it; IAXpeers does this). The client
    /// then takes every item event (those `Item` matches) that arrives without an
    /// `ActionID` between the acknowledgement and the completion. Default: `false`.
    fn unkeyed_items(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_set_order_with_action_id_second() {
        let mut h = ActionHeaders::new();
        h.set("Channel", "Local/300@events-test");
        h.set("Application", "Wait");
        h.push("Variable", "A=1");
        h.push("Variable", "B=2");
        h.set("Application", "Playback");
        let mut out = Vec::new();
        h.render("Originate", Some("orig-1"), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Action: Originate\r\nActionID: orig-1\r\nChannel: Local/300@events-test\r\nApplication: Playback\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"
        );
    }

    #[test]
    fn rejects_header_injection() {
        let mut h = ActionHeaders::new();
        h.set("Channel", "x\r\nAction: Logoff");
        assert!(h.render("Hangup", None, &mut Vec::new()).is_err());
    }

    #[test]
    fn debug_redacts_secret() {
        let mut h = ActionHeaders::new();
        h.set("Username", "admin");
        h.set("Secret", "amp111");
        assert!(!format!("{h:?}").contains("amp111"));
    }
}
