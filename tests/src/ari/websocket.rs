//! One events WebSocket of the mock: sends the events of its applications and
//! answers `RESTRequest` messages with `RESTResponse`s.

use super::core::{Core, Request, reason};
use super::http::{parse_query, split_target};
use super::json::{ASTERISK_ID, Obj, now};
use super::sessions::Out;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

#[derive(Deserialize)]
struct QueryString {
    name: String,
    value: String,
}

#[derive(Deserialize)]
struct RestRequest {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    transaction_id: String,
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    uri: String,
    #[serde(default)]
    query_strings: Vec<QueryString>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    message_body: Option<String>,
}

/// The `RESTResponse` text for one `RESTRequest` text, and the events it causes.
fn answer(
    core: &Arc<Core>,
    text: &str,
    application: &str,
) -> Option<(String, super::core::Events)> {
    let r: RestRequest = serde_json::from_str(text).ok()?;
    if r.kind != "RESTRequest" {
        return None;
    }
    let target = format!("/ari/{}", r.uri.trim_start_matches('/'));
    let (segments, mut query) = split_target(&target).unwrap_or_default();
    query.extend(r.query_strings.into_iter().map(|q| (q.name, q.value)));
    let mut body = None;
    if let Some(b) = r.message_body.as_deref().filter(|b| !b.trim().is_empty()) {
        if r.content_type.as_deref() == Some("application/x-www-form-urlencoded") {
            query.extend(parse_query(b));
        } else {
            body = serde_json::from_str(b).ok();
        }
    }
    let request = Request {
        method: r.method.to_ascii_uppercase(),
        segments,
        query,
        body,
    };
    let (reply, events) = core.handle(&request);
    let mut o = Obj::new()
        .field("type", "RESTResponse")
        .field("transaction_id", r.transaction_id)
        .field("request_id", r.request_id)
        .field("status_code", reply.status)
        .field("reason_phrase", reason(reply.status))
        .field("uri", r.uri);
    if let Some(b) = reply.body {
        o = o
            .field("content_type", "application/json")
            .field("message_body", b);
    }
    let text = o
        .field("timestamp", now())
        .field("asterisk_id", ASTERISK_ID)
        .field("application", application)
        .finish();
    Some((text, events))
}

/// Run an upgraded connection (session `id`, fed by `rx`) until it closes or is
/// dropped on cue.
pub(crate) async fn run(
    stream: TcpStream,
    already_read: Vec<u8>,
    core: Arc<Core>,
    id: u64,
    mut rx: mpsc::UnboundedReceiver<Out>,
) {
    let mut ws = if already_read.is_empty() {
        WebSocketStream::from_raw_socket(stream, Role::Server, None).await
    } else {
        WebSocketStream::from_partially_read(stream, already_read, Role::Server, None).await
    };
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Out::Text(text)) => {
                    if ws.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                // Dropping the stream closes TCP without a close frame.
                Some(Out::Drop) | None => break,
            },
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let app = core.sessions().first_app(id);
                    if let Some((reply, events)) = answer(&core, text.as_str(), &app) {
                        if ws.send(Message::text(reply)).await.is_err() {
                            break;
                        }
                        core.emit(events);
                    }
                }
                Some(Ok(_)) => {}
                None | Some(Err(_)) => break,
            },
        }
    }
    core.sessions().unregister(id);
}
