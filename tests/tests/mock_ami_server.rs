//! The mock AMI server, spoken to with a raw TCP stream and the runtime's codec.

use asterisk_sdk_mock::ami::{MockAmi, Reply, md5_key};
use asterisk_sdk_runtime::ami::{Frame, FrameDecoder, Message};
use bytes::BytesMut;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Guard against a hang; never reached when the mock behaves.
const GUARD: Duration = Duration::from_secs(20);

struct Raw {
    stream: TcpStream,
    buf: BytesMut,
    dec: FrameDecoder,
}

impl Raw {
    async fn connect(addr: SocketAddr) -> Raw {
        let stream = TcpStream::connect(addr).await.expect("connect to the mock");
        Raw {
            stream,
            buf: BytesMut::new(),
            dec: FrameDecoder::new(),
        }
    }

    /// Next frame, `None` at end of stream.
    async fn frame(&mut self) -> Option<Frame> {
        loop {
            if let Some(f) = self.dec.decode(&mut self.buf) {
                return Some(f.expect("frame within limits"));
            }
            let n = tokio::time::timeout(GUARD, self.stream.read_buf(&mut self.buf))
                .await
                .expect("mock answered in time")
                .unwrap_or(0);
            if n == 0 {
                return None;
            }
        }
    }

    async fn msg(&mut self) -> Message {
        match self.frame().await {
            Some(Frame::Message(m)) => m,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// Whether the server closed the connection (skipping nothing).
    async fn closed(&mut self) -> bool {
        self.frame().await.is_none()
    }

    async fn send(&mut self, pairs: &[(&str, &str)]) {
        let mut s = String::new();
        for (k, v) in pairs {
            s.push_str(&format!("{k}: {v}\r\n"));
        }
        s.push_str("\r\n");
        self.stream.write_all(s.as_bytes()).await.expect("send");
    }

    async fn banner(&mut self) -> String {
        match self.frame().await {
            Some(Frame::Banner(b)) => b.to_string(),
            other => panic!("expected the banner, got {other:?}"),
        }
    }

    /// Connect and log in as admin/amp111 with `events` ("on" reads FullyBooted).
    async fn login(addr: SocketAddr, events: &str) -> Raw {
        let mut c = Raw::connect(addr).await;
        c.banner().await;
        c.send(&[
            ("Action", "Login"),
            ("ActionID", "l"),
            ("Username", "admin"),
            ("Secret", "amp111"),
            ("Events", events),
        ])
        .await;
        let r = c.msg().await;
        assert_eq!(r.get("Message"), Some("Authentication accepted"));
        if events == "on" {
            assert_eq!(c.msg().await.event_name(), Some("FullyBooted"));
        }
        c
    }

    /// Read messages until one satisfies `pred`.
    async fn until(&mut self, pred: impl Fn(&Message) -> bool) -> Message {
        loop {
            let m = self.msg().await;
            if pred(&m) {
                return m;
            }
        }
    }
}

async fn mock() -> MockAmi {
    MockAmi::builder().start().await.expect("mock starts")
}

#[path = "../fixtures/capture.rs"]
mod capture;

#[tokio::test]
async fn banner_is_one_line_exactly() {
    let ami = mock().await;
    let mut s = TcpStream::connect(ami.addr()).await.unwrap();
    let mut got = vec![0u8; 30];
    tokio::time::timeout(GUARD, s.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got[..], b"Asterisk Call Manager/12.0.0\r\n");
}

#[tokio::test]
async fn banner_version_is_configurable() {
    let ami = MockAmi::builder()
        .ami_version("7.0.3")
        .start()
        .await
        .unwrap();
    let mut c = Raw::connect(ami.addr()).await;
    assert_eq!(c.banner().await, "Asterisk Call Manager/7.0.3");
}

#[tokio::test]
async fn plaintext_login_is_accepted_and_followed_by_fully_booted() {
    let ami = MockAmi::builder()
        .user("bob", "s3cret")
        .start()
        .await
        .unwrap();
    let mut c = Raw::connect(ami.addr()).await;
    c.banner().await;
    c.send(&[
        ("Action", "Login"),
        ("ActionID", "login-1"),
        ("Username", "bob"),
        ("Secret", "s3cret"),
    ])
    .await;
    let r = c.msg().await;
    assert_eq!(r.response(), Some("Success"));
    assert_eq!(r.action_id(), Some("login-1"));
    assert_eq!(r.get("Message"), Some("Authentication accepted"));
    let booted = c.msg().await;
    assert_eq!(booted.event_name(), Some("FullyBooted"));
    assert_eq!(booted.get("Privilege"), Some("system,all"));
    assert_eq!(booted.get("Status"), Some("Fully Booted"));
    assert_eq!(ami.sessions(), 1);
}

#[tokio::test]
async fn md5_login_with_the_challenge() {
    let ami = mock().await;
    let mut c = Raw::connect(ami.addr()).await;
    c.banner().await;
    c.send(&[
        ("Action", "Challenge"),
        ("ActionID", "ch-1"),
        ("AuthType", "MD5"),
    ])
    .await;
    let ch = c.msg().await;
    assert_eq!(ch.response(), Some("Success"));
    assert_eq!(ch.action_id(), Some("ch-1"));
    let challenge = ch.get("Challenge").expect("a challenge").to_owned();
    assert!(challenge.bytes().all(|b| b.is_ascii_digit()), "{challenge}");
    let key = md5_key(&challenge, "amp111");
    c.send(&[
        ("Action", "Login"),
        ("AuthType", "MD5"),
        ("Username", "admin"),
        ("Key", &key),
        ("Events", "off"),
    ])
    .await;
    assert_eq!(
        c.msg().await.get("Message"),
        Some("Authentication accepted")
    );
    // Events off: no FullyBooted, the next message is the Ping answer.
    c.send(&[("Action", "Ping"), ("ActionID", "p")]).await;
    assert_eq!(c.msg().await.get("Ping"), Some("Pong"));
}

#[tokio::test]
async fn wrong_secret_is_rejected_and_the_connection_closed() {
    let ami = mock().await;
    let mut c = Raw::connect(ami.addr()).await;
    c.banner().await;
    c.send(&[
        ("Action", "Login"),
        ("ActionID", "bad"),
        ("Username", "admin"),
        ("Secret", "nope"),
    ])
    .await;
    let r = c.msg().await;
    assert_eq!(r.response(), Some("Error"));
    assert_eq!(r.action_id(), Some("bad"));
    assert_eq!(r.get("Message"), Some("Authentication failed"));
    assert!(c.closed().await);

    let mut c = Raw::connect(ami.addr()).await;
    c.banner().await;
    c.send(&[("Action", "Challenge"), ("AuthType", "md5")])
        .await;
    c.msg().await;
    c.send(&[
        ("Action", "Login"),
        ("AuthType", "md5"),
        ("Username", "admin"),
        ("Key", "00000000000000000000000000000000"),
    ])
    .await;
    assert_eq!(c.msg().await.get("Message"), Some("Authentication failed"));
    assert!(c.closed().await);
    assert_eq!(ami.sessions(), 0);
}

#[tokio::test]
async fn actions_before_login_are_denied() {
    let ami = mock().await;
    let mut c = Raw::connect(ami.addr()).await;
    c.banner().await;
    c.send(&[("Action", "Ping"), ("ActionID", "p0")]).await;
    let r = c.msg().await;
    assert_eq!(r.response(), Some("Error"));
    assert_eq!(r.get("Message"), Some("Permission denied"));
    assert_eq!(r.action_id(), Some("p0"));
}

#[tokio::test]
async fn ping_answers_pong_with_a_timestamp() {
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "on").await;
    c.send(&[("Action", "Ping"), ("ActionID", "ping-1")]).await;
    let r = c.msg().await;
    assert_eq!(r.response(), Some("Success"));
    assert_eq!(r.action_id(), Some("ping-1"));
    assert_eq!(r.get("Ping"), Some("Pong"));
    let ts = r.get("Timestamp").expect("Timestamp");
    let (secs, micros) = ts.split_once('.').expect("sec.usec");
    assert!(secs.parse::<u64>().is_ok() && micros.len() == 6, "{ts}");
    let sent = ami.received_actions();
    assert!(
        sent.iter()
            .any(|m| m.get("Action") == Some("Ping") && m.action_id() == Some("ping-1"))
    );
}

#[tokio::test]
async fn missing_required_header_and_unknown_action_are_errors() {
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "off").await;
    c.send(&[
        ("Action", "AGI"),
        ("ActionID", "a1"),
        ("Channel", "Local/1@x-00000000;2"),
    ])
    .await;
    let r = c.msg().await;
    assert_eq!(r.response(), Some("Error"));
    assert_eq!(r.action_id(), Some("a1"));
    assert!(r.get("Message").unwrap_or("").contains("Command"), "{r:?}");

    c.send(&[("Action", "NoSuchThing"), ("ActionID", "u1")])
        .await;
    let r = c.msg().await;
    assert_eq!(r.response(), Some("Error"));
    assert_eq!(
        r.get("Message"),
        Some(
            "Invalid/unknown command: NoSuchThing. Use Action: ListCommands to show available commands."
        )
    );

    c.send(&[("ActionID", "none")]).await;
    assert_eq!(
        c.msg().await.get("Message"),
        Some("Missing action in request")
    );

    // Any other catalog action with its required headers is acknowledged.
    c.send(&[
        ("Action", "AbsoluteTimeout"),
        ("ActionID", "t"),
        ("Channel", "X/1"),
        ("Timeout", "5"),
    ])
    .await;
    let r = c.msg().await;
    assert_eq!((r.response(), r.action_id()), (Some("Success"), Some("t")));
}

#[tokio::test]
async fn list_actions_answer_start_items_and_complete() {
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "off").await;
    c.send(&[("Action", "CoreShowChannels"), ("ActionID", "csc")])
        .await;
    let ack = c.msg().await;
    assert_eq!(ack.response(), Some("Success"));
    assert_eq!(ack.get("EventList"), Some("start"));
    assert_eq!(ack.action_id(), Some("csc"));
    let done = c.msg().await;
    assert_eq!(done.event_name(), Some("CoreShowChannelsComplete"));
    assert_eq!(done.get("EventList"), Some("Complete"));
    assert_eq!(done.get("ListItems"), Some("0"));
    assert_eq!(done.action_id(), Some("csc"));

    let item = |n: &str| {
        Message::from_pairs([("Event", "Agents"), ("Agent", n), ("Status", "AGENT_IDLE")])
    };
    ami.set_list_items("Agents", vec![item("1001"), item("1002")]);
    c.send(&[("Action", "Agents"), ("ActionID", "ag")]).await;
    assert_eq!(c.msg().await.get("EventList"), Some("start"));
    for n in ["1001", "1002"] {
        let it = c.msg().await;
        assert_eq!(it.event_name(), Some("Agents"));
        assert_eq!(it.get("Agent"), Some(n));
        assert_eq!(it.action_id(), Some("ag"));
    }
    let done = c.msg().await;
    assert_eq!(done.event_name(), Some("AgentsComplete"));
    assert_eq!(done.get("ListItems"), Some("2"));
}

#[tokio::test]
async fn scripted_responses_replace_the_built_in_answer() {
    let ami = mock().await;
    ami.set_response("CoreStatus", |action| {
        Reply::success()
            .header("CoreCurrentCalls", "7")
            .header("Echo", action.action_id().unwrap_or(""))
    });
    ami.set_reply("Ping", Reply::error("scripted"));
    let mut c = Raw::login(ami.addr(), "off").await;
    c.send(&[("Action", "CoreStatus"), ("ActionID", "cs")])
        .await;
    let r = c.msg().await;
    assert_eq!(
        (r.get("CoreCurrentCalls"), r.get("Echo"), r.action_id()),
        (Some("7"), Some("cs"), Some("cs"))
    );
    c.send(&[("Action", "Ping")]).await;
    assert_eq!(c.msg().await.get("Message"), Some("scripted"));
    ami.clear_response("Ping");
    c.send(&[("Action", "Ping")]).await;
    assert_eq!(c.msg().await.get("Ping"), Some("Pong"));
}

#[tokio::test]
async fn pushed_events_reach_sessions_that_want_them() {
    let ami = mock().await;
    let mut on = Raw::login(ami.addr(), "on").await;
    let mut off = Raw::login(ami.addr(), "off").await;
    let mut agi_only = Raw::login(ami.addr(), "agi").await;
    let reached = ami
        .push_pairs(&[
            ("Event", "UserEvent"),
            ("Privilege", "user,all"),
            ("UserEvent", "Hello"),
        ])
        .await;
    assert_eq!(reached, 1);
    let e = on.msg().await;
    assert_eq!(e.event_name(), Some("UserEvent"));
    assert_eq!(e.get("UserEvent"), Some("Hello"));
    for c in [&mut off, &mut agi_only] {
        c.send(&[("Action", "Ping"), ("ActionID", "after")]).await;
        assert_eq!(c.msg().await.action_id(), Some("after"));
    }
    // The Events action turns them back on.
    off.send(&[("Action", "Events"), ("EventMask", "on")]).await;
    assert_eq!(off.msg().await.get("Events"), Some("On"));
    ami.push_pairs(&[("Event", "Reload"), ("Privilege", "system,all")])
        .await;
    assert_eq!(off.msg().await.event_name(), Some("Reload"));
}

#[tokio::test]
async fn drop_connections_closes_every_socket() {
    let ami = mock().await;
    let mut a = Raw::login(ami.addr(), "on").await;
    let mut b = Raw::connect(ami.addr()).await;
    b.banner().await;
    ami.drop_connections();
    assert!(a.closed().await);
    assert!(b.closed().await);
    // The server still accepts new connections.
    let mut c = Raw::login(ami.addr(), "off").await;
    c.send(&[("Action", "Ping")]).await;
    assert_eq!(c.msg().await.get("Ping"), Some("Pong"));
}

#[tokio::test]
async fn connection_can_be_cut_in_the_middle_of_a_list() {
    let ami = mock().await;
    let item = Message::from_pairs([("Event", "Agents"), ("Agent", "1")]);
    ami.set_list_items("Agents", vec![item.clone(), item]);
    let mut c = Raw::login(ami.addr(), "off").await;
    ami.drop_during_next_list();
    c.send(&[("Action", "Agents"), ("ActionID", "cut")]).await;
    assert_eq!(c.msg().await.get("EventList"), Some("start"));
    assert_eq!(c.msg().await.event_name(), Some("Agents"));
    assert_eq!(c.msg().await.event_name(), Some("Agents"));
    assert!(c.closed().await, "no completion event, connection closed");
}

#[tokio::test]
async fn drop_after_messages_counts_what_is_written() {
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "on").await;
    ami.drop_after_messages(2);
    for _ in 0..3 {
        ami.push_pairs(&[("Event", "Tick"), ("Privilege", "system,all")])
            .await;
    }
    assert_eq!(c.msg().await.event_name(), Some("Tick"));
    assert_eq!(c.msg().await.event_name(), Some("Tick"));
    assert!(c.closed().await);
}

#[tokio::test]
async fn logoff_says_goodbye_and_closes() {
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "off").await;
    c.send(&[("Action", "Logoff"), ("ActionID", "bye")]).await;
    let r = c.msg().await;
    assert_eq!(r.response(), Some("Goodbye"));
    assert_eq!(r.get("Message"), Some("Thanks for all the fish."));
    assert!(c.closed().await);
}

#[tokio::test]
async fn command_output_as_output_headers() {
    let ami = MockAmi::builder()
        .command_output("sip show peers", ["a", "b"])
        .start()
        .await
        .unwrap();
    let mut c = Raw::login(ami.addr(), "off").await;
    c.send(&[
        ("Action", "Command"),
        ("ActionID", "cmd"),
        ("Command", "core show version"),
    ])
    .await;
    let r = c.msg().await;
    assert_eq!(r.get("Message"), Some("Command output follows"));
    assert!(
        r.get("Output").unwrap_or("").starts_with("Asterisk "),
        "{r:?}"
    );
    c.send(&[("Action", "Command"), ("Command", "sip show peers")])
        .await;
    assert_eq!(
        c.msg().await.get_all("Output").collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[tokio::test]
async fn malformed_input_never_kills_the_server() {
    let ami = MockAmi::builder().max_message(1024).start().await.unwrap();
    let mut c = Raw::login(ami.addr(), "off").await;
    let mut junk = b"\r\n\r\nno colon here\r\n\xff\xfe: \x00\r\n\r\n".to_vec();
    junk.extend(std::iter::repeat_n(b'x', 5000));
    junk.extend_from_slice(b"\r\n\r\n");
    c.stream.write_all(&junk).await.unwrap();
    c.send(&[("Action", "Ping"), ("ActionID", "alive")]).await;
    let r = c.until(|m| m.action_id() == Some("alive")).await;
    assert_eq!(r.get("Ping"), Some("Pong"));
}

#[tokio::test]
async fn replayed_capture_arrives_byte_exact() {
    let rx = capture::read("asterisk-23.4.1/ami-session.rx.bin");
    let find = |needle: &[u8]| {
        rx.windows(needle.len())
            .position(|w| w == needle)
            .expect("marker in capture")
    };
    let start = find(b"Event: CEL\r\n");
    let end = find(b"Response: Success\r\nActionID: csc-1");
    let events = bytes::Bytes::copy_from_slice(&rx[start..end]);
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "off").await;
    assert!(c.buf.is_empty());
    assert_eq!(ami.replay(events.clone()).await, 1);
    let mut got = vec![0u8; events.len()];
    tokio::time::timeout(GUARD, c.stream.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, &events[..]);
}

#[tokio::test]
async fn replay_repeated_writes_exactly_the_requested_messages() {
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "off").await;
    let capture =
        bytes::Bytes::from_static(b"Event: A\r\nPrivilege: call,all\r\n\r\nEvent: B\r\n\r\n");
    assert_eq!(ami.replay_repeated(capture, 5).await, 1);
    let names: Vec<String> = {
        let mut v = Vec::new();
        for _ in 0..5 {
            v.push(c.msg().await.event_name().unwrap_or("").to_owned());
        }
        v
    };
    assert_eq!(names, ["A", "B", "A", "B", "A"]);
    c.send(&[("Action", "Ping"), ("ActionID", "next")]).await;
    assert_eq!(c.msg().await.action_id(), Some("next"));
}

#[tokio::test]
async fn originate_runs_a_call_until_hangup() {
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "on").await;
    c.send(&[
        ("Action", "Originate"),
        ("ActionID", "orig-1"),
        ("Channel", "Local/300@events-test"),
        ("Application", "Wait"),
        ("Data", "600"),
        ("Async", "true"),
        ("CallerID", "\"AMI Test\" <1234>"),
    ])
    .await;
    let r = c.msg().await;
    assert_eq!(r.get("Message"), Some("Originate successfully queued"));
    assert_eq!(c.msg().await.event_name(), Some("Newchannel"));
    let resp = c
        .until(|m| m.event_name() == Some("OriginateResponse"))
        .await;
    assert_eq!(resp.action_id(), Some("orig-1"));
    assert_eq!(resp.get("Response"), Some("Success"));
    let chan = resp.get("Channel").expect("Channel").to_owned();
    assert!(
        chan.starts_with("Local/300@events-test-") && chan.ends_with(";1"),
        "{chan}"
    );

    c.send(&[("Action", "CoreShowChannels"), ("ActionID", "csc")])
        .await;
    let done = c
        .until(|m| m.event_name() == Some("CoreShowChannelsComplete"))
        .await;
    assert_eq!(done.get("ListItems"), Some("2"));

    c.send(&[("Action", "Hangup"), ("ActionID", "h"), ("Channel", &chan)])
        .await;
    let hung = c.until(|m| m.event_name() == Some("Hangup")).await;
    assert_eq!(hung.get("Channel"), Some(chan.as_str()));
    c.until(|m| m.event_name() == Some("Hangup")).await;
    assert!(ami.channels().is_empty());
}

#[tokio::test]
async fn async_agi_commands_produce_exec_events() {
    let ami = mock().await;
    let mut c = Raw::login(ami.addr(), "agi").await;
    let chan = "Local/500@asyncagi-0000000f;2";
    ami.set_agi_result("GET VARIABLE", "200 result=1 (bar)");
    ami.start_async_agi(chan, &[("agi_request", "async"), ("agi_channel", chan)])
        .await;
    let start = c.msg().await;
    assert_eq!(start.event_name(), Some("AsyncAGIStart"));
    assert_eq!(
        start.get("Env"),
        Some("agi_request%3A%20async%0Aagi_channel%3A%20Local%2F500%40asyncagi-0000000f%3B2%0A%0A")
    );
    c.send(&[
        ("Action", "AGI"),
        ("ActionID", "a"),
        ("Channel", chan),
        ("Command", "GET VARIABLE FOO"),
        ("CommandID", "c1"),
    ])
    .await;
    assert_eq!(
        c.msg().await.get("Message"),
        Some("Added AGI command to queue")
    );
    let exec = c.msg().await;
    assert_eq!(exec.event_name(), Some("AsyncAGIExec"));
    assert_eq!(exec.get("CommandId"), Some("c1"));
    assert_eq!(exec.get("Result"), Some("200%20result%3D1%20(bar)%0A"));
    c.send(&[
        ("Action", "AGI"),
        ("Channel", chan),
        ("Command", "ASYNCAGI BREAK"),
        ("CommandID", "c2"),
    ])
    .await;
    c.msg().await;
    assert_eq!(c.msg().await.event_name(), Some("AsyncAGIExec"));
    assert_eq!(c.msg().await.event_name(), Some("AsyncAGIEnd"));
    c.send(&[("Action", "AGI"), ("Channel", chan), ("Command", "ANSWER")])
        .await;
    assert_eq!(c.msg().await.response(), Some("Error"));
}

#[tokio::test]
async fn many_concurrent_sessions() {
    let ami = mock().await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let addr = ami.addr();
        tasks.push(tokio::spawn(async move {
            let mut c = Raw::login(addr, "off").await;
            let id = format!("p{i}");
            c.send(&[("Action", "Ping"), ("ActionID", &id)]).await;
            c.msg().await.action_id() == Some(id.as_str())
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap());
    }
}
