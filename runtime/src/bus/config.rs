//! [`BusConfig`]: subjects, the JetStream stream, and the bridge's local buffer.

use async_nats::jetstream::stream::{self, RetentionPolicy, StorageType};
use std::time::Duration;

/// How the bridge publishes: the subject prefix, the stream that stores the
/// events, and how much it buffers while NATS is unreachable.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BusConfig {
    /// First token(s) of every subject (default `asterisk`).
    pub prefix: String,
    /// The JetStream stream (default `ASTERISK`); created when missing, left as
    /// it is when it exists.
    pub stream: String,
    /// Retention of the stream (default: limits).
    pub retention: RetentionPolicy,
    /// Oldest message age kept (default 24 h; zero: no limit).
    pub max_age: Duration,
    /// Bytes kept (default -1: no limit).
    pub max_bytes: i64,
    /// File or memory storage (default file).
    pub storage: StorageType,
    /// How long JetStream remembers message ids to drop republished copies
    /// (default 2 min). A republish after a longer outage may be stored twice.
    pub duplicate_window: Duration,
    /// Bytes of messages one node may have waiting for their acknowledgement
    /// (default 64 MiB). When full, the bridge stops reading that node's events:
    /// its AMI subscription then queues up to its own budget and reports what it
    /// drops, which the bridge publishes as a `lagged` marker.
    pub buffer_bytes: usize,
    /// Publishes of one node awaiting their acknowledgement at once (default 256).
    pub max_in_flight: usize,
    /// How long to wait for a publish's acknowledgement before publishing it
    /// again (default 5 s).
    pub ack_timeout: Duration,
    /// Answer action requests for nodes this bridge does not have with an
    /// unknown-node error (default on). Turn it off when several bridges share
    /// the prefix, each with its own nodes.
    pub answer_unknown_nodes: bool,
    /// On shutdown, how long to wait for the buffered messages' acknowledgements
    /// (default 10 s).
    pub flush_timeout: Duration,
    /// Action requests the bridge runs at once (default 256); more wait in
    /// NATS's subscription queue until one finishes.
    pub max_concurrent_actions: usize,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            prefix: "asterisk".into(),
            stream: "ASTERISK".into(),
            retention: RetentionPolicy::Limits,
            max_age: Duration::from_secs(24 * 3600),
            max_bytes: -1,
            storage: StorageType::File,
            duplicate_window: Duration::from_secs(120),
            buffer_bytes: 64 << 20,
            max_in_flight: 256,
            ack_timeout: Duration::from_secs(5),
            answer_unknown_nodes: true,
            flush_timeout: Duration::from_secs(10),
            max_concurrent_actions: 256,
        }
    }
}

impl BusConfig {
    /// The stream's configuration: subjects `<prefix>.*.ami.*` and
    /// `<prefix>.*.ari.*`.
    pub fn stream_config(&self) -> stream::Config {
        stream::Config {
            name: self.stream.clone(),
            subjects: vec![
                format!("{}.*.ami.*", self.prefix),
                format!("{}.*.ari.*", self.prefix),
            ],
            retention: self.retention,
            max_age: self.max_age,
            max_bytes: self.max_bytes,
            storage: self.storage,
            duplicate_window: self.duplicate_window,
            ..Default::default()
        }
    }
}
