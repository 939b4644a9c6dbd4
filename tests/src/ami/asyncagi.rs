//! AsyncAGI over AMI: `AsyncAGIStart` when a channel enters AsyncAGI, an
//! `AsyncAGIExec` with the URL-encoded result for each `Action: AGI`, and
//! `AsyncAGIEnd` when it leaves (after `ASYNCAGI BREAK` or on request).

use super::mask::EventMask;
use super::shared::{Shared, lock};
use super::wire::{Block, uri_encode};

/// Result line when no scripted result matches a command.
const DEFAULT_RESULT: &str = "200 result=0";

/// Start of an AsyncAGI event about `channel` (snapshot block when it is one of
/// the mock's channels, else just `Channel`).
fn agi_event(shared: &Shared, event: &str, channel: &str) -> Block {
    let mut block = Block::new()
        .header("Event", event)
        .header("Privilege", "agi,all");
    match lock(&shared.channels).get(channel) {
        Some(ch) => ch.snapshot("", &mut block),
        None => block.push("Channel", channel),
    }
    block
}

/// Put `channel` in AsyncAGI and announce it with `env` (`agi_*` pairs).
pub(crate) async fn start(shared: &Shared, channel: &str, env: &[(String, String)]) -> usize {
    lock(&shared.agi_channels).insert(channel.to_owned());
    let mut text = String::new();
    if env.is_empty() {
        text.push_str("agi_request: async\n");
        text.push_str(&format!("agi_channel: {channel}\n"));
    }
    for (k, v) in env {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push('\n');
    let block = agi_event(shared, "AsyncAGIStart", channel).header("Env", &uri_encode(&text));
    shared
        .broadcast(block.finish(), EventMask::of_privilege("agi"))
        .await
}

/// Take `channel` out of AsyncAGI and announce it.
pub(crate) async fn end(shared: &Shared, channel: &str) -> usize {
    if !lock(&shared.agi_channels).remove(channel) {
        return 0;
    }
    let block = agi_event(shared, "AsyncAGIEnd", channel);
    shared
        .broadcast(block.finish(), EventMask::of_privilege("agi"))
        .await
}

/// Check that `channel` can take an AGI command; `Err` is the response message.
pub(crate) fn accept(shared: &Shared, channel: &str) -> Result<(), String> {
    if lock(&shared.agi_channels).contains(channel) {
        Ok(())
    } else if lock(&shared.channels).get(channel).is_some() {
        Err(format!("Channel {channel} is not in Async AGI."))
    } else {
        Err(format!("Channel {channel} does not exist."))
    }
}

/// Run one queued command: `AsyncAGIExec` with its result, then `AsyncAGIEnd`
/// for `ASYNCAGI BREAK`.
pub(crate) async fn exec(shared: &Shared, channel: &str, command: &str, command_id: Option<&str>) {
    let upper = command.trim().to_ascii_uppercase();
    let result = lock(&shared.agi_results)
        .iter()
        .rev()
        .find(|(prefix, _)| upper.starts_with(prefix.as_str()))
        .map(|(_, r)| r.clone())
        .unwrap_or_else(|| DEFAULT_RESULT.to_owned());
    let block = agi_event(shared, "AsyncAGIExec", channel)
        .header("Result", &uri_encode(&format!("{result}\n")))
        .opt("CommandId", command_id);
    shared
        .broadcast(block.finish(), EventMask::of_privilege("agi"))
        .await;
    if upper.starts_with("ASYNCAGI BREAK") {
        end(shared, channel).await;
    }
}
