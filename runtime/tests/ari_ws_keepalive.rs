//! The ARI events WebSocket against a peer that completes the handshake and
//! then goes silent (a hung Asterisk, or a half-open connection): the client's
//! ping goes unanswered, the connection counts as lost, and it reconnects.

use asterisk_sdk_runtime::ari::ws::{ReconnectPolicy, WsConfig, WsItem, connect};
use futures::StreamExt;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

#[tokio::test]
async fn a_silent_peer_is_detected_by_the_keepalive_and_reconnected() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (accepted_tx, mut accepted) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            // Complete the upgrade, then never read again: pings go unanswered.
            if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                held.push(ws);
                let _ = accepted_tx.send(());
            }
        }
    });
    let config = WsConfig::new(format!("http://{addr}"), "u", "p")
        .app("app")
        .keepalive(Some(Duration::from_millis(100)))
        .reconnect(ReconnectPolicy::new(
            Duration::from_millis(10),
            Duration::from_millis(10),
        ));
    let (_transport, mut events) = connect::<serde_json::Value>(config).await.unwrap();
    accepted.recv().await.unwrap();
    let item = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .expect("the silent peer is noticed");
    match item {
        Some(WsItem::Disconnected { reason }) => {
            assert!(reason.contains("no answer to a ping"), "{reason}")
        }
        other => panic!("unexpected {other:?}"),
    }
    let item = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .expect("reconnected");
    assert!(matches!(item, Some(WsItem::Reconnected)), "{item:?}");
    accepted.recv().await.unwrap();
}
