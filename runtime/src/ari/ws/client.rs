//! The events WebSocket client: connect with Basic auth, then keep the session
//! alive, reconnecting with backoff after the socket drops.

use super::backoff::Backoff;
use super::config::WsConfig;
use super::driver::{End, drive};
use super::error::WsError;
use super::item::{FromAriMessage, RawItem};
use super::stream::AriEventStream;
use super::transport::{Shared, WsTransport};
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Requests queued for the writer of one connection.
const REQUEST_QUEUE: usize = 64;

/// Connect to Asterisk's events WebSocket and start the session.
///
/// The first connection must succeed (a refused password is
/// [`WsError::Unauthorized`]); later drops are retried by `config.reconnect`.
/// Needs a Tokio runtime.
pub async fn connect<T: FromAriMessage>(
    config: WsConfig,
) -> Result<(WsTransport, AriEventStream<T>), WsError> {
    let url = config.events_url()?;
    let socket = connect_once(&config, &url).await?;
    let shared = Shared::new(config.request_timeout);
    let (events_tx, events_rx) = mpsc::channel(config.event_buffer.max(1));
    // Attached before returning, so the transport works as soon as we return.
    let (writer, requests) = mpsc::channel(REQUEST_QUEUE);
    shared.attach(writer);
    tokio::spawn(supervise(
        config,
        url,
        socket,
        requests,
        Arc::clone(&shared),
        events_tx,
    ));
    Ok((WsTransport::new(shared), AriEventStream::new(events_rx)))
}

async fn connect_once(config: &WsConfig, url: &str) -> Result<Socket, WsError> {
    let mut request = url.into_client_request()?;
    let auth = HeaderValue::from_str(&config.credentials.basic_header())
        .map_err(|_| WsError::InvalidConfig("credentials are not a valid header".into()))?;
    request.headers_mut().insert(AUTHORIZATION, auth);
    match tokio::time::timeout(
        config.connect_timeout,
        tokio_tungstenite::connect_async(request),
    )
    .await
    {
        Ok(Ok((socket, _response))) => Ok(socket),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(WsError::Timeout),
    }
}

async fn supervise(
    config: WsConfig,
    url: String,
    mut socket: Socket,
    mut requests: mpsc::Receiver<String>,
    shared: Arc<Shared>,
    events: mpsc::Sender<RawItem>,
) {
    loop {
        let end = drive(socket, requests, &events, &shared, None, config.keepalive).await;
        shared.detach();
        let reason = match end {
            End::Closed => return,
            End::Lost(reason) => reason,
        };
        tracing::warn!(%reason, "ARI events WebSocket disconnected");
        if events.send(RawItem::Disconnected(reason)).await.is_err() {
            return;
        }
        let mut backoff = Backoff::new(config.reconnect.clone());
        socket = loop {
            let Some(delay) = backoff.next_delay() else {
                tracing::warn!("ARI events WebSocket: reconnect attempts exhausted");
                return;
            };
            tokio::select! {
                _ = events.closed() => return,
                _ = tokio::time::sleep(delay) => {}
            }
            match connect_once(&config, &url).await {
                Ok(socket) => break socket,
                Err(e) => tracing::warn!(error = %e, "ARI events WebSocket: reconnect failed"),
            }
        };
        tracing::info!("ARI events WebSocket reconnected");
        let (writer, receiver) = mpsc::channel(REQUEST_QUEUE);
        shared.attach(writer);
        requests = receiver;
        // Announced once REST requests can use the new socket.
        if events.send(RawItem::Reconnected).await.is_err() {
            shared.detach();
            return;
        }
    }
}
