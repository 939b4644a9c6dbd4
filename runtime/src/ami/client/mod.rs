//! The AMI client: [`AmiClient`] connects, logs in, correlates actions with their
//! answers, collects list actions, streams events and reconnects.
//!
//! # Correlation and `ActionID`
//! Each action is sent with one `ActionID` (AMI carries one). When the action
//! sets its own `ActionID` header, that value is sent unchanged and used for
//! correlation, so events Asterisk tags with it (`OriginateResponse`, `UserEvent`)
//! carry the user's id; it must be unique among the actions in flight
//! ([`AmiError::DuplicateActionId`]). Otherwise the client uses
//! `sdk-<connection>-<n>`.
//!
//! # Answers
//! [`AmiClient::send`] returns `Ok` for every answer, `Response: Error` included:
//! the action's [`Action::Response`], the plain [`Response`](super::Response) or a
//! generated typed response holding it (check
//! [`Response::is_success`](super::Response::is_success) or call `into_result`,
//! whose error names the action); `Err` means no answer (timeout, connection
//! lost, client closed, bad header, or an action Asterisk never answers:
//! [`AmiError::NoResponse`]).
//! [`AmiClient::list`] returns `Err(AmiError::ActionFailed)` for an Error answer,
//! because there is no list to return.
//!
//! # Timeouts and cancellation
//! Each request waits at most the client's
//! [`action_timeout`](AmiClientBuilder::action_timeout), or its own
//! ([`Request::timeout`], [`ListRequest::timeout`]); an action that states how
//! long Asterisk may take ([`Action::answer_within`], e.g. a synchronous
//! `Originate` with its `Timeout`) gets at least that plus [`ANSWER_MARGIN`].
//! Dropping a request's future (e.g. in `select!`) frees its `ActionID` at once,
//! so a retry with the same user `ActionID` is accepted.
//!
//! # Events
//! See [`EventStream`] for exactly what a subscriber sees. Events carrying the
//! `ActionID` of a list action in flight go only to that [`AmiClient::list`] call,
//! never to the event streams; so do the item events without `ActionID` of a list
//! known to send them so ([`ListAction::unkeyed_items`]), between its
//! acknowledgement and its completion. A list whose completion announces another
//! `ListItems` than arrived says so in [`ListResponse::count_mismatch`]. When a
//! list call gives up before its completion
//! (timeout, future dropped), the rest of that list is dropped with a debug log,
//! up to its completion event (the last 256 such lists of a connection are
//! remembered).
//!
//! # Connection loss
//! Every call in flight fails at once: with [`AmiError::OutcomeUnknown`] when its
//! action was already handed to the socket (Asterisk may have run it; a retry
//! may duplicate it), else with [`AmiError::Disconnected`] (not sent), as do calls
//! made while reconnecting. The client reconnects per its [`ReconnectPolicy`], logs
//! in again, re-applies the `Events` mask and filters, and puts
//! [`EventItem::Reconnected`] into every event stream.

mod config;
mod connection;
mod error;
mod events;
mod hub;
mod list;
mod login;
mod pending;
mod reconnect;
mod request;
mod state;
mod supervisor;
mod transport;

pub use config::{AmiClientBuilder, AuthMode, SlowSubscriberPolicy};
pub use error::AmiError;
pub use events::{EventItem, EventStream};
pub use list::{CountMismatch, ListResponse};
pub use login::md5_key;
pub use reconnect::ReconnectPolicy;
pub use request::{ANSWER_MARGIN, ListRequest, Request};
pub use state::{CloseReason, ConnectionState};

use super::action::{Action, ListAction};
use super::header::FromEvent;
use super::message::Message;
use super::text::Text;
use crate::version::{ServerVersion, VersionGate};
use config::Config;
use connection::{BannerSlot, ConnHandle};
use hub::Hub;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// State shared by the client handles and the supervisor task.
pub(crate) struct Shared {
    pub(crate) cfg: Config,
    pub(crate) hub: Arc<Hub>,
    current: Mutex<Option<Arc<ConnHandle>>>,
    pub(crate) state: watch::Sender<ConnectionState>,
    pub(crate) connections: AtomicU64,
    pub(crate) banner: BannerSlot,
    /// The server version learned at the last login, and whether actions are
    /// checked against it.
    pub(crate) version: VersionGate,
}

impl Shared {
    pub(crate) fn set_current(&self, conn: Option<Arc<ConnHandle>>) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = conn;
    }

    fn current(&self) -> Result<Arc<ConnHandle>, AmiError> {
        match self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            Some(c) => Ok(c),
            None if self.state.borrow().is_closed() => Err(AmiError::Closed),
            None => Err(AmiError::Disconnected),
        }
    }
}

/// Set once to ask the supervisor to close the client, with the reason.
type ShutdownTx = watch::Sender<Option<CloseReason>>;

/// Ask for shutdown with `reason`, unless it was already asked for.
fn request_shutdown(tx: &ShutdownTx, reason: CloseReason) {
    tx.send_if_modified(|r| {
        let first = r.is_none();
        if first {
            *r = Some(reason);
        }
        first
    });
}

struct ClientInner {
    shared: Arc<Shared>,
    shutdown: ShutdownTx,
}

impl Drop for ClientInner {
    fn drop(&mut self) {
        request_shutdown(&self.shutdown, CloseReason::AllHandlesDropped);
    }
}

/// An AMI client: cheap to clone (clones share one connection); the connection
/// closes when the last clone is dropped or on [`AmiClient::disconnect`].
#[derive(Clone)]
pub struct AmiClient {
    inner: Arc<ClientInner>,
}

impl std::fmt::Debug for AmiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmiClient")
            .field("addr", &self.inner.shared.cfg.addr())
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl AmiClient {
    /// Start configuring a client.
    pub fn builder() -> AmiClientBuilder {
        AmiClientBuilder::default()
    }

    pub(crate) async fn start(cfg: Config) -> Result<AmiClient, AmiError> {
        let events_off = cfg
            .events_mask
            .as_deref()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("off"));
        let hub = Arc::new(Hub::new(
            cfg.slow_subscriber,
            cfg.budgets,
            cfg.keep_early_events && !events_off,
        ));
        let (state, _) = watch::channel(ConnectionState::Connecting);
        let cfg_version_check = cfg.version_check;
        let shared = Arc::new(Shared {
            cfg,
            hub,
            current: Mutex::new(None),
            state,
            connections: AtomicU64::new(0),
            banner: Arc::new(Mutex::new(None)),
            version: VersionGate::new(cfg_version_check),
        });
        // On failure nobody holds a handle to see the state: no Closed to set.
        let live = supervisor::establish(&shared, false).await?;
        let (shutdown, shutdown_rx) = watch::channel(None);
        tokio::spawn(supervisor::run(shared.clone(), live, shutdown_rx));
        Ok(AmiClient {
            inner: Arc::new(ClientInner { shared, shutdown }),
        })
    }

    fn timeout(&self) -> Duration {
        self.inner.shared.cfg.action_timeout
    }

    /// Send an action: await the returned [`Request`] for its answer (see the
    /// module docs on `ActionID` and on Error answers), optionally after
    /// [`Request::timeout`]: `client.send(&a).timeout(d).await`.
    pub fn send<'a, A: Action>(&'a self, action: &'a A) -> Request<'a, A> {
        Request::new(self, action, self.timeout())
    }

    /// Send a list action: await the returned [`ListRequest`] to collect its
    /// events up to the completion event (the event named by
    /// [`ListAction::complete_event`], or any event with `EventList: Complete`,
    /// both case-insensitive). The timeout (the client's, or
    /// [`ListRequest::timeout`]) bounds each wait for the next message.
    pub fn list<'a, A: ListAction>(&'a self, action: &'a A) -> ListRequest<'a, A> {
        ListRequest::new(self, action, self.timeout())
    }

    /// Subscribe to events of type `T` (`Message` for all, raw).
    pub fn events<T: FromEvent>(&self) -> EventStream<T> {
        EventStream::new(self.inner.shared.hub.subscribe())
    }

    /// Subscribe to the raw events for which `predicate` returns true.
    pub fn events_filtered(
        &self,
        predicate: impl FnMut(&Message) -> bool + Send + 'static,
    ) -> EventStream<Message> {
        self.events::<Message>().with_filter(predicate)
    }

    /// A watch of the connection state.
    pub fn state_watch(&self) -> watch::Receiver<ConnectionState> {
        self.inner.shared.state.subscribe()
    }

    /// The connection state now.
    pub fn state(&self) -> ConnectionState {
        *self.inner.shared.state.borrow()
    }

    /// The banner of the current (or last) connection, e.g.
    /// `Asterisk Call Manager/12.0.0`.
    pub fn banner(&self) -> Option<Text> {
        self.inner
            .shared
            .banner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The Asterisk version the server reported (`CoreSettings` →
    /// `AsteriskVersion`) at the last login; `None` when
    /// [`version_check`](AmiClientBuilder::version_check) is off or the server
    /// did not say (e.g. the user may not run `CoreSettings`).
    pub fn server_version(&self) -> Option<ServerVersion> {
        self.inner.shared.version.server_version()
    }

    /// Send `Logoff`, wait (up to the action timeout) for the connection to close,
    /// and close the client: no reconnect; event streams end after their queued
    /// events; later calls fail with [`AmiError::Closed`].
    pub async fn disconnect(&self) -> Result<(), AmiError> {
        let shared = &self.inner.shared;
        let result = match shared.current() {
            Ok(conn) => {
                let headers = super::action::ActionHeaders::new();
                let mut state = shared.state.subscribe();
                // Stop reconnecting as soon as the server closes after Goodbye.
                request_shutdown(&self.inner.shutdown, CloseReason::DisconnectCalled);
                let r = conn.request("Logoff", &headers, None, self.timeout()).await;
                let _ = tokio::time::timeout(
                    self.timeout(),
                    state.wait_for(ConnectionState::is_closed),
                )
                .await;
                r.map(|_| ())
            }
            Err(AmiError::Closed) => Ok(()),
            Err(_) => Ok(()),
        };
        request_shutdown(&self.inner.shutdown, CloseReason::DisconnectCalled);
        match result {
            Err(AmiError::Disconnected | AmiError::OutcomeUnknown { .. }) => Ok(()),
            other => other,
        }
    }
}
