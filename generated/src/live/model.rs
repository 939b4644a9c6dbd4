//! [`LiveModel`]: the pure state machine of channels, bridges and calls, fed
//! one typed [`Event`] at a time (from a live client or a capture alike).

use super::bridge::Bridge;
use super::call::CallRecord;
use super::change::{Change, EndReason, Origin};
use super::channel::Channel;
use crate::ami::{BridgeSnapshot, ChannelSnapshot, Event, EventHeaders, Text};
use crate::domain::{ChannelState, HangupCause};
use asterisk_sdk_runtime::clock::{Clock, SystemClock, from_epoch_seconds};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::SystemTime;

/// Finished calls kept by default for [`LiveModel::recent_calls`].
pub const DEFAULT_HISTORY: usize = 16;

/// Channels kept by default in a [`CallRecord`]'s list
/// ([`LiveModel::call_channels`]).
pub const DEFAULT_CALL_CHANNELS: usize = 32;

/// Variable names kept by default per channel
/// ([`LiveModel::channel_variables`]).
pub const DEFAULT_CHANNEL_VARIABLES: usize = 64;

/// How many things the model holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Counts {
    /// Calls up now.
    pub active_calls: usize,
    /// Calls that ended since the model was created.
    pub finished_calls: u64,
    /// Channels up now.
    pub channels: usize,
    /// Bridges now.
    pub bridges: usize,
}

/// Channels, bridges and calls as the events tell them.
///
/// Only `Newchannel` (or a resync) creates a channel and only `BridgeCreate`,
/// `BridgeEnter` (or a resync) a bridge: events about a channel the model does
/// not know are ignored, so a lost `Newchannel` never leaves a ghost behind.
/// A call ends when its last channel is gone; it then moves to a short history
/// ([`history`](Self::history), default [`DEFAULT_HISTORY`]) and the model keeps
/// nothing else of it.
///
/// Times come from each event's `Timestamp` header when Asterisk sends it
/// (`timestampevents = yes`), else from the model's [`Clock`].
#[derive(Debug)]
pub struct LiveModel {
    pub(crate) channels: BTreeMap<Text, Channel>,
    pub(crate) bridges: BTreeMap<Text, Bridge>,
    pub(crate) calls: BTreeMap<Text, CallRecord>,
    history: VecDeque<CallRecord>,
    history_cap: usize,
    pub(crate) call_channels_cap: usize,
    variables_cap: usize,
    /// Applying events that may be older than the last resync's snapshot.
    catching_up: bool,
    finished: u64,
    clock: Arc<dyn Clock>,
}

impl Default for LiveModel {
    fn default() -> Self {
        LiveModel::new()
    }
}

impl LiveModel {
    /// An empty model on the system clock.
    pub fn new() -> Self {
        LiveModel::with_clock(Arc::new(SystemClock))
    }

    /// An empty model reading `clock` for events without a `Timestamp`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        LiveModel {
            channels: BTreeMap::new(),
            bridges: BTreeMap::new(),
            calls: BTreeMap::new(),
            history: VecDeque::new(),
            history_cap: DEFAULT_HISTORY,
            call_channels_cap: DEFAULT_CALL_CHANNELS,
            variables_cap: DEFAULT_CHANNEL_VARIABLES,
            catching_up: false,
            finished: 0,
            clock,
        }
    }

    /// Keep the last `calls` finished calls (0: none).
    pub fn history(mut self, calls: usize) -> Self {
        self.history_cap = calls;
        self.trim_history();
        self
    }

    /// Keep at most `channels` (at least 1) in each call's channel list: its
    /// first channel and the latest ones; [`CallRecord::channel_count`] counts
    /// them all (default [`DEFAULT_CALL_CHANNELS`]).
    pub fn call_channels(mut self, channels: usize) -> Self {
        self.call_channels_cap = channels.max(1);
        self
    }

    /// Keep at most `names` variables per channel (from `VarSet`): values of
    /// names already kept are updated, new names past the limit are counted in
    /// [`Channel::variables_dropped`] (default [`DEFAULT_CHANNEL_VARIABLES`]).
    pub fn channel_variables(mut self, names: usize) -> Self {
        self.variables_cap = names;
        self
    }

    /// The time now on the model's clock.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The time of `event`: its `Timestamp`, else the clock.
    pub fn event_time(&self, event: &Event) -> SystemTime {
        event
            .timestamp()
            .and_then(from_epoch_seconds)
            .unwrap_or_else(|| self.clock.now())
    }

    /// Feed one event; returns what it changed (often nothing).
    pub fn apply(&mut self, event: &Event) -> Vec<Change> {
        let mut out = Vec::new();
        let at = self.event_time(event);
        match event {
            Event::Newchannel(e) => {
                self.add_channel(&e.channel, at, Origin::Event, &mut out);
            }
            Event::Newstate(e) => self.refresh(&e.channel, at, &mut out),
            Event::NewCallerid(e) => self.refresh(&e.channel, at, &mut out),
            Event::NewConnectedLine(e) => self.refresh(&e.channel, at, &mut out),
            Event::NewAccountCode(e) => self.refresh(&e.channel, at, &mut out),
            Event::NewExten(e) => {
                self.refresh(&e.channel, at, &mut out);
                if let Some(ch) = self.known_mut(&e.channel) {
                    ch.application = e.application.clone();
                }
            }
            Event::VarSet(e) => {
                self.refresh(&e.channel, at, &mut out);
                let cap = self.variables_cap;
                if let (Some(ch), Some(name)) = (
                    self.known_mut(&e.channel),
                    e.variable.as_ref().filter(|n| !n.is_empty()),
                ) {
                    ch.set_variable(name, e.value.clone().unwrap_or_default(), cap);
                }
            }
            Event::Rename(e) => {
                if let (Some(uid), Some(name)) = (&e.uniqueid, &e.newname) {
                    self.rename(uid, name, &mut out);
                }
            }
            Event::DialBegin(e) => {
                self.refresh(&e.channel, at, &mut out);
                self.refresh(&e.dest, at, &mut out);
            }
            Event::DialEnd(e) => {
                self.refresh(&e.channel, at, &mut out);
                self.refresh(&e.dest, at, &mut out);
            }
            Event::Hangup(e) => {
                if let Some(uid) = &e.channel.uniqueid {
                    let cause = (e.cause.clone(), e.cause_txt.clone());
                    self.drop_channel(uid, Some(cause), EndReason::Event, at, &mut out);
                }
            }
            Event::BridgeCreate(e) => {
                self.upsert_bridge(&e.bridge, at, &mut out);
            }
            Event::BridgeEnter(e) => {
                if let Some(id) = self.upsert_bridge(&e.bridge, at, &mut out) {
                    self.refresh(&e.channel, at, &mut out);
                    if let Some(uid) = &e.channel.uniqueid {
                        self.enter_bridge(&id, uid, &mut out);
                    }
                }
            }
            Event::BridgeLeave(e) => {
                if let (Some(id), Some(uid)) = (&e.bridge.bridge_uniqueid, &e.channel.uniqueid) {
                    self.refresh(&e.channel, at, &mut out);
                    self.leave_bridge(id, uid, &mut out);
                }
            }
            Event::BridgeDestroy(e) => {
                if let Some(id) = &e.bridge.bridge_uniqueid {
                    self.destroy_bridge(id, EndReason::Event, &mut out);
                }
            }
            _ => {}
        }
        out
    }

    /// Feed an event that arrived before the last [`resync`](Self::resync)'s
    /// snapshot was complete, so it may be older than what the snapshot
    /// says. As [`apply`](Self::apply), except that nothing goes back: a
    /// channel's state does not move back towards `Down` (from `Up` to
    /// `Ringing`, say), and its `Linkedid` moves only to a call the model
    /// knows that started no later than its own (Asterisk moves channels only
    /// to the oldest call of their bridge), so a stale `Linkedid` cannot end
    /// the call and start it again.
    pub fn apply_before_snapshot(&mut self, event: &Event) -> Vec<Change> {
        self.catching_up = true;
        let out = self.apply(event);
        self.catching_up = false;
        out
    }

    // ---- reading -------------------------------------------------------

    /// The calls up now, by `Linkedid`.
    pub fn calls(&self) -> impl Iterator<Item = &CallRecord> + '_ {
        self.calls.values()
    }

    /// A call up now, or a recently finished one, by `Linkedid`.
    pub fn call(&self, linkedid: &str) -> Option<&CallRecord> {
        self.calls
            .get(linkedid)
            .or_else(|| self.history.iter().rev().find(|c| c.linkedid == linkedid))
    }

    /// The `Linkedid` a call goes on under: `linkedid` itself, or, for a call
    /// that ended [`Merged`](EndReason::Merged) into another (perhaps in turn
    /// merged), the call its channels moved to, as far as the history tells.
    pub fn surviving_linkedid(&self, linkedid: &str) -> Text {
        let mut current = Text::from(linkedid);
        // Each step follows a merge into an older call; the history bounds it.
        for _ in 0..=self.history.len() {
            if self.calls.contains_key(current.as_str()) {
                break;
            }
            match self
                .call(current.as_str())
                .and_then(|c| c.merged_into.clone())
            {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }

    /// The last finished calls, oldest first.
    pub fn recent_calls(&self) -> impl Iterator<Item = &CallRecord> + '_ {
        self.history.iter()
    }

    /// The channels up now, by `Uniqueid`.
    pub fn channels(&self) -> impl Iterator<Item = &Channel> + '_ {
        self.channels.values()
    }

    /// A channel by `Uniqueid`.
    pub fn channel(&self, uniqueid: &str) -> Option<&Channel> {
        self.channels.get(uniqueid)
    }

    /// A channel by name.
    pub fn channel_by_name(&self, name: &str) -> Option<&Channel> {
        self.channels.values().find(|c| c.name == name)
    }

    /// The bridges now, by id.
    pub fn bridges(&self) -> impl Iterator<Item = &Bridge> + '_ {
        self.bridges.values()
    }

    /// A bridge by `BridgeUniqueid`.
    pub fn bridge(&self, id: &str) -> Option<&Bridge> {
        self.bridges.get(id)
    }

    /// How many calls, channels and bridges.
    pub fn counts(&self) -> Counts {
        Counts {
            active_calls: self.calls.len(),
            finished_calls: self.finished,
            channels: self.channels.len(),
            bridges: self.bridges.len(),
        }
    }

    /// The `Linkedid` of the call `event` is about, if the model can tell: its
    /// `Linkedid` (or `DestLinkedid`) header, else the call of its `Uniqueid`.
    pub fn linkedid_of(&self, event: &Event) -> Option<Text> {
        let raw = event.raw();
        for header in ["Linkedid", "DestLinkedid"] {
            if let Some(l) = raw.get_text(header).filter(|l| !l.is_empty()) {
                return Some(l);
            }
        }
        let uid = raw.get("Uniqueid").or_else(|| raw.get("DestUniqueid"))?;
        self.channels.get(uid).map(|c| c.linkedid.clone())
    }

    // ---- channels ------------------------------------------------------

    fn known_mut(&mut self, s: &ChannelSnapshot) -> Option<&mut Channel> {
        self.channels.get_mut(s.uniqueid.as_ref()?.as_str())
    }

    /// Create a channel (and its call), or refresh it when it exists.
    pub(crate) fn add_channel(
        &mut self,
        s: &ChannelSnapshot,
        at: SystemTime,
        origin: Origin,
        out: &mut Vec<Change>,
    ) -> Option<Text> {
        let uid = s.uniqueid.as_ref()?;
        if self.channels.contains_key(uid.as_str()) {
            self.refresh(s, at, out);
            return Some(uid.clone());
        }
        let ch = Channel::from_snapshot(s, at)?;
        self.insert_channel(ch, origin, out)
    }

    /// Insert a new channel, starting its call when it is the first.
    pub(crate) fn insert_channel(
        &mut self,
        ch: Channel,
        origin: Origin,
        out: &mut Vec<Change>,
    ) -> Option<Text> {
        let uid = ch.uniqueid.clone();
        let linkedid = ch.linkedid.clone();
        let call = self.calls.entry(linkedid.clone()).or_insert_with(|| {
            out.push(Change::CallStarted {
                linkedid: linkedid.clone(),
                at: ch.created,
                origin,
            });
            CallRecord::new(linkedid.clone(), ch.created, origin)
        });
        if ch.created < call.started {
            call.started = ch.created;
        }
        call.join(&uid, &ch.name, self.call_channels_cap);
        out.push(Change::ChannelCreated {
            uniqueid: uid.clone(),
            name: ch.name.clone(),
            linkedid: linkedid.clone(),
            origin,
        });
        let answered = ch.answered;
        self.channels.insert(uid.clone(), ch);
        if let Some(at) = answered {
            self.answer_call(&linkedid, at, out);
        }
        Some(uid)
    }

    /// Take a snapshot block's fields into a known channel.
    pub(crate) fn refresh(&mut self, s: &ChannelSnapshot, at: SystemTime, out: &mut Vec<Change>) {
        let Some(ch) = self
            .channels
            .get(s.uniqueid.as_ref().map_or("", |u| u.as_str()))
        else {
            return;
        };
        let mut moved = s
            .linkedid
            .as_ref()
            .filter(|l| !l.is_empty() && **l != ch.linkedid)
            .map(|l| (ch.uniqueid.clone(), l.clone()));
        let mut stale_state = false;
        if self.catching_up {
            let (from, state) = (ch.linkedid.clone(), ch.state.clone());
            stale_state = s
                .channel_state
                .as_ref()
                .is_some_and(|new| goes_back(&state, new));
            moved = moved.filter(|(_, to)| self.is_older_call(to, &from));
        }
        let Some(ch) = self.known_mut(s) else {
            return;
        };
        let changed = if stale_state {
            let mut kept = s.clone();
            kept.channel_state = None;
            ch.refresh(&kept, at)
        } else {
            ch.refresh(s, at)
        };
        if let Some((uid, linkedid)) = moved {
            self.relink(&uid, linkedid, at, out);
        }
        let Some(from) = changed else {
            return;
        };
        let Some(ch) = self.known_mut(s) else {
            return;
        };
        let (uniqueid, to, linkedid) = (ch.uniqueid.clone(), ch.state.clone(), ch.linkedid.clone());
        let up = to == ChannelState::Up;
        out.push(Change::ChannelStateChanged { uniqueid, from, to });
        if up {
            self.answer_call(&linkedid, at, out);
        }
    }

    /// Whether the model knows call `to` and it started no later than `from`.
    fn is_older_call(&self, to: &Text, from: &Text) -> bool {
        match (self.calls.get(to.as_str()), self.calls.get(from.as_str())) {
            (Some(to), Some(from)) => to.started <= from.started,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// Move a channel to the call `to` (its new `Linkedid`), ending the call it
    /// leaves when that was its last channel.
    fn relink(&mut self, uid: &Text, to: Text, at: SystemTime, out: &mut Vec<Change>) {
        let Some(ch) = self.channels.get_mut(uid.as_str()) else {
            return;
        };
        let from = std::mem::replace(&mut ch.linkedid, to.clone());
        let (name, created, answered) = (ch.name.clone(), ch.created, ch.answered);
        let call = self.calls.entry(to.clone()).or_insert_with(|| {
            out.push(Change::CallStarted {
                linkedid: to.clone(),
                at: created,
                origin: Origin::Event,
            });
            CallRecord::new(to.clone(), created, Origin::Event)
        });
        call.join(uid, &name, self.call_channels_cap);
        out.push(Change::ChannelMoved {
            uniqueid: uid.clone(),
            from: from.clone(),
            to: to.clone(),
        });
        if let Some(when) = answered {
            self.answer_call(&to, when, out);
        }
        let emptied = self.calls.get_mut(&from).is_some_and(|c| {
            c.active.remove(uid);
            c.active.is_empty()
        });
        if emptied {
            self.end_call(&from, EndReason::Merged, Some(to), at, out);
        }
    }

    fn answer_call(&mut self, linkedid: &Text, at: SystemTime, out: &mut Vec<Change>) {
        if let Some(call) = self.calls.get_mut(linkedid)
            && call.answered.is_none()
        {
            call.answered = Some(at);
            out.push(Change::CallAnswered {
                linkedid: linkedid.clone(),
                at,
            });
        }
    }

    fn rename(&mut self, uid: &Text, name: &Text, out: &mut Vec<Change>) {
        let Some(ch) = self.channels.get_mut(uid.as_str()) else {
            return;
        };
        if &ch.name == name {
            return;
        }
        ch.name = name.clone();
        if let Some(call) = self.calls.get_mut(&ch.linkedid) {
            call.rename(uid, name);
        }
        out.push(Change::ChannelRenamed {
            uniqueid: uid.clone(),
            name: name.clone(),
        });
    }

    /// Remove a channel: out of its bridge, out of its call (ending the call
    /// when it was the last). `cause` is `None` when its hangup was not seen.
    pub(crate) fn drop_channel(
        &mut self,
        uid: &Text,
        cause: Option<(Option<HangupCause>, Option<Text>)>,
        reason: EndReason,
        at: SystemTime,
        out: &mut Vec<Change>,
    ) {
        let Some(ch) = self.channels.remove(uid.as_str()) else {
            return;
        };
        if let Some(bridge) = &ch.bridge
            && let Some(b) = self.bridges.get_mut(bridge)
            && b.members.remove(uid)
        {
            out.push(Change::BridgeLeft {
                bridge: bridge.clone(),
                uniqueid: uid.clone(),
            });
        }
        let (hangup_cause, cause_text) = cause.unwrap_or((None, None));
        out.push(Change::ChannelGone {
            uniqueid: uid.clone(),
            name: ch.name.clone(),
            cause: hangup_cause.clone(),
            reason,
        });
        let Some(call) = self.calls.get_mut(&ch.linkedid) else {
            return;
        };
        call.active.remove(uid);
        if call.cause.is_none() && hangup_cause.is_some() {
            call.cause = hangup_cause;
            call.cause_text = cause_text;
        }
        if call.active.is_empty() {
            self.end_call(&ch.linkedid, reason, None, at, out);
        }
    }

    fn end_call(
        &mut self,
        linkedid: &Text,
        reason: EndReason,
        merged_into: Option<Text>,
        at: SystemTime,
        out: &mut Vec<Change>,
    ) {
        let Some(mut call) = self.calls.remove(linkedid) else {
            return;
        };
        let at = at.max(call.started);
        call.ended = Some(at);
        call.end_reason = Some(reason);
        call.merged_into = merged_into.clone();
        self.finished += 1;
        out.push(Change::CallEnded {
            linkedid: linkedid.clone(),
            cause: call.cause.clone(),
            cause_text: call.cause_text.clone(),
            duration: call.duration(at),
            talk_time: call.answered.map(|_| call.talk_time(at)),
            channels: call.channel_names(),
            channel_count: call.channel_count,
            reason,
            merged_into,
        });
        self.history.push_back(call);
        self.trim_history();
    }

    fn trim_history(&mut self) {
        while self.history.len() > self.history_cap {
            self.history.pop_front();
        }
    }

    // ---- bridges -------------------------------------------------------

    /// Create a bridge or refresh its type and technology; returns its id.
    pub(crate) fn upsert_bridge(
        &mut self,
        s: &BridgeSnapshot,
        at: SystemTime,
        out: &mut Vec<Change>,
    ) -> Option<Text> {
        self.upsert_bridge_from(s, at, Origin::Event, out)
    }

    pub(crate) fn upsert_bridge_from(
        &mut self,
        s: &BridgeSnapshot,
        at: SystemTime,
        origin: Origin,
        out: &mut Vec<Change>,
    ) -> Option<Text> {
        let id = s.bridge_uniqueid.as_ref().filter(|i| !i.is_empty())?;
        match self.bridges.get_mut(id.as_str()) {
            Some(b) => b.refresh(s),
            None => {
                let b = Bridge::from_snapshot(s, at)?;
                self.bridges.insert(id.clone(), b);
                out.push(Change::BridgeCreated {
                    id: id.clone(),
                    origin,
                });
            }
        }
        Some(id.clone())
    }

    /// Put a known channel into a known bridge (out of any other one).
    pub(crate) fn enter_bridge(&mut self, id: &Text, uid: &Text, out: &mut Vec<Change>) {
        let Some(previous) = self.channels.get(uid.as_str()).map(|c| c.bridge.clone()) else {
            return;
        };
        if !self.bridges.contains_key(id.as_str()) {
            return;
        }
        if let Some(old) = previous.filter(|old| old != id) {
            self.leave_bridge(&old, uid, out);
        }
        if let Some(ch) = self.channels.get_mut(uid.as_str()) {
            ch.bridge = Some(id.clone());
        }
        if let Some(b) = self.bridges.get_mut(id.as_str())
            && b.members.insert(uid.clone())
        {
            out.push(Change::BridgeEntered {
                bridge: id.clone(),
                uniqueid: uid.clone(),
            });
        }
    }

    pub(crate) fn leave_bridge(&mut self, id: &Text, uid: &Text, out: &mut Vec<Change>) {
        if let Some(ch) = self.channels.get_mut(uid.as_str())
            && ch.bridge.as_ref() == Some(id)
        {
            ch.bridge = None;
        }
        if let Some(b) = self.bridges.get_mut(id.as_str())
            && b.members.remove(uid)
        {
            out.push(Change::BridgeLeft {
                bridge: id.clone(),
                uniqueid: uid.clone(),
            });
        }
    }

    pub(crate) fn destroy_bridge(&mut self, id: &Text, reason: EndReason, out: &mut Vec<Change>) {
        let Some(b) = self.bridges.remove(id.as_str()) else {
            return;
        };
        for uid in &b.members {
            if let Some(ch) = self.channels.get_mut(uid.as_str())
                && ch.bridge.as_ref() == Some(id)
            {
                ch.bridge = None;
            }
            out.push(Change::BridgeLeft {
                bridge: id.clone(),
                uniqueid: uid.clone(),
            });
        }
        out.push(Change::BridgeDestroyed {
            id: id.clone(),
            reason,
        });
    }
}

/// How far a channel has come on its way to answered, for the states that
/// have a place on that way (`None` for others).
fn progress(state: &ChannelState) -> Option<u8> {
    Some(match state {
        ChannelState::Down => 0,
        ChannelState::Reserved => 1,
        ChannelState::OffHook => 2,
        ChannelState::Dialing | ChannelState::DialingOffhook => 3,
        ChannelState::Ring | ChannelState::PreRing => 4,
        ChannelState::Ringing | ChannelState::Busy => 5,
        ChannelState::Up => 6,
        _ => return None,
    })
}

/// Whether moving from `current` to `new` goes back on the way to answered.
fn goes_back(current: &ChannelState, new: &ChannelState) -> bool {
    matches!((progress(current), progress(new)), (Some(c), Some(n)) if n < c)
}
