//! Drives one connected WebSocket: reads messages (routing `RESTResponse`s to
//! their requests, everything else to the event stream), writes REST requests,
//! keeps reading so pings are answered, and pings a silent peer to find out
//! whether it is still there.

use super::item::RawItem;
use super::rest::{decode_response, may_be_response};
use super::transport::Shared;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio::time::Instant;
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

/// The keepalive of one connection: after `interval` without any frame from
/// the peer, a ping; after another `interval` still without one, the peer is
/// gone (a half-open connection, or a hung Asterisk).
struct Keepalive {
    interval: Duration,
    last_heard: Instant,
    ping_sent: Option<Instant>,
}

impl Keepalive {
    fn new(interval: Duration) -> Keepalive {
        Keepalive {
            interval,
            last_heard: Instant::now(),
            ping_sent: None,
        }
    }

    fn heard(&mut self) {
        self.last_heard = Instant::now();
        self.ping_sent = None;
    }

    /// When to act next.
    fn deadline(&self) -> Instant {
        match self.ping_sent {
            Some(at) => at + self.interval,
            None => self.last_heard + self.interval,
        }
    }
}

/// Wait for the keepalive's next deadline (forever without a keepalive).
async fn keepalive_due(keepalive: &Option<Keepalive>) {
    match keepalive {
        Some(k) => tokio::time::sleep_until(k.deadline()).await,
        None => std::future::pending().await,
    }
}

/// Run one connection until it ends. The caller attaches/detaches the transport.
/// With `keepalive`, a silent peer is pinged, and given up on when it stays
/// silent (see [`Keepalive`]).
pub(crate) async fn drive<S>(
    mut ws: WebSocketStream<S>,
    mut requests: mpsc::Receiver<String>,
    events: &mpsc::Sender<RawItem>,
    shared: &Shared,
    apps: Option<&AppSet>,
    keepalive: Option<Duration>,
) -> End
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut keepalive = keepalive.filter(|d| !d.is_zero()).map(Keepalive::new);
    loop {
        tokio::select! {
            biased;
            _ = events.closed() => {
                let _ = ws.close(None).await;
                return End::Closed;
            }
            incoming = ws.next() => {
                if let Some(k) = keepalive.as_mut() {
                    k.heard();
                }
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
            _ = keepalive_due(&keepalive) => {
                let Some(k) = keepalive.as_mut() else { continue };
                if k.ping_sent.is_some() {
                    return End::Lost(format!(
                        "no answer to a ping within {:?}",
                        k.interval
                    ));
                }
                k.ping_sent = Some(Instant::now());
                if let Err(e) = ws.send(Message::Ping(Default::default())).await {
                    return End::Lost(e.to_string());
                }
            }
        }
    }
}
