//! Outbound WebSockets: Asterisk (`ari.conf` `type = outbound_websocket`, with a
//! `websocket_client.conf` connection) connects to the application. This server
//! accepts those connections; each yields an event stream and a [`WsTransport`].
//!
//! Persistent connections announce their applications with
//! `ApplicationRegistered`; per-call connections register an ephemeral
//! application named `<app>:<channel name>` (see [`split_app_name`]).
//! [`OutboundConnection::applications`] follows `ApplicationRegistered`,
//! `ApplicationUnregistered` and `ApplicationReplaced`; the messages themselves
//! still reach the event stream.

use super::config::Credentials;
use super::driver::{AppSet, End, drive};
use super::error::WsError;
use super::item::{FromAriMessage, RawItem};
use super::stream::AriEventStream;
use super::transport::{Shared, WsTransport};
use super::upgrade::{check_credentials, echo_protocol};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};

/// Settings of an [`OutboundServer`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OutboundOptions {
    /// When set, connections must send these as Basic auth (`username` /
    /// `password` of `websocket_client.conf`); others get HTTP 401.
    pub credentials: Option<Credentials>,
    /// Timeout of a REST request sent over an accepted socket.
    pub request_timeout: Duration,
    /// Time allowed for a client to complete the WebSocket handshake.
    pub handshake_timeout: Duration,
    /// Messages buffered per connection for a slow consumer (see
    /// [`WsConfig::event_buffer`](super::WsConfig::event_buffer)).
    pub event_buffer: usize,
    /// Ping Asterisk after this long without a frame from it, and close the
    /// connection when it stays silent as long again (default 20 s; `None`:
    /// never).
    pub keepalive: Option<Duration>,
}

impl Default for OutboundOptions {
    fn default() -> Self {
        OutboundOptions {
            credentials: None,
            request_timeout: Duration::from_secs(10),
            handshake_timeout: Duration::from_secs(10),
            event_buffer: 8192,
            keepalive: Some(super::config::DEFAULT_KEEPALIVE),
        }
    }
}

/// One WebSocket connection that Asterisk opened to the application.
#[derive(Debug)]
#[non_exhaustive]
pub struct OutboundConnection<T> {
    /// The messages Asterisk sends on this connection; ends when it closes
    /// (Asterisk reconnects with a new connection, there is no reconnect here).
    pub events: AriEventStream<T>,
    /// REST requests over this connection.
    pub transport: WsTransport,
    peer: SocketAddr,
    path: String,
    username: Option<String>,
    apps: AppSet,
}

impl<T> OutboundConnection<T> {
    /// The address Asterisk connected from.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The request path and query of the upgrade (from `uri` in
    /// `websocket_client.conf`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The Basic-auth user the connection presented, if any.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The applications currently registered on this connection, as announced by
    /// the messages read so far from the event stream.
    pub fn applications(&self) -> Vec<String> {
        let set = self.apps.lock().unwrap_or_else(|p| p.into_inner());
        set.iter().cloned().collect()
    }
}

/// Split an application name into the configured application and, for a
/// per-call connection, the channel name: `"voicebot:PJSIP/1172-00000000"` →
/// `("voicebot", Some("PJSIP/1172-00000000"))`; `"voicebot"` → `("voicebot", None)`.
pub fn split_app_name(name: &str) -> (&str, Option<&str>) {
    match name.split_once(':') {
        Some((app, channel)) => (app, Some(channel)),
        None => (name, None),
    }
}

/// A connection after the handshake, before the user picks the event type.
struct Accepted {
    events: mpsc::Receiver<RawItem>,
    shared: Arc<Shared>,
    peer: SocketAddr,
    path: String,
    username: Option<String>,
    apps: AppSet,
}

/// Accepts WebSocket connections from Asterisk on a bind address.
///
/// Handshakes run in the background (a slow client does not hold up others);
/// [`OutboundServer::accept`] returns the next connection that completed one.
/// Dropping the server stops accepting; accepted connections go on.
#[derive(Debug)]
pub struct OutboundServer {
    local_addr: SocketAddr,
    accepted: tokio::sync::Mutex<mpsc::Receiver<Accepted>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Accepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accepted")
            .field("peer", &self.peer)
            .finish()
    }
}

impl Drop for OutboundServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl OutboundServer {
    /// Listen on `addr` (e.g. `"0.0.0.0:8765"`; port 0 picks a free port).
    pub async fn bind(addr: impl ToSocketAddrs, options: OutboundOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (tx, rx) = mpsc::channel(16);
        let task = tokio::spawn(accept_loop(listener, Arc::new(options), tx));
        Ok(OutboundServer {
            local_addr,
            accepted: tokio::sync::Mutex::new(rx),
            task,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The next connection from Asterisk.
    pub async fn accept<T: FromAriMessage>(&self) -> Result<OutboundConnection<T>, WsError> {
        let accepted = self
            .accepted
            .lock()
            .await
            .recv()
            .await
            .ok_or(WsError::Closed)?;
        Ok(OutboundConnection {
            events: AriEventStream::new(accepted.events),
            transport: WsTransport::new(accepted.shared),
            peer: accepted.peer,
            path: accepted.path,
            username: accepted.username,
            apps: accepted.apps,
        })
    }
}

async fn accept_loop(
    listener: TcpListener,
    options: Arc<OutboundOptions>,
    out: mpsc::Sender<Accepted>,
) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!(error = %e, "outbound ARI server: accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if out.is_closed() {
            return;
        }
        tokio::spawn(serve(stream, peer, Arc::clone(&options), out.clone()));
    }
}

async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    options: Arc<OutboundOptions>,
    out: mpsc::Sender<Accepted>,
) {
    let mut path = String::new();
    let mut username = None;
    // The error type is tungstenite's; its size is not ours to choose.
    #[allow(clippy::result_large_err)]
    let check = |request: &Request, mut response: Response| -> Result<Response, ErrorResponse> {
        path = request.uri().to_string();
        username = check_credentials(request, options.credentials.as_ref())?;
        echo_protocol(request, &mut response, "ari");
        Ok(response)
    };
    let handshake = tokio_tungstenite::accept_hdr_async(stream, check);
    let socket = match tokio::time::timeout(options.handshake_timeout, handshake).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(e)) => {
            tracing::info!(%peer, error = %e, "outbound ARI server: handshake refused or failed");
            return;
        }
        Err(_) => {
            tracing::info!(%peer, "outbound ARI server: handshake timed out");
            return;
        }
    };
    let shared = Shared::new(options.request_timeout);
    let apps: AppSet = Arc::new(Mutex::new(Default::default()));
    let (events_tx, events_rx) = mpsc::channel(options.event_buffer.max(1));
    let (writer, requests) = mpsc::channel(64);
    shared.attach(writer);
    let accepted = Accepted {
        events: events_rx,
        shared: Arc::clone(&shared),
        peer,
        path,
        username,
        apps: Arc::clone(&apps),
    };
    if out.send(accepted).await.is_err() {
        return;
    }
    let end = drive(
        socket,
        requests,
        &events_tx,
        &shared,
        Some(&apps),
        options.keepalive,
    )
    .await;
    shared.detach();
    if let End::Lost(reason) = end {
        let _ = events_tx.send(RawItem::Disconnected(reason)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_per_call_names() {
        assert_eq!(
            split_app_name("voicebotpc:PJSIP/1172-00000000"),
            ("voicebotpc", Some("PJSIP/1172-00000000"))
        );
        assert_eq!(split_app_name("voicebot"), ("voicebot", None));
    }
}
