//! Asterisk as the client: a `websocket_client.conf` connection makes Asterisk
//! connect out to the application (`Dial(WebSocket/<connection>/…)` or ARI
//! `externalMedia` with `external_host=<connection>`). [`MediaServer`] accepts
//! those connections (plain, or `wss://` with `MediaServerOptions::tls` and the
//! `ari-tls` feature); each becomes a [`MediaSession`] after its `MEDIA_START`.

use super::error::MediaError;
use super::protocol::{ProtocolCommand, ProtocolEvent};
use super::session::{MediaOptions, MediaSession};
use crate::ari::ws::Credentials;
use crate::ari::ws::upgrade::{check_credentials, echo_protocol};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};

/// Settings of a [`MediaServer`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MediaServerOptions {
    /// Connections in their TLS handshake, upgrade or wait for `MEDIA_START`
    /// at once; a connection past it is closed at once (default 64).
    pub max_handshakes: usize,
    /// How long a started session waits for [`MediaServer::accept`]; past it
    /// the session is dropped (its connection closed, so Asterisk hangs the
    /// channel up). At most 16 started sessions wait in the server's queue
    /// (default 10 s).
    pub accept_timeout: Duration,
    /// When set, connections must present these as Basic auth (`username` /
    /// `password` of the `websocket_client.conf` connection); others get 401.
    pub credentials: Option<Credentials>,
    /// Settings of each accepted session.
    pub session: MediaOptions,
    /// Serve `wss://`: the TLS handshake with this rustls configuration comes
    /// before the upgrade (`websocket_client.conf` with `protocol = wss`).
    #[cfg(feature = "ari-tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ari-tls")))]
    pub tls: Option<Arc<crate::tls::rustls::ServerConfig>>,
}

impl Default for MediaServerOptions {
    fn default() -> Self {
        MediaServerOptions {
            max_handshakes: 64,
            accept_timeout: Duration::from_secs(10),
            credentials: None,
            session: MediaOptions::default(),
            #[cfg(feature = "ari-tls")]
            tls: None,
        }
    }
}

impl MediaServerOptions {
    /// Set [`MediaServerOptions::max_handshakes`].
    pub fn max_handshakes(mut self, connections: usize) -> Self {
        self.max_handshakes = connections;
        self
    }

    /// Set [`MediaServerOptions::accept_timeout`].
    pub fn accept_timeout(mut self, timeout: Duration) -> Self {
        self.accept_timeout = timeout;
        self
    }
}

/// A started session (or a failed start) and when it stops waiting.
type Offer<E, C> = (Instant, Result<Accepted<E, C>, MediaError>);

/// One connection from Asterisk, started.
#[derive(Debug)]
#[non_exhaustive]
pub struct Accepted<E, C> {
    /// The session.
    pub session: MediaSession<E, C>,
    /// The address Asterisk connected from.
    pub peer: SocketAddr,
    /// The request path and query (`uri` of the connection, plus `v(…)` dial
    /// parameters).
    pub path: String,
}

/// Accepts media connections from Asterisk. Handshakes run in the background;
/// dropping the server stops accepting (sessions go on).
pub struct MediaServer<E, C> {
    local_addr: SocketAddr,
    accepted: tokio::sync::Mutex<mpsc::Receiver<Offer<E, C>>>,
    task: tokio::task::JoinHandle<()>,
}

impl<E, C> std::fmt::Debug for MediaServer<E, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl<E, C> Drop for MediaServer<E, C> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl<E: ProtocolEvent, C: ProtocolCommand> MediaServer<E, C> {
    /// Listen on `addr` (port 0 picks a free port).
    pub async fn bind(
        addr: impl ToSocketAddrs,
        options: MediaServerOptions,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (tx, rx) = mpsc::channel(16);
        let task = tokio::spawn(accept_loop(listener, Arc::new(options), tx));
        Ok(MediaServer {
            local_addr,
            accepted: tokio::sync::Mutex::new(rx),
            task,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The next connection that sent its `MEDIA_START`, or why one failed
    /// after its upgrade. Sessions that waited longer than
    /// [`MediaServerOptions::accept_timeout`] are skipped (and closed).
    pub async fn accept(&self) -> Result<Accepted<E, C>, MediaError> {
        let mut accepted = self.accepted.lock().await;
        loop {
            match accepted.recv().await {
                Some((deadline, offer)) if Instant::now() <= deadline => return offer,
                Some((_, stale)) => {
                    if let Ok(stale) = stale {
                        tracing::info!(peer = %stale.peer, "media server: session not accepted in time, closed");
                    }
                }
                None => return Err(MediaError::ServerClosed),
            }
        }
    }
}

async fn accept_loop<E: ProtocolEvent, C: ProtocolCommand>(
    listener: TcpListener,
    options: Arc<MediaServerOptions>,
    out: mpsc::Sender<Offer<E, C>>,
) {
    let handshakes = Arc::new(Semaphore::new(options.max_handshakes.max(1)));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!(error = %e, "media server: accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        if out.is_closed() {
            return;
        }
        let Ok(permit) = Arc::clone(&handshakes).try_acquire_owned() else {
            tracing::warn!(%peer, "media server: too many handshakes at once, connection closed");
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(
            stream,
            peer,
            Arc::clone(&options),
            out.clone(),
            permit,
        ));
    }
}

async fn serve<E: ProtocolEvent, C: ProtocolCommand>(
    stream: TcpStream,
    peer: SocketAddr,
    options: Arc<MediaServerOptions>,
    out: mpsc::Sender<Offer<E, C>>,
    permit: OwnedSemaphorePermit,
) {
    #[cfg(feature = "ari-tls")]
    if let Some(config) = &options.tls {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(config));
        let handshake = acceptor.accept(stream);
        match tokio::time::timeout(options.session.connect_timeout, handshake).await {
            Ok(Ok(tls)) => upgrade(tls, peer, &options, out, permit).await,
            Ok(Err(e)) => tracing::info!(%peer, error = %e, "media server: TLS handshake failed"),
            Err(_) => tracing::info!(%peer, "media server: TLS handshake timed out"),
        }
        return;
    }
    upgrade(stream, peer, &options, out, permit).await;
}

/// The WebSocket upgrade, then the session's start.
async fn upgrade<S, E: ProtocolEvent, C: ProtocolCommand>(
    stream: S,
    peer: SocketAddr,
    options: &MediaServerOptions,
    out: mpsc::Sender<Offer<E, C>>,
    permit: OwnedSemaphorePermit,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut path = String::new();
    // The error type is tungstenite's; its size is not ours to choose.
    #[allow(clippy::result_large_err)]
    let check = |request: &Request, mut response: Response| -> Result<Response, ErrorResponse> {
        path = request.uri().to_string();
        check_credentials(request, options.credentials.as_ref())?;
        echo_protocol(request, &mut response, "media");
        Ok(response)
    };
    let limits = Some(options.session.socket_limits());
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(stream, check, limits);
    let socket = match tokio::time::timeout(options.session.connect_timeout, handshake).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(e)) => {
            tracing::info!(%peer, error = %e, "media server: handshake refused or failed");
            return;
        }
        Err(_) => {
            tracing::info!(%peer, "media server: handshake timed out");
            return;
        }
    };
    let result = MediaSession::start(socket, &options.session)
        .await
        .map(|session| Accepted {
            session,
            peer,
            path,
        });
    drop(permit);
    let deadline = Instant::now() + options.accept_timeout;
    let offered = tokio::time::timeout_at(deadline.into(), out.send((deadline, result))).await;
    if offered.is_err() {
        tracing::info!(%peer, "media server: session not accepted in time, closed");
    }
}
