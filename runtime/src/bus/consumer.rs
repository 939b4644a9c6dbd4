//! The consumer side: [`events`] and [`ari_events`] yield typed events from
//! every node (or one), through a durable JetStream consumer that N
//! application instances share ([`EventFilter::group`]).

use super::envelope::{self, KIND_AMI, KIND_ARI, KIND_MARKER};
use super::error::BusError;
use super::subject::{self, MARKER_TOKEN, Side};
use crate::ami::{FromEvent, Message};
use crate::ari::ws::FromAriMessage;
use crate::fleet::NodeId;
use async_nats::jetstream::{self, AckKind, consumer::pull, message::Acker};
use bytes::Bytes;
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Which events a consumer reads, and the group it shares them with.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EventFilter {
    /// The durable consumer's name: every application instance that uses the
    /// same group on the same stream shares its events, each event going to
    /// one of them (JetStream's work sharing on one durable consumer). A name
    /// with `.`, `*`, `>` or spaces is sanitised like a subject token.
    pub group: String,
    /// Subject prefix (default `asterisk`).
    pub prefix: String,
    /// Stream (default `ASTERISK`).
    pub stream: String,
    /// One node, or every node (default).
    pub node: Option<String>,
    /// Narrow the subject to one event name (`Hangup`): less traffic, but the
    /// node's reconnect and lag markers are then not received. Default: every
    /// event of the side, filtered by type on arrival, markers included.
    pub event: Option<String>,
    /// When the group is created: start with new messages only (default: the
    /// whole stream).
    pub new_only: bool,
    /// How long a delivered event may stay unacknowledged before JetStream
    /// gives it to another instance (default 30 s).
    pub ack_wait: Duration,
    /// Messages this instance asks JetStream for at a time (default 200).
    pub batch: usize,
    /// Opt-in: acknowledge each event when the next item is asked for
    /// (default `false`: the application calls [`BusEvent::ack`] after
    /// processing). Either way an event is acknowledged only after the
    /// application had it; with this mode an instance that stops while
    /// processing an event gets it redelivered, but one that asked for the
    /// next item has confirmed the previous one.
    pub auto_ack: bool,
}

impl EventFilter {
    /// Every node's events of the default stream, shared in `group`.
    pub fn group(group: impl Into<String>) -> Self {
        EventFilter {
            group: group.into(),
            prefix: "asterisk".into(),
            stream: "ASTERISK".into(),
            node: None,
            event: None,
            new_only: false,
            ack_wait: Duration::from_secs(30),
            batch: 200,
            auto_ack: false,
        }
    }

    /// Only this node's events.
    pub fn node(mut self, node: impl Into<String>) -> Self {
        self.node = Some(node.into());
        self
    }

    /// Only events with this name on the subject (see [`EventFilter::event`]).
    pub fn event(mut self, name: impl Into<String>) -> Self {
        self.event = Some(name.into());
        self
    }

    /// Another subject prefix and stream than `asterisk` / `ASTERISK`.
    pub fn stream(mut self, prefix: impl Into<String>, stream: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self.stream = stream.into();
        self
    }

    /// Start a new group at new messages only.
    pub fn new_only(mut self, on: bool) -> Self {
        self.new_only = on;
        self
    }

    /// How long an event handed out may stay unacknowledged before it is
    /// delivered again (see [`EventFilter::ack_wait`]).
    pub fn ack_wait(mut self, wait: Duration) -> Self {
        self.ack_wait = wait;
        self
    }

    /// Acknowledge each event when the next item is asked for (see
    /// [`EventFilter::auto_ack`]).
    pub fn auto_ack(mut self, on: bool) -> Self {
        self.auto_ack = on;
        self
    }
}

/// The acknowledgement handle of one delivered event (shared by its clones).
#[derive(Clone)]
struct AckHandle(Arc<Acker>);

impl std::fmt::Debug for AckHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AckHandle")
    }
}

/// One event from the bus, with where it came from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BusEvent<T> {
    /// The node.
    pub node: NodeId,
    /// The bridge's sequence number for this node (AMI and ARI together); a
    /// jump means the bridge lost messages (a `lagged` marker says how many).
    pub seq: u64,
    /// The message's sequence number in the stream.
    pub stream_sequence: u64,
    /// How many times JetStream delivered it (more than 1: delivered before,
    /// to this or another instance, without an acknowledgement reaching it).
    pub delivered: i64,
    /// When the bridge received it from Asterisk.
    pub received_at: Option<SystemTime>,
    /// The event.
    pub event: T,
    ack: AckHandle,
}

impl<T> BusEvent<T> {
    /// Confirm that the event is processed: JetStream will not deliver it
    /// again. An event never acknowledged (the instance stopped, or dropped it)
    /// is delivered again, to this or another instance of the group, after
    /// [`EventFilter::ack_wait`]; so call this after processing, not before.
    ///
    /// The acknowledgement is sent without waiting for the server's
    /// confirmation: if it is lost on the way, the event comes again (with
    /// [`BusEvent::delivered`] above 1).
    pub async fn ack(&self) -> Result<(), BusError> {
        self.ack
            .0
            .ack()
            .await
            .map_err(|e| BusError::Nats(format!("acknowledgement not sent: {e}")))
    }

    /// Give the event back unprocessed: JetStream delivers it again at once,
    /// to this or another instance of the group.
    pub async fn nak(&self) -> Result<(), BusError> {
        self.ack
            .0
            .ack_with(AckKind::Nak(None))
            .await
            .map_err(|e| BusError::Nats(format!("negative acknowledgement not sent: {e}")))
    }
}

/// One item of a bus consumer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum BusItem<T> {
    /// An event.
    Event(BusEvent<T>),
    /// The node's connection was lost and is back: events in between are
    /// unknown (refresh state built from events).
    Reconnected {
        /// The node.
        node: NodeId,
    },
    /// The node's ARI WebSocket dropped.
    Disconnected {
        /// The node.
        node: NodeId,
    },
    /// The bridge lost `lost` events of the node.
    Lagged {
        /// The node.
        node: NodeId,
        /// How many.
        lost: u64,
    },
    /// NATS refused the node's message of bridge sequence `seq` for good (it
    /// was `size` bytes, over the server's or the stream's limit): that event
    /// is lost.
    TooLarge {
        /// The node.
        node: NodeId,
        /// The lost message's [`BusEvent::seq`].
        seq: u64,
        /// Its payload size in bytes.
        size: u64,
    },
    /// The bridge's subscription to the node overflowed and was subscribed
    /// again: events in between are unknown (refresh state built from events).
    Overflowed {
        /// The node.
        node: NodeId,
    },
    /// The node sent an ARI message that is not JSON (`size` bytes); it was
    /// not published.
    Invalid {
        /// The node.
        node: NodeId,
        /// Its size in bytes.
        size: u64,
    },
}

/// Decoding of one payload: the item, nothing for this consumer, or what is wrong.
enum Decoded<T> {
    Item(T),
    Skip,
    Malformed(String),
}

type Decoder<T> = fn(&str, Bytes) -> Decoded<T>;

/// A consumer of typed events from the bus; see [`events`]. Items come with
/// [`BusEvents::next`] or as a `Stream` ([`BusEvents::into_stream`]).
pub struct BusEvents<T> {
    consumer: jetstream::consumer::Consumer<pull::Config>,
    messages: Option<pull::Stream>,
    group: String,
    batch: usize,
    decode: Decoder<T>,
    auto_ack: bool,
    /// The last event handed out, acknowledged on the next call (auto-ack mode).
    unacked: Option<AckHandle>,
}

impl<T> std::fmt::Debug for BusEvents<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusEvents")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// Typed AMI events of `T` (a generated event struct, the generated `Event`
/// enum, or `Message` for all of them raw) from the bus, decoded by `T`'s
/// [`FromEvent`], with every node's markers.
///
/// Delivery is at least once: an event is acknowledged only when the
/// application calls [`BusEvent::ack`] after processing it (or, opt-in, when it
/// asks for the next item: [`EventFilter::auto_ack`]). An event handed out and
/// not acknowledged within [`EventFilter::ack_wait`] (the instance crashed or
/// dropped it) is delivered again, to this or another instance of the group,
/// with [`BusEvent::delivered`] above 1; so across the group each event is
/// processed once, and more than once only around such a failure.
///
/// Events of other types are acknowledged and skipped. Markers
/// ([`BusItem::Reconnected`], ...) carry no event and are acknowledged as they
/// are handed out. A message on the subjects that the bridge did not publish,
/// or an event of the requested type that `T` cannot decode, is
/// [`BusError::Malformed`] (acknowledged as terminated: never delivered again);
/// the consumer goes on after it.
pub async fn events<T: FromEvent>(
    nats: &async_nats::Client,
    filter: EventFilter,
) -> Result<BusEvents<T>, BusError> {
    BusEvents::open(nats, filter, Side::Ami, decode_ami::<T>).await
}

/// Typed ARI events of `T` (the generated `AriEvent`, `serde_json::Value`,
/// or [`RawAriEvent`](crate::fleet::RawAriEvent)) from the bus, as [`events`].
pub async fn ari_events<T: FromAriMessage>(
    nats: &async_nats::Client,
    filter: EventFilter,
) -> Result<BusEvents<T>, BusError> {
    BusEvents::open(nats, filter, Side::Ari, decode_ari::<T>).await
}

fn decode_ami<T: FromEvent>(subject_event: &str, payload: Bytes) -> Decoded<T> {
    let msg = Message::parse(payload);
    let Some(name) = msg.event_name() else {
        return Decoded::Malformed("the payload is not an AMI event (no Event header)".into());
    };
    if subject::token(name) != subject_event {
        return Decoded::Malformed(format!(
            "the subject names event {subject_event:?} but the payload is a {name:?}"
        ));
    }
    if !T::matches(name) {
        return Decoded::Skip;
    }
    let name = name.to_string();
    match T::from_message(msg) {
        Ok(t) => Decoded::Item(t),
        Err(_) => Decoded::Malformed(format!(
            "the {name} event does not decode into the requested type"
        )),
    }
}

fn decode_ari<T: FromAriMessage>(_subject_event: &str, payload: Bytes) -> Decoded<T> {
    match T::from_message(&payload) {
        Ok((t, _)) => Decoded::Item(t),
        Err(e) => Decoded::Malformed(format!("the payload is not JSON: {e}")),
    }
}

impl<T> BusEvents<T> {
    async fn open(
        nats: &async_nats::Client,
        filter: EventFilter,
        side: Side,
        decode: Decoder<T>,
    ) -> Result<Self, BusError> {
        let group = subject::token(&filter.group).into_owned();
        let err = |reason: String| BusError::Consumer {
            consumer: group.clone(),
            reason,
        };
        let js = jetstream::new(nats.clone());
        let stream = js
            .get_stream(&filter.stream)
            .await
            .map_err(|e| BusError::Stream {
                stream: filter.stream.clone(),
                reason: e.to_string(),
            })?;
        let config = pull::Config {
            durable_name: Some(group.clone()),
            filter_subject: subject::filter(
                &filter.prefix,
                filter.node.as_deref(),
                side,
                filter.event.as_deref(),
            ),
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            ack_wait: filter.ack_wait,
            deliver_policy: if filter.new_only {
                jetstream::consumer::DeliverPolicy::New
            } else {
                jetstream::consumer::DeliverPolicy::All
            },
            ..Default::default()
        };
        let consumer = stream
            .get_or_create_consumer(&group, config)
            .await
            .map_err(|e| err(e.to_string()))?;
        Ok(BusEvents {
            consumer,
            messages: None,
            group,
            batch: filter.batch.max(1),
            decode,
            auto_ack: filter.auto_ack,
            unacked: None,
        })
    }

    /// The next item; `Err` items ([`BusError::Malformed`], or a NATS error
    /// while the connection is down) do not end the consumer: call again.
    /// Never `None`.
    ///
    /// An event is not acknowledged here: call [`BusEvent::ack`] once it is
    /// processed (unless [`EventFilter::auto_ack`] is on: then the previous
    /// event is acknowledged by this call).
    ///
    /// Not cancel-safe: dropping the future after a message arrived but before
    /// it was handed out leaves that message to JetStream, which delivers it
    /// again after [`EventFilter::ack_wait`] (with `delivered` above 1).
    pub async fn next(&mut self) -> Option<Result<BusItem<T>, BusError>> {
        if let Some(previous) = self.unacked.take()
            && let Err(e) = previous.0.ack().await
        {
            tracing::debug!(error = %e, "bus consumer: acknowledgement not sent");
        }
        loop {
            let messages = match self.messages.as_mut() {
                Some(m) => m,
                None => match self
                    .consumer
                    .stream()
                    .max_messages_per_batch(self.batch)
                    .messages()
                    .await
                {
                    Ok(m) => self.messages.insert(m),
                    Err(e) => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        return Some(Err(self.error(e.to_string())));
                    }
                },
            };
            let msg = match messages.next().await {
                Some(Ok(msg)) => msg,
                Some(Err(e)) => return Some(Err(self.error(e.to_string()))),
                None => {
                    self.messages = None;
                    continue;
                }
            };
            let (item, ack) = self.decode_message(&msg);
            if !matches!(item, Decoded::Item(BusItem::Event(_)))
                && let Err(e) = msg.ack_with(ack).await
            {
                tracing::debug!(error = %e, "bus consumer: acknowledgement not sent");
            }
            match item {
                Decoded::Item(item) => {
                    if let (true, BusItem::Event(e)) = (self.auto_ack, &item) {
                        self.unacked = Some(e.ack.clone());
                    }
                    return Some(Ok(item));
                }
                Decoded::Skip => continue,
                Decoded::Malformed(reason) => {
                    let stream_sequence = msg.info().map_or(0, |i| i.stream_sequence);
                    return Some(Err(BusError::Malformed {
                        subject: msg.subject.to_string(),
                        stream_sequence,
                        reason,
                    }));
                }
            }
        }
    }

    fn error(&self, reason: String) -> BusError {
        BusError::Consumer {
            consumer: self.group.clone(),
            reason,
        }
    }

    /// Decode one delivery, and how to acknowledge it (`Term` for a malformed
    /// one: never deliver it again).
    fn decode_message(&self, msg: &jetstream::Message) -> (Decoded<BusItem<T>>, AckKind) {
        match self.decode_inner(msg) {
            Ok(d) => (d, AckKind::Ack),
            Err(reason) => (Decoded::Malformed(reason), AckKind::Term),
        }
    }

    fn decode_inner(&self, msg: &jetstream::Message) -> Result<Decoded<BusItem<T>>, String> {
        let headers = msg.headers.as_ref();
        let kind = envelope::get(headers, envelope::KIND)
            .ok_or("no Asterisk-Kind header: not published by the bridge")?;
        let node =
            NodeId::from(envelope::get(headers, envelope::NODE).ok_or("no Asterisk-Node header")?);
        let last = msg.subject.rsplit('.').next().unwrap_or("");
        let number = |name: &str| -> Result<u64, String> {
            envelope::get(headers, name)
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("a marker without a valid {name}"))
        };
        match kind {
            KIND_MARKER => {
                if last != MARKER_TOKEN {
                    return Err(format!("a marker on the subject of {last:?}"));
                }
                let item = match envelope::get(headers, envelope::MARKER) {
                    Some(envelope::MARKER_RECONNECTED) => BusItem::Reconnected { node },
                    Some(envelope::MARKER_DISCONNECTED) => BusItem::Disconnected { node },
                    Some(envelope::MARKER_LAGGED) => BusItem::Lagged {
                        node,
                        lost: envelope::get(headers, envelope::LOST)
                            .and_then(|n| n.parse().ok())
                            .ok_or("a lagged marker without a valid Asterisk-Lost")?,
                    },
                    Some(envelope::MARKER_TOO_LARGE) => BusItem::TooLarge {
                        node,
                        seq: number(envelope::SEQ)?,
                        size: number(envelope::SIZE)?,
                    },
                    Some(envelope::MARKER_OVERFLOWED) => BusItem::Overflowed { node },
                    Some(envelope::MARKER_INVALID) => BusItem::Invalid {
                        node,
                        size: number(envelope::SIZE)?,
                    },
                    other => return Err(format!("unknown marker {other:?}")),
                };
                Ok(Decoded::Item(item))
            }
            KIND_AMI | KIND_ARI => {
                let seq = envelope::get(headers, envelope::SEQ)
                    .and_then(|s| s.parse().ok())
                    .ok_or("no valid Asterisk-Seq header")?;
                let received_at = envelope::get(headers, envelope::RECEIVED)
                    .and_then(|s| s.parse::<u64>().ok())
                    .map(|ns| UNIX_EPOCH + Duration::from_nanos(ns));
                let info = msg.info().map_err(|e| e.to_string())?;
                let (stream_sequence, delivered) = (info.stream_sequence, info.delivered);
                let ack = AckHandle(Arc::new(Acker::new(msg.context.clone(), msg.reply.clone())));
                Ok(match (self.decode)(last, msg.payload.clone()) {
                    Decoded::Item(event) => Decoded::Item(BusItem::Event(BusEvent {
                        node,
                        seq,
                        stream_sequence,
                        delivered,
                        received_at,
                        event,
                        ack,
                    })),
                    Decoded::Skip => Decoded::Skip,
                    Decoded::Malformed(reason) => Decoded::Malformed(reason),
                })
            }
            other => Err(format!("unknown Asterisk-Kind {other:?}")),
        }
    }

    /// The items as a `Stream` (never ending).
    pub fn into_stream(self) -> impl futures::Stream<Item = Result<BusItem<T>, BusError>> + Send
    where
        T: Send + 'static,
    {
        futures::stream::unfold(self, |mut me| async move {
            let item = me.next().await?;
            Some((item, me))
        })
    }
}
