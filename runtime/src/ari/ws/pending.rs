//! REST-over-WebSocket requests waiting for their `RESTResponse`, by `request_id`.

use crate::ari::AriResponse;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::oneshot;

/// The waiting requests of one transport.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    waiting: Mutex<HashMap<String, oneshot::Sender<AriResponse>>>,
}

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<AriResponse>>> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Register a request; the receiver gets its response.
    pub(crate) fn insert(&self, id: String) -> oneshot::Receiver<AriResponse> {
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id, tx);
        rx
    }

    /// Forget a request (timed out or failed to send).
    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Deliver a response; gives it back when no request waits for that id.
    pub(crate) fn complete(&self, id: &str, response: AriResponse) -> Result<(), AriResponse> {
        match self.lock().remove(id) {
            // A receiver that gave up (timeout) is fine: the response is consumed.
            Some(tx) => {
                let _ = tx.send(response);
                Ok(())
            }
            None => Err(response),
        }
    }

    /// Fail every waiting request (their receivers see the sender dropped).
    pub(crate) fn fail_all(&self) {
        self.lock().clear();
    }
}
