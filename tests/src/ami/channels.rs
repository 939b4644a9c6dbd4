//! The mock's channels: created by simulated calls, listed by CoreShowChannels,
//! targeted by Hangup and AGI.

use super::wire::Block;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Notify;

/// How a call's task is told to hang up, and with which Q.850 cause.
#[derive(Debug, Default)]
pub(crate) struct HangupCue {
    notify: Notify,
    cause: Mutex<Option<u16>>,
}

impl HangupCue {
    /// Ask the call to hang up now, with `cause` (16, Normal Clearing, if none).
    pub(crate) fn request(&self, cause: Option<u16>) {
        *self.cause.lock().unwrap_or_else(|e| e.into_inner()) = cause;
        self.notify.notify_one();
    }

    /// Wait until asked.
    pub(crate) async fn requested(&self) {
        self.notify.notified().await;
    }

    /// The cause asked for, if any.
    pub(crate) fn cause(&self) -> Option<u16> {
        *self.cause.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Asterisk's text of a Q.850 cause: the `causes` table of main/channel.c as
/// `ast_cause2str()` reads it, `Unknown` for a code it does not list.
pub(crate) fn cause_text(cause: u16) -> &'static str {
    match cause {
        1 => "Unallocated (unassigned) number",
        2 => "No route to specified transmit network",
        3 => "No route to destination",
        5 => "Misdialed trunk prefix",
        6 => "Channel unacceptable",
        7 => "Call awarded and being delivered in an established channel",
        8 => "Pre-empted",
        14 => "Number ported elsewhere",
        16 => "Normal Clearing",
        17 => "User busy",
        18 => "No user responding",
        19 => "User alerting, no answer",
        20 => "Subscriber absent",
        21 => "Call Rejected",
        22 => "Number changed",
        23 => "Redirected to new destination",
        26 => "Answered elsewhere",
        27 => "Destination out of order",
        28 => "Invalid number format",
        29 => "Facility rejected",
        30 => "Response to STATus ENQuiry",
        31 => "Normal, unspecified",
        34 => "Circuit/channel congestion",
        38 => "Network out of order",
        41 => "Temporary failure",
        42 => "Switching equipment congestion",
        43 => "Access information discarded",
        44 => "Requested channel not available",
        50 => "Facility not subscribed",
        52 => "Outgoing call barred",
        54 => "Incoming call barred",
        57 => "Bearer capability not authorized",
        58 => "Bearer capability not available",
        65 => "Bearer capability not implemented",
        66 => "Channel not implemented",
        69 => "Facility not implemented",
        81 => "Invalid call reference value",
        88 => "Incompatible destination",
        95 => "Invalid message unspecified",
        96 => "Mandatory information element is missing",
        97 => "Message type nonexist.",
        98 => "Wrong message",
        99 => "Info. element nonexist or not implemented",
        100 => "Invalid information element contents",
        101 => "Message not compatible with call state",
        102 => "Recover on timer expiry",
        103 => "Mandatory IE length error",
        111 => "Protocol error, unspecified",
        127 => "Interworking, unspecified",
        _ => "Unknown",
    }
}

/// One simulated channel.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) name: String,
    pub(crate) uniqueid: String,
    pub(crate) linkedid: String,
    pub(crate) state: u8,
    pub(crate) context: String,
    pub(crate) exten: String,
    pub(crate) priority: u32,
    pub(crate) cid_num: String,
    pub(crate) cid_name: String,
    pub(crate) application: String,
    pub(crate) data: String,
    pub(crate) created: Instant,
    /// Wakes the call's task when a Hangup action (or the control handle)
    /// targets this channel.
    pub(crate) hangup: Arc<HangupCue>,
}

/// `ChannelStateDesc` of a numeric channel state.
fn state_desc(state: u8) -> &'static str {
    match state {
        0 => "Down",
        1 => "Rsrvd",
        2 => "OffHook",
        3 => "Dialing",
        4 => "Ring",
        5 => "Ringing",
        6 => "Up",
        7 => "Busy",
        8 => "Dialing Offhook",
        9 => "Pre-ring",
        _ => "Unknown",
    }
}

/// `<unknown>` for an empty caller id part, as Asterisk writes it.
fn or_unknown(s: &str) -> &str {
    if s.is_empty() { "<unknown>" } else { s }
}

impl Channel {
    /// Append the channel snapshot block, each name prefixed with `prefix`.
    pub(crate) fn snapshot(&self, prefix: &str, block: &mut Block) {
        let state = self.state.to_string();
        let priority = self.priority.to_string();
        let fields: [(&str, &str); 14] = [
            ("Channel", &self.name),
            ("ChannelState", &state),
            ("ChannelStateDesc", state_desc(self.state)),
            ("CallerIDNum", or_unknown(&self.cid_num)),
            ("CallerIDName", or_unknown(&self.cid_name)),
            ("ConnectedLineNum", or_unknown(&self.cid_num)),
            ("ConnectedLineName", or_unknown(&self.cid_name)),
            ("Language", "en"),
            ("AccountCode", ""),
            ("Context", &self.context),
            ("Exten", &self.exten),
            ("Priority", &priority),
            ("Uniqueid", &self.uniqueid),
            ("Linkedid", &self.linkedid),
        ];
        for (name, value) in fields {
            if prefix.is_empty() {
                block.push(name, value);
            } else {
                block.push(&format!("{prefix}{name}"), value);
            }
        }
    }

    /// `HH:MM:SS` since the channel was created.
    pub(crate) fn duration(&self) -> String {
        let s = self.created.elapsed().as_secs();
        format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

/// Every live channel, in creation order, plus the id counters.
#[derive(Debug)]
pub(crate) struct Channels {
    list: Vec<Channel>,
    epoch: u64,
    next_unique: u64,
    next_seq: u64,
}

impl Default for Channels {
    fn default() -> Self {
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Channels {
            list: Vec::new(),
            epoch,
            next_unique: 0,
            next_seq: 0,
        }
    }
}

impl Channels {
    /// A fresh `Uniqueid` (`<start time>.<counter>`, like Asterisk's).
    pub(crate) fn unique_id(&mut self) -> String {
        let id = format!("{}.{}", self.epoch, self.next_unique);
        self.next_unique += 1;
        id
    }

    /// A fresh channel name suffix (8 hex digits).
    pub(crate) fn sequence(&mut self) -> String {
        let s = format!("{:08x}", self.next_seq);
        self.next_seq += 1;
        s
    }

    /// Add a channel.
    pub(crate) fn insert(&mut self, ch: Channel) {
        self.list.push(ch);
    }

    /// Remove a channel by name.
    pub(crate) fn remove(&mut self, name: &str) -> Option<Channel> {
        let i = self.list.iter().position(|c| c.name == name)?;
        Some(self.list.remove(i))
    }

    /// The channel named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Channel> {
        self.list.iter().find(|c| c.name == name)
    }

    /// The channel named `name`, mutable.
    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut Channel> {
        self.list.iter_mut().find(|c| c.name == name)
    }

    /// Every channel in creation order.
    pub(crate) fn all(&self) -> &[Channel] {
        &self.list
    }
}
