//! [`Response`]: the answer to one action, with its status, message and command
//! output decoded and the full [`Message`] kept; [`ActionResponse`]: what
//! [`AmiClient::send`](super::AmiClient::send) returns for an action (the
//! [`Response`] itself, or a generated typed response holding it).

use super::client::AmiError;
use super::message::Message;
use super::text::Text;

/// The answer type of an action ([`Action::Response`](super::Action::Response)):
/// [`Response`] for actions whose answer has no headers of their own, or a
/// generated typed response (`asterisk_sdk::ami::responses::GetvarResponse`, …)
/// that decodes the headers the action's C handler appends and keeps the whole
/// [`Response`].
pub trait ActionResponse: Sized + Send + 'static {
    /// Decode the answer (never fails: a header that is missing or does not
    /// parse leaves its field `None`; `raw` keeps everything).
    fn from_response(response: Response) -> Self;

    /// The answer as received.
    fn response(&self) -> &Response;

    /// The answer as received, giving up the typed fields.
    fn into_response(self) -> Response;

    /// `Ok(self)` when the action succeeded, else [`AmiError::ActionFailed`]
    /// naming the action (as [`Response::into_result`]).
    fn into_result(self) -> Result<Self, AmiError> {
        if self.response().is_success() {
            Ok(self)
        } else {
            Err(self.into_response().into_failure())
        }
    }
}

impl ActionResponse for Response {
    fn from_response(response: Response) -> Self {
        response
    }

    fn response(&self) -> &Response {
        self
    }

    fn into_response(self) -> Response {
        self
    }
}

/// The `Response:` header of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseStatus {
    /// `Success`.
    Success,
    /// `Error`.
    Error,
    /// `Follows` (legacy command output before Asterisk 14).
    Follows,
    /// `Goodbye` (answer to Logoff).
    Goodbye,
    /// Any other value, kept as sent.
    Other(Text),
}

impl ResponseStatus {
    /// Classify a `Response:` value (ASCII case-insensitive).
    pub fn from_wire(value: &str) -> ResponseStatus {
        const KNOWN: [(&str, ResponseStatus); 4] = [
            ("Success", ResponseStatus::Success),
            ("Error", ResponseStatus::Error),
            ("Follows", ResponseStatus::Follows),
            ("Goodbye", ResponseStatus::Goodbye),
        ];
        KNOWN
            .into_iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(value))
            .map(|(_, s)| s)
            .unwrap_or_else(|| ResponseStatus::Other(Text::from(value)))
    }

    /// The wire spelling.
    pub fn as_wire(&self) -> &str {
        match self {
            ResponseStatus::Success => "Success",
            ResponseStatus::Error => "Error",
            ResponseStatus::Follows => "Follows",
            ResponseStatus::Goodbye => "Goodbye",
            ResponseStatus::Other(t) => t.as_str(),
        }
    }
}

/// The answer to an action.
///
/// `output` holds command output: the `Output:` headers (Asterisk 14 and later)
/// or, for a legacy `Response: Follows` answer, the body lines up to
/// `--END COMMAND--` (marker removed). Every header stays reachable in `raw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The `Response:` value.
    pub status: ResponseStatus,
    /// The `Message:` header, when present.
    pub message: Option<Text>,
    /// Command output lines, in order.
    pub output: Vec<Text>,
    /// The whole message as received.
    pub raw: Message,
    /// The name of the action this answers, when known.
    action: Option<Box<str>>,
}

/// Headers that may precede the body of a legacy `Response: Follows` answer.
const LEGACY_HEADERS: [&[u8]; 4] = [b"Response:", b"Privilege:", b"ActionID:", b"Message:"];

impl Response {
    /// Decode a response message (one whose first header is `Response`).
    pub fn from_message(raw: Message) -> Response {
        let status = ResponseStatus::from_wire(raw.response().unwrap_or(""));
        let message = raw.get_text("Message");
        let output = if status == ResponseStatus::Follows {
            legacy_output(&raw)
        } else {
            raw.headers()
                .filter(|h| h.name.eq_ignore_ascii_case("Output"))
                .map(|h| raw.value_text(h.index))
                .collect()
        };
        Response {
            status,
            message,
            output,
            raw,
            action: None,
        }
    }

    /// This response, recorded as the answer to action `name` (the client does
    /// this for every response it returns; errors then name the action).
    pub fn with_action(mut self, name: impl Into<Box<str>>) -> Response {
        self.action = Some(name.into());
        self
    }

    /// The name of the action this answers: set for every response returned by
    /// the client, `None` for one decoded with [`Response::from_message`] alone.
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// Whether the action succeeded (`Success`, `Follows` or `Goodbye`).
    pub fn is_success(&self) -> bool {
        matches!(
            self.status,
            ResponseStatus::Success | ResponseStatus::Follows | ResponseStatus::Goodbye
        )
    }

    /// Whether the answer is `Response: Error`.
    pub fn is_error(&self) -> bool {
        self.status == ResponseStatus::Error
    }

    /// First value of header `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.raw.get(name)
    }

    /// First value of header `name` as shared [`Text`].
    pub fn get_text(&self, name: &str) -> Option<Text> {
        self.raw.get_text(name)
    }

    /// Every value of header `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.raw.get_all(name)
    }

    /// The `ActionID` the answer carries.
    pub fn action_id(&self) -> Option<&str> {
        self.raw.action_id()
    }

    /// The `EventList` header (`start` on the acknowledgement of a list action).
    pub fn event_list(&self) -> Option<&str> {
        self.raw.get("EventList")
    }

    /// The command output joined with `\n`.
    pub fn output_text(&self) -> String {
        let mut s = String::new();
        for (i, line) in self.output.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(line);
        }
        s
    }
}

fn legacy_output(raw: &Message) -> Vec<Text> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut in_body = false;
    let mut start = 0usize;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..])
            .map(|i| start + i)
            .unwrap_or(bytes.len());
        let mut line_end = end;
        if line_end > start && bytes[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        let line = &bytes[start..line_end];
        if !in_body {
            let is_header = LEGACY_HEADERS
                .iter()
                .any(|h| line.len() >= h.len() && line[..h.len()].eq_ignore_ascii_case(h));
            in_body = !is_header;
        }
        if in_body {
            match line.strip_suffix(b"--END COMMAND--") {
                Some(rest) => {
                    if !rest.is_empty() {
                        out.push(Text::from_bytes(bytes.slice(start..start + rest.len())));
                    }
                    break;
                }
                None => out.push(Text::from_bytes(bytes.slice(start..line_end))),
            }
        }
        start = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn output_headers_and_message() {
        let r = Response::from_message(Message::parse(Bytes::from_static(
            b"Response: Success\r\nActionID: cmd-1\r\nMessage: Command output follows\r\nOutput: a\r\nOutput: b: c\r\n",
        )));
        assert!(r.is_success());
        assert_eq!(r.message.as_deref(), Some("Command output follows"));
        assert_eq!(r.output, [Text::from("a"), Text::from("b: c")]);
        assert_eq!(r.output_text(), "a\nb: c");
    }

    #[test]
    fn legacy_follows_body() {
        let r = Response::from_message(Message::parse(Bytes::from_static(
            b"Response: Follows\r\nPrivilege: Command\r\nActionID: 7\r\nName: value line\n\nlast--END COMMAND--\r\n",
        )));
        assert_eq!(r.status, ResponseStatus::Follows);
        assert_eq!(r.action_id(), Some("7"));
        assert_eq!(
            r.output,
            [
                Text::from("Name: value line"),
                Text::from(""),
                Text::from("last")
            ]
        );
    }

    #[test]
    fn error_and_unknown_status() {
        let r = Response::from_message(Message::from_pairs([
            ("Response", "error"),
            ("Message", "Permission denied"),
        ]));
        assert!(r.is_error() && !r.is_success());
        let o = Response::from_message(Message::from_pairs([("Response", "Weird")]));
        assert_eq!(o.status.as_wire(), "Weird");
    }
}
