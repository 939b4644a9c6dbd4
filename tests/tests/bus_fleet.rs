//! The fleet without NATS: two mock Asterisk nodes behind one `Fleet`; merged
//! events tagged with their node, actions routed by node id (unknown node is a
//! typed error), health snapshots and updates across a dropped connection.

use asterisk_sdk::ami::actions::Ping;
use asterisk_sdk::ami::events::Hangup;
use asterisk_sdk::runtime::ami::{
    AmiClient, AmiClientBuilder, ConnectionState, EventItem, ReconnectPolicy,
};
use asterisk_sdk::runtime::fleet::{Fleet, FleetError, NodeSpec};
use asterisk_sdk_mock::ami::MockAmi;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::time::Duration;

fn ami(mock: &MockAmi) -> AmiClientBuilder {
    AmiClient::builder()
        .host(mock.addr().ip().to_string())
        .port(mock.addr().port())
        .credentials("admin", "amp111")
        .reconnect(ReconnectPolicy::fixed(Duration::from_millis(50)))
}

async fn two_nodes() -> (MockAmi, MockAmi, Fleet) {
    let a = MockAmi::builder().start().await.unwrap();
    let b = MockAmi::builder().start().await.unwrap();
    let fleet = Fleet::builder()
        .node(NodeSpec::new("pbx.a", ami(&a)))
        .node(NodeSpec::new("pbx-b", ami(&b)))
        .connect()
        .await
        .unwrap();
    (a, b, fleet)
}

fn hangup(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("Event", "Hangup".into()),
        ("Privilege", "call,all".into()),
        ("Uniqueid", format!("u-{n}")),
        ("Cause", "16".into()),
    ]
}

async fn push(mock: &MockAmi, pairs: &[(&str, String)]) {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(mock.push_pairs(&pairs).await, 1);
}

#[tokio::test]
async fn merged_events_carry_their_node_and_keep_each_nodes_order() {
    let (a, b, fleet) = two_nodes().await;
    let mut events = fleet.events::<Hangup>();
    for i in 0..50 {
        push(&a, &hangup(i)).await;
        push(&b, &hangup(1000 + i)).await;
        // Another event type: not a Hangup, skipped by the typed stream.
        a.push_pairs(&[("Event", "Newexten"), ("Privilege", "dialplan,all")])
            .await;
    }
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while seen.values().map(Vec::len).sum::<usize>() < 100 {
        let e = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("events arrive")
            .expect("stream open");
        let EventItem::Event(h) = e.item else {
            panic!("unexpected marker {:?}", e.item)
        };
        let id = h.channel.uniqueid.expect("Uniqueid decoded").to_string();
        seen.entry(e.node.to_string()).or_default().push(id);
    }
    let expect_a: Vec<String> = (0..50).map(|i| format!("u-{i}")).collect();
    let expect_b: Vec<String> = (1000..1050).map(|i| format!("u-{i}")).collect();
    assert_eq!(seen["pbx.a"], expect_a);
    assert_eq!(seen["pbx-b"], expect_b);
}

#[tokio::test]
async fn actions_go_to_the_named_node_and_an_unknown_node_is_a_typed_error() {
    let (a, b, fleet) = two_nodes().await;
    a.clear_received_actions();
    b.clear_received_actions();
    let answer = fleet.send("pbx-b", &Ping::new()).await.unwrap();
    assert!(answer.response.is_success());
    let pings = |m: &MockAmi| {
        m.received_actions()
            .iter()
            .filter(|m| m.get("Action") == Some("Ping"))
            .count()
    };
    assert_eq!((pings(&a), pings(&b)), (0, 1));
    match fleet.send("pbx-c", &Ping::new()).await {
        Err(FleetError::UnknownNode(id)) => assert_eq!(id.as_str(), "pbx-c"),
        other => panic!("expected UnknownNode, got {other:?}"),
    }
    assert!(matches!(fleet.ami("nope"), Err(FleetError::UnknownNode(_))));
}

#[tokio::test]
async fn health_reports_state_version_events_and_reconnects() {
    let (a, b, fleet) = two_nodes().await;
    let all = fleet.health_all();
    assert_eq!(all.len(), 2);
    for h in &all {
        assert_eq!(h.state, ConnectionState::Connected);
        assert!(h.version.is_some(), "version learned at login: {h:?}");
        assert_eq!(h.reconnects, 0);
        assert_eq!(h.ari_connected, None);
    }
    let mut updates = fleet.health_updates();
    // The current snapshot of each node comes first.
    for _ in 0..2 {
        tokio::time::timeout(Duration::from_secs(5), updates.next())
            .await
            .unwrap()
            .unwrap();
    }
    // Login brings events of its own (FullyBooted): count from here.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = fleet.health("pbx-b").unwrap().events;
    push(&b, &hangup(1)).await;
    a.drop_connections();
    let after = loop {
        let h = tokio::time::timeout(Duration::from_secs(10), updates.next())
            .await
            .expect("an update after the drop")
            .unwrap();
        if h.node.as_str() == "pbx.a" && h.reconnects == 1 && h.state == ConnectionState::Connected
        {
            break h;
        }
    };
    assert!(after.version.is_some());
    let mut b_health = fleet.health("pbx-b").unwrap();
    for _ in 0..100 {
        if b_health.events == before + 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        b_health = fleet.health("pbx-b").unwrap();
    }
    assert_eq!(b_health.events, before + 1);
    assert!(b_health.last_event.is_some());
    assert_eq!(b_health.reconnects, 0);
    assert!(matches!(fleet.health("x"), Err(FleetError::UnknownNode(_))));
}

#[tokio::test]
async fn duplicate_or_missing_nodes_are_refused() {
    let a = MockAmi::builder().start().await.unwrap();
    let dup = Fleet::builder()
        .node(NodeSpec::new("n", ami(&a)))
        .node(NodeSpec::new("n", ami(&a)))
        .connect()
        .await;
    assert!(matches!(dup, Err(FleetError::DuplicateNode(id)) if id.as_str() == "n"));
    assert!(matches!(
        Fleet::builder().connect().await,
        Err(FleetError::Empty)
    ));
}

#[tokio::test]
async fn an_unread_ari_event_stream_never_blocks_rest_and_counts_what_it_dropped() {
    use asterisk_sdk::runtime::ari::ws::{WsConfig, WsItem};
    use asterisk_sdk::runtime::ari::{AriRequest, AriTransport};
    use asterisk_sdk_mock::ari::MockAri;
    let ami_mock = MockAmi::builder().start().await.unwrap();
    let ari_mock = MockAri::builder().start().await.unwrap();
    let mut ws = WsConfig::new(ari_mock.base_url(), "asterisk", "asterisk").app("parked");
    // A tiny socket buffer: before the fix, it filled at once and the socket
    // reader stopped, REST responses included.
    ws.event_buffer = 2;
    let fleet = Fleet::builder()
        .node(NodeSpec::new("voice", ami(&ami_mock)).with_ari(ws))
        .ari_queue(10)
        .connect()
        .await
        .unwrap();
    let total: u64 = 200;
    for i in 0..total {
        assert!(ari_mock.send_raw("parked", format!(r#"{{"type":"Custom","n":{i}}}"#)));
    }
    // Nobody reads the ARI events; REST over the same socket still answers.
    let transport = fleet.ari("voice").unwrap().expect("ARI");
    let info = tokio::time::timeout(
        Duration::from_secs(10),
        transport.send(AriRequest::new("GET", "/asterisk/info")),
    )
    .await
    .expect("REST answers while the event stream is unread")
    .unwrap();
    assert_eq!(info.status, 200);
    assert_eq!(fleet.health("voice").unwrap().ari_connected, Some(true));
    // Read now, up to the last event sent: each one was kept or counted as
    // dropped, and those kept are in order.
    let mut events = fleet.take_ari_events().expect("taken once");
    let mut kept: Vec<u64> = Vec::new();
    let mut lagged = 0;
    while kept.last() != Some(&(total - 1)) {
        let item = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("items")
            .expect("open");
        lagged += item.lagged;
        match item.item {
            WsItem::Event(e) => {
                let v: serde_json::Value = serde_json::from_slice(e.json()).unwrap();
                kept.push(v["n"].as_u64().unwrap());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        lagged + kept.len() as u64,
        total,
        "every event kept or counted"
    );
    assert!(kept.windows(2).all(|w| w[0] < w[1]), "{kept:?}");
}
