//! The AMI client against a small scripted AMI server on loopback: login (MD5,
//! plaintext fallback, wrong secret), correlation, lists, events, reconnection.

use asterisk_sdk_runtime::ami::{
    Action, ActionHeaders, AmiClient, AmiError, CloseReason, ConnectionState, EventItem, Frame,
    FrameDecoder, ListAction, Message, RawAction, ReconnectPolicy, Response, SlowSubscriberPolicy,
    md5_key,
};
use bytes::BytesMut;
use futures::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const SECRET: &str = "amp111";
const CHALLENGE: &str = "123756553";

macro_rules! action {
    ($ty:ident, $name:literal) => {
        struct $ty(ActionHeaders);
        impl $ty {
            fn new(pairs: &[(&'static str, &str)]) -> Self {
                let mut h = ActionHeaders::new();
                for (k, v) in pairs {
                    h.set(*k, v.to_string());
                }
                $ty(h)
            }
        }
        impl Action for $ty {
            const NAME: &'static str = $name;
            type Response = Response;
            fn headers(&self) -> &ActionHeaders {
                &self.0
            }
        }
    };
}
action!(Ping, "Ping");
action!(Delayed, "Delayed");
action!(Burst, "Burst");
action!(Kick, "Kick");
action!(Hang, "Hang");
action!(Freeze, "Freeze");
action!(Things, "Things");
action!(HalfList, "HalfList");
action!(Nope, "Nope");

impl ListAction for Things {
    type Item = Message;
    type Complete = Message;
    const COMPLETE_EVENT: &'static str = "ThingsComplete";
}
impl ListAction for HalfList {
    type Item = Message;
    type Complete = Message;
    const COMPLETE_EVENT: &'static str = "ThingsComplete";
}

/// A scripted AMI server; `log` records what each connection received.
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
    /// When set, every login is refused.
    refuse_logins: Arc<AtomicBool>,
}

#[derive(Clone, Copy)]
struct Options {
    md5: bool,
}

fn block(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = String::new();
    for (k, v) in pairs {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s.into_bytes()
}

impl Server {
    async fn start(opts: Options) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let refuse_logins = Arc::new(AtomicBool::new(false));
        let (l, r) = (log.clone(), refuse_logins.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, opts, l.clone(), r.clone()));
            }
        });
        Server {
            port,
            log,
            refuse_logins,
        }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

async fn serve(
    sock: tokio::net::TcpStream,
    opts: Options,
    log: Arc<Mutex<Vec<String>>>,
    refuse_logins: Arc<AtomicBool>,
) {
    let (mut rd, mut wr) = sock.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Option<Vec<u8>>>();
    tokio::spawn(async move {
        while let Some(Some(bytes)) = rx.recv().await {
            if wr.write_all(&bytes).await.is_err() {
                return;
            }
        }
        let _ = wr.shutdown().await;
    });
    let _ = tx.send(Some(b"Asterisk Call Manager/12.0.0\r\n".to_vec()));
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::new();
    loop {
        match rd.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        while let Some(frame) = dec.decode(&mut buf) {
            let Ok(Frame::Message(m)) = frame else {
                continue;
            };
            let action = m.get("Action").unwrap_or("").to_string();
            let id = m.action_id().unwrap_or("").to_string();
            log.lock().unwrap().push(match action.as_str() {
                "Login" => format!(
                    "Login {} events={}",
                    if m.get("Key").is_some() {
                        "md5"
                    } else {
                        "plain"
                    },
                    m.get("Events").unwrap_or("-")
                ),
                "Filter" => format!("Filter {}", m.get("Filter").unwrap_or("")),
                other => other.to_string(),
            });
            let ok = |extra: &[(&str, &str)]| {
                let mut p = vec![("Response", "Success"), ("ActionID", id.as_str())];
                p.extend_from_slice(extra);
                block(&p)
            };
            match action.as_str() {
                "Challenge" if opts.md5 => {
                    let _ = tx.send(Some(ok(&[("Challenge", CHALLENGE)])));
                }
                "Challenge" => {
                    let _ = tx.send(Some(block(&[
                        ("Response", "Error"),
                        ("ActionID", &id),
                        ("Message", "Must specify AuthType"),
                    ])));
                }
                "Login" => {
                    let good = !refuse_logins.load(Ordering::Relaxed)
                        && (m.get("Key") == Some(md5_key(CHALLENGE, SECRET).as_str())
                            || m.get("Secret") == Some(SECRET));
                    if good {
                        let mut out = ok(&[("Message", "Authentication accepted")]);
                        out.extend(block(&[
                            ("Event", "FullyBooted"),
                            ("Privilege", "system,all"),
                        ]));
                        let _ = tx.send(Some(out));
                    } else {
                        let _ = tx.send(Some(block(&[
                            ("Response", "Error"),
                            ("ActionID", &id),
                            ("Message", "Authentication failed"),
                        ])));
                        let _ = tx.send(None);
                        return;
                    }
                }
                "Filter" | "Ping" => {
                    let _ = tx.send(Some(ok(&[("Ping", "Pong")])));
                }
                "Delayed" => {
                    let ms: u64 = m.get("Wait").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let tx = tx.clone();
                    let out = ok(&[("Echo", m.get("Echo").unwrap_or(""))]);
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        let _ = tx.send(Some(out));
                    });
                }
                "Burst" => {
                    let n: usize = m.get("Count").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let _ = tx.send(Some(ok(&[])));
                    let mut out = Vec::new();
                    for i in 0..n {
                        out.extend_from_slice(
                            format!("Event: Tick\r\nPrivilege: call,all\r\nN: {i}\r\n\r\n")
                                .as_bytes(),
                        );
                        if out.len() > 60_000 {
                            let _ = tx.send(Some(std::mem::take(&mut out)));
                        }
                    }
                    let _ = tx.send(Some(out));
                }
                "Things" | "HalfList" => {
                    let mut out = ok(&[("EventList", "start"), ("Message", "Things will follow")]);
                    out.extend(block(&[("Event", "Broadcast"), ("Privilege", "call,all")]));
                    for i in 0..3 {
                        out.extend(block(&[
                            ("Event", "Thing"),
                            ("ActionID", &id),
                            ("Index", &i.to_string()),
                        ]));
                    }
                    if action == "HalfList" {
                        let _ = tx.send(Some(out));
                        let _ = tx.send(None);
                        return;
                    }
                    out.extend(block(&[
                        ("Event", "ThingsComplete"),
                        ("ActionID", &id),
                        ("EventList", "Complete"),
                        ("ListItems", "3"),
                    ]));
                    let _ = tx.send(Some(out));
                }
                "Bare" => {
                    let mut out = ok(&[("EventList", "start")]);
                    for i in 0..2 {
                        out.extend(block(&[
                            ("Event", "Bare"),
                            ("ActionID", &id),
                            ("Index", &i.to_string()),
                        ]));
                    }
                    out.extend(block(&[("Event", "BareDone"), ("ActionID", &id)]));
                    let _ = tx.send(Some(out));
                }
                "SlowList" => {
                    let _ = tx.send(Some(ok(&[("EventList", "start")])));
                    let ms: u64 = m.get("Wait").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let tx = tx.clone();
                    let mut out = Vec::new();
                    for i in 0..2 {
                        out.extend(block(&[
                            ("Event", "Thing"),
                            ("ActionID", &id),
                            ("Index", &i.to_string()),
                        ]));
                    }
                    out.extend(block(&[("Event", "SlowListComplete"), ("ActionID", &id)]));
                    out.extend(block(&[("Event", "Marker"), ("After", &id)]));
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        let _ = tx.send(Some(out));
                    });
                }
                "Hang" => {}
                "Freeze" => {
                    // Like a SIGSTOPped Asterisk: the socket stays open, nothing
                    // is read or answered on this connection any more.
                    let _ = tx.send(Some(ok(&[])));
                    std::future::pending::<()>().await;
                }
                "Kick" => {
                    let _ = tx.send(None);
                    return;
                }
                "Logoff" => {
                    let _ = tx.send(Some(block(&[
                        ("Response", "Goodbye"),
                        ("ActionID", &id),
                        ("Message", "Thanks for all the fish."),
                    ])));
                    let _ = tx.send(None);
                    return;
                }
                _ => {
                    let _ = tx.send(Some(block(&[
                        ("Response", "Error"),
                        ("ActionID", &id),
                        ("Message", "Invalid/unknown command"),
                    ])));
                }
            }
        }
    }
}

fn builder(server: &Server) -> asterisk_sdk_runtime::ami::AmiClientBuilder {
    AmiClient::builder()
        .host("127.0.0.1")
        .port(server.port)
        .credentials("admin", SECRET)
        .action_timeout(Duration::from_secs(20))
        .reconnect(ReconnectPolicy::fixed(Duration::from_millis(10)))
}

#[tokio::test]
async fn md5_login_then_ping_and_early_event_kept() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server).events("on").connect().await.unwrap();
    assert_eq!(client.state(), ConnectionState::Connected);
    let r = client.send(&Ping::new(&[])).await.unwrap();
    assert!(r.is_success());
    assert_eq!(r.get("Ping"), Some("Pong"));
    assert_eq!(
        client.banner().as_deref(),
        Some("Asterisk Call Manager/12.0.0")
    );
    // FullyBooted arrived before anyone subscribed: the first subscriber gets it.
    let mut events = client.events::<Message>();
    let first = events.next().await.unwrap().event().unwrap();
    assert_eq!(first.event_name(), Some("FullyBooted"));
    assert_eq!(
        server.log()[..2],
        ["Challenge".to_string(), "Login md5 events=on".to_string()]
    );
    client.disconnect().await.unwrap();
    assert_eq!(
        client.state(),
        ConnectionState::Closed {
            reason: CloseReason::DisconnectCalled
        }
    );
    assert!(matches!(
        client.send(&Ping::new(&[])).await,
        Err(AmiError::Closed)
    ));
    assert!(
        events.next().await.is_none(),
        "streams end when the client closes"
    );
}

#[tokio::test]
async fn plaintext_fallback_when_challenge_refused() {
    let server = Server::start(Options { md5: false }).await;
    let client = builder(&server).connect().await.unwrap();
    assert!(client.send(&Ping::new(&[])).await.unwrap().is_success());
    assert_eq!(
        server.log()[..2],
        ["Challenge".to_string(), "Login plain events=-".to_string()]
    );
}

#[tokio::test]
async fn md5_only_refused_challenge_is_auth_error() {
    let server = Server::start(Options { md5: false }).await;
    let err = builder(&server)
        .auth_mode(asterisk_sdk_runtime::ami::AuthMode::Md5)
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, AmiError::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn wrong_secret_is_a_clear_auth_error_without_the_secret() {
    let server = Server::start(Options { md5: true }).await;
    let err = AmiClient::builder()
        .port(server.port)
        .credentials("admin", "wrong-secret")
        .connect()
        .await
        .unwrap_err();
    match &err {
        AmiError::Auth { message } => assert_eq!(message, "Authentication failed"),
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains("wrong-secret"));
    let b = AmiClient::builder().credentials("admin", "wrong-secret");
    assert!(!format!("{b:?}").contains("wrong-secret"));
}

#[tokio::test]
async fn concurrent_sends_are_correlated() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server).connect().await.unwrap();
    let calls = (0..20).map(|i| {
        let c = client.clone();
        async move {
            let wait = ((20 - i) * 2).to_string();
            let echo = format!("call-{i}");
            let r = c
                .send(&Delayed::new(&[("Wait", &wait), ("Echo", &echo)]))
                .await
                .unwrap();
            (echo, r.get("Echo").map(str::to_string))
        }
    });
    for (sent, got) in futures::future::join_all(calls).await {
        assert_eq!(Some(sent), got);
    }
    // The user's own ActionID is sent unchanged and answered.
    let r = client
        .send(&Ping::new(&[("ActionID", "mine-1")]))
        .await
        .unwrap();
    assert_eq!(r.action_id(), Some("mine-1"));
}

#[tokio::test]
async fn list_collects_its_events_only() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .keep_early_events(false)
        .connect()
        .await
        .unwrap();
    let mut events = client.events_filtered(|m| m.event_name() != Some("FullyBooted"));
    let list = client.list(&Things::new(&[])).await.unwrap();
    assert_eq!(list.response.event_list(), Some("start"));
    let idx: Vec<_> = list
        .items
        .iter()
        .map(|m| m.get("Index").unwrap().to_string())
        .collect();
    assert_eq!(idx, ["0", "1", "2"]);
    assert_eq!(list.complete.unwrap().get("ListItems"), Some("3"));
    assert!(list.unmatched.is_empty());
    // The broadcast event reached the stream; the list's own events did not.
    let e = events.next().await.unwrap().event().unwrap();
    assert_eq!(e.event_name(), Some("Broadcast"));
    client.send(&Burst::new(&[("Count", "1")])).await.unwrap();
    let e = events.next().await.unwrap().event().unwrap();
    assert_eq!(e.event_name(), Some("Tick"));
}

#[tokio::test]
async fn disconnect_mid_list_fails_promptly_then_reconnects() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .filter("Event: Tick")
        .connect()
        .await
        .unwrap();
    let mut events = client.events::<Message>();
    let err = client.list(&HalfList::new(&[])).await.unwrap_err();
    assert!(
        matches!(&err, AmiError::OutcomeUnknown { action } if action == "HalfList"),
        "{err:?}"
    );
    // Reconnected marker, after the events of the first connection.
    loop {
        match events.next().await.unwrap() {
            EventItem::Reconnected => break,
            EventItem::Event(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let mut state = client.state_watch();
    state
        .wait_for(|s| *s == ConnectionState::Connected)
        .await
        .unwrap();
    assert!(client.send(&Ping::new(&[])).await.unwrap().is_success());
    let log = server.log();
    let logins = log.iter().filter(|l| l.starts_with("Login")).count();
    let filters = log.iter().filter(|l| *l == "Filter Event: Tick").count();
    assert_eq!((logins, filters), (2, 2), "{log:?}");
}

#[tokio::test]
async fn sent_calls_fail_with_outcome_unknown_when_the_connection_drops() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .reconnect(ReconnectPolicy::None)
        .connect()
        .await
        .unwrap();
    let c = client.clone();
    let hang = tokio::spawn(async move { c.send(&Hang::new(&[])).await });
    // Let the Hang action reach the server before kicking.
    client.send(&Ping::new(&[])).await.unwrap();
    let kick = client.send(&Kick::new(&[])).await;
    assert!(
        matches!(&kick, Err(AmiError::OutcomeUnknown { action }) if action == "Kick"),
        "{kick:?}"
    );
    let r = hang.await.unwrap();
    assert!(
        matches!(&r, Err(AmiError::OutcomeUnknown { action }) if action == "Hang"),
        "{r:?}"
    );
    let mut state = client.state_watch();
    state.wait_for(ConnectionState::is_closed).await.unwrap();
    assert_eq!(
        client.state(),
        ConnectionState::Closed {
            reason: CloseReason::ReconnectGaveUp
        }
    );
}

#[tokio::test]
async fn slow_subscriber_in_block_mode_loses_nothing() {
    const N: u64 = 100_000;
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .subscriber_budget(8 * 1024)
        .slow_subscriber(SlowSubscriberPolicy::Block)
        .keep_early_events(false)
        .connect()
        .await
        .unwrap();
    let mut ticks = client.events_filtered(|m| m.event_name() == Some("Tick"));
    client
        .send(&Burst::new(&[("Count", &N.to_string())]))
        .await
        .unwrap();
    let mut expected = 0u64;
    while expected < N {
        match ticks.next().await.unwrap() {
            EventItem::Event(m) => {
                assert_eq!(m.get("N"), Some(expected.to_string().as_str()));
                expected += 1;
                if expected.checked_rem(5000) == Some(0) {
                    tokio::task::yield_now().await;
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // The connection still answers after the burst.
    assert!(client.send(&Ping::new(&[])).await.unwrap().is_success());
}

/// Read `Tick` events up to the one numbered `last`, and return what came: the
/// `Lagged` total and the `N` values delivered. (A dropped event may also be the
/// `FullyBooted` sent at login, which the filter would not have let through.)
async fn read_ticks(
    events: &mut asterisk_sdk_runtime::ami::EventStream<Message>,
    last: u64,
) -> (u64, Vec<u64>) {
    let (mut lagged, mut got) = (0u64, Vec::new());
    while got.last() != Some(&last) {
        match tokio::time::timeout(Duration::from_secs(20), events.next()).await {
            Ok(Some(EventItem::Event(m))) => {
                if let Some(v) = m.get("N") {
                    got.push(v.parse().unwrap());
                }
            }
            Ok(Some(EventItem::Lagged(k))) => lagged += k,
            other => panic!(
                "unexpected {other:?} after {lagged} lagged, {} delivered",
                got.len()
            ),
        }
    }
    (lagged, got)
}

/// Whether `got` is exactly `from..=to`.
fn is_range(got: &[u64], from: u64, to: u64) -> bool {
    got.len() as u64 == to + 1 - from && got.iter().zip(from..).all(|(a, b)| *a == b)
}

#[tokio::test]
async fn actions_only_client_under_100k_events_still_answers() {
    const N: u64 = 100_000;
    let server = Server::start(Options { md5: true }).await;
    // Nobody subscribes; early events are kept within 1 MiB.
    let client = builder(&server)
        .early_events(Duration::from_secs(60), 1 << 20)
        .action_timeout(Duration::from_secs(10))
        .connect()
        .await
        .unwrap();
    client
        .send(&Burst::new(&[("Count", &N.to_string())]))
        .await
        .unwrap();
    // The answer comes after the whole burst on the wire: the reader read it all.
    assert!(client.send(&Ping::new(&[])).await.unwrap().is_success());
    // The first subscriber gets what the window kept, after the exact count of
    // what it did not keep (FullyBooted + N ticks were received).
    let mut events = client.events::<Message>();
    let mut lagged = 0u64;
    let mut got = Vec::new();
    while lagged + got.len() as u64 <= N {
        match events.next().await.unwrap() {
            EventItem::Lagged(k) => lagged += k,
            EventItem::Event(m) => got.push(m.get("N").map(|v| v.parse::<u64>().unwrap())),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        lagged > 0 && got.len() > 1000,
        "{lagged} lagged, {} kept",
        got.len()
    );
    // What was kept is the newest events, contiguous, up to the last one.
    let kept: Vec<u64> = got.iter().map(|n| n.unwrap()).collect();
    assert_eq!(kept.last(), Some(&(N - 1)));
    assert!(kept.windows(2).all(|w| w[1] == w[0] + 1));
}

#[tokio::test]
async fn stalled_subscriber_delays_no_action_and_loses_nothing_inside_its_budget() {
    const N: u64 = 50_000;
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .keep_early_events(false)
        .connect()
        .await
        .unwrap();
    let mut ticks = client.events_filtered(|m| m.event_name() == Some("Tick"));
    client
        .send(&Burst::new(&[("Count", &N.to_string())]))
        .await
        .unwrap();
    // The subscriber has read nothing, yet the action queued behind the burst is
    // answered.
    assert!(client.send(&Ping::new(&[])).await.unwrap().is_success());
    let (lagged, got) = read_ticks(&mut ticks, N - 1).await;
    assert_eq!(lagged, 0);
    assert!(is_range(&got, 0, N - 1), "{} events, not 0..{N}", got.len());
}

#[tokio::test]
async fn stalled_subscriber_past_its_budget_gets_the_exact_lag_then_the_newest() {
    const N: u64 = 50_000;
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .keep_early_events(false)
        .subscriber_budget(256 * 1024)
        .connect()
        .await
        .unwrap();
    let mut ticks = client.events_filtered(|m| m.event_name() == Some("Tick"));
    client
        .send(&Burst::new(&[("Count", &N.to_string())]))
        .await
        .unwrap();
    assert!(client.send(&Ping::new(&[])).await.unwrap().is_success());
    let (lagged, got) = read_ticks(&mut ticks, N - 1).await;
    // The newest ticks, contiguous; every older one counted (plus, at most, the
    // login's FullyBooted).
    let first = N - got.len() as u64;
    assert!(first > 0, "nothing dropped");
    assert!(is_range(&got, first, N - 1));
    assert!(
        lagged == first || lagged == first + 1,
        "{lagged} lagged, {first} missing"
    );
    // Quiet again: the next event comes alone, no late report held back.
    client.send(&Burst::new(&[("Count", "1")])).await.unwrap();
    let (lagged, got) = read_ticks(&mut ticks, 0).await;
    assert_eq!((lagged, got), (0, vec![0]));
}

#[tokio::test]
async fn disconnect_policy_closes_only_the_full_subscriber() {
    const N: u64 = 20_000;
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .keep_early_events(false)
        .subscriber_budget(64 * 1024)
        .slow_subscriber(SlowSubscriberPolicy::Disconnect)
        .connect()
        .await
        .unwrap();
    let mut stalled = client.events::<Message>();
    client
        .send(&Burst::new(&[("Count", &N.to_string())]))
        .await
        .unwrap();
    assert!(client.send(&Ping::new(&[])).await.unwrap().is_success());
    // Some events fit before the budget ran out; then the stream says why it ends.
    loop {
        match stalled.next().await {
            Some(EventItem::Event(_)) => {}
            Some(EventItem::Overflowed { budget }) => {
                assert_eq!(budget, 64 * 1024);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(stalled.next().await.is_none());
    // A new subscriber is served normally.
    let mut fresh = client.events_filtered(|m| m.event_name() == Some("Tick"));
    client.send(&Burst::new(&[("Count", "3")])).await.unwrap();
    assert_eq!(read_ticks(&mut fresh, 2).await, (0, vec![0, 1, 2]));
}

#[tokio::test]
async fn keepalive_notices_a_hung_server_and_reconnects() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .keepalive(Some(Duration::from_millis(100)))
        .reconnect(ReconnectPolicy::fixed(Duration::from_millis(10)))
        .connect()
        .await
        .unwrap();
    let mut events = client.events::<Message>();
    let mut state = client.state_watch();
    client.send(&Freeze::new(&[])).await.unwrap();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| matches!(s, ConnectionState::Reconnecting { .. })),
    )
    .await
    .expect("the silent connection is given up")
    .unwrap();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await
    .expect("reconnected")
    .unwrap();
    assert!(client.send(&Ping::new(&[])).await.unwrap().is_success());
    loop {
        match events.next().await.unwrap() {
            EventItem::Reconnected => break,
            EventItem::Event(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // The frozen connection never read the keepalive Ping; a second login did.
    let logins = server
        .log()
        .iter()
        .filter(|l| l.starts_with("Login"))
        .count();
    assert_eq!(logins, 2, "{:?}", server.log());
}

#[tokio::test]
async fn error_answers_name_their_action() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server).connect().await.unwrap();
    let r = client.send(&Nope::new(&[])).await.unwrap();
    assert_eq!(r.action(), Some("Nope"));
    let err = r.into_result().unwrap_err();
    assert_eq!(
        err.to_string(),
        "AMI action Nope failed: Invalid/unknown command"
    );
    let err = client.list(&RawAction::new("NopeList")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "AMI action NopeList failed: Invalid/unknown command"
    );
}

#[tokio::test]
async fn a_request_timeout_replaces_the_client_timeout() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .action_timeout(Duration::from_millis(50))
        .connect()
        .await
        .unwrap();
    // Longer than the client's timeout: answered.
    let slow = Delayed::new(&[("Wait", "300"), ("Echo", "late")]);
    let r = client
        .send(&slow)
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(r.get("Echo"), Some("late"));
    // The client's own timeout still applies by default.
    let err = client.send(&slow).await.unwrap_err();
    assert!(
        matches!(&err, AmiError::Timeout { action, after } if action == "Delayed" && *after == Duration::from_millis(50)),
        "{err:?}"
    );
    // Shorter, on a list that never completes.
    let client = builder(&server).connect().await.unwrap();
    let err = client
        .list(&RawAction::new("Hang"))
        .timeout(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AmiError::Timeout { action, after } if action == "Hang" && *after == Duration::from_millis(100)),
        "{err:?}"
    );
}

/// `Delayed`, stating how long Asterisk may take to answer (`.1`).
struct Patient(ActionHeaders, Option<Duration>);
impl Action for Patient {
    const NAME: &'static str = "Delayed";
    type Response = Response;
    fn headers(&self) -> &ActionHeaders {
        &self.0
    }
    fn answer_within(&self) -> Option<Duration> {
        self.1
    }
}

#[tokio::test]
async fn an_action_answer_time_extends_its_timeout() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server).connect().await.unwrap();
    let mut h = ActionHeaders::new();
    h.set("Wait", "500");
    let short = Duration::from_millis(100);
    let err = client
        .send(&Patient(h.clone(), None))
        .timeout(short)
        .await
        .unwrap_err();
    assert!(matches!(err, AmiError::Timeout { .. }), "{err:?}");
    // 1 ms of stated answer time, plus the 5 s margin, outlasts the 100 ms.
    let r = client
        .send(&Patient(h, Some(Duration::from_millis(1))))
        .timeout(short)
        .await
        .unwrap();
    assert!(r.is_success());
}

#[tokio::test]
async fn a_dropped_send_frees_its_action_id() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server).connect().await.unwrap();
    let hang = Hang::new(&[("ActionID", "retry-1")]);
    let cut = tokio::time::timeout(Duration::from_millis(100), client.send(&hang)).await;
    assert!(cut.is_err(), "the server never answers Hang");
    let list = RawAction::new("Hang").header("ActionID", "retry-2");
    let cut = tokio::time::timeout(Duration::from_millis(100), client.list(&list)).await;
    assert!(cut.is_err(), "the server never answers Hang");
    for id in ["retry-1", "retry-2"] {
        let r = client.send(&Ping::new(&[("ActionID", id)])).await.unwrap();
        assert_eq!((r.action_id(), r.get("Ping")), (Some(id), Some("Pong")));
    }
}

#[tokio::test]
async fn raw_actions_send_and_list() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .keep_early_events(false)
        .connect()
        .await
        .unwrap();
    let r = client
        .send(&RawAction::new("Delayed").header("Echo", "raw"))
        .await
        .unwrap();
    assert_eq!((r.action(), r.get("Echo")), (Some("Delayed"), Some("raw")));
    // Ends on `EventList: Complete`.
    let things = client.list(&RawAction::new("Things")).await.unwrap();
    let idx: Vec<_> = things.items.iter().filter_map(|m| m.get("Index")).collect();
    assert_eq!(idx, ["0", "1", "2"]);
    assert_eq!(
        things.complete.as_ref().and_then(|m| m.event_name()),
        Some("ThingsComplete")
    );
    // Ends on the completion event the user names (case-insensitive).
    let bare = client
        .list(&RawAction::new("Bare").completion_event("baredone"))
        .await
        .unwrap();
    let idx: Vec<_> = bare.items.iter().filter_map(|m| m.get("Index")).collect();
    assert_eq!(idx, ["0", "1"]);
    assert_eq!(
        bare.complete.as_ref().and_then(|m| m.event_name()),
        Some("BareDone")
    );
}

#[tokio::test]
async fn late_events_of_an_abandoned_list_are_dropped() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .keep_early_events(false)
        .connect()
        .await
        .unwrap();
    let mut events = client.events_filtered(|m| m.event_name() != Some("FullyBooted"));
    let slow = |id: &str| {
        RawAction::new("SlowList")
            .header("ActionID", id.to_string())
            .header("Wait", "300")
            .completion_event("SlowListComplete")
    };
    // Given up by its own timeout.
    let err = client
        .list(&slow("slow-1"))
        .timeout(Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(matches!(err, AmiError::Timeout { .. }), "{err:?}");
    // Given up by dropping the future.
    let dropped = slow("slow-2");
    let cut = tokio::time::timeout(Duration::from_millis(50), client.list(&dropped)).await;
    assert!(cut.is_err());
    // Each late list is followed by a broadcast Marker: the markers are all the
    // stream sees.
    for id in ["slow-1", "slow-2"] {
        let e = tokio::time::timeout(Duration::from_secs(5), events.next())
            .await
            .unwrap()
            .unwrap()
            .event()
            .unwrap();
        assert_eq!((e.event_name(), e.get("After")), (Some("Marker"), Some(id)));
    }
    // The completion ended the record: the id serves a new list.
    let list = client
        .list(&slow("slow-1").header("Wait", "0"))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 2);
}

#[tokio::test]
async fn calls_while_reconnecting_fail_with_disconnected_not_sent() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server)
        .reconnect(ReconnectPolicy::fixed(Duration::from_secs(30)))
        .connect()
        .await
        .unwrap();
    let _ = client.send(&Kick::new(&[])).await;
    let mut state = client.state_watch();
    state
        .wait_for(|s| matches!(s, ConnectionState::Reconnecting { .. }))
        .await
        .unwrap();
    let r = client.send(&Ping::new(&[])).await;
    assert!(matches!(r, Err(AmiError::Disconnected)), "{r:?}");
    let pings = server.log().iter().filter(|l| *l == "Ping").count();
    assert_eq!(pings, 0, "nothing was sent");
}

#[tokio::test]
async fn dropping_every_handle_closes_the_client() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server).connect().await.unwrap();
    let mut state = client.state_watch();
    drop(client);
    let closed = *state.wait_for(ConnectionState::is_closed).await.unwrap();
    assert_eq!(
        closed,
        ConnectionState::Closed {
            reason: CloseReason::AllHandlesDropped
        }
    );
}

#[tokio::test]
async fn a_login_refused_on_reconnect_closes_the_client() {
    let server = Server::start(Options { md5: true }).await;
    let client = builder(&server).connect().await.unwrap();
    let mut state = client.state_watch();
    server.refuse_logins.store(true, Ordering::Relaxed);
    let _ = client.send(&Kick::new(&[])).await;
    let closed = *state.wait_for(ConnectionState::is_closed).await.unwrap();
    assert_eq!(
        closed,
        ConnectionState::Closed {
            reason: CloseReason::AuthFailedOnReconnect
        }
    );
}
