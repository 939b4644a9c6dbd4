//! Drives one connected WebSocket: reads messages (routing `RESTResponse`s to
//! their requests, everything else to the event stream), writes REST requests,
//! and keeps reading so pings are answered.

use super::item::RawItem;
use super::rest::{decode_response, may_be_response};
use super::transport::Shared;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// The Stasis applications a connection serves, kept from the
/// `ApplicationRegistered` / `ApplicationUnregistered` / `ApplicationReplaced`
/// messages (outbound connections).
pub(crate) type AppSet = Arc<Mutex<BTreeSet<String>>>;

/// How a connection ended.
#[derive(Debug)]
pub(crate) enum End {
    /// The user dropped or closed the event stream.
    Closed,
    /// The socket failed or the peer closed it.
    Lost(String),
}

#[derive(Deserialize)]
struct AppMessage<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    application: Cow<'a, str>,
}

fn track_application(apps: &AppSet, text: &str) {
    if !text.contains("\"Application") {
        return;
    }
    let Ok(m) = serde_json::from_str::<AppMessage<'_>>(text) else {
        return;
    };
    let mut set = apps.lock().unwrap_or_else(|p| p.into_inner());
    match m.kind.as_ref() {
        "ApplicationRegistered" => {
            set.insert(m.application.into_owned());
        }
        "ApplicationUnregistered" | "ApplicationReplaced" => {
            set.remove(m.application.as_ref());
        }
        _ => {}
    }
}

/// Run one connection until it ends. The caller attaches/detaches the transport.
pub(crate) async fn drive<S>(
    mut ws: WebSocketStream<S>,
    mut requests: mpsc::Receiver<String>,
    events: &mpsc::Sender<RawItem>,
    shared: &Shared,
    apps: Option<&AppSet>,
) -> End
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        tokio::select! {
            biased;
            _ = events.closed() => {
                let _ = ws.close(None).await;
                return End::Closed;
            }
            incoming = ws.next() => {
                let item = match incoming {
                    None => return End::Lost("connection closed".into()),
                    Some(Err(e)) => return End::Lost(e.to_string()),
                    Some(Ok(Message::Text(text))) => {
                        if let Some((id, response)) = may_be_response(text.as_str())
                            .then(|| decode_response(text.as_str()))
                            .flatten()
                        {
                            if shared.pending.complete(&id, response).is_ok() {
                                continue;
                            }
                            tracing::debug!(request_id = %id, "RESTResponse without a waiting request");
                        }
                        if let Some(apps) = apps {
                            track_application(apps, text.as_str());
                        }
                        RawItem::Text(text)
                    }
                    Some(Ok(Message::Binary(data))) => RawItem::Binary(data),
                    // Pings are answered by tungstenite on the next read; closes are
                    // acknowledged and then end the stream.
                    Some(Ok(_)) => continue,
                };
                if events.send(item).await.is_err() {
                    let _ = ws.close(None).await;
                    return End::Closed;
                }
            }
            Some(text) = requests.recv() => {
                if let Err(e) = ws.send(Message::text(text)).await {
                    return End::Lost(e.to_string());
                }
            }
        }
    }
}
