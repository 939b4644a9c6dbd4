//! [`Channel`]: what the live model knows about one channel, and how a channel
//! snapshot block of an event refreshes it.

use super::fields::update;
use crate::ami::ChannelSnapshot;
use crate::ami::Text;
use crate::domain::ChannelState;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// One live channel, keyed by its `Uniqueid`.
///
/// Caller ID and connected line parts Asterisk writes as `<unknown>` (or empty)
/// are `None`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Channel {
    /// `Uniqueid`.
    pub uniqueid: Text,
    /// Channel name, e.g. `PJSIP/100-00000001` (follows `Rename`).
    pub name: Text,
    /// Channel state.
    pub state: ChannelState,
    /// `Linkedid`: the call this channel belongs to.
    pub linkedid: Text,
    /// Caller ID number.
    pub caller_id_num: Option<Text>,
    /// Caller ID name.
    pub caller_id_name: Option<Text>,
    /// Connected line number.
    pub connected_line_num: Option<Text>,
    /// Connected line name.
    pub connected_line_name: Option<Text>,
    /// Dialplan context.
    pub context: Option<Text>,
    /// Dialplan extension.
    pub exten: Option<Text>,
    /// Dialplan priority.
    pub priority: Option<i64>,
    /// Dialplan application running (from `Newexten` or `CoreShowChannel`).
    pub application: Option<Text>,
    /// Account code.
    pub account_code: Option<Text>,
    /// The bridge the channel is in.
    pub bridge: Option<Text>,
    /// Channel variables seen through `VarSet` (last value of each name), at
    /// most [`LiveModel::channel_variables`](super::LiveModel::channel_variables) names.
    pub variables: BTreeMap<Text, Text>,
    /// `VarSet`s of new names not kept because
    /// [`variables`](Self::variables) was full.
    pub variables_dropped: u64,
    /// When the channel was created (for a channel found by a resync: the resync
    /// time minus the age Asterisk reported).
    pub created: SystemTime,
    /// When the channel went `Up`; for a channel found `Up` by a resync, the
    /// resync time.
    pub answered: Option<SystemTime>,
}

/// A caller ID part as the model keeps it: `None` for empty and `<unknown>`.
fn known(v: &Option<Text>) -> Option<Option<Text>> {
    v.as_ref().map(|t| {
        let s = t.as_str().trim();
        (!s.is_empty() && s != "<unknown>").then(|| t.clone())
    })
}

impl Channel {
    /// A channel from the snapshot block of its first event; `None` without a
    /// `Uniqueid`.
    pub(crate) fn from_snapshot(s: &ChannelSnapshot, at: SystemTime) -> Option<Channel> {
        let uniqueid = s.uniqueid.clone().filter(|u| !u.as_str().is_empty())?;
        let mut ch = Channel {
            linkedid: s.linkedid.clone().unwrap_or_else(|| uniqueid.clone()),
            name: s.channel.clone().unwrap_or_default(),
            uniqueid,
            state: ChannelState::Down,
            caller_id_num: None,
            caller_id_name: None,
            connected_line_num: None,
            connected_line_name: None,
            context: None,
            exten: None,
            priority: None,
            application: None,
            account_code: None,
            bridge: None,
            variables: BTreeMap::new(),
            variables_dropped: 0,
            created: at,
            answered: None,
        };
        ch.refresh(s, at);
        Some(ch)
    }

    /// Take every field the snapshot block carries. Returns the previous state
    /// when the state changed.
    pub(crate) fn refresh(&mut self, s: &ChannelSnapshot, at: SystemTime) -> Option<ChannelState> {
        if let Some(name) = s.channel.as_ref().filter(|n| !n.as_str().is_empty()) {
            self.name = name.clone();
        }
        if let Some(v) = known(&s.caller_id_num) {
            self.caller_id_num = v;
        }
        if let Some(v) = known(&s.caller_id_name) {
            self.caller_id_name = v;
        }
        if let Some(v) = known(&s.connected_line_num) {
            self.connected_line_num = v;
        }
        if let Some(v) = known(&s.connected_line_name) {
            self.connected_line_name = v;
        }
        if let Some(v) = update(&s.context) {
            self.context = v;
        }
        if let Some(v) = update(&s.exten) {
            self.exten = v;
        }
        if s.priority.is_some() {
            self.priority = s.priority;
        }
        if let Some(v) = update(&s.account_code) {
            self.account_code = v;
        }
        let state = s.channel_state.clone()?;
        if state == self.state {
            return None;
        }
        if state == ChannelState::Up && self.answered.is_none() {
            self.answered = Some(at);
        }
        Some(std::mem::replace(&mut self.state, state))
    }

    /// Keep a variable's value: a known name is updated, a new one kept while
    /// fewer than `cap` names are, else counted as dropped.
    pub(crate) fn set_variable(&mut self, name: &Text, value: Text, cap: usize) {
        if let Some(v) = self.variables.get_mut(name) {
            *v = value;
        } else if self.variables.len() < cap {
            self.variables.insert(name.clone(), value);
        } else {
            self.variables_dropped += 1;
        }
    }

    /// Whether the channel is `Up` (answered).
    pub fn is_up(&self) -> bool {
        self.state == ChannelState::Up
    }
}
