//! [`WsTransport`]: ARI REST requests carried over the events WebSocket.

use super::pending::Pending;
use super::rest::encode_request;
use crate::ari::{AriRequest, AriResponse, AriTransport, TransportError, TransportFuture};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// State shared by the transport handles and the connection driver.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The writer of the current connection; `None` while disconnected.
    link: Mutex<Option<mpsc::Sender<String>>>,
    pub(crate) pending: Pending,
    timeout: Duration,
    id_prefix: String,
    next_id: AtomicU64,
}

impl Shared {
    pub(crate) fn new(timeout: Duration) -> Arc<Self> {
        Arc::new(Shared {
            link: Mutex::new(None),
            pending: Pending::default(),
            timeout,
            id_prefix: format!("{:08x}", fastrand::u32(..)),
            next_id: AtomicU64::new(1),
        })
    }

    fn link(&self) -> std::sync::MutexGuard<'_, Option<mpsc::Sender<String>>> {
        self.link.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection is up: requests go to `writer`.
    pub(crate) fn attach(&self, writer: mpsc::Sender<String>) {
        *self.link() = Some(writer);
    }

    /// The connection ended: new requests fail at once, waiting ones fail now.
    pub(crate) fn detach(&self) {
        *self.link() = None;
        self.pending.fail_all();
    }
}

/// An [`AriTransport`] that sends each request as a `RESTRequest` message on an
/// events WebSocket and waits for the `RESTResponse` with the same `request_id`
/// (`RESTRequest` / `RESTResponse` are in the events model of every generated
/// release: 20.20.1, 21.12.3, 22.10.1, 23.4.1).
///
/// Cheap to clone. While the socket is down, requests fail at once with
/// [`TransportError::Disconnected`]; requests in flight when it drops fail the
/// same way. Binary responses (a stored recording's file) are not available over
/// the WebSocket (Asterisk answers 406).
#[derive(Debug, Clone)]
pub struct WsTransport {
    shared: Arc<Shared>,
}

impl WsTransport {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        WsTransport { shared }
    }

    /// Whether a socket is currently connected.
    pub fn is_connected(&self) -> bool {
        self.shared.link().as_ref().is_some_and(|w| !w.is_closed())
    }

    async fn roundtrip(&self, request: AriRequest) -> Result<AriResponse, TransportError> {
        let id = format!(
            "{}-{}",
            self.shared.id_prefix,
            self.shared.next_id.fetch_add(1, Ordering::Relaxed)
        );
        let text = encode_request(&request, &id);
        // Register before taking the writer: a connection that ends in between
        // fails this request through `detach`.
        let rx = self.shared.pending.insert(id.clone());
        let writer = self.shared.link().clone();
        let Some(writer) = writer else {
            self.shared.pending.remove(&id);
            return Err(TransportError::Disconnected);
        };
        let outcome = tokio::time::timeout(self.shared.timeout, async {
            writer
                .send(text)
                .await
                .map_err(|_| TransportError::Disconnected)?;
            rx.await.map_err(|_| TransportError::Disconnected)
        })
        .await;
        match outcome {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => {
                self.shared.pending.remove(&id);
                Err(e)
            }
            Err(_) => {
                self.shared.pending.remove(&id);
                Err(TransportError::Timeout)
            }
        }
    }
}

impl AriTransport for WsTransport {
    fn send(&self, request: AriRequest) -> TransportFuture<'_> {
        Box::pin(self.roundtrip(request))
    }
}
