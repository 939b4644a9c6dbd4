//! ARI `channels.mute`/`unmute` against the mock, which answers like Asterisk
//! 23.4.1: 400 "Direction is required" when `direction` is absent, although the
//! Swagger documents the default `both`. The generated call sends `both` itself
//! (fix `mute-direction-default`), so it works as documented.

use asterisk_sdk::ari::params::Direction;
use asterisk_sdk::ari::{AriClient, AriRequest};
use asterisk_sdk_mock::ari::MockAri;

async fn mock_and_channel() -> (MockAri, AriClient, String) {
    let mock = MockAri::builder()
        .time_scale(0.01)
        .start()
        .await
        .expect("mock starts");
    let client = AriClient::http(mock.base_url(), "asterisk", "asterisk").expect("client");
    let channel = client
        .channels()
        .originate("Local/100@default")
        .app("test-app")
        .await
        .expect("originate");
    (mock, client, channel.id)
}

#[tokio::test]
async fn mute_and_unmute_without_direction_send_the_documented_default() {
    let (_mock, client, id) = mock_and_channel().await;
    let channel = client.channel(&id);
    let request = channel.mute().request();
    assert_eq!(
        request.query,
        [("direction".to_string(), "both".to_string())]
    );
    channel.mute().await.expect("mute without a direction");
    channel.unmute().await.expect("unmute without a direction");
    // A direction the caller sets is sent as set.
    let request = channel.mute().direction(Direction::In).request();
    assert_eq!(request.query, [("direction".to_string(), "in".to_string())]);
    channel
        .mute()
        .direction(Direction::In)
        .await
        .expect("mute inbound");
}

#[tokio::test]
async fn the_server_refuses_a_mute_without_direction() {
    let (_mock, client, id) = mock_and_channel().await;
    // What the call sent before the fix: no query at all.
    let bare = AriRequest::new("POST", format!("/channels/{id}/mute"));
    let response = client.transport().send(bare).await.expect("sent");
    assert_eq!(response.status, 400);
    assert!(
        String::from_utf8_lossy(&response.body).contains("Direction is required"),
        "{:?}",
        String::from_utf8_lossy(&response.body)
    );
}
