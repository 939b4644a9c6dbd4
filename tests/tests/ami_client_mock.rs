//! The AMI client against the mock AMI server: typed lists and events, reconnection
//! in the middle of a list, and bad input that must not kill the connection.

use asterisk_sdk::ami::actions::{CoreShowChannels, Originate, Ping, Status};
use asterisk_sdk::ami::{Event, events};
use asterisk_sdk::runtime::ami::{
    AmiClient, AmiError, ConnectionState, EventItem, ReconnectPolicy,
};
use asterisk_sdk_mock::ami::MockAmi;
use futures::StreamExt;
use std::time::Duration;

#[path = "../fixtures/capture.rs"]
mod capture;

async fn connect(mock: &MockAmi, max_message: Option<usize>) -> AmiClient {
    let addr = mock.addr();
    let mut b = AmiClient::builder()
        .host(addr.ip().to_string())
        .port(addr.port())
        .credentials("admin", "amp111")
        .action_timeout(Duration::from_secs(5))
        .reconnect(ReconnectPolicy::fixed(Duration::from_millis(50)));
    if let Some(m) = max_message {
        b = b.max_message_size(m);
    }
    b.connect().await.expect("login")
}

/// Originate a call that waits 20 s (mock time), so lists have items.
async fn start_call(
    client: &AmiClient,
) -> Result<asterisk_sdk::runtime::ami::Response, asterisk_sdk::runtime::ami::AmiError> {
    client
        .send(
            &Originate::new("Local/100@default")
                .application("Wait")
                .data("20")
                .async_(true),
        )
        .await
}

async fn next_event<T: asterisk_sdk::runtime::ami::FromEvent + Unpin>(
    s: &mut asterisk_sdk::runtime::ami::EventStream<T>,
) -> EventItem<T> {
    tokio::time::timeout(Duration::from_secs(5), s.next())
        .await
        .expect("an item within 5 s")
        .expect("stream open")
}

#[tokio::test]
async fn list_cut_by_a_disconnect_fails_promptly_then_the_client_recovers() {
    let mock = MockAmi::builder().time_scale(0.05).start().await.unwrap();
    let client = connect(&mock, None).await;
    let mut all = client.events::<Event>();
    let mut hangups = client.events::<events::Hangup>();

    // A live call so the list has items.
    start_call(&client).await.unwrap().into_result().unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    mock.drop_during_next_list();
    let started = std::time::Instant::now();
    let err = client
        .list(&CoreShowChannels::new())
        .await
        .expect_err("the connection drops mid-list");
    assert!(
        matches!(&err, AmiError::OutcomeUnknown { action } if action == "CoreShowChannels"),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the error was not prompt"
    );

    // Every stream gets the marker, then later actions work on the new login.
    loop {
        if let EventItem::Reconnected = next_event(&mut all).await {
            break;
        }
    }
    loop {
        if let EventItem::Reconnected = next_event(&mut hangups).await {
            break;
        }
    }
    let mut state = client.state_watch();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await
    .unwrap()
    .unwrap();
    let pong = client.send(&Ping::new()).await.unwrap();
    assert!(pong.is_success());
    let list = client.list(&CoreShowChannels::new()).await.unwrap();
    assert!(list.complete.is_some());
    let logins = mock
        .received_actions()
        .iter()
        .filter(|m| {
            m.get("Action")
                .is_some_and(|a| a.eq_ignore_ascii_case("Login"))
        })
        .count();
    assert_eq!(logins, 2, "logged in again after the drop");
}

#[tokio::test]
async fn typed_list_items_and_completion() {
    let mock = MockAmi::builder().time_scale(0.05).start().await.unwrap();
    let client = connect(&mock, None).await;
    start_call(&client).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let list = client.list(&CoreShowChannels::new()).await.unwrap();
    assert_eq!(list.items.len(), 2, "both legs of the Local channel");
    for item in &list.items {
        assert!(
            item.channel
                .channel
                .as_deref()
                .unwrap()
                .starts_with("Local/100@default-")
        );
    }
    // The ;1 leg runs the originated application.
    assert!(
        list.items
            .iter()
            .any(|i| i.application.as_deref() == Some("Wait"))
    );
    let complete = list.complete.expect("CoreShowChannelsComplete");
    assert_eq!(complete.raw.get("ListItems"), Some("2"));
    // Status has no <responses> in older docs; the manifest gives its shape too.
    let status = client.list(&Status::new()).await.unwrap();
    assert!(status.complete.is_some());
}

#[tokio::test]
async fn oversized_and_garbage_messages_do_not_kill_the_connection() {
    let mock = MockAmi::builder().start().await.unwrap();
    let client = connect(&mock, Some(4096)).await;
    let mut events = client.events::<Event>();

    let mut bad = Vec::new();
    bad.extend_from_slice(b"Event: Huge\r\nData: ");
    bad.extend(std::iter::repeat_n(b'x', 10_000));
    bad.extend_from_slice(b"\r\n\r\n");
    bad.extend_from_slice(b"\x00\xff garbage line without colon\r\n\r\n");
    bad.extend_from_slice(b"Event: UserEvent\r\nUserEvent: after\r\nBody: \xc3\x28\r\n\n");
    mock.replay(bad).await;

    // The oversized message is skipped; garbage becomes an Unknown event; the
    // UserEvent after a `\r\n\n` terminator still decodes typed.
    let mut saw_user_event = false;
    for _ in 0..3 {
        match next_event(&mut events).await {
            EventItem::Event(Event::UserEvent(e)) => {
                assert_eq!(e.user_event.as_deref(), Some("after"));
                // Invalid UTF-8 stays reachable as bytes.
                assert_eq!(e.raw.get_bytes("Body"), Some(&b"\xc3\x28"[..]));
                saw_user_event = true;
                break;
            }
            EventItem::Event(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(saw_user_event);
    assert!(client.send(&Ping::new()).await.unwrap().is_success());
    assert_eq!(client.state(), ConnectionState::Connected);
}

#[tokio::test]
async fn replayed_capture_decodes_to_typed_events() {
    let recorded = capture::read("asterisk-23.4.1/ami-session.rx.bin");
    // Events only: from the first `Event:` on, without the responses to the
    // capture's own actions.
    let text = String::from_utf8_lossy(&recorded);
    let frames: Vec<&str> = text
        .split("\r\n\r\n")
        .filter(|f| f.starts_with("Event:"))
        .collect();
    let mut body = frames.join("\r\n\r\n");
    body.push_str("\r\n\r\n");

    let mock = MockAmi::builder().start().await.unwrap();
    let client = connect(&mock, None).await;
    let mut events = client.events::<Event>();
    mock.replay(body.into_bytes()).await;
    let mut typed = 0;
    for _ in 0..frames.len() {
        match next_event(&mut events).await {
            EventItem::Event(e) => {
                assert!(!e.is_unknown(), "unknown event {}", e.name());
                typed += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(typed, frames.len());
    assert!(typed > 40, "the capture has dozens of events, got {typed}");
}
