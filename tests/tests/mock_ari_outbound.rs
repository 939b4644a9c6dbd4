//! Outbound WebSockets: a fake Asterisk connects to the application's
//! [`OutboundServer`], registers a per-call application, sends events and answers
//! a REST request sent over the same socket.

use asterisk_sdk::ari::AriEvent;
use asterisk_sdk::ari_ws::{Credentials, OutboundOptions, OutboundServer, WsItem, split_app_name};
use asterisk_sdk::runtime::ari::{AriRequest, AriTransport};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const WAIT: Duration = Duration::from_secs(10);
const PER_CALL_APP: &str = "voicebotpc:PJSIP/1172-00000000";

fn registered(app: &str) -> String {
    format!(
        r#"{{"type":"ApplicationRegistered","timestamp":"2026-11-26T21:17:38.012+0000","asterisk_id":"02:fc:00:00:00:01","application":"{app}"}}"#
    )
}

async fn fake_asterisk(
    addr: std::net::SocketAddr,
    password: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::Error,
> {
    let mut req = format!("ws://{addr}/ari-app").into_client_request()?;
    let auth = format!("ari_user:{password}");
    let auth = format!("Basic {}", base64(auth.as_bytes()));
    req.headers_mut().insert(
        "Authorization",
        HeaderValue::from_str(&auth).expect("header"),
    );
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("ari"));
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

fn base64(input: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in input.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[tokio::test]
async fn asterisk_connects_registers_sends_events_and_answers_rest() {
    let mut options = OutboundOptions::default();
    options.credentials = Some(Credentials::new("ari_user", "s3cret"));
    let server = OutboundServer::bind("127.0.0.1:0", options)
        .await
        .expect("binds");
    let addr = server.local_addr();

    let refused = fake_asterisk(addr, "wrong")
        .await
        .expect_err("bad password");
    match refused {
        tokio_tungstenite::tungstenite::Error::Http(resp) => {
            assert_eq!(resp.status().as_u16(), 401)
        }
        other => panic!("expected HTTP 401, got {other:?}"),
    }

    let mut asterisk = fake_asterisk(addr, "s3cret").await.expect("connects");
    let mut conn = tokio::time::timeout(WAIT, server.accept::<AriEvent>())
        .await
        .expect("in time")
        .expect("accepted");
    assert_eq!(conn.username(), Some("ari_user"));
    assert_eq!(conn.path(), "/ari-app");

    asterisk
        .send(Message::text(registered(PER_CALL_APP)))
        .await
        .expect("send");
    let item = tokio::time::timeout(WAIT, conn.events.next_item())
        .await
        .expect("in time");
    match item {
        Some(WsItem::Event(AriEvent::ApplicationRegistered(e))) => {
            assert_eq!(
                split_app_name(&e.application),
                ("voicebotpc", Some("PJSIP/1172-00000000"))
            );
        }
        other => panic!("expected ApplicationRegistered, got {other:?}"),
    }
    assert_eq!(conn.applications(), [PER_CALL_APP]);

    asterisk
        .send(Message::text(format!(
            r#"{{"type":"SomethingNew","application":"{PER_CALL_APP}","x":1}}"#
        )))
        .await
        .expect("send");
    match tokio::time::timeout(WAIT, conn.events.next_item())
        .await
        .expect("in time")
    {
        Some(WsItem::Event(AriEvent::Unknown(raw))) => assert_eq!(raw["x"], 1),
        other => panic!("expected Unknown, got {other:?}"),
    }

    // REST over the outbound socket: the fake Asterisk answers the request.
    let transport = conn.transport.clone();
    let call = tokio::spawn(async move {
        transport
            .send(AriRequest::new("POST", "/channels/1795727858.4/answer"))
            .await
    });
    let request = loop {
        match tokio::time::timeout(WAIT, asterisk.next())
            .await
            .expect("in time")
        {
            Some(Ok(Message::Text(t))) => {
                break serde_json::from_str::<serde_json::Value>(t.as_str()).expect("JSON");
            }
            Some(Ok(_)) => continue,
            other => panic!("expected a RESTRequest, got {other:?}"),
        }
    };
    assert_eq!(request["type"], "RESTRequest");
    assert_eq!(request["method"], "POST");
    assert_eq!(request["uri"], "channels/1795727858.4/answer");
    let response = serde_json::json!({
        "type": "RESTResponse",
        "transaction_id": request["transaction_id"],
        "request_id": request["request_id"],
        "status_code": 204,
        "reason_phrase": "No Content",
        "uri": request["uri"],
        "timestamp": "2026-11-26T21:17:38.012+0000",
        "asterisk_id": "02:fc:00:00:00:01",
        "application": PER_CALL_APP,
    });
    asterisk
        .send(Message::text(response.to_string()))
        .await
        .expect("send");
    let answered = call.await.expect("joined").expect("answered");
    assert_eq!(answered.status, 204);

    asterisk
        .send(Message::text(format!(
            r#"{{"type":"ApplicationUnregistered","timestamp":"2026-11-26T21:17:39.940+0000","application":"{PER_CALL_APP}"}}"#
        )))
        .await
        .expect("send");
    match tokio::time::timeout(WAIT, conn.events.next_item())
        .await
        .expect("in time")
    {
        Some(WsItem::Event(AriEvent::ApplicationUnregistered(_))) => {}
        other => panic!("expected ApplicationUnregistered, got {other:?}"),
    }
    assert!(conn.applications().is_empty());

    // Pings are answered while the application is idle.
    asterisk
        .send(Message::Ping(b"are-you-there"[..].into()))
        .await
        .expect("ping");
    loop {
        match tokio::time::timeout(WAIT, asterisk.next())
            .await
            .expect("in time")
        {
            Some(Ok(Message::Pong(p))) => break assert_eq!(&p[..], b"are-you-there"),
            Some(Ok(_)) => continue,
            other => panic!("expected a pong, got {other:?}"),
        }
    }

    asterisk.close(None).await.expect("close");
    match tokio::time::timeout(WAIT, conn.events.next_item())
        .await
        .expect("in time")
    {
        Some(WsItem::Disconnected { .. }) => {}
        other => panic!("expected Disconnected, got {other:?}"),
    }
    assert!(
        tokio::time::timeout(WAIT, conn.events.next_item())
            .await
            .expect("in time")
            .is_none()
    );
    assert!(!conn.transport.is_connected());
}
