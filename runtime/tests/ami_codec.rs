//! The AMI frame decoder on real Asterisk 23.4.1 captures and on awkward input.

use asterisk_sdk_runtime::ami::{
    Frame, FrameDecoder, FrameError, Message, Response, ResponseStatus,
};
use bytes::BytesMut;

#[path = "../../tests/fixtures/capture.rs"]
mod capture;

fn decode(dec: &mut FrameDecoder, input: &[u8], chunk: usize) -> Vec<Result<Frame, FrameError>> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for c in input.chunks(chunk) {
        buf.extend_from_slice(c);
        while let Some(f) = dec.decode(&mut buf) {
            out.push(f);
        }
    }
    assert!(
        buf.is_empty(),
        "bytes left over: {:?}",
        String::from_utf8_lossy(&buf)
    );
    out
}

fn messages(frames: &[Result<Frame, FrameError>]) -> Vec<&Message> {
    frames
        .iter()
        .filter_map(|f| match f {
            Ok(Frame::Message(m)) => Some(m),
            _ => None,
        })
        .collect()
}

#[test]
fn real_session_decodes_identically_in_any_chunk_size() {
    let rx = capture::read("asterisk-23.4.1/ami-session.rx.bin");
    let reference = decode(&mut FrameDecoder::new(), &rx, rx.len());
    for chunk in [1, 7, 4096] {
        assert_eq!(
            decode(&mut FrameDecoder::new(), &rx, chunk),
            reference,
            "chunk size {chunk}"
        );
    }
    assert_eq!(
        reference[0],
        Ok(Frame::Banner("Asterisk Call Manager/12.0.0".into())),
        "the banner comes first"
    );
    assert!(reference.iter().all(|f| f.is_ok()));
    let msgs = messages(&reference);
    // The decoder's one-pass header positions match a fresh parse of each frame.
    for m in &msgs {
        assert_eq!(**m, Message::parse(m.as_bytes().clone()));
    }
    let login = Response::from_message(msgs[0].clone());
    assert_eq!(login.action_id(), Some("login-1"));
    assert_eq!(login.message.as_deref(), Some("Authentication accepted"));

    let cmd = msgs
        .iter()
        .find(|m| m.action_id() == Some("cmd-1") && m.response().is_some())
        .expect("Command response");
    let cmd = Response::from_message((*cmd).clone());
    assert_eq!(cmd.status, ResponseStatus::Success);
    assert_eq!(cmd.output.len(), 1);
    assert!(
        cmd.output[0].starts_with("Asterisk 23.4.1 built by"),
        "{:?}",
        cmd.output
    );

    let list: Vec<_> = msgs
        .iter()
        .filter(|m| m.action_id() == Some("csc-1"))
        .collect();
    assert_eq!(list[0].get("EventList"), Some("start"));
    assert_eq!(
        list.last().unwrap().event_name(),
        Some("CoreShowChannelsComplete")
    );

    let last = Response::from_message((*msgs.last().unwrap()).clone());
    assert_eq!(last.status, ResponseStatus::Goodbye);
}

#[test]
fn thousand_call_stream_counts() {
    let data = capture::read("bench/ami-23.4.1-1000calls.bin.gz");
    let frames = decode(&mut FrameDecoder::new(), &data, 64 * 1024);
    let msgs = messages(&frames);
    assert_eq!(
        frames.len(),
        msgs.len(),
        "only messages, no banner or error"
    );
    assert_eq!(msgs.len(), 35_000);
    let events = msgs.iter().filter(|m| m.name(0) == "Event").count();
    let responses = msgs.iter().filter(|m| m.name(0) == "Response").count();
    assert_eq!(events, 34_000);
    assert_eq!(responses, 1_000);
}

#[test]
fn oversized_message_is_skipped_and_the_next_decoded() {
    let mut input = b"Event: Before\r\n\r\nEvent: Huge\r\n".to_vec();
    while input.len() < 3000 {
        input.extend_from_slice(b"ChanVariable: X=0123456789abcdef\r\n");
    }
    let huge_len = input.len() + 2 - 17;
    input.extend_from_slice(b"\r\nResponse: Success\r\nActionID: 9\r\n\r\n");
    for chunk in [1, 7, 4096] {
        let frames = decode(&mut FrameDecoder::with_max_message(1024), &input, chunk);
        assert_eq!(frames.len(), 3);
        assert_eq!(
            frames[1],
            Err(FrameError::TooLarge {
                size: huge_len,
                limit: 1024
            })
        );
        let m = messages(&frames);
        assert_eq!(m[0].event_name(), Some("Before"));
        assert_eq!(m[1].action_id(), Some("9"));
    }
}

#[test]
fn garbage_and_odd_terminators() {
    let input: &[u8] = b"\r\n\x00\xff\xfe no colon here\r\n\r\nResponse: Error\r\nMessage: No such channel\n\r\nEvent: Agents\r\nCallStarted: 5\n\r\n\r\n\r\nEvent: QueueRule\n\n";
    for chunk in [1, 3, 4096] {
        let frames = decode(&mut FrameDecoder::new(), input, chunk);
        let m = messages(&frames);
        assert_eq!(m.len(), 4, "chunk {chunk}");
        assert_eq!(m[0].value_bytes(0), b"\x00\xff\xfe no colon here");
        let err = Response::from_message(m[1].clone());
        assert!(err.is_error());
        assert_eq!(err.message.as_deref(), Some("No such channel"));
        assert_eq!(m[2].get("CallStarted"), Some("5"));
        assert_eq!(m[3].event_name(), Some("QueueRule"));
    }
}

#[test]
fn legacy_follows_command_output() {
    let input: &[u8] = b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\nChannel              Location\n\n2 active channels\n--END COMMAND--\r\n\r\nEvent: After\r\n\r\n";
    for chunk in [1, 5, 4096] {
        let frames = decode(&mut FrameDecoder::new(), input, chunk);
        let m = messages(&frames);
        assert_eq!(m.len(), 2);
        let r = Response::from_message(m[0].clone());
        assert_eq!(r.status, ResponseStatus::Follows);
        assert_eq!(r.action_id(), Some("c1"));
        assert_eq!(
            r.output_text(),
            "Channel              Location\n\n2 active channels"
        );
        assert_eq!(m[1].event_name(), Some("After"));
    }
}
