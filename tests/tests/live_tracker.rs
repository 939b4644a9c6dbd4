//! The live tracker and call control against the mock AMI server: originate
//! and await (success, failure, timeout, refusal), actions on a call, and a
//! resync after a dropped connection during which a call ended and another
//! started.

use asterisk_sdk::ami::actions::Originate;
use asterisk_sdk::ami::{AmiClient, EventItem, Message, ReconnectPolicy, SlowSubscriberPolicy};
use asterisk_sdk::domain::{ChannelState, DialStatus, HangupCause};
use asterisk_sdk::live::{
    CallEventItem, Change, ChangeItem, EndReason, LiveTracker, Origin, OriginateError,
    OriginateReason, ResyncReason,
};
use asterisk_sdk::runtime::clock::Clock;
use asterisk_sdk_mock::ami::{MockAmi, Reply};
use futures::{FutureExt, StreamExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

async fn mock() -> MockAmi {
    MockAmi::builder().time_scale(0.05).start().await.unwrap()
}

async fn connect(mock: &MockAmi, reconnect: ReconnectPolicy) -> AmiClient {
    AmiClient::builder()
        .host(mock.addr().ip().to_string())
        .port(mock.addr().port())
        .credentials("admin", "amp111")
        .action_timeout(Duration::from_secs(5))
        .reconnect(reconnect)
        .connect()
        .await
        .unwrap()
}

/// Wait (bounded) until `cond` holds.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..500 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A change, where the test reads fast enough never to lag.
fn unlagged(item: ChangeItem) -> Change {
    match item {
        ChangeItem::Change(c) => c,
        other => panic!("this subscriber keeps up, yet got {other:?}"),
    }
}

/// The next change matching `pick`, within 10 s.
async fn next_change<T>(
    changes: &mut asterisk_sdk::live::Changes,
    mut pick: impl FnMut(&Change) -> Option<T>,
) -> T {
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(c) = changes.next().await.map(unlagged) {
            if let Some(t) = pick(&c) {
                return t;
            }
        }
        panic!("the change stream ended");
    })
    .await
    .expect("no such change within 10 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn originate_returns_a_call_that_answers_and_ends_with_its_cause() {
    let mock = mock().await;
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::start(client).await.unwrap();
    let mut changes = tracker.changes();

    let call = tracker
        .originate(
            Originate::new("Local/100@default")
                .application("Wait")
                .data("2"),
        )
        .await
        .unwrap();
    assert!(call.channel().starts_with("Local/100@default-"));
    assert_eq!(call.uniqueid(), call.linkedid());
    let mut events = call.events();

    // The Originate went out asynchronously, with the ids the tracker chose.
    let sent = mock.received_actions();
    let originate = sent
        .iter()
        .find(|m| m.get("Action") == Some("Originate"))
        .unwrap();
    assert_eq!(originate.get("Async"), Some("true"));
    assert_eq!(originate.get("ChannelId"), Some(call.linkedid().as_str()));
    assert!(originate.get("ActionID").is_some());

    let answered = call.answered().await.unwrap();
    let end = call.ended().await.unwrap();
    assert_eq!(end.cause, Some(HangupCause::NormalClearing));
    assert_eq!(end.cause_text.as_deref(), Some("Normal Clearing"));
    assert_eq!(end.reason, EndReason::Event);
    assert_eq!(end.channels.len(), 2, "{:?}", end.channels);
    assert!(end.talk_time.is_some());

    // The same facts came through the tracker's change stream.
    let linkedid = call.linkedid().clone();
    let at = next_change(&mut changes, |c| match c {
        Change::CallAnswered { linkedid: l, at } if *l == linkedid => Some(*at),
        _ => None,
    })
    .await;
    assert_eq!(at, answered);
    let cause = next_change(&mut changes, |c| match c {
        Change::CallEnded {
            linkedid: l, cause, ..
        } if *l == linkedid => Some(cause.clone()),
        _ => None,
    })
    .await;
    assert_eq!(cause, Some(HangupCause::NormalClearing));

    // The call's own events: its channels' events, and only those.
    let mut names = Vec::new();
    while let Some(item) = events.next().await {
        let CallEventItem::Event(e) = item else {
            panic!("this listener keeps up, yet got {item:?}");
        };
        assert_ne!(e.name(), "FullyBooted");
        if let Some(l) = e.raw().get("Linkedid") {
            assert_eq!(l, linkedid.as_str());
        }
        names.push(e.name().to_owned());
    }
    assert_eq!(names.first().map(String::as_str), Some("Newchannel"));
    assert!(names.iter().any(|n| n == "OriginateResponse"), "{names:?}");
    assert_eq!(names.iter().filter(|n| *n == "Hangup").count(), 2);

    let counts = tracker.counts();
    assert_eq!((counts.active_calls, counts.channels), (0, 0));
    assert_eq!(counts.finished_calls, 1);
    assert_eq!(tracker.recent_calls().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_originate_is_typed_with_its_reason_and_dial_status() {
    let mock = mock().await;
    mock.fail_originates("PJSIP/busy", 17);
    mock.fail_originates("PJSIP/silent", 18);
    mock.unknown_endpoints("PJSIP/gone");
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::start(client).await.unwrap();
    let mut changes = tracker.changes();

    let err = tracker
        .originate(Originate::new("PJSIP/busy").application("Wait").data("1"))
        .await
        .unwrap_err();
    match err {
        OriginateError::Failed {
            channel,
            reason,
            dial_status,
        } => {
            assert_eq!(channel, "PJSIP/busy");
            assert_eq!(reason, OriginateReason::Busy);
            assert_eq!(dial_status, Some(DialStatus::Busy));
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    // The model saw the short-lived channel come and go, with its cause.
    let cause = next_change(&mut changes, |c| match c {
        Change::CallEnded { cause, .. } => Some(cause.clone()),
        _ => None,
    })
    .await;
    assert_eq!(cause, Some(HangupCause::UserBusy));

    // No user responding (18): Asterisk's DialEnd says NOANSWER, but the
    // OriginateResponse reason is a plain failure (0), not "no answer".
    let err = tracker
        .originate(Originate::new("PJSIP/silent").application("Wait"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            OriginateError::Failed {
                reason: OriginateReason::Failed,
                dial_status: Some(DialStatus::NoAnswer),
                ..
            }
        ),
        "{err:?}"
    );
    let cause = next_change(&mut changes, |c| match c {
        Change::CallEnded { cause, .. } => Some(cause.clone()),
        _ => None,
    })
    .await;
    assert_eq!(cause, Some(HangupCause::NoUserResponse));
    let finished = tracker.counts().finished_calls;

    // An endpoint that does not exist: no channel is ever created, so the only
    // dial status is the one the reason stands for.
    let err = tracker
        .originate(Originate::new("PJSIP/gone").exten("s").context("default"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            OriginateError::Failed {
                reason: OriginateReason::Failed,
                dial_status: Some(DialStatus::ChanUnavail),
                ..
            }
        ),
        "{err:?}"
    );
    let counts = tracker.counts();
    assert_eq!((counts.channels, counts.finished_calls), (0, finished));
    assert!(tracker.with_model(|m| m.recent_calls().all(|c| {
        c.channels
            .iter()
            .all(|ch| !ch.name.starts_with("PJSIP/gone"))
    })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_originate_without_response_times_out_and_a_refused_one_is_rejected() {
    let mock = mock().await;
    // Asterisk queues the Originate but never reports on it.
    mock.set_reply(
        "Originate",
        Reply::success().header("Message", "Originate successfully queued"),
    );
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::start(client).await.unwrap();

    let err = tracker
        .originate_within(
            Originate::new("PJSIP/100").application("Wait").data("1"),
            Duration::from_millis(300),
        )
        .await
        .unwrap_err();
    let sent_id = mock
        .received_actions()
        .iter()
        .find(|m| m.get("Action") == Some("Originate"))
        .and_then(|m| m.get("ChannelId").map(str::to_owned))
        .expect("the Originate carried a ChannelId");
    match err {
        OriginateError::Timeout {
            channel,
            channel_id,
            after,
        } => {
            assert_eq!(channel, "PJSIP/100");
            // The id of the channel should the call still come up.
            assert_eq!(channel_id, sent_id);
            assert_eq!(after, Duration::from_millis(300));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert_eq!(tracker.watched_calls(), 0, "nothing left behind");

    // An originate given up by its caller (dropped in a select) leaves
    // nothing behind either.
    mock.clear_received_actions();
    {
        let originate =
            tracker.originate(Originate::new("PJSIP/200").application("Wait").data("1"));
        tokio::pin!(originate);
        tokio::select! {
            r = &mut originate => panic!("no response was due: {r:?}"),
            () = until("the Originate to be sent", || {
                mock.received_actions().iter().any(|m| m.get("Action") == Some("Originate"))
            }) => {}
        }
        assert_eq!(tracker.watched_calls(), 1, "the originate is awaited");
    }
    assert_eq!(
        tracker.watched_calls(),
        0,
        "the dropped originate is forgotten"
    );

    mock.clear_response("Originate");
    let err = tracker
        .originate(Originate::new("nonsense").application("Wait"))
        .await
        .unwrap_err();
    match err {
        OriginateError::Rejected { message } => assert_eq!(message, "Invalid channel"),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_actions_reach_its_channel() {
    let mock = mock().await;
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::start(client).await.unwrap();
    let one = tracker
        .originate(Originate::new("PJSIP/100").application("Wait").data("600"))
        .await
        .unwrap();
    let two = tracker
        .originate(Originate::new("PJSIP/200").application("Wait").data("600"))
        .await
        .unwrap();
    one.answered().await.unwrap();
    let name = one.channel();

    one.set_var("FOO", "bar").await.unwrap();
    one.get_var("FOO").await.unwrap();
    one.redirect("default", "200", 1).await.unwrap();
    one.bridge_with(&two).await.unwrap();
    let sent = mock.received_actions();
    let find = |action: &str| {
        sent.iter()
            .find(|m| m.get("Action") == Some(action))
            .unwrap_or_else(|| panic!("no {action} sent"))
            .clone()
    };
    assert_eq!(find("Setvar").get("Channel"), Some(name.as_str()));
    assert_eq!(find("Setvar").get("Value"), Some("bar"));
    assert_eq!(find("Getvar").get("Channel"), Some(name.as_str()));
    let redirect = find("Redirect");
    assert_eq!(redirect.get("Context"), Some("default"));
    assert_eq!(redirect.get("Exten"), Some("200"));
    assert_eq!(redirect.get("Priority"), Some("1"));
    assert_eq!(find("Bridge").get("Channel2"), Some(two.channel().as_str()));

    // Play through AsyncAGI once the channel runs AGI(agi:async).
    mock.start_async_agi(&name, &[]).await;
    mock.set_agi_result("STREAM FILE", "200 result=0 endpos=8000");
    let played = one.play("hello-world").await.unwrap();
    assert_eq!(played.digit, None);
    assert_eq!(played.endpos, 8000);

    // Hang up with a cause: the call ends with that cause.
    one.hangup(Some(HangupCause::UserBusy)).await.unwrap();
    let end = one.ended().await.unwrap();
    assert_eq!(end.cause, Some(HangupCause::UserBusy));
    two.hangup(None).await.unwrap();
    assert_eq!(
        two.ended().await.unwrap().cause,
        Some(HangupCause::NormalClearing)
    );
    let late = tracker.counts();
    assert_eq!((late.active_calls, late.channels), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_drop_the_resync_reports_the_call_that_ended_and_the_one_that_started() {
    let mock = mock().await;
    // A fixed, generous reconnect delay: the gap is long enough to act in.
    let client = connect(&mock, ReconnectPolicy::fixed(Duration::from_secs(1))).await;
    let tracker = LiveTracker::start(client).await.unwrap();
    let call = tracker
        .originate(
            Originate::new("Local/100@default")
                .application("Wait")
                .data("600"),
        )
        .await
        .unwrap();
    call.answered().await.unwrap();
    let ended_in_gap = call.linkedid().clone();
    assert_eq!(tracker.counts().channels, 2);
    let mut changes = tracker.changes();

    mock.drop_connections();
    until("the session to close", || mock.sessions() == 0).await;
    // While nobody listens: the call ends, and another one starts.
    assert!(mock.hangup_channel(&call.channel(), Some(16)));
    until("the call to end", || mock.channels().is_empty()).await;
    let other = connect(&mock, ReconnectPolicy::None).await;
    other
        .send(
            &Originate::new("PJSIP/300")
                .application("Wait")
                .data("600")
                .async_(true),
        )
        .await
        .unwrap()
        .into_result()
        .unwrap();
    until("the new call", || mock.channels().len() == 1).await;

    // The tracker reconnects and resyncs.
    let mut gone = Vec::new();
    let mut ended = None;
    let mut started = None;
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(c) = changes.next().await.map(unlagged) {
            match c {
                Change::ChannelGone { reason, cause, .. } => gone.push((reason, cause)),
                Change::CallEnded {
                    linkedid,
                    cause,
                    reason,
                    ..
                } => ended = Some((linkedid, cause, reason)),
                Change::CallStarted {
                    linkedid, origin, ..
                } => started = Some((linkedid, origin)),
                Change::Resynced { reason, .. } => {
                    assert_eq!(reason, ResyncReason::Reconnected);
                    break;
                }
                _ => {}
            }
        }
    })
    .await
    .expect("no resync within 10 s");

    assert_eq!(
        gone,
        vec![(EndReason::WhileDisconnected, None); 2],
        "both channels gone, no cause invented"
    );
    assert_eq!(
        ended,
        Some((ended_in_gap.clone(), None, EndReason::WhileDisconnected))
    );
    let (new_call, origin) = started.expect("the call started in the gap is reported");
    assert_eq!(origin, Origin::Resync);
    assert_ne!(new_call, ended_in_gap);
    // The handle learns the end too; and the model holds no ghost.
    let end = call.ended().await.unwrap();
    assert_eq!(end.reason, EndReason::WhileDisconnected);
    assert_eq!(end.cause, None);
    assert!(
        call.answered().await.is_ok(),
        "it was answered before the gap"
    );
    let channels: Vec<String> = tracker
        .channels()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    assert_eq!(channels, mock.channels());
    assert_eq!(tracker.counts().active_calls, 1);
    // Events after the resync apply as usual: the new call's end is seen.
    let found = tracker
        .call(new_call.as_str())
        .expect("a handle on the found call");
    found
        .hangup(Some(HangupCause::NormalClearing))
        .await
        .unwrap();
    let end = found.ended().await.unwrap();
    assert_eq!(end.reason, EndReason::Event);
    assert_eq!(end.cause, Some(HangupCause::NormalClearing));
}

/// A UserEvent of no interest to the model.
async fn filler(mock: &MockAmi, seq: &str) {
    mock.push_pairs(&[
        ("Event", "UserEvent"),
        ("Privilege", "user,all"),
        ("UserEvent", "Filler"),
        ("Seq", seq),
    ])
    .await;
}

/// A clock that, once armed, stops the next caller (the tracker's task,
/// applying an event) until released: a subscriber stuck in the middle of an
/// event, without timing guesses.
#[derive(Debug, Default)]
struct GateClock {
    armed: AtomicBool,
    entered: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    open: Mutex<bool>,
    opened: Condvar,
}

impl GateClock {
    /// Stop the next caller; the receiver hears when it is stopped.
    fn arm(&self) -> std::sync::mpsc::Receiver<()> {
        let (tx, rx) = std::sync::mpsc::channel();
        *self.entered.lock().unwrap() = Some(tx);
        *self.open.lock().unwrap() = false;
        self.armed.store(true, Ordering::SeqCst);
        rx
    }

    fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

impl Clock for GateClock {
    fn now(&self) -> SystemTime {
        if self.armed.swap(false, Ordering::SeqCst) {
            if let Some(tx) = self.entered.lock().unwrap().take() {
                let _ = tx.send(());
            }
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.opened.wait(open).unwrap();
            }
        }
        SystemTime::now()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_lost_by_a_lagging_subscription_are_recovered_by_a_resync() {
    let mock = mock().await;
    let client = AmiClient::builder()
        .host(mock.addr().ip().to_string())
        .port(mock.addr().port())
        .credentials("admin", "amp111")
        .reconnect(ReconnectPolicy::None)
        .subscriber_budget(16 * 1024)
        .connect()
        .await
        .unwrap();
    let clock = Arc::new(GateClock::default());
    let tracker = LiveTracker::builder(client.clone())
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    // A second subscriber tells when the flood below has reached the client.
    let mut observer = client.events::<Message>();
    let call = tracker
        .originate(
            Originate::new("Local/100@default")
                .application("Wait")
                .data("600"),
        )
        .await
        .unwrap();
    call.answered().await.unwrap();
    let mut changes = tracker.changes();
    let channel = call.channel();

    // Stop the tracker's task inside one event; behind it the call's hangup,
    // then more events than its subscription's budget holds: the oldest (the
    // hangup) are dropped and reported as lost.
    let stopped = clock.arm();
    filler(&mock, "first").await;
    stopped
        .recv_timeout(Duration::from_secs(10))
        .expect("the tracker's task never applied the event");
    assert!(mock.hangup_channel(&channel, None));
    until("the call to end", || mock.channels().is_empty()).await;
    for i in 0..400 {
        filler(&mock, &i.to_string()).await;
    }
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(item) = observer.next().await {
            if let EventItem::Event(m) = item
                && m.get("Seq") == Some("399")
            {
                break;
            }
        }
    })
    .await
    .expect("the flood never reached the client");
    clock.release();

    let mut ended = None;
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(c) = changes.next().await.map(unlagged) {
            match c {
                Change::CallEnded { reason, .. } => ended = Some(reason),
                Change::Resynced { reason, .. } => {
                    assert_eq!(reason, ResyncReason::EventsLost);
                    break;
                }
                _ => {}
            }
        }
    })
    .await
    .expect("no resync after the lost events");
    assert_eq!(ended, Some(EndReason::WhileEventsLost));
    assert_eq!(
        call.ended().await.unwrap().reason,
        EndReason::WhileEventsLost
    );
    let counts = tracker.counts();
    assert_eq!((counts.active_calls, counts.channels), (0, 0), "no ghost");
}

#[path = "../fixtures/capture.rs"]
mod capture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_1000_call_capture_through_a_live_connection_ends_like_its_replay() {
    // 12 MB in one go: no write timeout, this test is about the model's path.
    let mock = MockAmi::builder()
        .write_timeout(None)
        .start()
        .await
        .unwrap();
    let client = connect(&mock, ReconnectPolicy::None).await;
    // Room for every change of the capture (9,000): this test counts each
    // `CallEnded` however far the model runs ahead of it.
    let tracker = LiveTracker::builder(client)
        .change_capacity(16 * 1024)
        .start()
        .await
        .unwrap();
    let mut changes = tracker.changes();
    mock.replay(capture::read("bench/ami-23.4.1-1000calls.bin.gz"))
        .await;
    let mut ended = 0;
    tokio::time::timeout(Duration::from_secs(120), async {
        while ended < 1000 {
            match changes.next().await.map(unlagged) {
                Some(Change::CallEnded { cause, reason, .. }) => {
                    assert_eq!(reason, EndReason::Event);
                    assert_eq!(cause, Some(HangupCause::NotDefined));
                    ended += 1;
                }
                Some(_) => {}
                None => panic!("the change stream ended"),
            }
        }
    })
    .await
    .expect("not every call of the capture ended");
    let counts = tracker.counts();
    assert_eq!(
        (
            counts.finished_calls,
            counts.active_calls,
            counts.channels,
            counts.bridges
        ),
        (1000, 0, 0, 0)
    );
}

/// A `BridgeCreate` for bridge `id`: one `BridgeCreated` change.
async fn bridge_created(mock: &MockAmi, id: &str) {
    mock.push_pairs(&[
        ("Event", "BridgeCreate"),
        ("Privilege", "call,all"),
        ("BridgeUniqueid", id),
        ("BridgeType", "basic"),
        ("BridgeNumChannels", "0"),
    ])
    .await;
}

/// A channel event of the one-channel call `uid` (its `Linkedid` too).
async fn channel_event(mock: &MockAmi, event: &str, uid: &str, extra: &[(&str, &str)]) {
    let name = format!("PJSIP/{uid}");
    let mut pairs = vec![
        ("Event", event),
        ("Privilege", "call,all"),
        ("Channel", name.as_str()),
        ("Uniqueid", uid),
        ("Linkedid", uid),
    ];
    pairs.extend_from_slice(extra);
    mock.push_pairs(&pairs).await;
}

/// The id of a `BridgeCreated` change.
fn created_bridge(item: Option<ChangeItem>) -> String {
    match item {
        Some(ChangeItem::Change(Change::BridgeCreated { id, .. })) => id.to_string(),
        other => panic!("expected a BridgeCreated, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changes_subscriber_that_never_reads_lags_by_the_exact_count_and_nobody_else_does() {
    let mock = mock().await;
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::builder(client)
        .change_capacity(8)
        .start()
        .await
        .unwrap();
    let mut idle = tracker.changes();
    let mut reader = tracker.changes();

    // 20 changes; `reader` reads each as it comes, `idle` reads nothing.
    for i in 0..20 {
        bridge_created(&mock, &format!("b{i}")).await;
        let next = tokio::time::timeout(Duration::from_secs(10), reader.next()).await;
        assert_eq!(created_bridge(next.unwrap()), format!("b{i}"));
    }
    assert_eq!(tracker.counts().bridges, 20, "the tracker kept everything");

    // The idle subscriber: the exact loss, then the 8 newest changes, in order.
    assert_eq!(idle.next().await, Some(ChangeItem::Lagged(12)));
    for i in 12..20 {
        assert_eq!(created_bridge(idle.next().await), format!("b{i}"));
    }
    assert_eq!(
        idle.next().now_or_never(),
        None,
        "caught up: nothing queued"
    );

    // Both go on with the next change; neither lags again.
    bridge_created(&mock, "b20").await;
    for changes in [&mut reader, &mut idle] {
        let next = tokio::time::timeout(Duration::from_secs(10), changes.next()).await;
        assert_eq!(created_bridge(next.unwrap()), "b20");
    }
    // The snapshot holds what the lagging subscriber missed.
    let mut ids: Vec<String> = tracker.bridges().iter().map(|b| b.id.to_string()).collect();
    ids.sort_by_key(|id| id[1..].parse::<u32>().unwrap());
    let expected: Vec<String> = (0..21).map(|i| format!("b{i}")).collect();
    assert_eq!(ids, expected);
}

/// The `Value` of a `VarSet` item.
fn var_value(item: Option<CallEventItem>) -> String {
    match item {
        Some(CallEventItem::Event(e)) if e.name() == "VarSet" => {
            e.raw().get("Value").unwrap_or_default().to_owned()
        }
        other => panic!("expected a VarSet, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_events_listener_that_never_reads_overflows_alone() {
    let mock = mock().await;
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::builder(client)
        .call_event_capacity(4)
        .start()
        .await
        .unwrap();
    let mut changes = tracker.changes();
    for uid in ["slow.1", "fast.1"] {
        channel_event(&mock, "Newchannel", uid, &[("ChannelState", "4")]).await;
        let started = next_change(&mut changes, |c| match c {
            Change::CallStarted { linkedid, .. } => Some(linkedid.to_string()),
            _ => None,
        })
        .await;
        assert_eq!(started, uid);
    }
    let slow = tracker.call("slow.1").unwrap();
    let fast = tracker.call("fast.1").unwrap();
    let mut slow_events = slow.events();
    let mut fast_events = fast.events();

    // 10 events for each call; only the fast listener reads, as they come.
    for i in 0..10 {
        let value = i.to_string();
        let var = [("Variable", "N"), ("Value", value.as_str())];
        channel_event(&mock, "VarSet", "slow.1", &var).await;
        channel_event(&mock, "VarSet", "fast.1", &var).await;
        let next = tokio::time::timeout(Duration::from_secs(10), fast_events.next()).await;
        assert_eq!(var_value(next.unwrap()), value);
    }

    // The slow listener: the 4 events it held, the typed overflow, the end.
    for i in 0..4 {
        assert_eq!(var_value(slow_events.next().await), i.to_string());
    }
    assert_eq!(
        slow_events.next().await,
        Some(CallEventItem::Overflowed { capacity: 4 })
    );
    assert_eq!(slow_events.next().await, None);

    // The call itself goes on: its answer and end still arrive, and a new
    // listener hears its events from then on.
    let mut again = slow.events();
    channel_event(&mock, "Newstate", "slow.1", &[("ChannelState", "6")]).await;
    slow.answered().await.unwrap();
    channel_event(
        &mock,
        "Hangup",
        "slow.1",
        &[
            ("ChannelState", "6"),
            ("Cause", "16"),
            ("Cause-txt", "Normal Clearing"),
        ],
    )
    .await;
    assert_eq!(
        slow.ended().await.unwrap().cause,
        Some(HangupCause::NormalClearing)
    );
    let mut names = Vec::new();
    while let Some(item) = again.next().await {
        match item {
            CallEventItem::Event(e) => names.push(e.name().to_owned()),
            other => panic!("the new listener keeps up, yet got {other:?}"),
        }
    }
    assert_eq!(names, ["Newstate", "Hangup"]);

    // The fast listener got exactly its 10 events and is still open.
    assert_eq!(fast_events.next().now_or_never(), None);
    assert!(!tracker.is_stopped());
}

/// Push channel event `event` of channel `uid` (call `linked`, state Up) with
/// `extra` headers, as Asterisk would send it.
async fn push_channel_event(
    mock: &MockAmi,
    event: &str,
    uid: &str,
    linked: &str,
    extra: &[(&str, &str)],
) {
    let name = format!("PJSIP/{uid}-00000001");
    let mut pairs = vec![
        ("Event", event),
        ("Privilege", "call,all"),
        ("Channel", name.as_str()),
        ("ChannelState", "6"),
        ("ChannelStateDesc", "Up"),
        ("CallerIDNum", "100"),
        ("CallerIDName", "<unknown>"),
        ("ConnectedLineNum", "<unknown>"),
        ("ConnectedLineName", "<unknown>"),
        ("Language", "en"),
        ("AccountCode", ""),
        ("Context", "default"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("Uniqueid", uid),
        ("Linkedid", linked),
    ];
    pairs.extend_from_slice(extra);
    mock.push_pairs(&pairs).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_merged_into_an_older_one_follows_it_to_its_end() {
    use futures::FutureExt;
    let mock = mock().await;
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::start(client).await.unwrap();
    let mut changes = tracker.changes();
    push_channel_event(&mock, "Newchannel", "a", "a", &[]).await;
    push_channel_event(&mock, "Newchannel", "b", "b", &[]).await;
    next_change(&mut changes, |c| match c {
        Change::ChannelCreated { uniqueid, .. } if uniqueid == "b" => Some(()),
        _ => None,
    })
    .await;
    let b = tracker.call("b").expect("a handle on call b");
    let mut events = b.events();

    // b's channel joins a basic bridge with a's: Asterisk gives it the older
    // Linkedid (ast_bridge_channel_update_linkedids), a's.
    let bridge = [
        ("BridgeUniqueid", "br-1"),
        ("BridgeType", "basic"),
        ("BridgeTechnology", "simple_bridge"),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", "2"),
    ];
    push_channel_event(&mock, "BridgeEnter", "b", "a", &bridge).await;
    let merged_into = next_change(&mut changes, |c| match c {
        Change::CallEnded {
            linkedid,
            reason,
            merged_into,
            ..
        } if linkedid == "b" => Some((*reason, merged_into.clone())),
        _ => None,
    })
    .await;
    assert_eq!(merged_into, (EndReason::Merged, Some("a".into())));
    // The tracker has handled the change in full once its lock is free again.
    assert_eq!(tracker.counts().active_calls, 1);
    assert!(
        b.ended().now_or_never().is_none(),
        "the merged call goes on as call a"
    );
    assert_eq!(b.current_linkedid(), "a");

    let cause = [("Cause", "16"), ("Cause-txt", "Normal Clearing")];
    push_channel_event(&mock, "Hangup", "b", "a", &cause).await;
    push_channel_event(&mock, "Hangup", "a", "a", &cause).await;
    let end = tokio::time::timeout(Duration::from_secs(10), b.ended())
        .await
        .expect("the handle learns the end of the call it went on as")
        .unwrap();
    assert_eq!(end.linkedid, "a");
    assert_eq!(end.reason, EndReason::Event);
    assert_eq!(end.cause, Some(HangupCause::NormalClearing));
    assert_eq!(end.channels.len(), 2, "{:?}", end.channels);

    // Its events went on through the merge, to the end of call a.
    let mut seen = Vec::new();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("the event stream ends with the call")
    {
        let e = item.event().expect("no overflow of a call's listener");
        seen.push((
            e.name().to_owned(),
            e.raw().get("Uniqueid").map(str::to_owned),
        ));
    }
    assert_eq!(
        seen,
        vec![
            ("BridgeEnter".to_owned(), Some("b".to_owned())),
            ("Hangup".to_owned(), Some("b".to_owned())),
            ("Hangup".to_owned(), Some("a".to_owned())),
        ]
    );
}

/// One AMI message as wire text.
fn wire(pairs: &[(&str, &str)]) -> String {
    let mut s: String = pairs.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    s.push_str("\r\n");
    s
}

/// A channel's snapshot headers (`Up` is state 6, `Ringing` 5).
fn channel_pairs<'a>(uid: &'a str, linked: &'a str, state: &'a str) -> Vec<(&'a str, &'a str)> {
    let desc = if state == "6" { "Up" } else { "Ringing" };
    vec![
        (
            "Channel",
            if uid == "a" { "PJSIP/a-1" } else { "PJSIP/b-2" },
        ),
        ("ChannelState", state),
        ("ChannelStateDesc", desc),
        ("CallerIDNum", "100"),
        ("CallerIDName", "<unknown>"),
        ("ConnectedLineNum", "<unknown>"),
        ("ConnectedLineName", "<unknown>"),
        ("Language", "en"),
        ("AccountCode", ""),
        ("Context", "default"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("Uniqueid", uid),
        ("Linkedid", linked),
    ]
}

/// A `CoreShowChannels` answer listing `channels` (uid, linkedid, state), with
/// `before` written just ahead of it: events Asterisk sent before the list.
fn core_show_channels(action: &Message, before: &str, channels: &[(&str, &str, &str)]) -> Reply {
    let id = action.action_id().unwrap_or("");
    let mut out = before.to_owned();
    out += &wire(&[
        ("Response", "Success"),
        ("ActionID", id),
        ("EventList", "start"),
        ("Message", "Channels will follow"),
    ]);
    for (uid, linked, state) in channels {
        let mut pairs = vec![("Event", "CoreShowChannel"), ("ActionID", id)];
        pairs.extend(channel_pairs(uid, linked, state));
        pairs.extend([
            ("BridgeId", ""),
            ("Application", "Wait"),
            ("ApplicationData", "600"),
            ("Duration", "00:00:05"),
        ]);
        out += &wire(&pairs);
    }
    let count = channels.len().to_string();
    out += &wire(&[
        ("Event", "CoreShowChannelsComplete"),
        ("ActionID", id),
        ("EventList", "Complete"),
        ("ListItems", &count),
    ]);
    Reply::raw(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_sent_before_the_snapshot_do_not_take_it_back() {
    let mock = mock().await;
    // Before its list, Asterisk sent b ringing in its own call; by the time
    // it listed the channels, b was up and bridged into a's call.
    let mut before = String::new();
    for (event, uid, linked, state) in [
        ("Newchannel", "a", "a", "6"),
        ("Newchannel", "b", "b", "5"),
        ("Newstate", "b", "b", "5"),
    ] {
        let mut pairs = vec![("Event", event), ("Privilege", "call,all")];
        pairs.extend(channel_pairs(uid, linked, state));
        before += &wire(&pairs);
    }
    mock.set_response("CoreShowChannels", move |action| {
        core_show_channels(action, &before, &[("a", "a", "6"), ("b", "a", "6")])
    });
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::start(client).await.unwrap();
    let mut changes = tracker.changes();
    // An event after the snapshot: once its change is out, everything
    // before it has been applied.
    let mut pairs = vec![("Event", "Newchannel"), ("Privilege", "call,all")];
    let mut c = channel_pairs("c", "c", "5");
    c[0].1 = "PJSIP/c-3";
    pairs.extend(c);
    mock.push_pairs(&pairs).await;
    let mut seen = Vec::new();
    next_change(&mut changes, |ch| {
        seen.push(ch.clone());
        matches!(ch, Change::ChannelCreated { uniqueid, .. } if uniqueid == "c").then_some(())
    })
    .await;
    // Nothing went back: b stays up in a's call, which never ended.
    let b = tracker.channel("b").unwrap();
    assert_eq!((b.state, b.linkedid.as_str()), (ChannelState::Up, "a"));
    assert_eq!(tracker.counts().active_calls, 2, "calls a and c");
    assert!(tracker.recent_calls().is_empty(), "no call ended");
    assert_eq!(seen.len(), 2, "only c's call and channel: {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_subscription_full_of_events_does_not_stall_the_snapshot() {
    let mock = mock().await;
    // Far more events ahead of the list than the tracker's queue may hold,
    // in more than one of the reader's batches (512 events).
    let mut before = String::new();
    for i in 0..1500 {
        let seq = i.to_string();
        before += &wire(&[
            ("Event", "UserEvent"),
            ("Privilege", "user,all"),
            ("UserEvent", "Filler"),
            ("Seq", &seq),
        ]);
    }
    mock.set_response("CoreShowChannels", move |action| {
        core_show_channels(action, &before, &[("a", "a", "6")])
    });
    let client = AmiClient::builder()
        .host(mock.addr().ip().to_string())
        .port(mock.addr().port())
        .credentials("admin", "amp111")
        .action_timeout(Duration::from_secs(5))
        .reconnect(ReconnectPolicy::None)
        .slow_subscriber(SlowSubscriberPolicy::Block)
        .subscriber_budget(4 * 1024)
        .connect()
        .await
        .unwrap();
    // The socket reader waits while the tracker's queue is full; the tracker
    // keeps reading it while it waits for the list behind those events.
    let tracker = LiveTracker::start(client)
        .await
        .expect("the snapshot is read although the events ahead of it fill the queue");
    assert_eq!(tracker.channel("a").unwrap().state, ChannelState::Up);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_events_during_a_snapshot_than_its_buffer_holds_mean_one_more_resync() {
    let mock = mock().await;
    // The first CoreShowChannels comes after more events than the tracker
    // buffers while it reads the lists (10,000); the next one after none.
    let first = Arc::new(AtomicBool::new(true));
    let mut flood = String::new();
    for i in 0..10_050 {
        let seq = i.to_string();
        flood += &wire(&[
            ("Event", "UserEvent"),
            ("Privilege", "user,all"),
            ("UserEvent", "Filler"),
            ("Seq", &seq),
        ]);
    }
    mock.set_response("CoreShowChannels", move |action| {
        let before = if first.swap(false, Ordering::SeqCst) {
            flood.as_str()
        } else {
            ""
        };
        core_show_channels(action, before, &[("a", "a", "6")])
    });
    let client = connect(&mock, ReconnectPolicy::None).await;
    let tracker = LiveTracker::start(client).await.unwrap();
    let mut changes = tracker.changes();
    let reason = next_change(&mut changes, |c| match c {
        Change::Resynced { reason, .. } => Some(*reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, ResyncReason::EventsLost);
    let lists = mock
        .received_actions()
        .iter()
        .filter(|m| m.get("Action") == Some("CoreShowChannels"))
        .count();
    assert_eq!(lists, 2, "the first snapshot and one more");
    assert_eq!(tracker.channel("a").unwrap().state, ChannelState::Up);
}
