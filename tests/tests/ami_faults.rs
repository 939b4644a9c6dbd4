//! Faults a real Asterisk causes, against the mock (which, like Asterisk, drops
//! a session whose socket stays unwritable for 100 ms): an actions-only client
//! under a flood, a stalled subscriber, a slow subscriber, and the documented
//! risk of the Block policy. Behaviour and order are asserted, never timings.

use asterisk_sdk::ami::actions::Ping;
use asterisk_sdk::runtime::ami::{
    AmiClient, AmiClientBuilder, ConnectionState, EventItem, EventStream, Message, ReconnectPolicy,
    SlowSubscriberPolicy,
};
use asterisk_sdk_mock::ami::MockAmi;
use futures::StreamExt;
use std::future::IntoFuture;
use std::time::Duration;

fn builder(mock: &MockAmi) -> AmiClientBuilder {
    let addr = mock.addr();
    AmiClient::builder()
        .host(addr.ip().to_string())
        .port(addr.port())
        .credentials("admin", "amp111")
        .action_timeout(Duration::from_secs(10))
        .reconnect(ReconnectPolicy::fixed(Duration::from_millis(50)))
}

/// A stream of `n` `Tick` events numbered from 0, as Asterisk would write them.
fn ticks(n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        out.extend_from_slice(
            format!("Event: Tick\r\nPrivilege: call,all\r\nN: {i}\r\n\r\n").as_bytes(),
        );
    }
    out
}

fn only_ticks(client: &AmiClient) -> EventStream<Message> {
    client.events_filtered(|m| m.event_name() == Some("Tick"))
}

/// Read ticks up to number `last`: the `Lagged` total and the numbers delivered.
async fn read_ticks(events: &mut EventStream<Message>, last: u64) -> (u64, Vec<u64>) {
    let (mut lagged, mut got) = (0u64, Vec::new());
    while got.last() != Some(&last) {
        match tokio::time::timeout(Duration::from_secs(20), events.next()).await {
            Ok(Some(EventItem::Event(m))) => got.push(m.get("N").unwrap().parse().unwrap()),
            Ok(Some(EventItem::Lagged(k))) => lagged += k,
            other => panic!(
                "unexpected {other:?} after {lagged} lagged, {} delivered",
                got.len()
            ),
        }
    }
    (lagged, got)
}

fn is_range(got: &[u64], from: u64, to: u64) -> bool {
    got.len() as u64 == to + 1 - from && got.iter().zip(from..).all(|(a, b)| *a == b)
}

#[tokio::test]
async fn an_actions_only_client_under_100k_events_still_answers() {
    let mock = MockAmi::builder().start().await.unwrap();
    let client = builder(&mock).connect().await.unwrap();
    // Nobody ever subscribes.
    assert_eq!(mock.replay(ticks(100_000)).await, 1);
    for _ in 0..3 {
        client
            .send(&Ping::new())
            .await
            .unwrap()
            .into_result()
            .unwrap();
    }
    // Asterisk (the mock) never had to drop the session.
    assert_eq!(client.state(), ConnectionState::Connected);
    assert_eq!(mock.sessions(), 1);
}

#[tokio::test]
async fn a_subscriber_stalled_past_the_write_timeout_loses_nothing_inside_its_budget() {
    const N: u64 = 50_000;
    let mock = MockAmi::builder().start().await.unwrap();
    let client = builder(&mock).connect().await.unwrap();
    let mut stalled = only_ticks(&client);
    mock.replay(ticks(N)).await;
    // The subscriber reads nothing for three write timeouts; actions go on.
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .send(&Ping::new())
        .await
        .unwrap()
        .into_result()
        .unwrap();
    let (lagged, got) = read_ticks(&mut stalled, N - 1).await;
    assert_eq!(lagged, 0);
    assert!(is_range(&got, 0, N - 1), "{} ticks", got.len());
    assert_eq!(mock.sessions(), 1, "the session was never dropped");
}

#[tokio::test]
async fn past_its_budget_a_stalled_subscriber_gets_the_exact_lag_then_the_newest_events() {
    const N: u64 = 50_000;
    let mock = MockAmi::builder().start().await.unwrap();
    let client = builder(&mock)
        .subscriber_budget(512 * 1024)
        .connect()
        .await
        .unwrap();
    let mut stalled = only_ticks(&client);
    mock.replay(ticks(N)).await;
    client
        .send(&Ping::new())
        .await
        .unwrap()
        .into_result()
        .unwrap();
    let (lagged, got) = read_ticks(&mut stalled, N - 1).await;
    let first = N - got.len() as u64;
    assert!(first > 0, "nothing was dropped");
    assert!(is_range(&got, first, N - 1));
    // Exact, give or take the login's FullyBooted (also queued, not a tick).
    assert!(
        lagged == first || lagged == first + 1,
        "{lagged} lagged, {first} missing"
    );
    assert_eq!(mock.sessions(), 1, "the session was never dropped");
}

#[tokio::test]
async fn actions_are_answered_while_a_subscriber_is_slow() {
    const N: u64 = 20_000;
    let mock = MockAmi::builder().start().await.unwrap();
    let client = builder(&mock).connect().await.unwrap();
    let mut slow = only_ticks(&client);
    mock.replay(ticks(N)).await;
    // The Ping is written after the whole flood, yet answered while the slow
    // subscriber is still at the start of it.
    let mut read = 0u64;
    let ping_action = Ping::new();
    let ping = client.send(&ping_action).into_future();
    tokio::pin!(ping);
    let answered_at = loop {
        tokio::select! {
            r = &mut ping => {
                r.unwrap().into_result().unwrap();
                break read;
            }
            item = slow.next() => {
                assert!(matches!(item, Some(EventItem::Event(_))), "{item:?}");
                read += 1;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    };
    assert!(
        answered_at < N / 2,
        "answered only after {answered_at} of {N} events"
    );
    let (lagged, got) = read_ticks(&mut slow, N - 1).await;
    assert_eq!(lagged, 0);
    assert_eq!(got.len() as u64 + answered_at, N);
}

#[tokio::test]
async fn block_policy_stalls_the_reader_and_asterisk_drops_the_session() {
    // The documented risk of Block: the reader stops, the socket stays
    // unwritable, Asterisk (the mock) drops the session, and what it had not
    // written is lost across the reconnect.
    const N: u64 = 200_000;
    let mock = MockAmi::builder().start().await.unwrap();
    let client = builder(&mock)
        .slow_subscriber(SlowSubscriberPolicy::Block)
        .subscriber_budget(64 * 1024)
        .connect()
        .await
        .unwrap();
    let mut stalled = only_ticks(&client);
    mock.replay(ticks(N)).await;
    let dropped = async {
        while mock.sessions() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), dropped)
        .await
        .expect("the mock drops a session that stops reading");
    // The subscriber reads again: what was buffered, then the gap.
    let mut delivered = 0u64;
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stalled.next()).await {
            Ok(Some(EventItem::Event(_))) => delivered += 1,
            Ok(Some(EventItem::Reconnected)) => break,
            other => panic!("unexpected {other:?} after {delivered} events"),
        }
    }
    assert!(delivered < N, "all {N} events arrived: nothing was dropped");
}

#[tokio::test]
async fn a_timed_out_list_never_leaks_its_late_items_into_the_event_stream() {
    use asterisk_sdk::ami::actions::CoreShowChannels;
    use asterisk_sdk::runtime::ami::AmiError;
    use asterisk_sdk_mock::ami::Reply;

    let mock = MockAmi::builder().start().await.unwrap();
    let client = builder(&mock).connect().await.unwrap();
    let mut events = client.events_filtered(|m| m.event_name() != Some("FullyBooted"));
    // Asterisk stalls (SIGSTOP): the list is not answered in time.
    mock.set_reply("CoreShowChannels", Reply::silent());
    let list = CoreShowChannels::new().action_id("late-list");
    let err = client
        .list(&list)
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(err, AmiError::Timeout { .. }), "{err:?}");
    // Then it wakes up and writes the whole list, followed by a broadcast event.
    let late = "Response: Success\r\nActionID: late-list\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n\
                Event: CoreShowChannel\r\nActionID: late-list\r\nChannel: PJSIP/100-00000001\r\n\r\n\
                Event: CoreShowChannelsComplete\r\nActionID: late-list\r\nEventList: Complete\r\nListItems: 1\r\n\r\n\
                Event: Tick\r\nPrivilege: call,all\r\nN: 0\r\n\r\n";
    mock.replay(late.as_bytes().to_vec()).await;
    // The first event the stream sees is the broadcast one.
    match tokio::time::timeout(Duration::from_secs(5), events.next()).await {
        Ok(Some(EventItem::Event(m))) => assert_eq!(m.event_name(), Some("Tick"), "{m:?}"),
        other => panic!("unexpected {other:?}"),
    }
}
