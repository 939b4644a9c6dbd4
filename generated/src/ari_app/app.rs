//! [`App`]: the settings of a Stasis application and how to start it;
//! [`RunningApp`]: a started one (stats, shutdown).

use super::call::Call;
use super::dispatch::Dispatcher;
use super::report::{AppReport, AppStats, Counters};
use crate::ari::AriClient;
use crate::ari_ws::{self, EventStream, WsConfig, WsError};
use asterisk_sdk_runtime::tasks::{KeyedRouter, deadline_after};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// What happens to a `StasisStart` when `max_calls` handlers already run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OverLimit {
    /// Hang the channel up at once (reason `congestion`, so the caller hears
    /// a fast busy instead of ringing into a full application) and report
    /// [`AppReport::CallRejected`]. The default.
    #[default]
    Reject,
    /// Keep up to `max_waiting` calls waiting (in arrival order) for a free
    /// slot; their events are queued meanwhile (bounded, like a running
    /// call's). Calls beyond that are rejected as with `Reject`; a waiting
    /// call that ends first is reported as [`AppReport::CallAbandoned`].
    Wait {
        /// How many calls may wait.
        max_waiting: usize,
    },
}

/// What the framework does with the channel when its handler ends (returns,
/// fails, panics or is cancelled) while the channel is still in the
/// application (no `StasisEnd` read yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AfterHandler {
    /// Hang it up, as a FastAGI script's end does: a channel nobody handles
    /// must not stay in Stasis forever. The default. Only a channel still in
    /// the application is hung up: no `StasisEnd` was seen for it, and
    /// `GET /channels/{id}` still shows it running `Stasis(<this app>)`, so a
    /// channel the handler continued in the dialplan is left alone even when
    /// the handler returned before its `StasisEnd` came. (A channel moved to
    /// another application keeps showing `Stasis(<this app>)` until its
    /// `StasisEnd` arrives: handlers that `move` channels should read the
    /// stream to `StasisEnd` or use [`AfterHandler::Leave`].)
    #[default]
    HangUp,
    /// Leave it as it is (e.g. handlers that hand channels on with
    /// `continue_in_dialplan` or `move` do that themselves).
    Leave,
}

/// Why an app could not start or stopped on its own.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// Neither [`App::server`] nor [`App::ws_config`] was given.
    #[error("no ARI server: set App::server or App::ws_config")]
    NoServer,
    /// The events WebSocket could not connect.
    #[error(transparent)]
    Connect(#[from] WsError),
    /// The events WebSocket closed for good (reconnect attempts exhausted);
    /// running handlers were cancelled.
    #[error("the ARI events WebSocket closed for good; the app stopped")]
    EventsEnded,
    /// The app's dispatcher task did not finish normally.
    #[error("the app's dispatcher task failed: {0}")]
    Dispatcher(String),
}

/// The callback of [`App::on_report`].
pub(crate) type Reporter = Arc<dyn Fn(&AppReport) + Send + Sync>;

/// Settings the dispatcher uses.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) name: String,
    pub(crate) max_calls: Option<usize>,
    pub(crate) over_limit: OverLimit,
    pub(crate) queue_capacity: usize,
    pub(crate) end_grace: Duration,
    pub(crate) after_handler: AfterHandler,
    pub(crate) cleanup_timeout: Duration,
}

/// A Stasis application: one handler task per call.
///
/// ```no_run
/// # async fn example() -> Result<(), asterisk_sdk::ari_app::AppError> {
/// use asterisk_sdk::ari_app::{App, Call, CallError};
///
/// async fn greet(mut call: Call) -> Result<(), CallError> {
///     call.channel().answer().await?;
///     call.play("sound:hello-world").await_finished().await?;
///     Ok(()) // the framework hangs up a channel still in the application
/// }
///
/// App::new("greeter")
///     .server("http://127.0.0.1:8088", "asterisk", "asterisk")
///     .max_calls(100)
///     .run(greet)
///     .await?;
/// # Ok(())
/// # }
/// ```
///
/// How it behaves:
/// - Each `StasisStart` of the application starts the handler with a [`Call`]:
///   the channel, the start arguments and a stream of that channel's events
///   only (also playbacks and recordings on it, and bridges it created).
/// - `StasisEnd` is the last event of a call's stream; the handler then has
///   [`App::end_grace`] to return before it is cancelled. When it ends, its
///   route and queue are released, bridges it created are destroyed, and a
///   channel still in the application is hung up ([`AfterHandler`]).
/// - A panicking handler ends only its own call: it is reported
///   ([`CallOutcome::Panicked`](super::CallOutcome::Panicked)) and its
///   channel is released as above; the app goes on.
/// - The WebSocket reader never waits for a handler: each call has a bounded
///   queue ([`App::queue_capacity`]); when it is full the call's stream ends
///   with [`CallItem::Overflowed`](super::CallItem::Overflowed), helpers fail
///   with [`CallError::Overflowed`](super::CallError::Overflowed), the
///   overflow is reported ([`AppReport::CallOverflowed`]), and the handler
///   gets the end grace. Other calls are not affected. Events the helpers set
///   aside are bounded separately and never cause an overflow (see
///   [`CallItem::Lagged`](super::CallItem::Lagged)).
/// - When the events WebSocket drops and comes back, running calls go on;
///   each stream carries [`CallItem::Disconnected`](super::CallItem::Disconnected)
///   and [`CallItem::Reconnected`](super::CallItem::Reconnected) (events
///   Asterisk sent in the gap are lost). The framework then asks for each
///   call's channel; the stream of one that ended or left the application
///   in the gap ends with [`CallItem::ChannelGone`](super::CallItem::ChannelGone),
///   so no handler waits for a `StasisEnd` that will never come (and its
///   channel is not hung up). A playback awaited with
///   [`Playing::await_finished`](super::Playing::await_finished) that ended in
///   the gap resolves with [`PlaybackOutcome::Lost`](super::PlaybackOutcome::Lost).
/// - A channel a handler originates into the same application is a call of
///   its own (its own `StasisStart`, its own handler): give it `appArgs` to
///   tell the handler what it is.
/// - [`App::max_calls`] limits concurrent handlers; what happens beyond it is
///   [`OverLimit`]. [`RunningApp::shutdown`] stops taking calls (new ones are
///   rejected), lets running handlers finish until a deadline, then cancels
///   the rest.
pub struct App {
    settings: Settings,
    ws: Option<WsConfig>,
    client: Option<AriClient>,
    reporter: Option<Reporter>,
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.settings)
            .field("ws", &self.ws)
            .field("client", &self.client)
            .field("reporter", &self.reporter.is_some())
            .finish()
    }
}

impl App {
    /// An application named `name` (the name of `Stasis(name)` in the
    /// dialplan), with defaults: no call limit, [`OverLimit::Reject`], 256
    /// queued events per call, 5 s grace after `StasisEnd`,
    /// [`AfterHandler::HangUp`]. Give it a server with [`App::server`] or
    /// [`App::ws_config`].
    pub fn new(name: impl Into<String>) -> App {
        App {
            settings: Settings {
                name: name.into(),
                max_calls: None,
                over_limit: OverLimit::Reject,
                queue_capacity: 256,
                end_grace: Duration::from_secs(5),
                after_handler: AfterHandler::HangUp,
                cleanup_timeout: Duration::from_secs(5),
            },
            ws: None,
            client: None,
            reporter: None,
        }
    }

    /// The ARI server: `http://host:8088` and an `ari.conf` user (default
    /// [`WsConfig`] settings otherwise).
    pub fn server(
        self,
        base_url: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> App {
        self.ws_config(WsConfig::new(base_url, username, password))
    }

    /// The events WebSocket's settings (reconnect policy, keepalive, TLS, …);
    /// the application's name is added to its `apps` when missing.
    pub fn ws_config(mut self, config: WsConfig) -> App {
        self.ws = Some(config);
        self
    }

    /// Send REST requests with this client (e.g. [`AriClient::http`]).
    /// Default: REST over the events WebSocket.
    pub fn client(mut self, client: AriClient) -> App {
        self.client = Some(client);
        self
    }

    /// Run at most `max_calls` handlers at once (at least 1); see [`OverLimit`].
    pub fn max_calls(mut self, max_calls: usize) -> App {
        self.settings.max_calls = Some(max_calls.max(1));
        self
    }

    /// What happens to calls beyond [`App::max_calls`].
    pub fn over_limit(mut self, policy: OverLimit) -> App {
        self.settings.over_limit = policy;
        self
    }

    /// Events queued per call before it overflows (at least 1; default 256).
    pub fn queue_capacity(mut self, capacity: usize) -> App {
        self.settings.queue_capacity = capacity.max(1);
        self
    }

    /// How long a handler may still run after its call's stream ended
    /// (`StasisEnd` or overflow) before it is cancelled (default 5 s).
    pub fn end_grace(mut self, grace: Duration) -> App {
        self.settings.end_grace = grace;
        self
    }

    /// What happens to a channel still in the application when its handler ends.
    pub fn after_handler(mut self, after: AfterHandler) -> App {
        self.settings.after_handler = after;
        self
    }

    /// Called with every [`AppReport`] (from the dispatcher: keep it quick; a
    /// panic in it is caught and ignored). Reports are also logged with `tracing`.
    pub fn on_report(mut self, report: impl Fn(&AppReport) + Send + Sync + 'static) -> App {
        self.reporter = Some(Arc::new(report));
        self
    }

    /// Connect the events WebSocket and start dispatching calls to `handler`.
    /// Needs a Tokio runtime.
    pub async fn start<H, F, E>(self, handler: H) -> Result<RunningApp, AppError>
    where
        H: Fn(Call) -> F + Send + Sync + 'static,
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display + 'static,
    {
        let mut ws = self.ws.clone().ok_or(AppError::NoServer)?;
        if !ws.apps.contains(&self.settings.name) {
            ws = ws.app(self.settings.name.clone());
        }
        let (transport, events) = ari_ws::connect(ws).await?;
        let client = match &self.client {
            Some(client) => client.clone(),
            None => AriClient::new(transport),
        };
        Ok(self.start_on(client, events, handler))
    }

    /// Start on an events stream that is already connected (e.g. an
    /// [`OutboundConnection`](crate::ari_ws::OutboundConnection) Asterisk
    /// opened), sending REST requests with `client`. [`App::server`],
    /// [`App::ws_config`] and [`App::client`] are not used.
    pub fn start_on<H, F, E>(self, client: AriClient, events: EventStream, handler: H) -> RunningApp
    where
        H: Fn(Call) -> F + Send + Sync + 'static,
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display + 'static,
    {
        let router = KeyedRouter::new();
        let counters = Arc::new(Counters::default());
        let (shutdown_tx, shutdown_rx) = watch::channel(None);
        let dispatcher = Dispatcher::new(
            self.settings.clone(),
            client.clone(),
            router.clone(),
            Arc::clone(&counters),
            self.reporter,
            Arc::new(handler),
        );
        let task = tokio::spawn(dispatcher.run(events, shutdown_rx));
        RunningApp {
            name: self.settings.name,
            client,
            router,
            counters,
            shutdown: shutdown_tx,
            task,
        }
    }

    /// [`App::start`], then run until the events WebSocket closes for good
    /// (an error). To stop it, use [`App::start`] and [`RunningApp::shutdown`],
    /// or [`App::run_until`].
    pub async fn run<H, F, E>(self, handler: H) -> Result<AppStats, AppError>
    where
        H: Fn(Call) -> F + Send + Sync + 'static,
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display + 'static,
    {
        self.start(handler).await?.wait().await
    }

    /// [`App::start`], run until `signal` resolves (e.g. Ctrl-C), then shut
    /// down with `grace` for running handlers ([`RunningApp::shutdown`]).
    pub async fn run_until<H, F, E>(
        self,
        handler: H,
        signal: impl Future<Output = ()>,
        grace: Duration,
    ) -> Result<AppStats, AppError>
    where
        H: Fn(Call) -> F + Send + Sync + 'static,
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display + 'static,
    {
        let mut app = self.start(handler).await?;
        let stopped_first = tokio::select! {
            _ = signal => None,
            done = &mut app.task => Some(joined(done)),
        };
        match stopped_first {
            Some(result) => result,
            None => app.shutdown(grace).await,
        }
    }
}

/// A started [`App`]. Dropping it leaves the app running (detached).
#[derive(Debug)]
pub struct RunningApp {
    name: String,
    client: AriClient,
    router: KeyedRouter<super::CallItem>,
    counters: Arc<Counters>,
    shutdown: watch::Sender<Option<Instant>>,
    task: JoinHandle<Result<AppStats, AppError>>,
}

impl RunningApp {
    /// The application's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client the app sends REST requests with.
    pub fn client(&self) -> &AriClient {
        &self.client
    }

    /// The app's counters now.
    pub fn stats(&self) -> AppStats {
        self.counters
            .snapshot(self.router.route_count(), self.router.key_count())
    }

    /// Start a graceful shutdown without waiting for it: new calls are
    /// rejected (hung up, [`RejectReason::ShuttingDown`](super::RejectReason::ShuttingDown)),
    /// waiting calls too; running handlers have until `grace` from now to
    /// return, then they are cancelled (and their channels released). Called
    /// again with a grace that ends earlier, the earlier deadline applies; a
    /// later one changes nothing. A `grace` too large for an `Instant` (e.g.
    /// [`Duration::MAX`]) means decades.
    pub fn begin_shutdown(&self, grace: Duration) {
        let deadline = deadline_after(grace);
        self.shutdown.send_if_modified(|d| match d {
            Some(earlier) if *earlier <= deadline => false,
            _ => {
                *d = Some(deadline);
                true
            }
        });
    }

    /// Shut down gracefully ([`RunningApp::begin_shutdown`]) and wait until
    /// every handler has ended and its resources are released; the final counters.
    pub async fn shutdown(self, grace: Duration) -> Result<AppStats, AppError> {
        self.begin_shutdown(grace);
        self.wait().await
    }

    /// Wait until the app stops (after a shutdown, or when the events
    /// WebSocket closes for good).
    pub async fn wait(self) -> Result<AppStats, AppError> {
        joined(self.task.await)
    }
}

fn joined(
    done: Result<Result<AppStats, AppError>, tokio::task::JoinError>,
) -> Result<AppStats, AppError> {
    done.unwrap_or_else(|e| Err(AppError::Dispatcher(e.to_string())))
}
