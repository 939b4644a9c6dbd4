//! The mock AGI driver against a real FastAGI server running generated commands:
//! the captured session replayed end to end, and a hang-up mid-command.

use asterisk_sdk::agi::{
    AgiChannel, AgiCommands, AgiError, AgiRequest, FastAgiServer, ServerConfig,
};
use asterisk_sdk_mock::agi::MockAgi;
use tokio::sync::mpsc;

#[tokio::test]
async fn captured_session_replays_through_generated_methods() {
    let server = FastAgiServer::bind("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let stop = server.shutdown_handle();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let serving = tokio::spawn(server.serve(move |req: AgiRequest, mut chan: AgiChannel| {
        let tx = tx.clone();
        async move {
            let mut seen = Vec::new();
            chan.answer().await?;
            let s = chan.stream_file("hello-world", "", None).await?;
            seen.push(format!("{s:?}"));
            seen.push(format!("{:?}", chan.get_variable("FOO").await?));
            chan.set_variable("BAZ", "qux from fastagi").await?;
            seen.push(format!("{:?}", chan.get_variable("BAZ").await?));
            seen.push(format!(
                "{:?}",
                chan.database_put("agitest", "key1", "value1").await?
            ));
            seen.push(format!("{:?}", chan.database_get("agitest", "key1").await?));
            chan.verbose("hello from the FastAGI test server", 1)
                .await?;
            seen.push(format!("{:?}", chan.hangup(None).await?));
            let notice = chan.transport_mut().wait_for_hangup().await?;
            seen.push(format!("{notice:?}"));
            let after = chan.answer().await;
            seen.push(format!("{}", matches!(after, Err(AgiError::ChannelHungUp))));
            let _ = tx.send((req, seen));
            Ok(())
        }
    }));
    let report = MockAgi::new()
        .script_path("test?x=1")
        .expect("ANSWER", "200 result=0")
        .expect("STREAM FILE hello-world \"\"", "200 result=0 endpos=11360")
        .expect("GET VARIABLE FOO", "200 result=1 (bar)")
        .expect("SET VARIABLE BAZ \"qux from fastagi\"", "200 result=1")
        .expect("GET VARIABLE BAZ", "200 result=1 (qux from fastagi)")
        .expect("DATABASE PUT agitest key1 value1", "200 result=1")
        .expect("DATABASE GET agitest key1", "200 result=1 (value1)")
        .expect(
            "VERBOSE \"hello from the FastAGI test server\" 1",
            "200 result=1",
        )
        .expect("HANGUP", "200 result=1")
        .send_hangup()
        .run(addr)
        .await
        .unwrap();
    let (req, seen) = rx.recv().await.unwrap();
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    assert_eq!(
        report.commands.len(),
        10,
        "the last ANSWER is refused with 511"
    );
    assert_eq!(req.script.as_deref(), Some("test"));
    assert_eq!(req.param("x"), Some("1"));
    let expected_stream = "StreamOutcome { digit: None, endpos: 11360 }";
    assert_eq!(
        seen,
        [
            expected_stream,
            "Some(\"bar\")",
            "Some(\"qux from fastagi\")",
            "true",
            "Some(\"value1\")",
            "true",
            "HangupLine",
            "true"
        ]
    );
    stop.shutdown();
    serving.await.unwrap().unwrap();
}

#[tokio::test]
async fn hangup_mid_command_fails_with_channel_hung_up() {
    let server = FastAgiServer::bind("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let stop = server.shutdown_handle();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let serving = tokio::spawn(server.serve(move |_req: AgiRequest, mut chan: AgiChannel| {
        let tx = tx.clone();
        async move {
            let first = chan.stream_file("long-prompt", "#", None).await;
            let second = chan.noop().await;
            let _ = tx.send((first, second));
            Ok(())
        }
    }));
    let report = MockAgi::new()
        .hangup_during("STREAM FILE long-prompt #")
        .run(addr)
        .await
        .unwrap();
    let (first, second) = rx.recv().await.unwrap();
    assert!(matches!(first, Err(AgiError::ChannelHungUp)), "{first:?}");
    assert!(matches!(second, Err(AgiError::ChannelHungUp)), "{second:?}");
    assert_eq!(report.commands, ["STREAM FILE long-prompt #"]);
    stop.shutdown();
    serving.await.unwrap().unwrap();
}

/// Asterisk's real order when the caller hangs up during playback or a digit
/// wait: `200 result=-1 endpos=…` first, `HANGUP` after it.
#[tokio::test]
async fn result_minus_one_then_hangup_line_is_channel_hung_up() {
    use std::time::Duration;
    let server = FastAgiServer::bind("127.0.0.1:0", ServerConfig::default())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let stop = server.shutdown_handle();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let serving = tokio::spawn(server.serve(move |_req: AgiRequest, mut chan: AgiChannel| {
        let tx = tx.clone();
        async move {
            let failed = chan.stream_file("missing-file", "", None).await;
            let stream = chan.stream_file("long-prompt", "#", None).await;
            let digit = chan.wait_for_digit(5000).await;
            let after = chan.noop().await;
            let _ = tx.send((failed, stream, digit, after));
            Ok(())
        }
    }));
    let report = MockAgi::new()
        // A failure on a live channel: no HANGUP follows.
        .expect("STREAM FILE missing-file \"\"", "200 result=-1 endpos=0")
        .reply_then_hangup(
            "STREAM FILE long-prompt #",
            "200 result=-1 endpos=11360",
            Duration::from_millis(20),
        )
        .expect("WAIT FOR DIGIT 5000", "200 result=-1")
        .run(addr)
        .await
        .unwrap();
    let (failed, stream, digit, after) = rx.recv().await.unwrap();
    match &failed {
        Err(e @ AgiError::Failed { reply, .. }) => {
            assert_eq!(reply, "200 result=-1 endpos=0");
            assert!(!e.is_hangup());
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(stream, Err(AgiError::ChannelHungUp)), "{stream:?}");
    assert!(matches!(digit, Err(AgiError::ChannelHungUp)), "{digit:?}");
    assert!(matches!(after, Err(AgiError::ChannelHungUp)), "{after:?}");
    assert!(stream.unwrap_err().is_hangup());
    assert_eq!(
        report.commands,
        [
            "STREAM FILE missing-file \"\"",
            "STREAM FILE long-prompt #",
            "WAIT FOR DIGIT 5000",
            "NOOP",
        ]
    );
    stop.shutdown();
    serving.await.unwrap().unwrap();
}
