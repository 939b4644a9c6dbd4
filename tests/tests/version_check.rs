//! Version-aware clients against the mocks: an action or operation the server's
//! release line lacks fails with `Unsupported` before it is sent; a server newer
//! than every generated release is trusted; the check can be turned off.

use asterisk_sdk::ami::actions::{Monitor, PjsipShowMaintenance};
use asterisk_sdk::ari::AriClient;
use asterisk_sdk::runtime::ami::{AmiClient, AmiError};
use asterisk_sdk::runtime::ari::AriError;
use asterisk_sdk::runtime::version::Unsupported;
use asterisk_sdk_mock::ami::{MockAmi, MockAmiBuilder};
use asterisk_sdk_mock::ari::MockAri;
use std::time::Duration;

async fn ami(mock: MockAmiBuilder, check: bool) -> (MockAmi, AmiClient) {
    let mock = mock.start().await.expect("mock AMI");
    let addr = mock.addr();
    let client = AmiClient::builder()
        .host(addr.ip().to_string())
        .port(addr.port())
        .credentials("admin", "amp111")
        .action_timeout(Duration::from_secs(5))
        .version_check(check)
        .connect()
        .await
        .expect("login");
    (mock, client)
}

/// How many times `action` reached the mock.
fn received(mock: &MockAmi, action: &str) -> usize {
    mock.received_actions()
        .iter()
        .filter(|m| m.get("Action") == Some(action))
        .count()
}

fn ari(mock: &MockAri) -> AriClient {
    AriClient::http(mock.base_url(), "asterisk", "asterisk").expect("ARI client")
}

#[tokio::test]
async fn ami_action_missing_on_an_older_line_is_refused_unsent() {
    let (mock, client) = ami(MockAmi::builder().release("21.12.3"), true).await;
    assert_eq!(
        client.server_version().map(|v| v.to_string()),
        Some("21.12.3".to_string())
    );
    // PJSIPShowMaintenance is in 20.20.1, 22.10.1 and 23.4.1, not in 21.
    let err = client
        .list(&PjsipShowMaintenance::new())
        .await
        .expect_err("21.12.3 lacks it");
    match err {
        AmiError::Unsupported(Unsupported {
            name,
            server_version,
            available_in,
            ..
        }) => {
            assert_eq!(name, "PJSIPShowMaintenance");
            assert_eq!(server_version, "21.12.3");
            assert_eq!(available_in, ["20.20.1", "22.10.1", "23.4.1"]);
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    // Monitor (only 20.20.1) through `send`.
    let err = client
        .send(&Monitor::new("PJSIP/100-00000001"))
        .await
        .expect_err("21.12.3 lacks Monitor");
    assert!(matches!(err, AmiError::Unsupported(_)), "{err:?}");
    assert_eq!(received(&mock, "PJSIPShowMaintenance"), 0);
    assert_eq!(received(&mock, "Monitor"), 0);
    assert_eq!(received(&mock, "CoreSettings"), 1);
}

#[tokio::test]
async fn ami_server_newer_than_every_release_is_trusted() {
    // The actions answered are 23.4.1's; the server says it is 24.
    let (mock, client) = ami(MockAmi::builder().asterisk_version("24.1.0"), true).await;
    assert_eq!(
        client.server_version().and_then(|v| v.line()),
        Some(24),
        "learned after login"
    );
    let answer = client
        .send(&Monitor::new("PJSIP/100-00000001"))
        .await
        .expect("sent: a newer line is not checked");
    // The mock plays 23.4.1, which has no Monitor: Asterisk's own answer.
    assert!(!answer.is_success());
    assert_eq!(received(&mock, "Monitor"), 1);
}

#[tokio::test]
async fn ami_check_off_sends_everything_and_asks_nothing() {
    let (mock, client) = ami(MockAmi::builder().release("21.12.3"), false).await;
    assert_eq!(client.server_version(), None);
    let answer = client
        .send(&Monitor::new("PJSIP/100-00000001"))
        .await
        .expect("sent");
    assert!(!answer.is_success());
    assert_eq!(received(&mock, "Monitor"), 1);
    assert_eq!(received(&mock, "CoreSettings"), 0);
}

#[tokio::test]
async fn ari_operation_missing_on_an_older_line_is_refused() {
    let mock = MockAri::builder()
        .asterisk_version("21.12.3")
        .start()
        .await
        .expect("mock ARI");
    let client = ari(&mock);
    // POST /events/claim is in 20.20.1, 22.10.1 and 23.4.1, not in 21.
    let err = client
        .events()
        .claim_channel("1795727861.9", "my-app")
        .await
        .expect_err("21.12.3 lacks it");
    match err {
        AriError::Unsupported(u) => {
            assert_eq!(u.name, "events.claimChannel");
            assert_eq!(u.server_version, "21.12.3");
            assert_eq!(u.available_in, ["20.20.1", "22.10.1", "23.4.1"]);
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let version = client.server_version().await.expect("asked");
    assert_eq!(version.map(|v| v.to_string()), Some("21.12.3".into()));
    // An operation every release has is sent whatever the version.
    let channels = client.channels().list().await.expect("channels.list");
    assert!(channels.is_empty());
}

#[tokio::test]
async fn ari_server_newer_than_every_release_is_trusted() {
    let mock = MockAri::builder()
        .asterisk_version("24.0.0")
        .start()
        .await
        .expect("mock ARI");
    let client = ari(&mock);
    let err = client
        .events()
        .claim_channel("1795727861.9", "my-app")
        .await
        .expect_err("the mock does not simulate claims");
    // It went on the wire: the answer is the mock's status, not a refusal.
    assert_eq!(err.status(), Some(501), "{err:?}");
    let version = client.server_version().await.expect("asked");
    assert_eq!(version.and_then(|v| v.line()), Some(24));
}

#[tokio::test]
async fn ari_check_off_sends_the_operation() {
    let mock = MockAri::builder()
        .asterisk_version("21.12.3")
        .start()
        .await
        .expect("mock ARI");
    let client = ari(&mock).version_check(false);
    let err = client
        .events()
        .claim_channel("1795727861.9", "my-app")
        .await
        .expect_err("the mock does not simulate claims");
    assert_eq!(err.status(), Some(501), "{err:?}");
}
