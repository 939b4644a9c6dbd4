//! The events WebSockets connected to the mock, the applications each one
//! serves, and delivery of event messages to them.

use super::json::event;
use tokio::sync::mpsc;

/// What a socket task is told to do.
#[derive(Debug)]
pub(crate) enum Out {
    /// Send this text message.
    Text(String),
    /// Drop the TCP connection without a close frame.
    Drop,
}

#[derive(Debug)]
struct Session {
    id: u64,
    apps: Vec<String>,
    tx: mpsc::UnboundedSender<Out>,
}

/// The connected sockets.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    list: Vec<Session>,
    next_id: u64,
}

impl Sessions {
    /// Register a socket for `apps`. As in Asterisk, an application moves to the
    /// newest socket; the previous one gets `ApplicationReplaced`.
    pub(crate) fn register(&mut self, apps: Vec<String>, tx: mpsc::UnboundedSender<Out>) -> u64 {
        for other in &mut self.list {
            for app in &apps {
                if let Some(i) = other.apps.iter().position(|a| a == app) {
                    other.apps.remove(i);
                    let _ = other
                        .tx
                        .send(Out::Text(event("ApplicationReplaced", app, &[])));
                }
            }
        }
        self.next_id += 1;
        self.list.push(Session {
            id: self.next_id,
            apps,
            tx,
        });
        self.next_id
    }

    /// Forget a socket.
    pub(crate) fn unregister(&mut self, id: u64) {
        self.list.retain(|s| s.id != id);
    }

    /// Send a message to the socket serving `app`; false when none does (the
    /// message is then lost, as in Asterisk).
    pub(crate) fn send(&self, app: &str, text: String) -> bool {
        match self.list.iter().find(|s| s.apps.iter().any(|a| a == app)) {
            Some(s) => s.tx.send(Out::Text(text)).is_ok(),
            None => false,
        }
    }

    /// Drop every socket.
    pub(crate) fn drop_all(&mut self) {
        for s in self.list.drain(..) {
            let _ = s.tx.send(Out::Drop);
        }
    }

    /// The applications registered on some socket.
    pub(crate) fn apps(&self) -> Vec<String> {
        let mut apps: Vec<String> = self
            .list
            .iter()
            .flat_map(|s| s.apps.iter().cloned())
            .collect();
        apps.sort();
        apps.dedup();
        apps
    }

    /// The first application of a socket (the `application` of its RESTResponses).
    pub(crate) fn first_app(&self, id: u64) -> String {
        self.list
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.apps.first().cloned())
            .unwrap_or_default()
    }

    /// How many sockets are connected.
    pub(crate) fn count(&self) -> usize {
        self.list.len()
    }
}
