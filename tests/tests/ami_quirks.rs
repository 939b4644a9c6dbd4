//! Answer quirks of a real Asterisk 23.4.1 (`specs/fixes/ami_responses.toml`),
//! reproduced by the mock: IAXpeers items without `ActionID`, IAXnetstats with
//! no response at all, and a list whose item count differs from its `ListItems`.

use asterisk_sdk::ami::actions::{IaXnetstats, IaXpeers};
use asterisk_sdk::runtime::ami::{AmiClient, AmiError, EventItem, Message, RawAction};
use asterisk_sdk_mock::ami::{MockAmi, Reply};
use futures::StreamExt;
use std::time::{Duration, Instant};

async fn connect(mock: &MockAmi) -> AmiClient {
    let addr = mock.addr();
    AmiClient::builder()
        .host(addr.ip().to_string())
        .port(addr.port())
        .credentials("admin", "amp111")
        .action_timeout(Duration::from_secs(5))
        .connect()
        .await
        .expect("login")
}

fn peer(name: &str) -> Message {
    Message::from_pairs([
        ("Event", "PeerEntry"),
        ("Channeltype", "IAX2"),
        ("ObjectName", name),
        ("ChanObjectType", "peer"),
        ("IPaddress", "127.0.0.1"),
        ("IPport", "4569"),
        ("Status", "Unmonitored"),
    ])
}

/// The mock writes IAXpeers items without `ActionID`, as Asterisk does; the
/// typed list still gets them, with no count mismatch, and they reach no event
/// stream.
#[tokio::test]
async fn iaxpeers_items_without_action_id_belong_to_the_list() {
    let mock = MockAmi::builder().start().await.unwrap();
    mock.set_response("IAXpeers", |_: &Message| {
        Reply::list([peer("iax-a"), peer("iax-b")])
    });
    let client = connect(&mock).await;
    let mut events = client.events::<Message>();

    let list = client.list(&IaXpeers::new()).await.unwrap();
    let names: Vec<_> = list
        .items
        .iter()
        .map(|p| p.object_name.as_deref().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, ["iax-a", "iax-b"]);
    assert!(list.items.iter().all(|p| p.raw.action_id().is_none()));
    assert_eq!(list.count_mismatch, None);
    assert!(list.complete.is_some() && list.unmatched.is_empty());
    let list = list.into_checked().unwrap();
    assert_eq!(list.items.len(), 2);

    // No PeerEntry leaked into the event stream.
    let leaked = tokio::time::timeout(Duration::from_millis(300), async {
        while let Some(item) = events.next().await {
            if let EventItem::Event(m) = item
                && m.event_name() == Some("PeerEntry")
            {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        !matches!(leaked, Ok(true)),
        "a PeerEntry reached the event stream"
    );
}

/// The same answer read as a raw list (no fix): 0 items, and the mismatch with
/// `ListItems: 2` is reported, as a field and as a typed error.
#[tokio::test]
async fn a_list_short_of_its_list_items_reports_the_mismatch() {
    let mock = MockAmi::builder().start().await.unwrap();
    mock.set_response("IAXpeers", |_: &Message| {
        Reply::list([peer("iax-a"), peer("iax-b")])
    });
    let client = connect(&mock).await;
    let raw = RawAction::new("IAXpeers").completion_event("PeerlistComplete");
    let list = client.list(&raw).await.unwrap();
    assert!(list.items.is_empty());
    let mismatch = list.count_mismatch.expect("a mismatch");
    assert_eq!((mismatch.announced, mismatch.received), (2, 0));
    match list.into_checked() {
        Err(AmiError::ListCountMismatch {
            action,
            announced,
            received,
        }) => assert_eq!((action.as_str(), announced, received), ("IAXpeers", 2, 0)),
        other => panic!("{other:?}"),
    }
}

/// IAXnetstats: the mock answers with a bare empty line, as Asterisk does, so a
/// raw send times out; the generated action fails at once without being sent.
#[tokio::test]
async fn iaxnetstats_fails_fast_instead_of_timing_out() {
    let mock = MockAmi::builder().start().await.unwrap();
    let client = connect(&mock).await;

    let raw = client
        .send(&RawAction::new("IAXnetstats"))
        .timeout(Duration::from_millis(300))
        .await;
    assert!(matches!(raw, Err(AmiError::Timeout { .. })), "{raw:?}");
    let sent_before = mock
        .received_actions()
        .iter()
        .filter(|m| m.get("Action") == Some("IAXnetstats"))
        .count();
    assert_eq!(sent_before, 1);

    let start = Instant::now();
    let typed = client.send(&IaXnetstats::new()).await;
    assert!(start.elapsed() < Duration::from_millis(100));
    match typed {
        Err(AmiError::NoResponse { action, reason }) => {
            assert_eq!(action, "IAXnetstats");
            assert!(reason.contains("iax2 show netstats"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let sent_after = mock
        .received_actions()
        .iter()
        .filter(|m| m.get("Action") == Some("IAXnetstats"))
        .count();
    assert_eq!(sent_after, 1, "the typed action must not be sent");
}
