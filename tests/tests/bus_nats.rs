//! The bus end to end: mock Asterisk nodes → `Bridge` → a `nats-server` with
//! JetStream started by the test on a loopback port → typed consumers. Ignored
//! without nats-server (`cargo test … -- --include-ignored` runs them; `.ci/run`
//! installs it first).

use asterisk_sdk::ami::actions::Ping;
use asterisk_sdk::ami::events::Hangup;
use asterisk_sdk::ari::events::AriEvent;
use asterisk_sdk::bus::async_nats;
use asterisk_sdk::bus::{
    ActionClient, Bridge, BusConfig, BusError, BusEvents, BusItem, EventFilter, ari_events, events,
};
use asterisk_sdk::runtime::ami::{AmiClient, AmiClientBuilder, ReconnectPolicy};
use asterisk_sdk::runtime::ari::AriRequest;
use asterisk_sdk::runtime::ari::ws::WsConfig;
use asterisk_sdk::runtime::fleet::{Fleet, NodeSpec};
use asterisk_sdk_mock::ami::MockAmi;
use asterisk_sdk_mock::ari::MockAri;
use asterisk_sdk_mock::nats::NatsServer;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn ami(mock: &MockAmi) -> AmiClientBuilder {
    AmiClient::builder()
        .host(mock.addr().ip().to_string())
        .port(mock.addr().port())
        .credentials("admin", "amp111")
        .reconnect(ReconnectPolicy::fixed(Duration::from_millis(50)))
}

async fn nats_client(server: &NatsServer) -> async_nats::Client {
    async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(server.url())
        .await
        .expect("connect to nats-server")
}

/// How many messages the `ASTERISK` stream holds.
async fn stored(client: async_nats::Client) -> u64 {
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream("ASTERISK").await.unwrap();
    stream.info().await.unwrap().state.messages
}

/// `n` Hangup events with ids `<tag>-<i>`, as Asterisk writes them.
fn hangups(tag: &str, from: usize, to: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in from..to {
        out.extend_from_slice(
            format!(
                "Event: Hangup\r\nPrivilege: call,all\r\nChannel: PJSIP/{tag}-{i}\r\nUniqueid: {tag}-{i}\r\nCause: 16\r\nCause-txt: Normal Clearing\r\n\r\n"
            )
            .as_bytes(),
        );
        // Not a Hangup: published too, skipped by the typed consumers.
        out.extend_from_slice(
            b"Event: Newexten\r\nPrivilege: dialplan,all\r\nExtension: s\r\n\r\n",
        );
    }
    out
}

struct Setup {
    nats: NatsServer,
    mocks: Vec<MockAmi>,
    bridge: Bridge,
}

async fn setup(nodes: &[&str], config: BusConfig) -> Setup {
    let nats = NatsServer::start().expect("nats-server starts");
    let mut mocks = Vec::new();
    let mut builder = Fleet::builder();
    for id in nodes {
        let mock = MockAmi::builder().start().await.unwrap();
        builder = builder.node(NodeSpec::new(*id, ami(&mock)));
        mocks.push(mock);
    }
    let fleet = builder.connect().await.unwrap();
    let client = nats_client(&nats).await;
    let bridge = Bridge::start(fleet, client, config).await.unwrap();
    Setup {
        nats,
        mocks,
        bridge,
    }
}

/// Read Hangups from `consumer` into `counts` (by Uniqueid) until `total`
/// distinct ids are there (any instance may see that last) or `limit` passes;
/// returns what this instance got and its error items.
async fn collect(
    mut consumer: BusEvents<Hangup>,
    counts: Arc<Mutex<HashMap<String, u32>>>,
    total: usize,
    limit: Duration,
    done: Arc<tokio::sync::Notify>,
) -> (usize, Vec<String>) {
    let deadline = tokio::time::Instant::now() + limit;
    let mut mine = 0;
    let mut errors = Vec::new();
    loop {
        let next = tokio::select! {
            // Only once every event was counted: nothing is left to lose.
            _ = done.notified() => return (mine, errors),
            next = tokio::time::timeout_at(deadline, consumer.next()) => next,
        };
        match next {
            Err(_) | Ok(None) => return (mine, errors),
            Ok(Some(Ok(BusItem::Event(e)))) => {
                let id = e
                    .event
                    .channel
                    .uniqueid
                    .clone()
                    .expect("Uniqueid")
                    .to_string();
                assert_eq!(e.event.cause_txt.as_deref(), Some("Normal Clearing"));
                // Processed, then acknowledged.
                let done_all = {
                    let mut counts = counts.lock().unwrap();
                    *counts.entry(id).or_default() += 1;
                    mine += 1;
                    counts.len() >= total
                };
                e.ack().await.expect("acknowledged");
                if done_all {
                    done.notify_waiters();
                    return (mine, errors);
                }
            }
            Ok(Some(Ok(_marker))) => {}
            Ok(Some(Err(e))) => errors.push(e.to_string()),
        }
    }
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn two_nodes_three_instances_in_one_group_each_event_consumed_once() {
    let s = setup(&["pbx.1", "pbx 2"], BusConfig::default()).await;
    let client = nats_client(&s.nats).await;
    let counts = Arc::new(Mutex::new(HashMap::new()));
    let done = Arc::new(tokio::sync::Notify::new());
    let per_node = 1000;
    let total = 2 * per_node;
    let mut instances = Vec::new();
    for _ in 0..3 {
        let consumer = events::<Hangup>(&client, EventFilter::group("billing"))
            .await
            .unwrap();
        instances.push(tokio::spawn(collect(
            consumer,
            Arc::clone(&counts),
            total,
            Duration::from_secs(60),
            Arc::clone(&done),
        )));
    }
    assert_eq!(s.mocks[0].replay(hangups("a", 0, per_node)).await, 1);
    assert_eq!(s.mocks[1].replay(hangups("b", 0, per_node)).await, 1);
    let mut split = Vec::new();
    for i in instances {
        let (mine, errors) = i.await.unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        split.push(mine);
    }
    let counts = counts.lock().unwrap().clone();
    assert_eq!(counts.len(), total, "distinct events consumed");
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(repeated.is_empty(), "consumed more than once: {repeated:?}");
    assert_eq!(split.iter().sum::<usize>(), total);
    assert!(
        split.iter().filter(|n| **n > 0).count() >= 2,
        "the group shared the work: {split:?}"
    );
    for node in ["a", "b"] {
        for i in 0..per_node {
            assert!(counts.contains_key(&format!("{node}-{i}")));
        }
    }
    println!("split across the 3 instances: {split:?}");
    // Subjects are sanitised: `pbx.1` and `pbx 2` became one token each.
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream("ASTERISK").await.unwrap();
    let info = stream.info().await.unwrap();
    assert_eq!(
        info.state.messages,
        2 * total as u64,
        "Hangup + Newexten each"
    );
    let last = stream
        .get_last_raw_message_by_subject("asterisk.pbx_2.ami.Hangup")
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&last.payload).contains("Uniqueid: b-999\r\n"));
    let last = stream
        .get_last_raw_message_by_subject("asterisk.pbx_1.ami.Newexten")
        .await
        .unwrap();
    assert_eq!(
        &last.payload[..],
        b"Event: Newexten\r\nPrivilege: dialplan,all\r\nExtension: s\r\n",
        "published exactly as received"
    );
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn events_taken_and_dropped_without_ack_go_to_another_instance() {
    let s = setup(&["crash"], BusConfig::default()).await;
    let client = nats_client(&s.nats).await;
    let filter = EventFilter::group("crashy").ack_wait(Duration::from_secs(1));
    let mut first = events::<Hangup>(&client, filter.clone()).await.unwrap();
    s.mocks[0].replay(hangups("c", 0, 20)).await;
    // The first instance takes every event and "crashes" before acknowledging.
    let mut taken = Vec::new();
    while taken.len() < 20 {
        let item = tokio::time::timeout(Duration::from_secs(20), first.next())
            .await
            .expect("events arrive")
            .unwrap()
            .unwrap();
        if let BusItem::Event(e) = item {
            assert_eq!(e.delivered, 1);
            taken.push(e.event.channel.uniqueid.clone().unwrap().to_string());
        }
    }
    drop(first);
    let mut second = events::<Hangup>(&client, filter).await.unwrap();
    let mut again = Vec::new();
    while again.len() < 20 {
        let item = tokio::time::timeout(Duration::from_secs(20), second.next())
            .await
            .expect("the unacknowledged events come again")
            .unwrap()
            .unwrap();
        if let BusItem::Event(e) = item {
            assert!(e.delivered >= 2, "a redelivery: {}", e.delivered);
            again.push(e.event.channel.uniqueid.clone().unwrap().to_string());
            e.ack().await.unwrap();
        }
    }
    again.sort();
    taken.sort();
    assert_eq!(again, taken);
    // Acknowledged now: nothing comes a third time.
    let third = tokio::time::timeout(Duration::from_secs(3), second.next()).await;
    assert!(third.is_err(), "nothing left: {third:?}");
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn auto_ack_confirms_the_previous_event_on_the_next_call() {
    let s = setup(&["auto"], BusConfig::default()).await;
    let client = nats_client(&s.nats).await;
    let filter = EventFilter::group("auto")
        .ack_wait(Duration::from_secs(1))
        .auto_ack(true);
    let mut consumer = events::<Hangup>(&client, filter.clone()).await.unwrap();
    s.mocks[0].replay(hangups("a", 0, 3)).await;
    let mut ids = Vec::new();
    while ids.len() < 3 {
        let item = tokio::time::timeout(Duration::from_secs(20), consumer.next())
            .await
            .expect("events arrive")
            .unwrap()
            .unwrap();
        if let BusItem::Event(e) = item {
            ids.push(e.event.channel.uniqueid.clone().unwrap().to_string());
        }
    }
    assert_eq!(ids, ["a-0", "a-1", "a-2"]);
    // The last one was never followed by another call: it comes again.
    drop(consumer);
    let mut consumer = events::<Hangup>(&client, filter).await.unwrap();
    let item = tokio::time::timeout(Duration::from_secs(20), consumer.next())
        .await
        .expect("the last event comes again")
        .unwrap()
        .unwrap();
    let BusItem::Event(e) = item else {
        panic!("expected an event, got {item:?}")
    };
    assert_eq!(e.event.channel.uniqueid.as_deref(), Some("a-2"));
    assert!(e.delivered >= 2);
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn an_event_too_large_for_nats_becomes_a_marker_and_publishing_goes_on() {
    // The stream exists already, with a 100 kB message limit: the bridge uses it.
    let nats = NatsServer::start().expect("nats-server starts");
    let client = nats_client(&nats).await;
    let mut stream = BusConfig::default().stream_config();
    stream.max_message_size = 100_000;
    async_nats::jetstream::new(client.clone())
        .create_stream(stream)
        .await
        .unwrap();
    let mock = MockAmi::builder().start().await.unwrap();
    let fleet = Fleet::builder()
        .node(NodeSpec::new("big", ami(&mock)))
        .connect()
        .await
        .unwrap();
    let bridge = Bridge::start(fleet, client.clone(), BusConfig::default())
        .await
        .unwrap();
    let mut consumer = events::<Hangup>(&client, EventFilter::group("big"))
        .await
        .unwrap();
    // Between two Hangups, an event over the stream's limit.
    let mut frames = hangups("big", 0, 1);
    let huge = "x".repeat(150_000);
    frames.extend_from_slice(
        format!("Event: UserEvent\r\nUserEvent: huge\r\nData: {huge}\r\n\r\n").as_bytes(),
    );
    frames.extend_from_slice(&hangups("big", 1, 2));
    mock.replay(frames).await;
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.len() < 3 {
        let item = tokio::time::timeout_at(deadline, consumer.next())
            .await
            .unwrap_or_else(|_| panic!("the events arrive: {seen:?} {:?}", bridge.stats()))
            .unwrap()
            .unwrap();
        match item {
            BusItem::Event(e) => {
                seen.push(format!(
                    "event {} seq {}",
                    e.event.channel.uniqueid.as_deref().unwrap_or("?"),
                    e.seq
                ));
                e.ack().await.unwrap();
            }
            BusItem::TooLarge { node, seq, size } => {
                assert_eq!(node.as_str(), "big");
                assert!(size > 150_000, "{size}");
                seen.push(format!("too_large seq {seq}"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // seq 2 is the Newexten after big-0; the huge UserEvent is seq 3. Its
    // marker can be stored after later messages that were already in flight.
    seen.sort_by_key(|s| s.rsplit(' ').next().map(str::to_string));
    assert_eq!(
        seen,
        ["event big-0 seq 1", "too_large seq 3", "event big-1 seq 4"]
    );
    let stats = bridge.stats();
    assert_eq!(stats[0].1.refused, 1, "{stats:?}");
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn nats_restarted_mid_stream_loses_nothing() {
    let mut config = BusConfig::default();
    config.ack_timeout = Duration::from_secs(1);
    let mut s = setup(&["n1", "n2"], config).await;
    let client = nats_client(&s.nats).await;
    let counts = Arc::new(Mutex::new(HashMap::new()));
    let (first, second, third) = (1500, 3000, 4500);
    let total = 2 * third;
    let consumer = events::<Hangup>(&client, EventFilter::group("restart"))
        .await
        .unwrap();
    let reader = tokio::spawn(collect(
        consumer,
        Arc::clone(&counts),
        total,
        Duration::from_secs(120),
        Arc::new(tokio::sync::Notify::new()),
    ));
    for m in &s.mocks {
        m.replay(hangups(&m.addr().port().to_string(), 0, first))
            .await;
    }
    // Mid-stream: some consumed, the rest in flight or buffered.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while counts.lock().unwrap().len() < 200 {
        assert!(tokio::time::Instant::now() < deadline, "events flow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    s.nats.kill();
    for m in &s.mocks {
        m.replay(hangups(&m.addr().port().to_string(), first, second))
            .await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.nats.restart().expect("nats-server restarts");
    for m in &s.mocks {
        m.replay(hangups(&m.addr().port().to_string(), second, third))
            .await;
    }
    let (mine, errors) = reader.await.unwrap();
    let counts = counts.lock().unwrap().clone();
    let duplicates: u32 = counts.values().map(|n| n - 1).sum();
    let stats = s.bridge.stats();
    println!(
        "restart: {} distinct of {total}, {mine} delivered, {duplicates} redelivered, {} consumer errors while down; bridge {stats:?}",
        counts.len(),
        errors.len()
    );
    assert_eq!(counts.len(), total, "every event arrived");
    for m in &s.mocks {
        let tag = m.addr().port().to_string();
        for i in 0..third {
            assert!(counts.contains_key(&format!("{tag}-{i}")), "{tag}-{i} lost");
        }
    }
    assert!(
        stats.iter().any(|(_, st)| st.retries > 0),
        "the outage was seen by the publisher: {stats:?}"
    );
    // JetStream holds each message once: republished copies were dropped by id.
    assert_eq!(stored(client).await, 2 * total as u64, "stored once each");
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn a_dropped_asterisk_shows_as_a_reconnect_marker() {
    let s = setup(&["edge.1"], BusConfig::default()).await;
    let client = nats_client(&s.nats).await;
    let mut consumer = events::<Hangup>(&client, EventFilter::group("watch"))
        .await
        .unwrap();
    s.mocks[0].replay(hangups("x", 0, 1)).await;
    let mut seen = Vec::new();
    let mut dropped = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let item = tokio::time::timeout_at(deadline, consumer.next())
            .await
            .expect("items arrive")
            .unwrap()
            .unwrap();
        match item {
            BusItem::Event(e) => {
                seen.push(format!("event {}", e.node));
                if !dropped {
                    // The event went through; now Asterisk goes away.
                    s.mocks[0].drop_connections();
                    dropped = true;
                }
            }
            BusItem::Reconnected { node } => {
                seen.push(format!("reconnected {node}"));
                break;
            }
            other => seen.push(format!("{other:?}")),
        }
    }
    assert_eq!(seen, ["event edge.1", "reconnected edge.1"]);
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn actions_over_request_reply_reach_the_right_node() {
    let s = setup(&["left", "right"], BusConfig::default()).await;
    let client = nats_client(&s.nats).await;
    let actions = ActionClient::new(client.clone(), "asterisk", Duration::from_secs(10));
    for m in &s.mocks {
        m.clear_received_actions();
    }
    let answer = actions.send("right", &Ping::new()).await.unwrap();
    assert!(answer.response.is_success(), "{answer:?}");
    assert_eq!(answer.response.get("Ping"), Some("Pong"));
    let pings = |m: &MockAmi| {
        m.received_actions()
            .iter()
            .filter(|a| a.get("Action") == Some("Ping"))
            .count()
    };
    assert_eq!((pings(&s.mocks[0]), pings(&s.mocks[1])), (0, 1));
    match actions.send("middle", &Ping::new()).await {
        Err(BusError::UnknownNode(node)) => assert_eq!(node.as_str(), "middle"),
        other => panic!("expected UnknownNode, got {other:?}"),
    }
    // The requests were not stored in the event stream (whose subjects match
    // the action subject too).
    assert_eq!(stored(client).await, 0);
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn ari_events_and_operations_go_over_the_bus() {
    let nats = NatsServer::start().expect("nats-server starts");
    let ami_mock = MockAmi::builder().start().await.unwrap();
    let ari_mock = MockAri::builder().time_scale(0.01).start().await.unwrap();
    let ws = WsConfig::new(ari_mock.base_url(), "asterisk", "asterisk").app("bus-app");
    let fleet = Fleet::builder()
        .node(NodeSpec::new("voice", ami(&ami_mock)).with_ari(ws))
        .connect()
        .await
        .unwrap();
    assert_eq!(fleet.health("voice").unwrap().ari_connected, Some(true));
    let client = nats_client(&nats).await;
    let _bridge = Bridge::start(fleet, client.clone(), BusConfig::default())
        .await
        .unwrap();
    let mut consumer =
        ari_events::<AriEvent>(&client, EventFilter::group("stasis").event("StasisStart"))
            .await
            .unwrap();
    let channel = ari_mock.incoming_call("bus-app", "PJSIP/alice", "Alice <1001>", &["x"]);
    let item = tokio::time::timeout(Duration::from_secs(10), consumer.next())
        .await
        .expect("the event arrives")
        .unwrap()
        .unwrap();
    let BusItem::Event(e) = item else {
        panic!("expected an event, got {item:?}")
    };
    assert_eq!(e.node.as_str(), "voice");
    match e.event {
        AriEvent::StasisStart(start) => assert_eq!(start.channel.id, channel),
        other => panic!("expected StasisStart, got {other:?}"),
    }
    let actions = ActionClient::new(client, "asterisk", Duration::from_secs(10));
    let info = actions
        .ari("voice", &AriRequest::new("GET", "/asterisk/info"))
        .await
        .unwrap();
    assert_eq!(info.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&info.body).unwrap();
    assert!(body.get("system").is_some(), "{body}");
    let missing = actions
        .ari(
            "voice",
            &AriRequest::new("GET", format!("/channels/{channel}-nope")),
        )
        .await
        .unwrap();
    assert_eq!(missing.status, 404);
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn a_malformed_message_is_a_clear_error_and_the_consumer_goes_on() {
    let s = setup(&["m"], BusConfig::default()).await;
    let client = nats_client(&s.nats).await;
    let mut consumer = events::<Hangup>(&client, EventFilter::group("strict"))
        .await
        .unwrap();
    let js = async_nats::jetstream::new(client.clone());
    js.publish("asterisk.m.ami.Hangup", "\u{0}garbage".into())
        .await
        .unwrap()
        .await
        .unwrap();
    s.mocks[0].replay(hangups("ok", 0, 1)).await;
    let first = tokio::time::timeout(Duration::from_secs(10), consumer.next())
        .await
        .unwrap()
        .unwrap();
    match first {
        Err(BusError::Malformed {
            subject, reason, ..
        }) => {
            assert_eq!(subject, "asterisk.m.ami.Hangup");
            assert!(reason.contains("Asterisk-Kind"), "{reason}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    let next = tokio::time::timeout(Duration::from_secs(10), consumer.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match next {
        BusItem::Event(e) => {
            assert_eq!(e.event.channel.uniqueid.as_deref(), Some("ok-0"));
            assert_eq!(e.node.as_str(), "m");
            assert_eq!(e.delivered, 1);
        }
        other => panic!("expected the next event, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs nats-server"]
async fn a_bridge_started_while_nats_is_down_buffers_then_publishes_all() {
    let mut nats = NatsServer::start().expect("nats-server starts");
    nats.kill();
    let mock = MockAmi::builder().start().await.unwrap();
    let fleet = Fleet::builder()
        .node(NodeSpec::new("late", ami(&mock)))
        .connect()
        .await
        .unwrap();
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(nats.url())
        .await
        .unwrap();
    let mut config = BusConfig::default();
    config.ack_timeout = Duration::from_secs(1);
    let bridge = Bridge::start(fleet, client.clone(), config).await.unwrap();
    mock.replay(hangups("late", 0, 500)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    nats.restart().expect("nats-server starts again");
    // The stream exists once the bridge reaches NATS.
    let consumer = loop {
        match events::<Hangup>(&client, EventFilter::group("late")).await {
            Ok(c) => break c,
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    let counts = Arc::new(Mutex::new(HashMap::new()));
    let (mine, _) = collect(
        consumer,
        Arc::clone(&counts),
        500,
        Duration::from_secs(60),
        Arc::new(tokio::sync::Notify::new()),
    )
    .await;
    let counts = counts.lock().unwrap().clone();
    assert_eq!(counts.len(), 500, "every buffered event published");
    let stats = bridge.shutdown().await;
    println!("started while down: {mine} delivered; bridge {stats:?}");
    assert_eq!(stats[0].1.queued, 1000, "500 Hangup + 500 Newexten");
    assert_eq!(stats[0].1.acked, 1000);
}
