//! [`Bridge`]: what the live model knows about one bridge.

use super::fields::non_empty;
use crate::ami::{BridgeSnapshot, Text};
use std::collections::BTreeSet;
use std::time::SystemTime;

/// One live bridge, keyed by its `BridgeUniqueid`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Bridge {
    /// `BridgeUniqueid`.
    pub id: Text,
    /// `BridgeType`, e.g. `basic`.
    pub bridge_type: Option<Text>,
    /// `BridgeTechnology`, e.g. `simple_bridge`, `softmix`.
    pub technology: Option<Text>,
    /// `BridgeCreator`.
    pub creator: Option<Text>,
    /// `BridgeName`.
    pub name: Option<Text>,
    /// `Uniqueid`s of the channels in it.
    pub members: BTreeSet<Text>,
    /// When the model first saw it.
    pub created: SystemTime,
}

impl Bridge {
    /// A bridge from a snapshot block; `None` without a `BridgeUniqueid`.
    pub(crate) fn from_snapshot(s: &BridgeSnapshot, at: SystemTime) -> Option<Bridge> {
        let id = non_empty(&s.bridge_uniqueid)?;
        let mut b = Bridge {
            id,
            bridge_type: None,
            technology: None,
            creator: None,
            name: None,
            members: BTreeSet::new(),
            created: at,
        };
        b.refresh(s);
        Some(b)
    }

    /// Take the type, technology, creator and name the block carries.
    pub(crate) fn refresh(&mut self, s: &BridgeSnapshot) {
        if let Some(v) = non_empty(&s.bridge_type) {
            self.bridge_type = Some(v);
        }
        if let Some(v) = non_empty(&s.bridge_technology) {
            self.technology = Some(v);
        }
        if let Some(v) = non_empty(&s.bridge_creator) {
            self.creator = Some(v);
        }
        if let Some(v) = non_empty(&s.bridge_name) {
            self.name = Some(v);
        }
    }
}
