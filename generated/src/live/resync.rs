//! Resynchronisation: [`ServerSnapshot`], what Asterisk's lists
//! (`CoreShowChannels`, `BridgeList`, `BridgeInfo`) say exists, and how the
//! model is brought in line with it, reporting what changed in between.

use super::change::{Change, Origin, ResyncReason};
use super::channel::Channel;
use super::fields::non_empty;
use super::model::LiveModel;
use crate::ami::events::{BridgeInfoChannel, BridgeListItem, CoreShowChannel};
use crate::ami::{BridgeSnapshot, ChannelSnapshot, Text};
use std::collections::BTreeSet;
use std::time::Duration;

/// One channel of a [`ServerSnapshot`].
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SnapshotChannel {
    /// Its snapshot block.
    pub channel: ChannelSnapshot,
    /// The bridge it is in (`BridgeId`).
    pub bridge: Option<Text>,
    /// The application it runs.
    pub application: Option<Text>,
    /// How long it has existed (`Duration`).
    pub age: Option<Duration>,
}

/// One bridge of a [`ServerSnapshot`].
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SnapshotBridge {
    /// Its snapshot block.
    pub bridge: BridgeSnapshot,
    /// `Uniqueid`s of its channels (from `BridgeInfo`); `None` when they were
    /// not asked for, and then the channels' own `BridgeId` counts.
    pub members: Option<Vec<Text>>,
}

/// What exists on the server at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ServerSnapshot {
    /// Every channel.
    pub channels: Vec<SnapshotChannel>,
    /// Every bridge.
    pub bridges: Vec<SnapshotBridge>,
}

/// `HH:MM:SS` (hours may exceed 24) as a duration; `None` for anything else,
/// a value too large included.
fn parse_age(s: &str) -> Option<Duration> {
    let mut parts = s.trim().split(':');
    let h: u64 = parts.next()?.parse().ok()?;
    let m: u64 = parts.next()?.parse().ok()?;
    let sec: u64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let secs = h
        .checked_mul(3600)?
        .checked_add(m.checked_mul(60)?)?
        .checked_add(sec)?;
    Some(Duration::from_secs(secs))
}

impl SnapshotChannel {
    /// From a `CoreShowChannel` item.
    pub fn from_item(item: &CoreShowChannel) -> Self {
        SnapshotChannel {
            channel: item.channel.clone(),
            bridge: non_empty(&item.bridge_id),
            application: non_empty(&item.application),
            age: item.duration.as_deref().and_then(parse_age),
        }
    }
}

impl ServerSnapshot {
    /// From the items of `CoreShowChannels` and of `BridgeList`, each bridge with
    /// the channel items of its `BridgeInfo` (`None` when not asked).
    pub fn from_lists<'a>(
        channels: &[CoreShowChannel],
        bridges: impl IntoIterator<Item = (&'a BridgeListItem, Option<&'a [BridgeInfoChannel]>)>,
    ) -> Self {
        ServerSnapshot {
            channels: channels.iter().map(SnapshotChannel::from_item).collect(),
            bridges: bridges
                .into_iter()
                .map(|(item, members)| SnapshotBridge {
                    bridge: item.bridge.clone(),
                    members: members.map(|m| {
                        m.iter()
                            .filter_map(|c| non_empty(&c.channel.uniqueid))
                            .collect()
                    }),
                })
                .collect(),
        }
    }
}

impl LiveModel {
    /// Bring the model in line with `snapshot`, taken now, after a gap in the
    /// events (`reason`). Returns what changed: channels and calls found gone end
    /// with `reason`'s [`EndReason`](super::EndReason) and no cause (none is
    /// known), those found new start with [`Origin::Resync`]; a
    /// [`Change::Resynced`] comes last.
    pub fn resync(&mut self, snapshot: &ServerSnapshot, reason: ResyncReason) -> Vec<Change> {
        let mut out = Vec::new();
        let at = self.now();
        // New and known channels first, so a call that lost one channel and
        // gained another in the gap does not end and start again.
        let mut present = BTreeSet::new();
        for sc in &snapshot.channels {
            let Some(uid) = non_empty(&sc.channel.uniqueid) else {
                continue;
            };
            present.insert(uid.clone());
            if self.channels.contains_key(uid.as_str()) {
                self.refresh(&sc.channel, at, &mut out);
            } else {
                let created = sc.age.and_then(|a| at.checked_sub(a)).unwrap_or(at);
                if let Some(mut ch) = Channel::from_snapshot(&sc.channel, created) {
                    if ch.answered.is_some() {
                        ch.answered = Some(at);
                    }
                    self.insert_channel(ch, Origin::Resync, &mut out);
                }
            }
            if let Some(ch) = self.channels.get_mut(uid.as_str())
                && sc.application.is_some()
            {
                ch.application = sc.application.clone();
            }
        }
        let gone: Vec<Text> = self
            .channels
            .keys()
            .filter(|uid| !present.contains(*uid))
            .cloned()
            .collect();
        for uid in gone {
            self.drop_channel(&uid, None, reason.end_reason(), at, &mut out);
        }

        let listed: BTreeSet<Text> = snapshot
            .bridges
            .iter()
            .filter_map(|b| non_empty(&b.bridge.bridge_uniqueid))
            .collect();
        let vanished: Vec<Text> = self
            .bridges
            .keys()
            .filter(|id| !listed.contains(*id))
            .cloned()
            .collect();
        for id in vanished {
            self.destroy_bridge(&id, reason.end_reason(), &mut out);
        }
        for sb in &snapshot.bridges {
            let Some(id) = self.upsert_bridge_from(&sb.bridge, at, Origin::Resync, &mut out) else {
                continue;
            };
            let members: BTreeSet<Text> = match &sb.members {
                Some(m) => m.iter().cloned().collect(),
                None => snapshot
                    .channels
                    .iter()
                    .filter(|c| c.bridge.as_ref() == Some(&id))
                    .filter_map(|c| non_empty(&c.channel.uniqueid))
                    .collect(),
            };
            let before = self
                .bridges
                .get(id.as_str())
                .map(|b| b.members.clone())
                .unwrap_or_default();
            for uid in before.difference(&members) {
                self.leave_bridge(&id, uid, &mut out);
            }
            for uid in members.difference(&before) {
                self.enter_bridge(&id, uid, &mut out);
            }
        }
        // A channel whose bridge vanished or no longer lists it is in none.
        for ch in self.channels.values_mut() {
            if let Some(b) = &ch.bridge
                && !self
                    .bridges
                    .get(b.as_str())
                    .is_some_and(|b| b.members.contains(&ch.uniqueid))
            {
                ch.bridge = None;
            }
        }
        let counts = self.counts();
        out.push(Change::Resynced {
            reason,
            channels: counts.channels,
            bridges: counts.bridges,
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::parse_age;
    use std::time::Duration;

    #[test]
    fn ages_read_as_hours_minutes_seconds() {
        assert_eq!(parse_age("00:01:05"), Some(Duration::from_secs(65)));
        assert_eq!(parse_age("30:00:00"), Some(Duration::from_secs(108_000)));
        assert_eq!(parse_age("1:2"), None);
        assert_eq!(parse_age("a:b:c"), None);
        // Too large to count in seconds: no age, no overflow.
        assert_eq!(parse_age(&format!("{}:00:00", u64::MAX / 3600 + 1)), None);
        assert_eq!(parse_age(&format!("0:{}:00", u64::MAX)), None);
        let hours = u64::MAX / 3600;
        let rest = u64::MAX - hours * 3600;
        assert_eq!(
            parse_age(&format!("{hours}:00:{rest}")),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(parse_age(&format!("{hours}:00:{}", rest + 1)), None);
    }
}
