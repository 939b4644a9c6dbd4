//! Replays the real FastAGI capture: the generated commands render byte-exact
//! lines and Asterisk's replies parse to the typed results.

#![cfg(feature = "agi")]

use asterisk_sdk::agi::*;

#[path = "../../tests/fixtures/capture.rs"]
mod capture;

/// The capture's blocks: (direction, exact bytes).
fn blocks() -> Vec<(String, String)> {
    let text = String::from_utf8(capture::read("asterisk-23.4.1/agi-session.txt"))
        .expect("the AGI capture is UTF-8");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("\n--- [+").map(|i| i + 1) {
        let header_end = start + rest[start..].find('\n').expect("marker line");
        let header = &rest[start..header_end];
        let mut words = header.split_whitespace();
        let dir = words.nth(2).expect("direction").to_string();
        let Some(n) = words.next().and_then(|n| n.parse::<usize>().ok()) else {
            rest = &rest[header_end..];
            continue;
        };
        let body = &rest[header_end + 1..header_end + 1 + n];
        out.push((dir, body.to_string()));
        rest = &rest[header_end + n..];
    }
    out
}

/// The command lines the server sent and the reply lines Asterisk sent after
/// the environment, in order.
fn exchange() -> (Vec<String>, Vec<String>) {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    let mut env_done = false;
    for (dir, body) in blocks() {
        if dir == "AGI->AST" {
            env_done = true;
            sent.push(body);
        } else if env_done {
            received.push(body);
        }
    }
    (sent, received)
}

fn line<C: Command>(c: &C) -> String {
    let mut l = c.render().expect("renders");
    l.push('\n');
    l
}

fn reply(s: &str) -> AgiReply {
    AgiReply::parse_line(s).expect("reply parses")
}

#[test]
fn generated_commands_match_the_capture_byte_for_byte() {
    let (sent, _) = exchange();
    let ours = vec![
        line(&Answer),
        line(&StreamFile {
            filename: "hello-world",
            escape_digits: "",
            sample_offset: None,
        }),
        line(&GetVariable {
            variablename: "FOO",
        }),
        line(&SetVariable {
            variablename: "BAZ",
            value: "qux from fastagi",
        }),
        line(&GetVariable {
            variablename: "BAZ",
        }),
        line(&DatabasePut {
            family: "agitest",
            key: "key1",
            value: "value1",
        }),
        line(&DatabaseGet {
            family: "agitest",
            key: "key1",
        }),
        line(&Verbose {
            message: "hello from the FastAGI test server",
            level: 1,
        }),
        line(&Hangup { channelname: None }),
    ];
    assert_eq!(ours, sent);
}

#[test]
fn captured_replies_parse_to_typed_results() {
    let (sent, received) = exchange();
    assert_eq!(
        received.len(),
        sent.len() + 1,
        "one reply per command, then HANGUP"
    );
    let r = |i: usize| reply(&received[i]);
    Answer.parse("ANSWER", r(0)).expect("answer ok");
    let s = StreamFile {
        filename: "hello-world",
        escape_digits: "",
        sample_offset: None,
    };
    let streamed: StreamOutcome = s.parse("", r(1)).unwrap();
    assert_eq!((streamed.digit, streamed.endpos), (None, 11360));
    let g = GetVariable {
        variablename: "FOO",
    };
    assert_eq!(g.parse("", r(2)).unwrap().as_deref(), Some("bar"));
    assert_eq!(
        g.parse("", r(4)).unwrap().as_deref(),
        Some("qux from fastagi")
    );
    let p = DatabasePut {
        family: "agitest",
        key: "key1",
        value: "value1",
    };
    assert!(p.parse("", r(5)).unwrap());
    let d = DatabaseGet {
        family: "agitest",
        key: "key1",
    };
    assert_eq!(d.parse("", r(6)).unwrap().as_deref(), Some("value1"));
    assert!(Hangup { channelname: None }.parse("", r(8)).unwrap());
    assert_eq!(received.last().map(String::as_str), Some("HANGUP\n"));
}

#[test]
fn typed_results_follow_res_agi() {
    let deltree = DatabaseDeltree {
        family: "f",
        keytree: None,
    };
    assert!(
        deltree.parse("", reply("200 result=0")).unwrap(),
        "0 means deleted"
    );
    assert!(!deltree.parse("", reply("200 result=1")).unwrap());
    let status = ChannelStatus { channelname: None };
    assert_eq!(
        status.parse("", reply("200 result=6")).unwrap(),
        Some(asterisk_sdk::domain::ChannelState::Up)
    );
    assert_eq!(status.parse("", reply("200 result=-1")).unwrap(), None);
    let wait = WaitForDigit { timeout: 5000 };
    assert_eq!(wait.parse("", reply("200 result=50")).unwrap(), Some('2'));
    assert_eq!(wait.parse("", reply("200 result=0")).unwrap(), None);
    let data = GetData {
        file: "beep",
        timeout: None,
        maxdigits: Some(4),
    };
    let out = data.parse("", reply("200 result=12 (timeout)")).unwrap();
    assert_eq!((out.digits.as_str(), out.timed_out), ("12", true));
    let exec = Exec {
        application: "Wait",
        options: "1",
    };
    assert_eq!(exec.parse("", reply("200 result=0")).unwrap(), 0);
    assert!(exec.usage_follows(&reply("200 result=1")));
    assert!(exec.parse("", reply("200 result=-2")).is_err());
}

#[test]
fn optional_arguments_are_positional() {
    let data = GetData {
        file: "beep",
        timeout: None,
        maxdigits: Some(4),
    };
    assert_eq!(data.render().unwrap(), "GET DATA beep 0 4");
    let rec = RecordFile {
        filename: "/tmp/x",
        format: "wav",
        escape_digits: "#",
        timeout: -1,
        offset_samples: None,
        beep: true,
        silence_seconds: Some(3),
    };
    assert_eq!(
        rec.render().unwrap(),
        "RECORD FILE /tmp/x wav # -1 0 BEEP s=3"
    );
    let music = SetMusic {
        on: true,
        class: "default",
    };
    assert_eq!(music.render().unwrap(), "SET MUSIC on default");
    let bad = SetVariable {
        variablename: "X",
        value: "a\nHANGUP",
    };
    assert!(matches!(bad.render(), Err(AgiError::InvalidArgument(_))));
}
