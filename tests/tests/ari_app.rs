//! The ARI application framework (`asterisk_sdk::ari_app`) against the mock
//! ARI: one task per Stasis call seeing only its own events, panics isolated,
//! StasisEnd ending a task, the concurrency limit, graceful shutdown,
//! playbacks, DTMF, slow handlers, reconnection and bridges.

use asterisk_sdk::ari::{AriClient, AriEvent};
use asterisk_sdk::ari_app::{
    App, AppReport, Call, CallError, CallItem, CallOutcome, DigitsEnd, OverLimit, PlaybackOutcome,
    RejectReason, RunningApp,
};
use asterisk_sdk::ari_ws::{ReconnectPolicy, WsConfig};
use asterisk_sdk_mock::ari::MockAri;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore, mpsc};

const WAIT: Duration = Duration::from_secs(20);

async fn mock(time_scale: f64) -> MockAri {
    MockAri::builder()
        .time_scale(time_scale)
        .start()
        .await
        .expect("mock starts")
}

/// Reports of an app, collected.
#[derive(Clone, Default)]
struct Reports(Arc<Mutex<Vec<AppReport>>>);

impl Reports {
    fn all(&self) -> Vec<AppReport> {
        self.0.lock().expect("reports").clone()
    }

    fn outcomes(&self) -> HashMap<String, CallOutcome> {
        self.all()
            .into_iter()
            .filter_map(|r| match r {
                AppReport::CallFinished {
                    channel_id,
                    outcome,
                } => Some((channel_id, outcome)),
                _ => None,
            })
            .collect()
    }
}

/// The events WebSocket of the mock, reconnecting within 10 to 50 ms.
fn config(mock: &MockAri) -> WsConfig {
    WsConfig::new(mock.base_url(), "asterisk", "asterisk")
        .request_timeout(Duration::from_secs(10))
        .reconnect(ReconnectPolicy::new(
            Duration::from_millis(10),
            Duration::from_millis(50),
        ))
}

fn app(mock: &MockAri, name: &str, reports: &Reports) -> App {
    let sink = Arc::clone(&reports.0);
    App::new(name)
        .ws_config(config(mock))
        .on_report(move |r| sink.lock().expect("reports").push(r.clone()))
}

/// Wait until `done` holds (polled), or fail with `what`.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    let polled = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    if tokio::time::timeout(WAIT, polled).await.is_err() {
        panic!("not within {WAIT:?}: {what}");
    }
}

async fn recv<T>(rx: &mut mpsc::UnboundedReceiver<T>, what: &str) -> T {
    match tokio::time::timeout(WAIT, rx.recv()).await {
        Ok(Some(v)) => v,
        Ok(None) => panic!("{what}: channel closed"),
        Err(_) => panic!("{what}: nothing within {WAIT:?}"),
    }
}

/// The channel an event is about (for the event types these tests produce).
fn channel_of(event: &AriEvent) -> String {
    match event {
        AriEvent::ChannelStateChange(e) => e.channel.id.clone(),
        AriEvent::ChannelDtmfReceived(e) => e.channel.id.clone(),
        AriEvent::ChannelHangupRequest(e) => e.channel.id.clone(),
        AriEvent::StasisEnd(e) => e.channel.id.clone(),
        AriEvent::ChannelEnteredBridge(e) => {
            e.channel.as_ref().map(|c| c.id.clone()).unwrap_or_default()
        }
        AriEvent::PlaybackStarted(e) => target(&e.playback.target_uri),
        AriEvent::PlaybackFinished(e) => target(&e.playback.target_uri),
        other => panic!("unexpected event in a call's stream: {other:?}"),
    }
}

fn target(uri: &str) -> String {
    uri.strip_prefix("channel:").unwrap_or(uri).to_string()
}

/// The rest of a call's stream: event types, and the channels they name.
async fn drain(call: &mut Call) -> (Vec<String>, Vec<String>) {
    let mut kinds = Vec::new();
    let mut channels = Vec::new();
    while let Some(item) = call.next_event().await {
        match item {
            CallItem::Event(e) => {
                kinds.push(e.event_type().to_string());
                channels.push(channel_of(&e));
            }
            other => kinds.push(format!("{other:?}")),
        }
    }
    (kinds, channels)
}

async fn stop(app: RunningApp) {
    let stats = app
        .shutdown(Duration::from_secs(5))
        .await
        .expect("app stops cleanly");
    assert_eq!((stats.running, stats.routes, stats.route_keys), (0, 0, 0));
}

/// What one handler of the 100-call test saw.
#[derive(Debug)]
struct Seen {
    id: String,
    n: usize,
    digits: String,
    kinds: Vec<String>,
    channels: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_calls_each_see_only_their_own_events_and_panics_stay_isolated() {
    const CALLS: usize = 100;
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<String>();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Seen>();
    let handler = move |mut call: Call| {
        let ready = ready_tx.clone();
        let done = done_tx.clone();
        async move {
            let n: usize = call.args()[0].parse().expect("a number");
            call.channel().answer().await?;
            if n % 10 == 3 {
                panic!("handler {n} fails on purpose");
            }
            let played = call.play("sound:hello-world").await_finished().await?;
            assert!(matches!(played, PlaybackOutcome::Done(_)), "{played:?}");
            let _ = ready.send(call.id().to_string());
            let digits = call
                .collect_dtmf(4, Some('#'), Duration::from_secs(15))
                .await?;
            assert_eq!(digits.end, DigitsEnd::Terminator);
            call.channel().hangup().await?;
            let (kinds, channels) = drain(&mut call).await;
            let _ = done.send(Seen {
                id: call.id().to_string(),
                n,
                digits: digits.digits,
                kinds,
                channels,
            });
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "hundred", &reports)
        .start(handler)
        .await
        .expect("app starts");

    let mut number_of = HashMap::new();
    for n in 0..CALLS {
        let id = mock.incoming_call("hundred", "PJSIP/caller", "Caller <100>", &[&n.to_string()]);
        number_of.insert(id, n);
    }
    let survivors: Vec<(String, usize)> = {
        let mut ready = Vec::new();
        for _ in 0..CALLS - CALLS / 10 {
            let id = recv(&mut ready_rx, "a handler ready for DTMF").await;
            ready.push((id.clone(), number_of[&id]));
        }
        ready
    };
    // Every call gets its own digits (its number, then '#'), sent interleaved:
    // the first digit of every call, then the second of every call, …
    for pos in 0..4 {
        for (id, n) in &survivors {
            let digit = format!("{n:03}#").chars().nth(pos).expect("4 characters");
            assert!(mock.send_dtmf(id, &digit.to_string()));
        }
    }
    let mut seen = Vec::new();
    for _ in 0..survivors.len() {
        seen.push(recv(&mut done_rx, "a handler done").await);
    }
    for s in &seen {
        assert_eq!(number_of[&s.id], s.n);
        assert_eq!(
            s.digits,
            format!("{:03}", s.n),
            "call {} got foreign digits",
            s.n
        );
        assert!(
            s.channels.iter().all(|c| *c == s.id),
            "call {} saw events of other channels: {:?}",
            s.n,
            s.channels
        );
        assert_eq!(
            s.kinds,
            [
                "ChannelStateChange",
                "PlaybackStarted",
                "ChannelHangupRequest",
                "StasisEnd"
            ],
            "call {}",
            s.n
        );
    }

    // The panicking handlers ended only their own calls, were reported, and
    // their channels were hung up; the others all completed.
    eventually("every handler ended", || running.stats().running == 0).await;
    let outcomes = reports.outcomes();
    assert_eq!(outcomes.len(), CALLS);
    for (id, n) in &number_of {
        match &outcomes[id] {
            CallOutcome::Panicked(m) if n % 10 == 3 => {
                assert_eq!(*m, format!("handler {n} fails on purpose"))
            }
            CallOutcome::Completed if n % 10 != 3 => {}
            other => panic!("call {n}: {other:?}"),
        }
    }
    eventually("every channel hung up", || mock.channel_ids().is_empty()).await;

    // Resources are released, and the app still takes calls.
    let stats = running.stats();
    assert_eq!(
        (stats.started, stats.completed, stats.panicked),
        (100, 90, 10)
    );
    assert_eq!((stats.routes, stats.route_keys), (0, 0));
    let late = mock.incoming_call("hundred", "PJSIP/late", "", &["1000"]);
    let id = recv(&mut ready_rx, "a call after the panics").await;
    assert_eq!(id, late);
    assert!(mock.send_dtmf(&late, "42#"));
    let s = recv(&mut done_rx, "the late call done").await;
    assert_eq!(s.digits, "42");
    stop(running).await;
}

#[tokio::test]
async fn stasis_end_ends_the_stream_and_a_lingering_handler_is_cancelled_after_the_grace() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, Vec<String>)>();
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        async move {
            let (kinds, _) = drain(&mut call).await;
            let ended = call.has_ended();
            let _ = tx.send((call.args()[0].clone(), kinds));
            if call.args()[0] == "lingers" {
                assert!(ended);
                std::future::pending::<()>().await;
            }
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "ending", &reports)
        .end_grace(Duration::from_millis(300))
        .start(handler)
        .await
        .expect("app starts");
    let quick = mock.incoming_call("ending", "PJSIP/a", "", &["returns"]);
    let slow = mock.incoming_call("ending", "PJSIP/b", "", &["lingers"]);
    eventually("both handlers run", || running.stats().running == 2).await;
    assert!(mock.hang_up(&quick));
    assert!(mock.hang_up(&slow));
    for _ in 0..2 {
        let (_, kinds) = recv(&mut rx, "a stream ended").await;
        assert_eq!(kinds, ["ChannelHangupRequest", "StasisEnd"]);
    }
    eventually("both handlers ended", || running.stats().running == 0).await;
    let outcomes = reports.outcomes();
    assert_eq!(outcomes[&quick], CallOutcome::Completed);
    assert_eq!(outcomes[&slow], CallOutcome::GraceExpired);
    assert_eq!(running.stats().routes, 0);
    stop(running).await;
}

/// A handler that tells the test it started, waits for a release (one
/// semaphore permit), then collects up to 2 digits for 500 ms.
fn blocking_handler(
    started: mpsc::UnboundedSender<String>,
    release: Arc<Semaphore>,
) -> impl Fn(Call) -> std::pin::Pin<Box<dyn Future<Output = Result<(), CallError>> + Send>>
+ Send
+ Sync
+ 'static {
    move |mut call: Call| {
        let started = started.clone();
        let release = Arc::clone(&release);
        Box::pin(async move {
            let _ = started.send(call.id().to_string());
            release.acquire().await.expect("open").forget();
            let digits = call
                .collect_dtmf(2, None, Duration::from_millis(500))
                .await?;
            let _ = started.send(format!("{} digits {}", call.id(), digits.digits));
            Ok(())
        })
    }
}

#[tokio::test]
async fn over_the_limit_a_call_is_rejected_with_congestion() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let release = Arc::new(Semaphore::new(0));
    let running = app(&mock, "limited", &reports)
        .max_calls(2)
        .start(blocking_handler(tx, Arc::clone(&release)))
        .await
        .expect("app starts");
    let a = mock.incoming_call("limited", "PJSIP/a", "", &[]);
    let b = mock.incoming_call("limited", "PJSIP/b", "", &[]);
    recv(&mut rx, "call a").await;
    recv(&mut rx, "call b").await;
    let c = mock.incoming_call("limited", "PJSIP/c", "", &[]);
    eventually("the third call is hung up", || {
        !mock.channel_ids().contains(&c)
    })
    .await;
    assert!(reports.all().contains(&AppReport::CallRejected {
        channel_id: c.clone(),
        reason: RejectReason::OverLimit,
    }));
    assert_eq!(running.stats().rejected, 1);
    release.add_permits(2);
    eventually("a and b end", || running.stats().running == 0).await;
    let outcomes = reports.outcomes();
    assert_eq!(outcomes[&a], CallOutcome::Completed);
    assert_eq!(outcomes[&b], CallOutcome::Completed);
    assert!(
        !outcomes.contains_key(&c),
        "no handler ran for the rejected call"
    );
    stop(running).await;
}

#[tokio::test]
async fn over_the_limit_a_call_can_wait_for_a_slot_with_its_events_kept() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let release = Arc::new(Semaphore::new(0));
    let running = app(&mock, "queued", &reports)
        .max_calls(1)
        .over_limit(OverLimit::Wait { max_waiting: 1 })
        .start(blocking_handler(tx, Arc::clone(&release)))
        .await
        .expect("app starts");
    let a = mock.incoming_call("queued", "PJSIP/a", "", &[]);
    assert_eq!(recv(&mut rx, "call a").await, a);
    let b = mock.incoming_call("queued", "PJSIP/b", "", &[]);
    let c = mock.incoming_call("queued", "PJSIP/c", "", &[]);
    eventually("b waits, c is rejected", || {
        let s = running.stats();
        s.waiting == 1 && s.rejected == 1
    })
    .await;
    assert!(reports.all().contains(&AppReport::CallWaiting {
        channel_id: b.clone()
    }));
    eventually("c hung up", || !mock.channel_ids().contains(&c)).await;
    // Digits pressed while b waits are kept for its handler.
    assert!(mock.send_dtmf(&b, "79"));
    release.add_permits(1);
    assert_eq!(recv(&mut rx, "a's digits").await, format!("{a} digits "));
    assert_eq!(recv(&mut rx, "b starts once a is done").await, b);
    release.add_permits(1);
    assert_eq!(recv(&mut rx, "b's digits").await, format!("{b} digits 79"));
    stop(running).await;
}

#[tokio::test]
async fn shutdown_lets_running_calls_finish_then_cancels_and_hangs_up_the_rest() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            let _ = tx.send(call.id().to_string());
            if call.args()[0] == "stuck" {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "closing", &reports)
        .start(handler)
        .await
        .expect("app starts");
    let finishing = mock.incoming_call("closing", "PJSIP/a", "", &["finishes"]);
    let stuck = mock.incoming_call("closing", "PJSIP/b", "", &["stuck"]);
    recv(&mut rx, "a started").await;
    recv(&mut rx, "b started").await;
    running.begin_shutdown(Duration::from_millis(700));
    // A call arriving during the shutdown is not taken.
    let late = mock.incoming_call("closing", "PJSIP/c", "", &["late"]);
    let stats = running.wait().await.expect("app stops");
    assert_eq!(
        (stats.completed, stats.cancelled, stats.rejected),
        (1, 1, 1)
    );
    assert_eq!((stats.running, stats.routes), (0, 0));
    let outcomes = reports.outcomes();
    assert_eq!(outcomes[&finishing], CallOutcome::Completed);
    assert_eq!(outcomes[&stuck], CallOutcome::ShutDown);
    assert!(reports.all().contains(&AppReport::CallRejected {
        channel_id: late,
        reason: RejectReason::ShuttingDown,
    }));
    // Every channel was released before the app returned.
    assert_eq!(mock.channel_ids(), Vec::<String>::new());
}

#[tokio::test]
async fn await_finished_resolves_on_playback_finished_or_when_the_call_ends() {
    let mock = MockAri::builder()
        .playback_duration(Duration::from_millis(200))
        .start()
        .await
        .expect("mock starts");
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            let playing = call.play("sound:hello-world").lang("en").await?;
            let id = playing.id().to_string();
            match playing.await_finished().await? {
                PlaybackOutcome::Done(p) => {
                    let _ = tx.send(format!("done {} {}", p.id == id, p.media_uri));
                }
                other => panic!("{other:?}"),
            }
            let second = call.play("sound:tt-monkeys").await?;
            let _ = tx.send("playing".to_string());
            let outcome = second.await_finished().await?;
            let _ = tx.send(format!("{outcome:?}"));
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "player", &reports)
        .start(handler)
        .await
        .expect("app starts");
    let id = mock.incoming_call("player", "PJSIP/a", "", &[]);
    assert_eq!(
        recv(&mut rx, "first playback").await,
        "done true sound:hello-world"
    );
    assert_eq!(recv(&mut rx, "second playback").await, "playing");
    assert!(mock.hang_up(&id));
    assert_eq!(recv(&mut rx, "second playback").await, "CallEnded");
    stop(running).await;
}

#[tokio::test]
async fn collect_dtmf_stops_at_the_terminator_the_maximum_the_timeout_or_the_end() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, DigitsEnd)>();
    let (go_tx, go_rx) = mpsc::unbounded_channel::<()>();
    let go_rx = Arc::new(tokio::sync::Mutex::new(go_rx));
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        let go = Arc::clone(&go_rx);
        async move {
            let mut go = go.lock().await;
            let long = Duration::from_secs(10);
            let steps = [
                (4, Some('#'), long),
                (3, None, long),
                (5, Some('#'), Duration::from_millis(300)),
                (5, Some('#'), long),
            ];
            for (max, terminator, timeout) in steps {
                let _ = go.recv().await;
                let d = call.collect_dtmf(max, terminator, timeout).await?;
                let _ = tx.send((d.digits, d.end));
            }
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "digits", &reports)
        .start(handler)
        .await
        .expect("app starts");
    let id = mock.incoming_call("digits", "PJSIP/a", "", &[]);
    assert!(mock.send_dtmf(&id, "12#"));
    go_tx.send(()).expect("handler");
    assert_eq!(
        recv(&mut rx, "terminator").await,
        ("12".into(), DigitsEnd::Terminator)
    );
    assert!(mock.send_dtmf(&id, "9876"));
    go_tx.send(()).expect("handler");
    assert_eq!(
        recv(&mut rx, "maximum").await,
        ("987".into(), DigitsEnd::MaxDigits)
    );
    // The 6 stays as type-ahead; nothing more comes.
    go_tx.send(()).expect("handler");
    assert_eq!(
        recv(&mut rx, "timeout").await,
        ("6".into(), DigitsEnd::Timeout)
    );
    go_tx.send(()).expect("handler");
    assert!(mock.send_dtmf(&id, "5"));
    assert!(mock.hang_up(&id));
    assert_eq!(
        recv(&mut rx, "call ended").await,
        ("5".into(), DigitsEnd::CallEnded)
    );
    stop(running).await;
}

#[tokio::test]
async fn a_slow_handler_overflows_only_its_own_call_with_a_typed_error() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let release = Arc::new(Notify::new());
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let gate = Arc::clone(&release);
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        let gate = Arc::clone(&gate);
        async move {
            if call.args()[0] == "fast" {
                let d = call.collect_dtmf(3, None, Duration::from_secs(10)).await?;
                let _ = tx.send(format!("fast {}", d.digits));
                return Ok(());
            }
            let _ = tx.send("slow waits".into());
            gate.notified().await;
            let mut dtmf = 0;
            let mut last = None;
            while let Some(item) = call.next_event().await {
                match item {
                    CallItem::Event(AriEvent::ChannelDtmfReceived(_)) => dtmf += 1,
                    other => last = Some(format!("{other:?}")),
                }
            }
            let after = call.collect_dtmf(1, None, Duration::from_secs(1)).await;
            let _ = tx.send(format!(
                "slow {dtmf} {} {}",
                last.unwrap_or_default(),
                matches!(after, Err(CallError::Overflowed { capacity: 8 }))
            ));
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "slow", &reports)
        .queue_capacity(8)
        .start(handler)
        .await
        .expect("app starts");
    let slow = mock.incoming_call("slow", "PJSIP/slow", "", &["slow"]);
    assert_eq!(recv(&mut rx, "slow handler").await, "slow waits");
    let fast = mock.incoming_call("slow", "PJSIP/fast", "", &["fast"]);
    assert!(mock.send_dtmf(&slow, &"1".repeat(50)));
    assert!(mock.send_dtmf(&fast, "123"));
    assert_eq!(recv(&mut rx, "fast call").await, "fast 123");
    eventually("the overflow is reported", || {
        reports.all().contains(&AppReport::CallOverflowed {
            channel_id: slow.clone(),
            capacity: 8,
        })
    })
    .await;
    release.notify_one();
    assert_eq!(
        recv(&mut rx, "slow call").await,
        "slow 8 Overflowed { capacity: 8 } true"
    );
    eventually("both ended", || running.stats().running == 0).await;
    assert_eq!(running.stats().overflowed, 1);
    assert_eq!(reports.outcomes()[&fast], CallOutcome::Completed);
    stop(running).await;
}

#[tokio::test]
async fn a_running_call_survives_a_websocket_reconnection_and_sees_markers() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            let _ = tx.send("answered".into());
            let mut seen = Vec::new();
            while let Some(item) = call.next_event().await {
                match item {
                    CallItem::Event(e) => seen.push(e.event_type().to_string()),
                    CallItem::Disconnected { .. } => seen.push("Disconnected".into()),
                    CallItem::Reconnected => {
                        seen.push("Reconnected".into());
                        break;
                    }
                    other => seen.push(format!("{other:?}")),
                }
            }
            let _ = tx.send(seen.join(" "));
            let d = call.collect_dtmf(2, None, Duration::from_secs(10)).await?;
            call.channel().hangup().await?;
            let _ = tx.send(format!("digits {}", d.digits));
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "resilient", &reports)
        .start(handler)
        .await
        .expect("app starts");
    let id = mock.incoming_call("resilient", "PJSIP/a", "", &[]);
    assert_eq!(recv(&mut rx, "answered").await, "answered");
    mock.drop_websockets();
    assert_eq!(
        recv(&mut rx, "markers").await,
        "ChannelStateChange Disconnected Reconnected"
    );
    assert!(mock.send_dtmf(&id, "55"));
    assert_eq!(
        recv(&mut rx, "digits after reconnecting").await,
        "digits 55"
    );
    eventually("the call ended", || running.stats().running == 0).await;
    assert_eq!(reports.outcomes()[&id], CallOutcome::Completed);
    assert!(reports.all().contains(&AppReport::Reconnected));
    stop(running).await;
}

#[tokio::test]
async fn a_call_whose_channel_ended_during_a_disconnection_ends_with_channel_gone() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            let _ = tx.send("answered".into());
            let mut seen = Vec::new();
            while let Some(item) = call.next_event().await {
                match item {
                    CallItem::Event(e) => seen.push(e.event_type().to_string()),
                    CallItem::Disconnected { .. } => seen.push("Disconnected".into()),
                    other => seen.push(format!("{other:?}")),
                }
            }
            let dtmf = call.collect_dtmf(1, None, Duration::from_secs(10)).await?;
            let _ = tx.send(format!(
                "{} / {:?} {}",
                seen.join(" "),
                dtmf.end,
                call.has_ended()
            ));
            Ok::<(), CallError>(())
        }
    };
    // Reconnecting takes 150 to 300 ms: the hang-up below falls in the gap.
    let slow_reconnect = config(&mock).reconnect(ReconnectPolicy::new(
        Duration::from_millis(300),
        Duration::from_millis(300),
    ));
    let running = app(&mock, "gap", &reports)
        .ws_config(slow_reconnect)
        .start(handler)
        .await
        .expect("app starts");
    let id = mock.incoming_call("gap", "PJSIP/a", "", &[]);
    assert_eq!(recv(&mut rx, "answered").await, "answered");
    mock.drop_websockets();
    assert!(
        mock.hang_up(&id),
        "its events are lost: no socket serves the app"
    );
    assert_eq!(
        recv(&mut rx, "the stream").await,
        "ChannelStateChange Disconnected Reconnected ChannelGone / CallEnded true"
    );
    eventually("the handler ended", || running.stats().running == 0).await;
    assert!(reports.all().contains(&AppReport::ChannelGone {
        channel_id: id.clone()
    }));
    assert_eq!(reports.outcomes()[&id], CallOutcome::Completed);
    stop(running).await;
}

#[tokio::test]
async fn a_bridge_created_by_a_call_reaches_it_and_is_destroyed_when_it_ends() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            let bridge = call.create_bridge("mixing").await?;
            bridge.add(call.id()).await?;
            while let Some(item) = call.next_event().await {
                if let CallItem::Event(AriEvent::ChannelEnteredBridge(e)) = item {
                    let who = e.channel.map(|c| c.id).unwrap_or_default();
                    let _ = tx.send(format!("{} entered {}", who, e.bridge.id == bridge.id()));
                    break;
                }
            }
            // Returning leaves the bridge and the channel to the framework.
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "bridging", &reports)
        .start(handler)
        .await
        .expect("app starts");
    let id = mock.incoming_call("bridging", "PJSIP/a", "", &[]);
    assert_eq!(recv(&mut rx, "entered").await, format!("{id} entered true"));
    let client = AriClient::http(mock.base_url(), "asterisk", "asterisk").expect("client");
    let bridges = async {
        loop {
            let list = client.bridges().list().await.expect("bridges");
            if list.is_empty() && mock.channel_ids().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(WAIT, bridges)
        .await
        .expect("bridge destroyed and channel hung up");
    stop(running).await;
}

#[tokio::test]
async fn an_ivr_of_helpers_only_never_overflows_on_events_it_did_not_ask_for() {
    const ROUNDS: usize = 20;
    const VARS: usize = 5;
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            let mut pressed = String::new();
            for round in 0..ROUNDS {
                // Events the helpers do not wait for: ChannelVarset, and
                // PlaybackStarted of every prompt.
                for n in 0..VARS {
                    call.channel()
                        .set_channel_var(format!("IVR_{n}"))
                        .value(round.to_string())
                        .await?;
                }
                let played = call.play("sound:press-a-key").await_finished().await?;
                assert!(matches!(played, PlaybackOutcome::Done(_)), "{played:?}");
                let _ = tx.send("ready".into());
                let d = call.collect_dtmf(1, None, Duration::from_secs(10)).await?;
                pressed.push_str(&d.digits);
            }
            let _ = tx.send(pressed);
            call.channel().hangup().await?;
            let mut kinds = Vec::new();
            while let Some(item) = call.next_event().await {
                kinds.push(match item {
                    CallItem::Event(e) => e.event_type().to_string(),
                    other => format!("{other:?}"),
                });
            }
            let _ = tx.send(kinds.join(" "));
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "ivr", &reports)
        .queue_capacity(8)
        .start(handler)
        .await
        .expect("app starts");
    let id = mock.incoming_call("ivr", "PJSIP/a", "", &[]);
    let mut expected = String::new();
    for round in 0..ROUNDS {
        assert_eq!(recv(&mut rx, "ready for a digit").await, "ready");
        let digit = (round % 10).to_string();
        assert!(mock.send_dtmf(&id, &digit));
        expected.push_str(&digit);
    }
    assert_eq!(recv(&mut rx, "every round").await, expected);
    // Set aside: the answer's ChannelStateChange, then per round 5
    // ChannelVarset and a PlaybackStarted: 121 items, of which the newest 8
    // (the queue's capacity) are kept and the 113 before them counted.
    let var = "ChannelVarset";
    let newest = [
        var,
        "PlaybackStarted",
        var,
        var,
        var,
        var,
        var,
        "PlaybackStarted",
    ];
    assert_eq!(
        recv(&mut rx, "the rest of the stream").await,
        format!(
            "Lagged {{ missed: 113 }} {} ChannelHangupRequest StasisEnd",
            newest.join(" ")
        )
    );
    eventually("the call ended", || running.stats().running == 0).await;
    assert_eq!(reports.outcomes()[&id], CallOutcome::Completed);
    assert_eq!(running.stats().overflowed, 0);
    assert!(
        !reports
            .all()
            .iter()
            .any(|r| matches!(r, AppReport::CallOverflowed { .. }))
    );
    stop(running).await;
}

#[tokio::test]
async fn a_channel_continued_in_the_dialplan_is_not_hung_up_when_its_handler_returns() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let release = Arc::new(Notify::new());
    let gate = Arc::clone(&release);
    let handler = move |call: Call| {
        let gate = Arc::clone(&gate);
        async move {
            call.channel().answer().await?;
            if call.args()[0] == "overflows" {
                // Not reading: the caller's digits overflow this call's queue,
                // so its StasisEnd finds no route.
                gate.notified().await;
            }
            call.channel().continue_in_dialplan().await?;
            // Returns at once, before (or without) reading its StasisEnd.
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "onward", &reports)
        .queue_capacity(4)
        .start(handler)
        .await
        .expect("app starts");
    let quick = mock.incoming_call("onward", "PJSIP/a", "", &["returns"]);
    let flooded = mock.incoming_call("onward", "PJSIP/b", "", &["overflows"]);
    assert!(mock.send_dtmf(&flooded, &"1".repeat(20)));
    eventually("the overflow is reported", || {
        reports.all().contains(&AppReport::CallOverflowed {
            channel_id: flooded.clone(),
            capacity: 4,
        })
    })
    .await;
    release.notify_one();
    eventually("both handlers ended", || reports.outcomes().len() == 2).await;
    assert_eq!(reports.outcomes()[&quick], CallOutcome::Completed);
    assert_eq!(reports.outcomes()[&flooded], CallOutcome::Completed);
    // The shutdown waits for every clean-up of the calls.
    stop(running).await;
    let mut expected = vec![quick, flooded];
    expected.sort();
    assert_eq!(mock.channel_ids(), expected, "both went on in the dialplan");
    assert!(
        !reports
            .all()
            .iter()
            .any(|r| matches!(r, AppReport::CleanupFailed { .. }))
    );
}

/// A handler that answers, says so, then waits forever.
fn stuck_handler(
    tx: mpsc::UnboundedSender<String>,
) -> impl Fn(Call) -> std::pin::Pin<Box<dyn Future<Output = Result<(), CallError>> + Send>>
+ Send
+ Sync
+ 'static {
    move |call: Call| {
        let tx = tx.clone();
        Box::pin(async move {
            call.channel().answer().await?;
            let _ = tx.send(call.id().to_string());
            std::future::pending::<()>().await;
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_shorter_shutdown_deadline_replaces_a_longer_one() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let running = app(&mock, "hurry", &reports)
        .start(stuck_handler(tx))
        .await
        .expect("app starts");
    let id = mock.incoming_call("hurry", "PJSIP/a", "", &[]);
    recv(&mut rx, "the handler runs").await;
    running.begin_shutdown(Duration::from_secs(3600));
    // Once a new call is turned away, the app is shutting down with the hour.
    let late = mock.incoming_call("hurry", "PJSIP/b", "", &[]);
    eventually("the late call is rejected", || {
        reports.all().contains(&AppReport::CallRejected {
            channel_id: late.clone(),
            reason: RejectReason::ShuttingDown,
        })
    })
    .await;
    let stopped = tokio::time::timeout(WAIT, running.shutdown(Duration::ZERO))
        .await
        .expect("the earlier deadline applies, not the hour")
        .expect("app stops");
    assert_eq!((stopped.cancelled, stopped.running), (1, 0));
    assert_eq!(reports.outcomes()[&id], CallOutcome::ShutDown);
    assert_eq!(mock.channel_ids(), Vec::<String>::new(), "hung up");
}

#[tokio::test]
async fn the_largest_durations_mean_never_and_do_not_panic() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            let _ = tx.send("collecting".into());
            let d = call.collect_dtmf(1, None, Duration::MAX).await?;
            let _ = tx.send(format!("{} {:?}", d.digits, d.end));
            // Lingers after StasisEnd: the end grace is "forever".
            std::future::pending::<()>().await;
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "forever", &reports)
        .end_grace(Duration::MAX)
        .start(handler)
        .await
        .expect("app starts");
    let id = mock.incoming_call("forever", "PJSIP/a", "", &[]);
    assert_eq!(recv(&mut rx, "collecting").await, "collecting");
    assert!(mock.send_dtmf(&id, "7"));
    assert_eq!(recv(&mut rx, "a digit").await, "7 MaxDigits");
    assert!(mock.hang_up(&id));
    eventually("its stream ended", || {
        running.stats().routes == 0 && running.stats().running == 1
    })
    .await;
    running.begin_shutdown(Duration::MAX);
    let stats = tokio::time::timeout(WAIT, running.shutdown(Duration::ZERO))
        .await
        .expect("stops at the shorter deadline")
        .expect("the dispatcher did not panic");
    assert_eq!(stats.cancelled, 1);
    assert_eq!(reports.outcomes()[&id], CallOutcome::ShutDown);
}

/// A handler that answers and reads its stream to the end, then reports it.
fn reading_handler(
    tx: mpsc::UnboundedSender<String>,
) -> impl Fn(Call) -> std::pin::Pin<Box<dyn Future<Output = Result<(), CallError>> + Send>>
+ Send
+ Sync
+ 'static {
    move |mut call: Call| {
        let tx = tx.clone();
        Box::pin(async move {
            call.channel().answer().await?;
            let _ = tx.send("answered".into());
            let mut seen = Vec::new();
            while let Some(item) = call.next_event().await {
                seen.push(match item {
                    CallItem::Event(e) => e.event_type().to_string(),
                    CallItem::Disconnected { .. } => "Disconnected".into(),
                    other => format!("{other:?}"),
                });
            }
            let _ = tx.send(seen.join(" "));
            Ok(())
        })
    }
}

/// Reconnecting takes 300 ms: what the test does right after dropping the
/// sockets falls in the gap.
fn slow_reconnect(mock: &MockAri) -> WsConfig {
    config(mock).reconnect(ReconnectPolicy::new(
        Duration::from_millis(300),
        Duration::from_millis(300),
    ))
}

#[tokio::test]
async fn a_call_whose_channel_left_the_app_during_a_disconnection_ends_and_stays_up() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let running = app(&mock, "moved", &reports)
        .ws_config(slow_reconnect(&mock))
        .start(reading_handler(tx))
        .await
        .expect("app starts");
    let id = mock.incoming_call("moved", "PJSIP/a", "", &[]);
    assert_eq!(recv(&mut rx, "answered").await, "answered");
    mock.drop_websockets();
    let client = AriClient::http(mock.base_url(), "asterisk", "asterisk").expect("client");
    client
        .channel(id.as_str())
        .continue_in_dialplan()
        .await
        .expect("continued while the app's socket is down");
    assert_eq!(
        recv(&mut rx, "the stream").await,
        "ChannelStateChange Disconnected Reconnected ChannelGone"
    );
    eventually("the handler ended", || running.stats().running == 0).await;
    assert!(reports.all().contains(&AppReport::ChannelGone {
        channel_id: id.clone()
    }));
    stop(running).await;
    assert_eq!(mock.channel_ids(), [id], "left running in the dialplan");
}

#[tokio::test]
async fn a_playback_that_ended_during_a_disconnection_is_reported_lost() {
    let mock = MockAri::builder()
        .playback_duration(Duration::from_secs(3600))
        .start()
        .await
        .expect("mock starts");
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |mut call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            let playing = call.play("sound:tt-monkeys").await?;
            let _ = tx.send(playing.id().to_string());
            let outcome = playing.await_finished().await?;
            let _ = tx.send(format!("{outcome:?}"));
            call.channel().hangup().await?;
            let mut seen = Vec::new();
            while let Some(item) = call.next_event().await {
                seen.push(match item {
                    CallItem::Event(e) => e.event_type().to_string(),
                    CallItem::Disconnected { .. } => "Disconnected".into(),
                    other => format!("{other:?}"),
                });
            }
            let _ = tx.send(seen.join(" "));
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "lost", &reports)
        .ws_config(slow_reconnect(&mock))
        .start(handler)
        .await
        .expect("app starts");
    mock.incoming_call("lost", "PJSIP/a", "", &[]);
    let playback = recv(&mut rx, "playing").await;
    mock.drop_websockets();
    let client = AriClient::http(mock.base_url(), "asterisk", "asterisk").expect("client");
    client
        .playback(playback.as_str())
        .stop()
        .await
        .expect("stopped while the app's socket is down");
    assert_eq!(recv(&mut rx, "the outcome").await, "Lost");
    assert_eq!(
        recv(&mut rx, "the rest of the stream").await,
        "ChannelStateChange PlaybackStarted Disconnected Reconnected ChannelHangupRequest StasisEnd"
    );
    stop(running).await;
}

#[tokio::test]
async fn a_bridge_whose_creation_was_abandoned_is_still_destroyed() {
    let mock = mock(0.01).await;
    let reports = Reports::default();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let handler = move |call: Call| {
        let tx = tx.clone();
        async move {
            call.channel().answer().await?;
            // The request goes out on the first poll; the handler stops
            // waiting for it right after, as a cancelled handler would.
            let abandoned =
                tokio::time::timeout(Duration::ZERO, call.create_bridge("mixing")).await;
            let _ = tx.send(format!("abandoned {}", abandoned.is_err()));
            Ok::<(), CallError>(())
        }
    };
    let running = app(&mock, "abandon", &reports)
        .start(handler)
        .await
        .expect("app starts");
    mock.incoming_call("abandon", "PJSIP/a", "", &[]);
    assert_eq!(recv(&mut rx, "created").await, "abandoned true");
    eventually("the handler ended", || running.stats().running == 0).await;
    stop(running).await;
    let client = AriClient::http(mock.base_url(), "asterisk", "asterisk").expect("client");
    let left = client.bridges().list().await.expect("bridges");
    assert!(left.is_empty(), "no bridge left behind: {left:?}");
    assert_eq!(mock.channel_ids(), Vec::<String>::new());
}
