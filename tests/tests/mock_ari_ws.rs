//! The events WebSocket client and REST over the WebSocket, against the mock ARI
//! server: a whole Stasis call typed, reconnection, drops, unknown messages.

use asterisk_sdk::ari::AriEvent;
use asterisk_sdk::ari_ws::{
    self, EventStream, Item, ReconnectPolicy, WsConfig, WsError, WsItem, WsTransport,
};
use asterisk_sdk::runtime::ari::{AriRequest, AriTransport, TransportError};
use asterisk_sdk_mock::ari::MockAri;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(10);

async fn mock() -> MockAri {
    MockAri::builder()
        .time_scale(0.01)
        .start()
        .await
        .expect("mock starts")
}

fn config(mock: &MockAri) -> WsConfig {
    WsConfig::new(mock.base_url(), "asterisk", "asterisk")
        .app("test-app")
        .request_timeout(Duration::from_secs(5))
        .reconnect(ReconnectPolicy::new(
            Duration::from_millis(10),
            Duration::from_millis(50),
        ))
}

async fn next(events: &mut EventStream) -> Item {
    match tokio::time::timeout(WAIT, events.next_item()).await {
        Ok(Some(item)) => item,
        Ok(None) => panic!("event stream ended"),
        Err(_) => panic!("no event within {WAIT:?}"),
    }
}

async fn next_event(events: &mut EventStream) -> AriEvent {
    match next(events).await {
        WsItem::Event(e) => e,
        other => panic!("expected a typed event, got {other:?}"),
    }
}

/// A minimal HTTP/1.1 client: `(status, body)`.
async fn http(mock: &MockAri, method: &str, target: &str, auth: bool) -> (u16, String) {
    let mut s = TcpStream::connect(mock.addr()).await.expect("connect");
    let auth = if auth {
        "Authorization: Basic YXN0ZXJpc2s6YXN0ZXJpc2s=\r\n"
    } else {
        ""
    };
    let req = format!("{method} {target} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8(raw).expect("UTF-8");
    let status = text[9..12].parse().expect("status");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

async fn rest(t: &WsTransport, req: AriRequest) -> (u16, serde_json::Value) {
    let r = t.send(req).await.expect("REST over WebSocket");
    let body = if r.body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&r.body).expect("JSON body")
    };
    (r.status, body)
}

#[tokio::test]
async fn originate_answer_play_hangup_arrive_typed_in_order() {
    let mock = mock().await;
    let (transport, mut events) = ari_ws::connect(config(&mock)).await.expect("connects");

    let (status, body) = http(
        &mock,
        "POST",
        "/ari/channels?endpoint=Local/100@default&app=test-app&appArgs=originated&callerId=ARI+Test+%3C5555%3E",
        true,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let channel: serde_json::Value = serde_json::from_str(&body).expect("channel JSON");
    let id = channel["id"].as_str().expect("id").to_string();
    assert_eq!(channel["caller"]["name"], "ARI Test");

    match next_event(&mut events).await {
        AriEvent::StasisStart(e) => {
            assert_eq!(e.args, ["originated"]);
            assert_eq!(e.channel.id, id);
            assert_eq!(e.application, "test-app");
            assert_eq!(
                e.asterisk_id.as_deref(),
                Some(asterisk_sdk_mock::ari::ASTERISK_ID)
            );
        }
        other => panic!("expected StasisStart, got {other:?}"),
    }

    let answer = AriRequest::new("POST", format!("/channels/{id}/answer"));
    assert_eq!(rest(&transport, answer).await.0, 204);
    match next_event(&mut events).await {
        AriEvent::ChannelStateChange(e) => assert_eq!(e.channel.state.as_str(), "Up"),
        other => panic!("expected ChannelStateChange, got {other:?}"),
    }

    let play = AriRequest::new("POST", format!("/channels/{id}/play"))
        .query("media", "sound:hello-world")
        .query("playbackId", "pb-hello-1");
    let (status, playback) = rest(&transport, play).await;
    assert_eq!(status, 201);
    assert_eq!(playback["state"], "queued");
    assert_eq!(playback["target_uri"], format!("channel:{id}"));
    match next_event(&mut events).await {
        AriEvent::PlaybackStarted(e) => {
            assert_eq!(e.playback.id, "pb-hello-1");
            assert_eq!(e.playback.media_uri, "sound:hello-world");
            assert_eq!(e.playback.state.as_str(), "playing");
        }
        other => panic!("expected PlaybackStarted, got {other:?}"),
    }
    match next_event(&mut events).await {
        AriEvent::PlaybackFinished(e) => assert_eq!(e.playback.state.as_str(), "done"),
        other => panic!("expected PlaybackFinished, got {other:?}"),
    }

    let (status, _) = http(
        &mock,
        "DELETE",
        &format!("/ari/channels/{id}?reason=normal"),
        true,
    )
    .await;
    assert_eq!(status, 204);
    let kinds: Vec<String> = [
        next_event(&mut events).await,
        next_event(&mut events).await,
        next_event(&mut events).await,
    ]
    .iter()
    .map(|e| e.event_type().to_string())
    .collect();
    assert_eq!(
        kinds,
        ["ChannelHangupRequest", "StasisEnd", "ChannelDestroyed"]
    );
    assert!(mock.channel_ids().is_empty());
}

#[tokio::test]
async fn rest_over_websocket_round_trip_and_responses_stay_out_of_the_stream() {
    let mock = mock().await;
    let (transport, mut events) = ari_ws::connect(config(&mock)).await.expect("connects");
    let id = mock.incoming_call("test-app", "PJSIP/alice", "Alice <1001>", &["x"]);
    assert!(matches!(
        next_event(&mut events).await,
        AriEvent::StasisStart(_)
    ));

    let (status, _) = rest(
        &transport,
        AriRequest::new("POST", format!("/channels/{id}/answer")),
    )
    .await;
    assert_eq!(status, 204);
    let (status, channel) = rest(
        &transport,
        AriRequest::new("GET", format!("/channels/{id}")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(channel["state"], "Up");
    let mut set = AriRequest::new("POST", format!("/channels/{id}/variable"))
        .query("variable", "FOO")
        .query("value", "bar baz&=");
    set.body = None;
    assert_eq!(rest(&transport, set).await.0, 204);
    let get = AriRequest::new("GET", format!("/channels/{id}/variable")).query("variable", "FOO");
    assert_eq!(rest(&transport, get).await.1["value"], "bar baz&=");
    let (status, error) = rest(&transport, AriRequest::new("GET", "/channels/nope")).await;
    assert_eq!(status, 404);
    assert_eq!(error["message"], "Channel not found");

    // Only the events reach the stream: no RESTResponse in between.
    assert!(matches!(
        next_event(&mut events).await,
        AriEvent::ChannelStateChange(_)
    ));
    assert!(matches!(
        next_event(&mut events).await,
        AriEvent::ChannelVarset(_)
    ));
    assert!(mock.send_raw("test-app", r#"{"type":"Marker","application":"test-app"}"#));
    assert_eq!(next_event(&mut events).await.event_type(), "Marker");
}

#[tokio::test]
async fn reconnects_after_drop_with_markers_and_working_transport() {
    let mock = mock().await;
    let (transport, mut events) = ari_ws::connect(config(&mock)).await.expect("connects");
    assert!(transport.is_connected());
    mock.drop_websockets();
    assert!(matches!(
        next(&mut events).await,
        WsItem::Disconnected { .. }
    ));
    assert!(matches!(next(&mut events).await, WsItem::Reconnected));
    assert_eq!(mock.applications(), ["test-app"]);

    let id = mock.incoming_call("test-app", "PJSIP/bob", "1002", &[]);
    match next_event(&mut events).await {
        AriEvent::StasisStart(e) => assert_eq!(e.channel.id, id),
        other => panic!("expected StasisStart, got {other:?}"),
    }
    let (status, _) = rest(&transport, AriRequest::new("GET", "/channels")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn without_reconnect_the_stream_ends_and_requests_fail_promptly() {
    let mock = mock().await;
    let cfg = config(&mock).reconnect(ReconnectPolicy::never());
    let (transport, mut events) = ari_ws::connect(cfg).await.expect("connects");
    mock.drop_websockets();
    assert!(matches!(
        next(&mut events).await,
        WsItem::Disconnected { .. }
    ));
    assert!(
        tokio::time::timeout(WAIT, events.next_item())
            .await
            .expect("ends")
            .is_none()
    );
    let err = transport
        .send(AriRequest::new("GET", "/channels"))
        .await
        .expect_err("no socket");
    assert!(matches!(err, TransportError::Disconnected), "{err:?}");
    assert!(!transport.is_connected());
}

#[tokio::test]
async fn unknown_types_fields_and_bad_messages_reach_the_user() {
    let mock = mock().await;
    let (_transport, mut events) = ari_ws::connect(config(&mock)).await.expect("connects");

    mock.send_raw(
        "test-app",
        r#"{"type":"BrandNewEvent","timestamp":"2026-11-26T21:17:38.012+0000","detail":{"a":1},"application":"test-app"}"#,
    );
    match next_event(&mut events).await {
        AriEvent::Unknown(raw) => assert_eq!(raw["detail"]["a"], 1),
        other => panic!("expected Unknown, got {other:?}"),
    }

    let id = mock.incoming_call("test-app", "PJSIP/carol", "", &[]);
    let start = match next_event(&mut events).await {
        AriEvent::StasisStart(e) => e,
        other => panic!("expected StasisStart, got {other:?}"),
    };
    let mut json = serde_json::to_value(&start).expect("serializes");
    json["future_field"] = serde_json::json!({"since": "24.0.0"});
    mock.send_raw("test-app", json.to_string());
    match next_event(&mut events).await {
        AriEvent::StasisStart(e) => {
            assert_eq!(e.channel.id, id);
            assert_eq!(e.extra["future_field"]["since"], "24.0.0");
        }
        other => panic!("expected StasisStart, got {other:?}"),
    }

    // A known type with a field of the wrong type: delivered as Unknown, with why.
    mock.send_raw(
        "test-app",
        r#"{"type":"StasisStart","args":5,"application":"test-app"}"#,
    );
    match next(&mut events).await {
        WsItem::Undecoded {
            event: AriEvent::Unknown(raw),
            error,
        } => {
            assert_eq!(raw["args"], 5);
            assert!(!error.to_string().is_empty());
        }
        other => panic!("expected Undecoded, got {other:?}"),
    }
    mock.send_raw("test-app", "not json at all");
    match next(&mut events).await {
        WsItem::Invalid { bytes, .. } => assert_eq!(&bytes[..], b"not json at all"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn http_errors_look_like_asterisk() {
    let mock = mock().await;
    let (status, body) = http(&mock, "GET", "/ari/asterisk/info", false).await;
    assert_eq!(
        (status, body.as_str()),
        (401, r#"{"message":"Authentication required"}"#)
    );
    let (status, body) = http(&mock, "POST", "/ari/channels?app=test-app", true).await;
    assert_eq!(status, 400);
    assert!(body.contains("endpoint"), "{body}");
    let (status, body) = http(&mock, "GET", "/ari/no/such/route", true).await;
    assert_eq!(
        (status, body.as_str()),
        (404, r#"{"message":"Resource not found"}"#)
    );
    let (status, body) = http(&mock, "GET", "/ari/playbacks/does-not-exist", true).await;
    assert_eq!(
        (status, body.as_str()),
        (404, r#"{"message":"Playback not found"}"#)
    );

    let wrong = WsConfig::new(mock.base_url(), "asterisk", "wrong").app("test-app");
    let err = ari_ws::connect(wrong).await.expect_err("refused");
    assert!(matches!(err, WsError::Unauthorized), "{err:?}");
}

#[tokio::test]
async fn a_newer_socket_replaces_the_older_for_an_app() {
    let mock = mock().await;
    let (_t1, mut first) = ari_ws::connect(config(&mock)).await.expect("connects");
    let (_t2, mut second) = ari_ws::connect(config(&mock)).await.expect("connects");
    match next_event(&mut first).await {
        AriEvent::ApplicationReplaced(e) => assert_eq!(e.application, "test-app"),
        other => panic!("expected ApplicationReplaced, got {other:?}"),
    }
    mock.incoming_call("test-app", "PJSIP/dave", "", &[]);
    assert!(matches!(
        next_event(&mut second).await,
        AriEvent::StasisStart(_)
    ));
}
