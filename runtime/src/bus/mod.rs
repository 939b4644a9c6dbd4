//! The fleet on NATS JetStream (feature `nats`): a [`Bridge`] publishes every
//! node's AMI and ARI events and serves actions; [`events`] and
//! [`ari_events`] consume typed events from any node, shared by the instances
//! of an application.
//!
//! # Subjects
//! - `<prefix>.<node>.ami.<Event>`: every AMI event as received.
//! - `<prefix>.<node>.ari.<type>`: every ARI event as received.
//! - `<prefix>.<node>.ami._marker`, `<prefix>.<node>.ari._marker`: markers
//!   (`reconnected`, `disconnected`, `lagged` with the count lost,
//!   `too_large` for a message NATS refused, `overflowed`, `invalid`), so that
//!   consumers see the gaps.
//! - `<prefix>.<node>.ami.action`, `<prefix>.<node>.ari.action`: requests
//!   (see [`actions`] for the JSON).
//!
//! The prefix defaults to `asterisk`. Node ids and event names are sanitised
//! into one token each ([`subject::token`]: `.`, `*`, `>`, spaces → `_`); the
//! exact node id is in the `Asterisk-Node` header. Node ids that become the
//! same token (`pbx.1`, `pbx_1`) are refused when the fleet is built
//! (`FleetError::ConflictingNodes`).
//!
//! # Messages
//! An AMI event's payload is its frame exactly as Asterisk sent it (the ordered
//! header list: `Name: value\r\n` lines, repeats and non-UTF-8 bytes kept);
//! an ARI event's payload is its JSON as received. Headers ([`envelope`]):
//! `Nats-Msg-Id` (`<node>:<bridge run>:<seq>`, fixed when received, so a
//! republish is dropped by JetStream's de-duplication), `Asterisk-Node`,
//! `Asterisk-Kind` (`ami`, `ari`, `marker`), `Asterisk-Seq` (per node, from 1),
//! `Asterisk-Received` (Unix nanoseconds).
//!
//! # Delivery
//! Every publish is acknowledged by JetStream. Each node has a bounded buffer
//! ([`BusConfig::buffer_bytes`]) holding what is not acknowledged yet: while
//! NATS is unreachable it fills, and it is published again in order once NATS
//! is back. When it is full, the bridge stops reading that node: the node's AMI
//! subscription then queues up to its own budget, and past that the count of
//! lost events is published as a `lagged` marker. Around an outage, a message
//! whose publish failed can be stored after later ones that went through;
//! `Asterisk-Seq` gives the order received.

pub mod actions;
mod bridge;
mod config;
mod consumer;
pub mod envelope;
mod error;
pub mod file;
mod publisher;
pub mod subject;

pub use actions::ActionClient;
pub use async_nats;
pub use bridge::{Bridge, NodeStats};
pub use config::BusConfig;
pub use consumer::{BusEvent, BusEvents, BusItem, EventFilter, ari_events, events};
pub use error::BusError;
