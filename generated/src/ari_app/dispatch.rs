//! The dispatcher of an [`App`](super::App): reads the events WebSocket,
//! starts a handler per `StasisStart`, routes every event to the call(s) it
//! concerns, and releases each call's resources when its handler ends. It
//! never waits for a handler.

use super::app::{AfterHandler, AppError, OverLimit, Reporter, Settings};
use super::call::{Call, CallItem};
use super::report::{AppReport, AppStats, CallOutcome, Counters, RejectReason};
use super::router::{channel_key, keys};
use crate::ari::models::{Channel, StasisStart};
use crate::ari::params::Reason;
use crate::ari::{AriClient, AriError, AriEvent};
use crate::ari_ws::{EventStream, Item};
use asterisk_sdk_runtime::tasks::{
    CancelReason, Dispatched, Finished, KeyedRouter, RouteId, RouteReceiver, Supervisor,
    TaskOutcome, deadline_after,
};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// What a handler task returns to the supervisor: `Err` with the handler's error text.
type HandlerResult = Result<(), String>;

/// A call whose handler runs.
struct Running {
    channel_id: String,
    bridges: Arc<Mutex<Vec<String>>>,
    /// Its channel left the application: its `StasisEnd` came (even after
    /// the call's route was closed), it entered again as a new call, or it
    /// was found gone or elsewhere after a reconnection. Never hung up then.
    left: bool,
    /// Its stream ended (`StasisEnd` or overflow): the end of its grace.
    grace_until: Option<Instant>,
}

/// A call waiting for a slot ([`OverLimit::Wait`]).
struct Waiting {
    route: RouteId,
    start: StasisStart,
    events: RouteReceiver<CallItem>,
}

/// Reports, to the log and the user's callback.
#[derive(Clone)]
struct Reports {
    callback: Option<Reporter>,
}

impl Reports {
    fn send(&self, report: AppReport) {
        log(&report);
        if let Some(callback) = &self.callback {
            // The user's callback must not take the dispatcher down.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| callback(&report)));
        }
    }
}

fn log(report: &AppReport) {
    match report {
        AppReport::CallFinished {
            channel_id,
            outcome: CallOutcome::Panicked(message),
        } => tracing::error!(%channel_id, %message, "ARI app: handler panicked"),
        AppReport::CallFinished {
            channel_id,
            outcome,
        } => tracing::debug!(%channel_id, ?outcome, "ARI app: handler ended"),
        AppReport::CallStarted { channel_id } | AppReport::CallWaiting { channel_id } => {
            tracing::debug!(%channel_id, ?report, "ARI app: call")
        }
        other => tracing::warn!(report = ?other, "ARI app"),
    }
}

pub(crate) struct Dispatcher<H> {
    settings: Settings,
    client: AriClient,
    router: KeyedRouter<CallItem>,
    counters: Arc<Counters>,
    reports: Reports,
    handler: Arc<H>,
    supervisor: Supervisor<RouteId, HandlerResult>,
    running: HashMap<RouteId, Running>,
    waiting: VecDeque<Waiting>,
    /// Hang-ups and bridge removals in flight.
    cleanups: JoinSet<()>,
    shutdown_deadline: Option<Instant>,
    /// Calls found gone after a reconnection ([`Dispatcher::check_channels`]).
    gone_tx: mpsc::UnboundedSender<RouteId>,
    gone_rx: mpsc::UnboundedReceiver<RouteId>,
}

impl<H, F, E> Dispatcher<H>
where
    H: Fn(Call) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: fmt::Display + 'static,
{
    pub(crate) fn new(
        settings: Settings,
        client: AriClient,
        router: KeyedRouter<CallItem>,
        counters: Arc<Counters>,
        callback: Option<Reporter>,
        handler: Arc<H>,
    ) -> Self {
        let (gone_tx, gone_rx) = mpsc::unbounded_channel();
        Dispatcher {
            gone_tx,
            gone_rx,
            supervisor: Supervisor::new(settings.max_calls),
            settings,
            client,
            router,
            counters,
            reports: Reports { callback },
            handler,
            running: HashMap::new(),
            waiting: VecDeque::new(),
            cleanups: JoinSet::new(),
            shutdown_deadline: None,
        }
    }

    pub(crate) async fn run(
        mut self,
        mut events: EventStream,
        mut shutdown: watch::Receiver<Option<Instant>>,
    ) -> Result<AppStats, AppError> {
        let mut shutdown_open = true;
        let result = loop {
            if self.shutdown_deadline.is_some() && self.supervisor.is_empty() {
                break Ok(());
            }
            tokio::select! {
                biased;
                // Still listened to once shutting down: a later call may bring
                // the deadline forward.
                changed = shutdown.changed(), if shutdown_open => {
                    match changed {
                        Ok(()) => {
                            let asked = *shutdown.borrow_and_update();
                            if let Some(deadline) = asked
                                && self.shutdown_deadline.is_none_or(|d| deadline < d)
                            {
                                self.begin_shutdown(deadline);
                            }
                        }
                        // The RunningApp was dropped: the app runs on, detached.
                        Err(_) => shutdown_open = false,
                    }
                }
                Some(done) = self.supervisor.join_next(), if !self.supervisor.is_empty() => {
                    self.finished(done);
                }
                Some(_) = self.cleanups.join_next(), if !self.cleanups.is_empty() => {}
                Some(route) = self.gone_rx.recv() => self.channel_gone(route),
                item = events.next_item() => match item {
                    Some(item) => self.on_item(item),
                    None => break Err(AppError::EventsEnded),
                },
            }
            self.update_gauges();
        };
        // Stopping: cancel what still runs, release everything, then close the
        // socket (REST may go over it, so only after the clean-ups).
        self.supervisor.cancel_all();
        while let Some(done) = self.supervisor.join_next().await {
            self.finished(done);
        }
        self.reject_waiting();
        self.update_gauges();
        let cleanups = async { while self.cleanups.join_next().await.is_some() {} };
        let _ = tokio::time::timeout(self.settings.cleanup_timeout, cleanups).await;
        events.close();
        result.map(|()| {
            self.counters
                .snapshot(self.router.route_count(), self.router.key_count())
        })
    }

    fn update_gauges(&self) {
        Counters::set(&self.counters.running, self.supervisor.len());
        Counters::set(&self.counters.waiting, self.waiting.len());
    }

    fn on_item(&mut self, item: Item) {
        match item {
            Item::Event(event) => self.on_event(event),
            Item::Undecoded { event, error } => {
                tracing::debug!(%error, "ARI app: event kept untyped");
                self.on_event(event);
            }
            Item::Invalid { error, .. } => self.reports.send(AppReport::InvalidMessage {
                error: error.to_string(),
            }),
            Item::Disconnected { reason } => {
                let marker = CallItem::Disconnected {
                    reason: reason.clone(),
                };
                let d = self.router.broadcast(marker);
                self.overflowed(d);
                self.reports.send(AppReport::Disconnected { reason });
            }
            Item::Reconnected => {
                // Asterisk may have been restarted or upgraded during the gap.
                self.client.forget_server_version();
                let d = self.router.broadcast(CallItem::Reconnected);
                self.overflowed(d);
                self.reports.send(AppReport::Reconnected);
                self.check_channels();
            }
            _ => {}
        }
    }

    fn on_event(&mut self, event: AriEvent) {
        match event {
            AriEvent::StasisStart(start) if start.application == self.settings.name => {
                self.on_start(start)
            }
            AriEvent::StasisEnd(ref end) if end.application == self.settings.name => {
                let channel_id = end.channel.id.clone();
                self.on_end(&channel_id, event)
            }
            event => {
                let keys = keys(&event);
                let d = self
                    .router
                    .dispatch(keys.iter().map(String::as_str), CallItem::Event(event));
                self.overflowed(d);
            }
        }
    }

    fn on_start(&mut self, start: StasisStart) {
        let key = channel_key(&start.channel.id);
        // A channel that re-enters while its previous call still has a route
        // (its StasisEnd was lost in a disconnection): that call's stream ends.
        if let Some(old) = self.router.lookup(&key) {
            self.end_route(old);
        }
        // Whatever runs for this channel's earlier calls must not hang it up:
        // it belongs to this new call now.
        self.mark_left(&start.channel.id);
        if self.shutdown_deadline.is_some() {
            self.reject(&start.channel.id, RejectReason::ShuttingDown);
            return;
        }
        let (route, events) = self.router.open(key, self.settings.queue_capacity);
        if self.waiting.is_empty()
            && let Some(permit) = self.supervisor.try_permit()
        {
            self.spawn(route, start, events, permit);
            return;
        }
        match self.settings.over_limit {
            OverLimit::Wait { max_waiting } if self.waiting.len() < max_waiting => {
                self.reports.send(AppReport::CallWaiting {
                    channel_id: start.channel.id.clone(),
                });
                self.waiting.push_back(Waiting {
                    route,
                    start,
                    events,
                });
            }
            _ => {
                self.router.close(route);
                self.reject(&start.channel.id, RejectReason::OverLimit);
            }
        }
    }

    fn on_end(&mut self, channel_id: &str, event: AriEvent) {
        // The channel left the application, whether or not its call still has
        // a route (a handler that returned, or whose queue overflowed, has
        // none): its handler's end must not hang it up.
        self.mark_left(channel_id);
        let Some(route) = self.router.lookup(&channel_key(channel_id)) else {
            return;
        };
        if let Some(i) = self.waiting.iter().position(|w| w.route == route) {
            if let Some(w) = self.waiting.remove(i) {
                self.router.close(route);
                self.reports.send(AppReport::CallAbandoned {
                    channel_id: w.start.channel.id,
                });
            }
            return;
        }
        if let Some(d) = self.router.send(route, CallItem::Event(event)) {
            self.overflowed(d);
        }
        self.end_route(route);
    }

    /// Note that `channel_id` left the application (`StasisEnd`, or it
    /// entered again as a new call) for every running call of that channel.
    fn mark_left(&mut self, channel_id: &str) {
        for call in self.running.values_mut() {
            if call.channel_id == channel_id {
                call.left = true;
            }
        }
    }

    /// The call's stream is over: close its route and start its end grace.
    fn end_route(&mut self, route: RouteId) {
        self.router.close(route);
        if self.running.contains_key(&route) {
            self.start_grace(route);
        } else if let Some(i) = self.waiting.iter().position(|w| w.route == route)
            && let Some(w) = self.waiting.remove(i)
        {
            self.reports.send(AppReport::CallAbandoned {
                channel_id: w.start.channel.id,
            });
        }
    }

    /// Give a running call's handler the end grace (an earlier end stays).
    fn start_grace(&mut self, route: RouteId) {
        let Some(call) = self.running.get_mut(&route) else {
            return;
        };
        let until = deadline_after(self.settings.end_grace);
        let until = call.grace_until.map_or(until, |earlier| earlier.min(until));
        call.grace_until = Some(until);
        self.supervisor.wind_down_at(&route, until);
    }

    /// After a reconnection: ask whether each call's channel still exists and
    /// is still in this application (see [`in_app`]); the calls whose channel
    /// is not come back through `gone` ([`Dispatcher::channel_gone`]).
    fn check_channels(&mut self) {
        let calls = self
            .running
            .iter()
            .map(|(route, call)| (*route, call.channel_id.clone()))
            .chain(
                self.waiting
                    .iter()
                    .map(|w| (w.route, w.start.channel.id.clone())),
            );
        for (route, channel_id) in calls {
            let client = self.client.clone();
            let gone = self.gone_tx.clone();
            let limit = self.settings.cleanup_timeout;
            let app = self.settings.name.clone();
            self.cleanups.spawn(async move {
                let channel = client.channel(channel_id);
                let asked = tokio::time::timeout(limit, channel.get().send()).await;
                let left = match asked {
                    Ok(Ok(channel)) => !in_app(&channel, &app),
                    Ok(Err(e)) => e.status() == Some(404),
                    Err(_) => false,
                };
                if left {
                    let _ = gone.send(route);
                }
            });
        }
    }

    /// A call's channel ended or left the application while the socket was
    /// down: end its stream (and never hang the channel up).
    fn channel_gone(&mut self, route: RouteId) {
        let channel_id = match self.running.get_mut(&route) {
            Some(call) => {
                call.left = true;
                call.channel_id.clone()
            }
            None => match self.waiting.iter().find(|w| w.route == route) {
                Some(w) => w.start.channel.id.clone(),
                None => return,
            },
        };
        if let Some(d) = self.router.send(route, CallItem::ChannelGone) {
            self.overflowed(d);
        }
        self.reports.send(AppReport::ChannelGone { channel_id });
        self.end_route(route);
    }

    fn overflowed(&mut self, d: Dispatched) {
        for (route, _key) in d.overflowed {
            Counters::bump(&self.counters.overflowed);
            let channel_id = match self.running.get(&route) {
                Some(call) => call.channel_id.clone(),
                None => match self.waiting.iter().find(|w| w.route == route) {
                    Some(w) => w.start.channel.id.clone(),
                    None => continue,
                },
            };
            self.reports.send(AppReport::CallOverflowed {
                channel_id,
                capacity: self.settings.queue_capacity,
            });
            self.start_grace(route);
        }
    }

    fn spawn(
        &mut self,
        route: RouteId,
        start: StasisStart,
        events: RouteReceiver<CallItem>,
        permit: asterisk_sdk_runtime::tasks::Permit,
    ) {
        let channel_id = start.channel.id.clone();
        let bridges = Arc::new(Mutex::new(Vec::new()));
        let call = Call::new(
            &self.client,
            start,
            events,
            self.router.clone(),
            self.settings.queue_capacity,
            Arc::clone(&bridges),
        );
        let handler = Arc::clone(&self.handler);
        // The handler is called inside the task, so a panic while it builds
        // its future is caught like any other.
        let task = async move { handler(call).await.map_err(|e| e.to_string()) };
        if self.supervisor.spawn(route, permit, task).is_err() {
            // Route ids are never reused, so this cannot happen; stay safe anyway.
            self.router.close(route);
            return;
        }
        Counters::bump(&self.counters.started);
        self.running.insert(
            route,
            Running {
                channel_id: channel_id.clone(),
                bridges,
                left: false,
                grace_until: None,
            },
        );
        self.reports.send(AppReport::CallStarted { channel_id });
    }

    fn finished(&mut self, done: Finished<RouteId, HandlerResult>) {
        let route = done.key;
        self.router.close(route);
        let Some(call) = self.running.remove(&route) else {
            return;
        };
        let outcome = match done.outcome {
            TaskOutcome::Returned(Ok(())) => CallOutcome::Completed,
            TaskOutcome::Returned(Err(e)) => CallOutcome::Failed(e),
            TaskOutcome::Panicked(message) => CallOutcome::Panicked(message),
            // Whichever deadline came first: its grace, or the shutdown's.
            TaskOutcome::Cancelled(CancelReason::DeadlinePassed)
                if call.grace_until.is_some_and(|grace| {
                    self.shutdown_deadline
                        .is_none_or(|shutdown| grace <= shutdown)
                }) =>
            {
                CallOutcome::GraceExpired
            }
            _ => CallOutcome::ShutDown,
        };
        let counter = match &outcome {
            CallOutcome::Completed => &self.counters.completed,
            CallOutcome::Failed(_) => &self.counters.failed,
            CallOutcome::Panicked(_) => &self.counters.panicked,
            _ => &self.counters.cancelled,
        };
        Counters::bump(counter);
        self.reports.send(AppReport::CallFinished {
            channel_id: call.channel_id.clone(),
            outcome,
        });
        self.release(call);
        self.admit_waiting();
    }

    /// Destroy the call's bridges and, per [`AfterHandler`], hang up its
    /// channel if it is still in the application: no `StasisEnd` was seen,
    /// and Asterisk still shows it in `Stasis(<this app>)` (a handler may
    /// have continued it in the dialplan and returned before the `StasisEnd`
    /// came, or its route was closed by an overflow).
    fn release(&mut self, call: Running) {
        let bridges = std::mem::take(&mut *call.bridges.lock().unwrap_or_else(|p| p.into_inner()));
        let hang_up = !call.left && self.settings.after_handler == AfterHandler::HangUp;
        if bridges.is_empty() && !hang_up {
            return;
        }
        let client = self.client.clone();
        let reports = self.reports.clone();
        let limit = self.settings.cleanup_timeout;
        let channel_id = call.channel_id;
        let app = self.settings.name.clone();
        self.cleanups.spawn(async move {
            for bridge in bridges {
                let result = within(limit, client.bridge(bridge.as_str()).destroy().send()).await;
                report_cleanup(
                    &reports,
                    &channel_id,
                    &format!("destroying bridge {bridge}"),
                    result,
                );
            }
            if !hang_up {
                return;
            }
            let channel = client.channel(channel_id.as_str());
            match tokio::time::timeout(limit, channel.get().send()).await {
                Ok(Ok(now)) if !in_app(&now, &app) => return,
                // Already gone.
                Ok(Err(e)) if e.status() == Some(404) => return,
                // Still in the application, or unknown: hang up as promised.
                _ => {}
            }
            let result = within(limit, channel.hangup().send()).await;
            report_cleanup(&reports, &channel_id, "hanging up", result);
        });
    }

    fn reject(&mut self, channel_id: &str, reason: RejectReason) {
        Counters::bump(&self.counters.rejected);
        self.reports.send(AppReport::CallRejected {
            channel_id: channel_id.to_string(),
            reason,
        });
        let client = self.client.clone();
        let reports = self.reports.clone();
        let limit = self.settings.cleanup_timeout;
        let channel_id = channel_id.to_string();
        self.cleanups.spawn(async move {
            let channel = client.channel(channel_id.as_str());
            let hangup = channel.hangup().reason(Reason::Congestion).send();
            let result = within(limit, hangup).await;
            report_cleanup(&reports, &channel_id, "hanging up a rejected call", result);
        });
    }

    fn admit_waiting(&mut self) {
        while self.shutdown_deadline.is_none() && !self.waiting.is_empty() {
            let Some(permit) = self.supervisor.try_permit() else {
                return;
            };
            let Some(w) = self.waiting.pop_front() else {
                return;
            };
            self.spawn(w.route, w.start, w.events, permit);
        }
    }

    fn reject_waiting(&mut self) {
        while let Some(w) = self.waiting.pop_front() {
            self.router.close(w.route);
            self.reject(&w.start.channel.id, RejectReason::ShuttingDown);
        }
    }

    fn begin_shutdown(&mut self, deadline: Instant) {
        self.shutdown_deadline = Some(deadline);
        self.reject_waiting();
        self.supervisor.wind_down_all(deadline);
    }
}

/// Whether `channel` (as `GET /channels/{id}` shows it) is in application
/// `app`: its dialplan application is `Stasis` with `app` as first argument.
/// A channel continued in the dialplan shows the application it runs there.
fn in_app(channel: &Channel, app: &str) -> bool {
    let dialplan = &channel.dialplan;
    dialplan.app_name.eq_ignore_ascii_case("Stasis")
        && dialplan.app_data.split(',').next().map(str::trim) == Some(app)
}

/// `request` with a time limit.
async fn within<T>(
    limit: Duration,
    request: impl Future<Output = Result<T, AriError>>,
) -> Result<(), String> {
    match tokio::time::timeout(limit, request).await {
        Ok(Ok(_)) => Ok(()),
        // Already gone: nothing left to release.
        Ok(Err(e)) if e.status() == Some(404) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {limit:?}")),
    }
}

fn report_cleanup(reports: &Reports, channel_id: &str, what: &str, result: Result<(), String>) {
    if let Err(error) = result {
        reports.send(AppReport::CleanupFailed {
            channel_id: channel_id.to_string(),
            error: format!("{what}: {error}"),
        });
    }
}
