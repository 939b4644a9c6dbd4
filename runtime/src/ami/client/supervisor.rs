//! The connection supervisor: establishes a connection (connect, log in, apply
//! session settings), watches it, and reconnects per the policy when it is lost.

use super::super::action::ActionHeaders;
use super::AmiError;
use super::connection::{self, ConnHandle, ConnTasks};
use super::login::login;
use super::transport;
use super::{CloseReason, ConnectionState, Shared};
use crate::version::ServerVersion;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// A logged-in connection.
pub(crate) struct Live {
    pub(crate) handle: Arc<ConnHandle>,
    pub(crate) tasks: ConnTasks,
}

/// Connect and log in; `reconnect` puts a `Reconnected` marker into every stream
/// before the new connection's first event.
pub(crate) async fn establish(shared: &Arc<Shared>, reconnect: bool) -> Result<Live, AmiError> {
    let io = transport::open(&shared.cfg).await?;
    let id = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
    let (gate_tx, gate_rx) = oneshot::channel();
    let (handle, tasks) = connection::start(
        io,
        id,
        shared.hub.clone(),
        shared.banner.clone(),
        shared.cfg.max_message,
        gate_rx,
    );
    if let Err(e) = login(&handle, &shared.cfg).await {
        tasks.abort();
        handle.pending.close();
        return Err(e);
    }
    if shared.cfg.version_check {
        shared.version.learn(
            server_version(
                &handle,
                shared.cfg.action_timeout.min(VERSION_PROBE_TIMEOUT),
            )
            .await,
        );
    }
    let _ = gate_tx.send(reconnect);
    shared.set_current(Some(handle.clone()));
    shared.state.send_replace(ConnectionState::Connected);
    Ok(Live { handle, tasks })
}

/// The longest a (re)connect waits for the `CoreSettings` answer that tells the
/// server's version: events of the new connection are held until then.
const VERSION_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Ask the server's version with `CoreSettings`; `None` when it does not say
/// (an Error answer: the user lacks the `system`/`reporting` read class).
async fn server_version(handle: &ConnHandle, timeout: Duration) -> Option<ServerVersion> {
    let answer = handle
        .request("CoreSettings", &ActionHeaders::new(), None, timeout)
        .await;
    let version = match &answer {
        Ok(m) => m.get("AsteriskVersion").map(ServerVersion::parse),
        Err(_) => None,
    };
    if version.is_none() {
        tracing::debug!(
            answer = ?answer.as_ref().map(|m| m.get("Message").map(str::to_owned)),
            "AMI CoreSettings gave no AsteriskVersion; actions are not checked against the server's release"
        );
    }
    version
}

/// Watch `live`; reconnect when it is lost; stop on shutdown or when the policy
/// gives up, and publish why.
pub(crate) async fn run(
    shared: Arc<Shared>,
    mut live: Live,
    mut shutdown: watch::Receiver<Option<CloseReason>>,
) {
    let reason = 'outer: loop {
        let stopping = tokio::select! {
            _ = &mut live.tasks.reader => None,
            r = wait_shutdown(&mut shutdown) => Some(r),
            reason = heartbeat(&live.handle, shared.cfg.keepalive) => {
                tracing::warn!(%reason, "AMI connection silent; reconnecting");
                None
            }
        };
        shared.set_current(None);
        live.tasks.abort();
        live.handle.pending.close();
        // A shutdown asked for just before the loss (disconnect) wins.
        if let Some(reason) = stopping.or(*shutdown.borrow()) {
            break reason;
        }
        tracing::info!("AMI connection lost");
        let mut attempt = 0u32;
        loop {
            attempt = attempt.saturating_add(1);
            let Some(delay) = shared.cfg.reconnect.delay(attempt) else {
                tracing::warn!(attempts = attempt - 1, "AMI reconnect policy gave up");
                break 'outer CloseReason::ReconnectGaveUp;
            };
            shared
                .state
                .send_replace(ConnectionState::Reconnecting { attempt });
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                r = wait_shutdown(&mut shutdown) => break 'outer r,
            }
            let attempt_result = tokio::select! {
                r = establish(&shared, true) => r,
                r = wait_shutdown(&mut shutdown) => break 'outer r,
            };
            match attempt_result {
                Ok(l) => {
                    tracing::info!(attempt, "AMI reconnected");
                    live = l;
                    continue 'outer;
                }
                Err(e @ AmiError::Auth { .. }) => {
                    tracing::error!(error = %e, "AMI login refused on reconnect; giving up");
                    break 'outer CloseReason::AuthFailedOnReconnect;
                }
                Err(e) => tracing::warn!(attempt, error = %e, "AMI reconnect failed"),
            }
        }
    };
    shared.set_current(None);
    shared
        .state
        .send_replace(ConnectionState::Closed { reason });
    shared.hub.close();
}

/// Ping a connection that has been silent for `interval`; return why it is
/// considered lost when the Ping gets no answer within `interval` either.
/// Never returns without a keepalive.
async fn heartbeat(handle: &ConnHandle, interval: Option<Duration>) -> String {
    let Some(interval) = interval.filter(|d| !d.is_zero()) else {
        return std::future::pending().await;
    };
    let ping = ActionHeaders::new();
    loop {
        let silent = handle.silent_for();
        if silent < interval {
            tokio::time::sleep(interval - silent).await;
            continue;
        }
        match handle.request("Ping", &ping, None, interval).await {
            Ok(_) => {}
            Err(AmiError::Timeout { .. }) => {
                return format!("no answer to a keepalive Ping within {interval:?}");
            }
            Err(e) => return format!("keepalive Ping failed: {e}"),
        }
    }
}

/// Wait until shutdown is asked for; the watch closing means every client handle
/// is gone.
async fn wait_shutdown(rx: &mut watch::Receiver<Option<CloseReason>>) -> CloseReason {
    match rx.wait_for(Option::is_some).await {
        Ok(r) => r.unwrap_or(CloseReason::AllHandlesDropped),
        Err(_) => CloseReason::AllHandlesDropped,
    }
}
