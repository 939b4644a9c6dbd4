//! AGI reply lines and the environment block: parsing never panics, a parsed
//! reply parses again to itself, a reply assembled line by line equals the one
//! assembled from the whole block, and the environment read line by line (as
//! FastAGI does) equals the one read from the whole text (as AsyncAGI does).

use asterisk_sdk_runtime::agi::{
    AgiReply, AgiRequest, EnvLimits, EnvParser, ReplyAssembler, Step, assemble_block,
};

/// The fuzz entry: the bytes (lossily as text) as reply lines and as an
/// environment block.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    replies(&text);
    environment(&text);
}

fn replies(text: &str) {
    for line in text.split('\n') {
        if let Ok(reply) = AgiReply::parse_line(line) {
            let again = AgiReply::parse_line(&reply.line).expect("a parsed reply parses again");
            assert_eq!(again, reply);
            let _ = (reply.result_int(), reply.endpos(), reply.extra("endpos"));
        }
    }
    let mut asm = ReplyAssembler::new("FUZZ");
    let mut hangup = false;
    let mut streamed = None;
    for line in text.split('\n') {
        if line.trim_end_matches('\r').is_empty() {
            continue;
        }
        match asm.feed(line) {
            Step::Continue => {}
            Step::Hangup => hangup = true,
            Step::Done(r) => {
                streamed = Some(r);
                break;
            }
            _ => unreachable!("a step this check does not know"),
        }
    }
    let (block, block_hangup) = assemble_block("FUZZ", text);
    match streamed {
        Some(r) => {
            assert_eq!(format!("{r:?}"), format!("{block:?}"));
            assert_eq!(hangup, block_hangup);
        }
        None => assert!(
            block.is_err(),
            "a block without a final line gave {block:?}"
        ),
    }
}

fn environment(text: &str) {
    let mut limits = EnvLimits::default();
    limits.max_lines = 64;
    limits.max_bytes = 4096;
    let whole = AgiRequest::from_env_text(text, limits);
    if text.len() > limits.max_bytes {
        assert!(whole.is_err());
        return;
    }
    let mut parser = EnvParser::new(limits);
    let mut streamed = Ok(());
    for line in text.split('\n') {
        match parser.push_line(line) {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                streamed = Err(e);
                break;
            }
        }
    }
    let streamed = streamed.map(|()| parser.finish());
    assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
    if let Ok(request) = whole {
        let _ = (request.param("x"), format!("{request:?}"));
    }
}
