//! The connection supervisor: establishes a connection (connect, log in, apply
//! session settings), watches it, and reconnects per the policy when it is lost.

use super::super::action::ActionHeaders;
use super::AmiError;
use super::connection::{self, ConnHandle, ConnTasks};
use super::login::login;
use super::transport;
use super::{ConnectionState, Shared};
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
    let _ = gate_tx.send(reconnect);
    shared.set_current(Some(handle.clone()));
    shared.state.send_replace(ConnectionState::Connected);
    Ok(Live { handle, tasks })
}

/// Watch `live`; reconnect when it is lost; stop on shutdown or when the policy
/// gives up.
pub(crate) async fn run(shared: Arc<Shared>, mut live: Live, mut shutdown: watch::Receiver<bool>) {
    'outer: loop {
        let stopping = tokio::select! {
            _ = &mut live.tasks.reader => false,
            _ = wait_shutdown(&mut shutdown) => true,
            reason = heartbeat(&live.handle, shared.cfg.keepalive) => {
                tracing::warn!(%reason, "AMI connection silent; reconnecting");
                false
            }
        };
        shared.set_current(None);
        live.tasks.abort();
        live.handle.pending.close();
        if stopping {
            break;
        }
        tracing::info!("AMI connection lost");
        let mut attempt = 0u32;
        loop {
            attempt = attempt.saturating_add(1);
            let Some(delay) = shared.cfg.reconnect.delay(attempt) else {
                tracing::warn!(attempts = attempt - 1, "AMI reconnect policy gave up");
                break 'outer;
            };
            shared
                .state
                .send_replace(ConnectionState::Reconnecting { attempt });
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = wait_shutdown(&mut shutdown) => break 'outer,
            }
            let attempt_result = tokio::select! {
                r = establish(&shared, true) => r,
                _ = wait_shutdown(&mut shutdown) => break 'outer,
            };
            match attempt_result {
                Ok(l) => {
                    tracing::info!(attempt, "AMI reconnected");
                    live = l;
                    continue 'outer;
                }
                Err(e @ AmiError::Auth { .. }) => {
                    tracing::error!(error = %e, "AMI login refused on reconnect; giving up");
                    break 'outer;
                }
                Err(e) => tracing::warn!(attempt, error = %e, "AMI reconnect failed"),
            }
        }
    }
    shared.set_current(None);
    shared.state.send_replace(ConnectionState::Closed);
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

async fn wait_shutdown(rx: &mut watch::Receiver<bool>) {
    // An error means every client handle is gone: shut down too.
    let _ = rx.wait_for(|stop| *stop).await;
}
