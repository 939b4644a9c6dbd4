//! AsyncAGI end to end: the AMI client against the mock AMI server, a session from
//! `AsyncAGIStart`, the generated AGI methods sent as `Action: AGI`, results from
//! `AsyncAGIExec`, and `AsyncAGIEnd` ending the session.

use asterisk_sdk::agi::{AgiCommands, AgiError, AmiAsyncAgi};
use asterisk_sdk::runtime::ami::AmiClient;
use asterisk_sdk_mock::ami::MockAmi;
use std::time::Duration;

const CHANNEL: &str = "Local/500@asyncagi-0000000f;2";

async fn setup() -> (MockAmi, AmiClient) {
    let mock = MockAmi::builder().start().await.expect("mock starts");
    let addr = mock.addr();
    let client = AmiClient::builder()
        .host(addr.ip().to_string())
        .port(addr.port())
        .credentials("admin", "amp111")
        .action_timeout(Duration::from_secs(5))
        .connect()
        .await
        .expect("client logs in");
    (mock, client)
}

#[tokio::test]
async fn commands_run_over_ami_and_results_are_typed() {
    let (mock, client) = setup().await;
    let agi = AmiAsyncAgi::new(client.clone());
    let mut sessions = agi.sessions();

    mock.set_agi_result("GET VARIABLE", "200 result=1 (bar)");
    mock.start_async_agi(
        CHANNEL,
        &[
            ("agi_request", "async"),
            ("agi_channel", CHANNEL),
            ("agi_callerid", "unknown"),
            ("agi_priority", "2"),
        ],
    )
    .await;

    let mut session = tokio::time::timeout(Duration::from_secs(5), sessions.next())
        .await
        .expect("a session arrives")
        .expect("stream open")
        .expect("environment decodes");
    assert_eq!(session.request.channel, CHANNEL);
    assert_eq!(session.request.request, "async");
    assert_eq!(session.request.caller_id, None);

    session.channel.answer().await.expect("answer");
    let value = session
        .channel
        .get_variable("FOO")
        .await
        .expect("get variable");
    assert_eq!(value.as_deref(), Some("bar"));

    // What went over AMI: Action AGI with the channel, the command and a CommandID.
    let sent = mock.received_actions();
    let agi_actions: Vec<_> = sent
        .iter()
        .filter(|m| m.get("Action") == Some("AGI"))
        .collect();
    assert_eq!(agi_actions.len(), 2);
    assert_eq!(agi_actions[0].get("Channel"), Some(CHANNEL));
    assert_eq!(agi_actions[0].get("Command"), Some("ANSWER"));
    assert_eq!(agi_actions[1].get("Command"), Some("GET VARIABLE FOO"));
    assert!(
        agi_actions[1]
            .get("CommandID")
            .is_some_and(|id| !id.is_empty())
    );

    session
        .channel
        .asyncagi_break()
        .await
        .expect("asyncagi break");
    client.disconnect().await.expect("logoff");
}

#[tokio::test]
async fn commands_after_the_session_ended_fail_with_hangup() {
    let (mock, client) = setup().await;
    let agi = AmiAsyncAgi::new(client.clone());
    let mut sessions = agi.sessions();
    mock.start_async_agi(
        CHANNEL,
        &[("agi_request", "async"), ("agi_channel", CHANNEL)],
    )
    .await;
    let mut session = sessions.next().await.unwrap().unwrap();
    session.channel.answer().await.expect("answer");

    mock.end_async_agi(CHANNEL).await;
    let err = tokio::time::timeout(Duration::from_secs(5), session.channel.answer())
        .await
        .expect("no hang")
        .expect_err("the session has ended");
    assert!(
        matches!(err, AgiError::ChannelHungUp | AgiError::Transport(_)),
        "{err:?}"
    );
}
