//! The events WebSocket client: connect with Basic auth, then keep the session
//! alive, reconnecting with backoff after the socket drops.

use super::backoff::Backoff;
use super::config::WsConfig;
use super::dial::{Dialer, Socket};
use super::driver::{End, drive};
use super::error::WsError;
use super::item::{FromAriMessage, RawItem};
use super::stream::AriEventStream;
use super::transport::{Shared, WsTransport};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Requests queued for the writer of one connection.
const REQUEST_QUEUE: usize = 64;

/// Connect to Asterisk's events WebSocket and start the session.
///
/// The first connection must succeed (a refused password is
/// [`WsError::Unauthorized`], a refused certificate [`WsError::Tls`]); later drops
/// are retried by `config.reconnect`. `wss://` (or `https://`) needs the
/// `ari-tls` feature. Needs a Tokio runtime.
pub async fn connect<T: FromAriMessage>(
    config: WsConfig,
) -> Result<(WsTransport, AriEventStream<T>), WsError> {
    let dialer = Dialer::new(&config)?;
    let socket = dialer.dial().await?;
    let shared = Shared::new(config.request_timeout);
    let (events_tx, events_rx) = mpsc::channel(config.event_buffer.max(1));
    // Attached before returning, so the transport works as soon as we return.
    let (writer, requests) = mpsc::channel(REQUEST_QUEUE);
    shared.attach(writer);
    tokio::spawn(supervise(
        config,
        dialer,
        socket,
        requests,
        Arc::clone(&shared),
        events_tx,
    ));
    Ok((WsTransport::new(shared), AriEventStream::new(events_rx)))
}

async fn supervise(
    config: WsConfig,
    dialer: Dialer,
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
            match dialer.dial().await {
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
