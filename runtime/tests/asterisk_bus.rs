//! The `asterisk-bus` binary: bridges a mock Asterisk named in a TOML file to a
//! nats-server started here, and on SIGTERM publishes what it buffered and
//! exits with success. Ignored without nats-server.
#![cfg(feature = "nats")]

use asterisk_sdk_mock::ami::MockAmi;
use asterisk_sdk_mock::nats::NatsServer;
use asterisk_sdk_runtime::bus::async_nats;
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs nats-server"]
async fn bridges_the_file_s_nodes_and_flushes_on_sigterm() {
    let nats = NatsServer::start().expect("nats-server starts");
    let mock = MockAmi::builder().start().await.unwrap();
    let dir = nats.store().join("bin-test");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("bus.toml");
    std::fs::write(
        &config,
        format!(
            "[nats]\nurl = \"{}\"\n\n[bus]\nstream = \"BINTEST\"\n\n[[node]]\nid = \"pbx.1\"\nami = {{ host = \"127.0.0.1\", port = {}, username = \"admin\", secret = \"amp111\" }}\n",
            nats.url(),
            mock.addr().port()
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_asterisk-bus"))
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let pid = child.id().to_string();
    // Wait until the bridge is logged in to the mock.
    for _ in 0..500 {
        if mock.sessions() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(mock.sessions(), 1, "the bridge logged in");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut events = Vec::new();
    for i in 0..3000 {
        events.extend_from_slice(
            format!("Event: Tick\r\nPrivilege: call,all\r\nN: {i}\r\n\r\n").as_bytes(),
        );
    }
    mock.replay(events).await;
    // SIGTERM while events are still being published.
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("exits after SIGTERM")
    .unwrap()
    .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    // `pbx.1: <queued> queued, <acked> acknowledged …`
    let line = log
        .lines()
        .find(|l| l.contains("pbx.1:") && l.contains("queued"))
        .unwrap_or_else(|| panic!("no stats line in {log}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    let (queued, acked) = (numbers[1], numbers[2]);
    assert!(queued > 0, "{line}");
    assert_eq!(queued, acked, "everything queued was published: {line}");
    let client = async_nats::connect(nats.url()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let mut stream = js.get_stream("BINTEST").await.unwrap();
    let stored = stream.info().await.unwrap().state.messages;
    assert_eq!(stored, acked, "{line}");
    println!("{line}; stored {stored}");
}
