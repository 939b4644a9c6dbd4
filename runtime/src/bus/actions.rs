//! Actions over request/reply: the bridge's service on
//! `<prefix>.<node>.ami.action` and `<prefix>.<node>.ari.action`, and
//! [`ActionClient`], the requester side.
//!
//! Wire format (JSON both ways):
//! - AMI request: `{"action": "Name", "headers": [["Key", "value"], …]}`;
//!   reply: `{"node": "…", "response": [["Response", "Success"], …]}`, the
//!   answer's headers in order (values converted to UTF-8 lossily).
//! - ARI request: `{"method": "GET", "path": "/asterisk/info", "query":
//!   [["k", "v"]], "body": {…}}`; reply: `{"node": "…", "status": 200,
//!   "content_type": "application/json", "body": "<the body as text>"}`.
//!   The body travels as JSON text: a body that is not UTF-8 (ARI's
//!   recordings and sounds as files) arrives with each invalid byte replaced
//!   by U+FFFD; fetch such files over HTTP instead.
//! - Error reply: `{"node": "…", "error": {"kind": "unknown_node" |
//!   "bad_request" | "node", "message": "…"}}`.
//!
//! Replies carry the header `Asterisk-Bus-Reply: 1`. Requests are sent with
//! `Nats-Expected-Stream` naming no stream, so that the event stream (whose
//! subjects `<prefix>.*.ami.*` also match the action subject) refuses to store
//! them; [`ActionClient`] skips JetStream's refusal and waits for the bridge's
//! reply.

use super::config::BusConfig;
use super::envelope;
use super::error::BusError;
use super::subject::{self, ACTION_TOKEN, Side};
use crate::ami::{Action, ActionResponse, Message, RawAction, Response};
use crate::ari::{AriRequest, AriResponse, AriTransport};
use crate::fleet::{Fleet, NodeId};
use async_nats::HeaderMap;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The value of `Nats-Expected-Stream` on requests: no stream has this name.
const NO_STREAM: &str = "asterisk-bus-request-not-stored";

#[derive(Serialize, Deserialize)]
struct AmiRequestBody {
    action: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct AriRequestBody {
    method: String,
    path: String,
    #[serde(default)]
    query: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<serde_json::Value>,
}

#[derive(Serialize, Deserialize)]
struct ErrorBody {
    kind: String,
    message: String,
}

#[derive(Serialize, Deserialize)]
struct ReplyBody {
    node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<Vec<(String, String)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<ErrorBody>,
}

impl ReplyBody {
    fn error(node: &str, kind: &str, message: impl Into<String>) -> Self {
        ReplyBody {
            node: node.to_string(),
            response: None,
            status: None,
            content_type: None,
            body: None,
            error: Some(ErrorBody {
                kind: kind.into(),
                message: message.into(),
            }),
        }
    }
}

/// Subscribe to the action subjects of every node (`<prefix>.*.ami.action`,
/// `<prefix>.*.ari.action`) and answer until `stop`.
pub(crate) async fn serve(
    fleet: Fleet,
    nats: async_nats::Client,
    config: &BusConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, BusError> {
    let nats_err = |e: async_nats::SubscribeError| BusError::Nats(e.to_string());
    let ami = nats
        .subscribe(format!("{}.*.ami.{ACTION_TOKEN}", config.prefix))
        .await
        .map_err(nats_err)?;
    let ari = nats
        .subscribe(format!("{}.*.ari.{ACTION_TOKEN}", config.prefix))
        .await
        .map_err(nats_err)?;
    let answer_unknown = config.answer_unknown_nodes;
    let slots = Arc::new(tokio::sync::Semaphore::new(
        config.max_concurrent_actions.max(1),
    ));
    let nodes: std::collections::HashMap<String, NodeId> = fleet
        .nodes()
        .map(|id| (subject::token(id.as_str()).into_owned(), id.clone()))
        .collect();
    let mut requests =
        futures::stream::select(ami.map(|m| (Side::Ami, m)), ari.map(|m| (Side::Ari, m)));
    Ok(tokio::spawn(async move {
        loop {
            let (side, msg) = tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => return,
                next = requests.next() => match next {
                    Some(r) => r,
                    None => return,
                },
            };
            let Some(reply_to) = msg.reply.clone() else {
                continue;
            };
            // `<prefix>.<node>.<side>.action`: the node is the third token from the end.
            let token = msg.subject.rsplit('.').nth(2).unwrap_or("").to_string();
            let Some(node) = nodes.get(&token).cloned() else {
                if answer_unknown {
                    let body =
                        ReplyBody::error(&token, "unknown_node", format!("unknown node {token:?}"));
                    send_reply(&nats, reply_to, &body).await;
                }
                continue;
            };
            let fleet = fleet.clone();
            let nats = nats.clone();
            // Each request runs on its own task, so a slow action does not hold
            // up the others, up to the limit: then the next waits for a slot.
            let permit = tokio::select! {
                biased;
                _ = stop.wait_for(|s| *s) => return,
                permit = Arc::clone(&slots).acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            tokio::spawn(async move {
                let body = match side {
                    Side::Ami => run_ami(&fleet, &node, &msg.payload).await,
                    Side::Ari => run_ari(&fleet, &node, &msg.payload).await,
                };
                send_reply(&nats, reply_to, &body).await;
                drop(permit);
            });
        }
    }))
}

async fn send_reply(nats: &async_nats::Client, to: async_nats::Subject, body: &ReplyBody) {
    let mut headers = HeaderMap::new();
    headers.insert(envelope::REPLY, "1");
    let payload = serde_json::to_vec(body).unwrap_or_default();
    if let Err(e) = nats.publish_with_headers(to, headers, payload.into()).await {
        tracing::warn!(error = %e, "bus: could not send an action reply");
    }
}

async fn run_ami(fleet: &Fleet, node: &NodeId, payload: &[u8]) -> ReplyBody {
    let request: AmiRequestBody = match serde_json::from_slice(payload) {
        Ok(r) => r,
        Err(e) => return ReplyBody::error(node.as_str(), "bad_request", e.to_string()),
    };
    let mut action = RawAction::new(request.action);
    for (k, v) in request.headers {
        action = action.push_header(k, v);
    }
    match fleet.send(node.as_str(), &action).await {
        Ok(response) => ReplyBody {
            node: node.to_string(),
            response: Some(
                response
                    .raw
                    .headers()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect(),
            ),
            status: None,
            content_type: None,
            body: None,
            error: None,
        },
        Err(e) => ReplyBody::error(node.as_str(), "node", e.to_string()),
    }
}

fn method(name: &str) -> Option<&'static str> {
    ["GET", "POST", "PUT", "DELETE"]
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(name))
}

async fn run_ari(fleet: &Fleet, node: &NodeId, payload: &[u8]) -> ReplyBody {
    let request: AriRequestBody = match serde_json::from_slice(payload) {
        Ok(r) => r,
        Err(e) => return ReplyBody::error(node.as_str(), "bad_request", e.to_string()),
    };
    let Some(verb) = method(&request.method) else {
        return ReplyBody::error(
            node.as_str(),
            "bad_request",
            format!("unknown method {:?}", request.method),
        );
    };
    let transport = match fleet.ari(node.as_str()) {
        Ok(Some(t)) => t,
        Ok(None) => return ReplyBody::error(node.as_str(), "bad_request", "this node has no ARI"),
        Err(e) => return ReplyBody::error(node.as_str(), "unknown_node", e.to_string()),
    };
    let mut ari = AriRequest::new(verb, request.path);
    ari.query = request.query;
    ari.body = request.body;
    match transport.send(ari).await {
        Ok(r) => ReplyBody {
            node: node.to_string(),
            response: None,
            status: Some(r.status),
            content_type: r.content_type,
            body: Some(String::from_utf8_lossy(&r.body).into_owned()),
            error: None,
        },
        Err(e) => ReplyBody::error(node.as_str(), "node", e.to_string()),
    }
}

/// Sends actions and ARI requests to nodes through the bridge.
#[derive(Debug, Clone)]
pub struct ActionClient {
    nats: async_nats::Client,
    prefix: String,
    timeout: Duration,
}

impl ActionClient {
    /// A requester for subjects under `prefix` (the bridge's
    /// [`BusConfig::prefix`]), waiting at most `timeout` for each reply.
    pub fn new(nats: async_nats::Client, prefix: impl Into<String>, timeout: Duration) -> Self {
        ActionClient {
            nats,
            prefix: prefix.into(),
            timeout,
        }
    }

    /// Send `action` to `node` through the bridge and decode its answer as the
    /// action's response type (like [`AmiClient::send`](crate::ami::AmiClient::send):
    /// an Error answer is `Ok`; check `is_success`).
    pub async fn send<A: Action>(&self, node: &str, action: &A) -> Result<A::Response, BusError> {
        let body = AmiRequestBody {
            action: action.name().to_string(),
            headers: action
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let reply = self.request(node, Side::Ami, &body).await?;
        let pairs = reply
            .response
            .ok_or_else(|| BusError::BadReply("no `response` in the reply".into()))?;
        let message = Message::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Ok(A::Response::from_response(
            Response::from_message(message).with_action(action.name()),
        ))
    }

    /// Send an ARI request to `node` through the bridge (REST over its events
    /// WebSocket). The response body crosses the bus as text: one that is not
    /// UTF-8 comes back with invalid bytes replaced by U+FFFD.
    pub async fn ari(&self, node: &str, request: &AriRequest) -> Result<AriResponse, BusError> {
        let body = AriRequestBody {
            method: request.method.to_string(),
            path: request.path.clone(),
            query: request.query.clone(),
            body: request.body.clone(),
        };
        let reply = self.request(node, Side::Ari, &body).await?;
        let status = reply
            .status
            .ok_or_else(|| BusError::BadReply("no `status` in the reply".into()))?;
        Ok(AriResponse::new(
            status,
            reply.content_type,
            reply.body.unwrap_or_default().into_bytes(),
        ))
    }

    async fn request(
        &self,
        node: &str,
        side: Side,
        body: &impl Serialize,
    ) -> Result<ReplyBody, BusError> {
        let subject = subject::subject(&self.prefix, node, side, ACTION_TOKEN);
        let inbox = self.nats.new_inbox();
        let mut replies = self
            .nats
            .subscribe(inbox.clone())
            .await
            .map_err(|e| BusError::Nats(e.to_string()))?;
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Expected-Stream", NO_STREAM);
        let payload = serde_json::to_vec(body).map_err(|e| BusError::BadRequest(e.to_string()))?;
        self.nats
            .publish_with_reply_and_headers(subject, inbox, headers, payload.into())
            .await
            .map_err(|e| BusError::Nats(e.to_string()))?;
        let no_answer = || BusError::NoAnswer {
            node: NodeId::from(node),
            timeout: self.timeout,
        };
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let msg = tokio::time::timeout_at(deadline, replies.next())
                .await
                .map_err(|_| no_answer())?
                .ok_or_else(no_answer)?;
            if envelope::get(msg.headers.as_ref(), envelope::REPLY).is_none() {
                // JetStream refusing to store the request, or someone else.
                continue;
            }
            let reply: ReplyBody = serde_json::from_slice(&msg.payload)
                .map_err(|e| BusError::BadReply(e.to_string()))?;
            if let Some(error) = reply.error {
                return Err(match error.kind.as_str() {
                    "unknown_node" => BusError::UnknownNode(NodeId::from(node)),
                    "bad_request" => BusError::BadRequest(error.message),
                    _ => BusError::Node {
                        node: NodeId::from(reply.node),
                        message: error.message,
                    },
                });
            }
            return Ok(reply);
        }
    }
}
