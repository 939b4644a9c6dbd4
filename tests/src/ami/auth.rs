//! Authentication: `Challenge` (MD5) and `Login` (plaintext `Secret` or MD5 `Key`).

use super::answer::Answer;
use super::mask::EventMask;
use super::shared::{SessionState, Shared};
use super::wire::Block;
use asterisk_sdk_runtime::ami::Message;
use std::sync::atomic::Ordering;

/// Per-session authentication state.
#[derive(Debug, Default)]
pub(crate) struct Auth {
    /// The challenge handed out by the last `Challenge`.
    challenge: Option<String>,
}

fn is_md5(action: &Message) -> bool {
    action
        .get("AuthType")
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("md5"))
}

/// Answer `Action: Challenge`.
pub(crate) fn challenge(auth: &mut Auth, action: &Message) -> Answer {
    let id = action.action_id();
    if !is_md5(action) {
        return Answer::error(id, "Must specify AuthType");
    }
    let challenge = auth
        .challenge
        .get_or_insert_with(|| fastrand::u32(100_000_000..1_000_000_000).to_string())
        .clone();
    Answer::block(Block::response("Success", id).header("Challenge", &challenge))
}

/// Answer `Action: Login`.
pub(crate) fn login(
    shared: &Shared,
    auth: &mut Auth,
    state: &SessionState,
    action: &Message,
) -> Answer {
    let id = action.action_id();
    if state.logged_in.load(Ordering::Acquire) {
        return Answer::ack(id, "Already authenticated");
    }
    let user = action.get("Username").unwrap_or("");
    let ok = match shared.config.users.get(user) {
        None => false,
        Some(secret) if is_md5(action) => match (&auth.challenge, action.get("Key")) {
            (Some(ch), Some(key)) => key
                .trim()
                .eq_ignore_ascii_case(&asterisk_sdk_runtime::ami::md5_key(ch, secret)),
            _ => false,
        },
        Some(secret) => action.get("Secret") == Some(secret.as_str()),
    };
    if !ok {
        let mut a = Answer::error(id, "Authentication failed").then_close();
        a.delay = shared.config.auth_failure_delay;
        return a;
    }
    let mask = action
        .get("Events")
        .map(EventMask::parse)
        .unwrap_or(EventMask::ALL);
    state.mask.store(mask.bits(), Ordering::Relaxed);
    state.logged_in.store(true, Ordering::Release);
    let mut answer = Answer::ack(id, "Authentication accepted");
    if mask.allows(EventMask::of_privilege("system")) {
        let uptime = shared.started.elapsed().as_secs().to_string();
        answer.blocks.push(
            Block::new()
                .header("Event", "FullyBooted")
                .header("Privilege", "system,all")
                .header("Uptime", &uptime)
                .header("LastReload", &uptime)
                .header("Status", "Fully Booted")
                .finish(),
        );
    }
    answer
}
