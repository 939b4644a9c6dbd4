//! The FastAGI server: accept connections, read each environment, run the
//! handler per session with a concurrency limit, idle timeouts and graceful
//! shutdown. A handler that panics ends only its own session.

use super::error::AgiError;
use super::fastagi::{Activity, FastAgi, FastAgiOptions};
use super::request::{AgiRequest, EnvLimits};
use super::transport::AgiChannel;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinError, JoinSet};

/// Settings of a [`FastAgiServer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Most sessions served at once; further connections wait in the backlog.
    pub max_sessions: usize,
    /// Limits on the environment block.
    pub env_limits: EnvLimits,
    /// Longest time a new connection may take to send its whole environment.
    pub env_timeout: Duration,
    /// Per-connection settings (line limit, reply timeout).
    pub connection: FastAgiOptions,
    /// End a session whose handler sends no command for this long (`None`: never).
    pub idle_timeout: Option<Duration>,
    /// On shutdown, how long running sessions may take to finish before they
    /// are ended.
    pub shutdown_grace: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_sessions: 1024,
            env_limits: EnvLimits::default(),
            env_timeout: Duration::from_secs(10),
            connection: FastAgiOptions::default(),
            idle_timeout: None,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Serves one AGI session.
pub trait Handler: Send + Sync + 'static {
    /// Handle a session: `request` is its environment, `channel` the command
    /// connection. Errors are logged; [`AgiError::is_hangup`] ones at debug level.
    fn handle(
        &self,
        request: AgiRequest,
        channel: AgiChannel,
    ) -> impl Future<Output = Result<(), AgiError>> + Send;
}

impl<F, Fut> Handler for F
where
    F: Fn(AgiRequest, AgiChannel) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), AgiError>> + Send,
{
    fn handle(
        &self,
        request: AgiRequest,
        channel: AgiChannel,
    ) -> impl Future<Output = Result<(), AgiError>> + Send {
        self(request, channel)
    }
}

/// Stops a running [`FastAgiServer`]; cheap to clone.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    tx: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Stop accepting connections and drain running sessions.
    pub fn shutdown(&self) {
        self.tx.send_replace(true);
    }
}

/// A FastAGI server bound to a TCP port.
#[derive(Debug)]
pub struct FastAgiServer {
    listener: TcpListener,
    config: ServerConfig,
    shutdown: Arc<watch::Sender<bool>>,
}

impl FastAgiServer {
    /// Bind to `addr` (Asterisk's default FastAGI port is 4573).
    pub async fn bind(addr: impl ToSocketAddrs, config: ServerConfig) -> io::Result<Self> {
        Ok(Self::from_listener(TcpListener::bind(addr).await?, config))
    }

    /// Serve on an already bound listener.
    pub fn from_listener(listener: TcpListener, config: ServerConfig) -> Self {
        FastAgiServer {
            listener,
            config,
            shutdown: Arc::new(watch::channel(false).0),
        }
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// A handle that stops this server.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            tx: self.shutdown.clone(),
        }
    }

    /// Accept and serve sessions until [`ShutdownHandle::shutdown`]; then stop
    /// accepting, let sessions finish within `shutdown_grace`, end the rest and
    /// return.
    pub async fn serve<H: Handler>(self, handler: H) -> io::Result<()> {
        let FastAgiServer {
            listener,
            config,
            shutdown,
        } = self;
        let handler = Arc::new(handler);
        let limit = Arc::new(Semaphore::new(config.max_sessions.max(1)));
        let mut stop = shutdown.subscribe();
        let mut sessions = JoinSet::new();
        'accept: loop {
            let permit = loop {
                tokio::select! {
                    biased;
                    _ = stopped(&mut stop) => break 'accept,
                    Some(done) = sessions.join_next(), if !sessions.is_empty() => log_end(done),
                    p = limit.clone().acquire_owned() => match p {
                        Ok(p) => break p,
                        Err(_) => break 'accept,
                    },
                }
            };
            let (stream, peer) = loop {
                tokio::select! {
                    biased;
                    _ = stopped(&mut stop) => break 'accept,
                    Some(done) = sessions.join_next(), if !sessions.is_empty() => log_end(done),
                    accepted = listener.accept() => match accepted {
                        Ok(a) => break a,
                        Err(e) => {
                            tracing::warn!(error = %e, "FastAGI accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    },
                }
            };
            let handler = handler.clone();
            sessions.spawn(async move {
                let _permit = permit;
                session(handler.as_ref(), stream, peer, config).await;
            });
        }
        drop(listener);
        let drained = tokio::time::timeout(config.shutdown_grace, async {
            while let Some(done) = sessions.join_next().await {
                log_end(done);
            }
        })
        .await;
        if drained.is_err() {
            tracing::info!(
                remaining = sessions.len(),
                "FastAGI shutdown grace expired; ending sessions"
            );
            sessions.shutdown().await;
        }
        Ok(())
    }
}

/// Resolves once shutdown is requested.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

fn log_end(done: Result<(), JoinError>) {
    if done.is_err_and(|e| e.is_panic()) {
        tracing::error!("FastAGI handler panicked; its session was ended");
    }
}

async fn session<H: Handler>(
    handler: &H,
    stream: TcpStream,
    peer: SocketAddr,
    config: ServerConfig,
) {
    let _ = stream.set_nodelay(true);
    let mut agi = FastAgi::new(stream, config.connection);
    let request =
        match tokio::time::timeout(config.env_timeout, agi.read_environment(config.env_limits))
            .await
        {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                tracing::warn!(%peer, error = %e, "FastAGI environment rejected");
                return;
            }
            Err(_) => {
                tracing::warn!(%peer, "FastAGI environment not received in time");
                return;
            }
        };
    let result = match config.idle_timeout {
        None => handler.handle(request, AgiChannel::new(agi)).await,
        Some(idle) => {
            let activity = Arc::new(Activity::new());
            agi.track_activity(activity.clone());
            tokio::select! {
                r = handler.handle(request, AgiChannel::new(agi)) => r,
                _ = idle_watch(&activity, idle) => {
                    tracing::info!(%peer, "FastAGI session idle for too long; ended");
                    Ok(())
                }
            }
        }
    };
    match result {
        Ok(()) => {}
        Err(e) if e.is_hangup() => tracing::debug!(%peer, "FastAGI session ended by hang-up"),
        Err(e) => tracing::warn!(%peer, error = %e, "FastAGI handler failed"),
    }
}

/// Resolves once the session has been idle (no command running) for `idle`.
async fn idle_watch(activity: &Activity, idle: Duration) {
    loop {
        let wait = match activity.idle_for() {
            Some(d) if d >= idle => return,
            Some(d) => idle - d,
            None => idle,
        };
        tokio::time::sleep(wait).await;
    }
}
