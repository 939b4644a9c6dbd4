//! FastAGI server behaviour: panic isolation, shutdown drain, environment
//! limits and hang-ups, driven by a minimal Asterisk-side client.

#![cfg(feature = "agi")]

use asterisk_sdk_runtime::agi::{
    AgiChannel, AgiError, AgiRequest, EnvLimits, FastAgiServer, HangupNotice, ServerConfig,
    ShutdownHandle,
};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

type Outcome = (AgiRequest, Result<String, AgiError>);

/// A server whose handler sends `NOOP` and reports the reply (or error); it
/// panics when the script query has `panic=1`.
async fn start(
    config: ServerConfig,
) -> (
    SocketAddr,
    ShutdownHandle,
    mpsc::UnboundedReceiver<Outcome>,
    tokio::task::JoinHandle<()>,
) {
    let server = FastAgiServer::bind("127.0.0.1:0", config).await.unwrap();
    let addr = server.local_addr().unwrap();
    let handle = server.shutdown_handle();
    let (tx, rx) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        server
            .serve(move |req: AgiRequest, mut chan: AgiChannel| {
                let tx = tx.clone();
                async move {
                    if req.param("panic") == Some("1") {
                        panic!("handler failure under test");
                    }
                    let r = chan.execute("NOOP").await.map(|r| r.line);
                    let _ = tx.send((req, r));
                    Ok(())
                }
            })
            .await
            .unwrap();
    });
    (addr, handle, rx, task)
}

struct Peer {
    io: BufReader<TcpStream>,
}

impl Peer {
    async fn connect(addr: SocketAddr, script: &str) -> Peer {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let env = format!(
            "agi_network: yes\nagi_network_script: {script}\nagi_request: agi://127.0.0.1/{script}\r\nagi_channel: Local/1@x-1;2\nagi_callerid: unknown\nagi_arg_1: one\n\n"
        );
        s.write_all(env.as_bytes()).await.unwrap();
        Peer {
            io: BufReader::new(s),
        }
    }

    async fn line(&mut self) -> Option<String> {
        let mut l = String::new();
        match self.io.read_line(&mut l).await {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(l.trim_end_matches('\n').to_string()),
        }
    }

    async fn send(&mut self, s: &str) {
        self.io.get_mut().write_all(s.as_bytes()).await.unwrap();
    }
}

#[tokio::test]
async fn a_panicking_handler_ends_only_its_session() {
    let (addr, handle, mut rx, task) = start(ServerConfig::default()).await;
    let mut bad = Peer::connect(addr, "x?panic=1").await;
    assert_eq!(bad.line().await, None, "the panicking session is closed");
    let mut good = Peer::connect(addr, "x?panic=0").await;
    assert_eq!(good.line().await.as_deref(), Some("NOOP"));
    good.send("200 result=0\n").await;
    let (req, result) = rx.recv().await.unwrap();
    assert_eq!(result.unwrap(), "200 result=0");
    assert_eq!(req.channel, "Local/1@x-1;2");
    assert_eq!(req.caller_id, None);
    assert_eq!(req.args, ["one"]);
    handle.shutdown();
    task.await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_running_sessions_finish_then_ends_the_rest() {
    let mut config = ServerConfig::default();
    config.shutdown_grace = Duration::from_millis(300);
    let (addr, handle, mut rx, task) = start(config).await;
    let mut finishing = Peer::connect(addr, "a").await;
    let mut stuck = Peer::connect(addr, "b").await;
    assert_eq!(finishing.line().await.as_deref(), Some("NOOP"));
    assert_eq!(stuck.line().await.as_deref(), Some("NOOP"));
    handle.shutdown();
    finishing.send("200 result=0\n").await;
    let (req, result) = rx.recv().await.unwrap();
    assert_eq!(req.script.as_deref(), Some("a"));
    assert!(result.is_ok(), "a draining session still runs its commands");
    task.await.unwrap();
    assert_eq!(
        stuck.line().await,
        None,
        "a session past the grace period is ended"
    );
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn oversized_environments_are_rejected() {
    let mut config = ServerConfig::default();
    config.env_limits.max_lines = 8;
    config.env_limits.max_bytes = 512;
    let (addr, handle, mut rx, task) = start(config).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let many: String = (0..20).map(|i| format!("agi_x{i}: v\n")).collect();
    let _ = s.write_all(many.as_bytes()).await;
    let mut peer = Peer {
        io: BufReader::new(s),
    };
    assert_eq!(peer.line().await, None, "too many lines: connection closed");
    let mut s = TcpStream::connect(addr).await.unwrap();
    let long = format!("agi_channel: {}\n\n", "x".repeat(2000));
    let _ = s.write_all(long.as_bytes()).await;
    let mut peer = Peer {
        io: BufReader::new(s),
    };
    assert_eq!(peer.line().await, None, "too many bytes: connection closed");
    handle.shutdown();
    task.await.unwrap();
    assert!(rx.try_recv().is_err(), "the handler never ran");
}

#[tokio::test]
async fn hangup_during_a_command_is_channel_hung_up() {
    let (addr, handle, mut rx, task) = start(ServerConfig::default()).await;
    let mut peer = Peer::connect(addr, "h").await;
    assert_eq!(peer.line().await.as_deref(), Some("NOOP"));
    peer.send("HANGUP\n").await;
    drop(peer);
    let (_, result) = rx.recv().await.unwrap();
    assert!(matches!(result, Err(AgiError::ChannelHungUp)), "{result:?}");
    handle.shutdown();
    task.await.unwrap();
}

#[tokio::test]
async fn hangup_line_then_dead_channel_reply() {
    let (client, server) = tokio::io::duplex(1024);
    let mut agi = asterisk_sdk_runtime::agi::FastAgi::new(server, Default::default());
    let mut peer = BufReader::new(client);
    peer.get_mut()
        .write_all(b"agi_channel: A\n\nHANGUP\n511 Command Not Permitted on a dead channel or intercept routine\n")
        .await
        .unwrap();
    let req = agi.read_environment(EnvLimits::default()).await.unwrap();
    assert_eq!(req.channel, "A");
    let mut chan = AgiChannel::new(agi);
    let r = chan.execute("STREAM FILE x \"\"").await;
    assert!(matches!(r, Err(AgiError::ChannelHungUp)), "{r:?}");
    assert_eq!(chan.hangup_notice(), Some(HangupNotice::HangupLine));
    let mut l = String::new();
    peer.read_line(&mut l).await.unwrap();
    assert_eq!(l, "STREAM FILE x \"\"\n");
    drop(peer);
    let r = chan.execute("NOOP").await;
    assert!(matches!(r, Err(AgiError::ChannelHungUp)), "{r:?}");
}
