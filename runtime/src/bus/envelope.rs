//! What one published message carries: the NATS headers the bridge sets, the
//! message id, and the payload encodings; and their checks on the consumer side.

use async_nats::HeaderMap;

/// Header: the node id, as configured (not sanitised).
pub const NODE: &str = "Asterisk-Node";
/// Header: what the message is: [`KIND_AMI`], [`KIND_ARI`] or [`KIND_MARKER`].
pub const KIND: &str = "Asterisk-Kind";
/// Header: the bridge's sequence number for this node, from 1, in the order the
/// bridge received the messages (AMI and ARI together).
pub const SEQ: &str = "Asterisk-Seq";
/// Header: when the bridge received the message, in nanoseconds since the Unix
/// epoch.
pub const RECEIVED: &str = "Asterisk-Received";
/// Header of markers: [`MARKER_RECONNECTED`], [`MARKER_DISCONNECTED`],
/// [`MARKER_LAGGED`], [`MARKER_TOO_LARGE`], [`MARKER_OVERFLOWED`] or
/// [`MARKER_INVALID`].
pub const MARKER: &str = "Asterisk-Marker";
/// Header of `lagged` markers: how many events were lost.
pub const LOST: &str = "Asterisk-Lost";
/// Header of `too_large` markers: the refused message's payload size in bytes.
pub const SIZE: &str = "Asterisk-Size";
/// Header of action replies (its value is always `1`), so a requester can tell
/// them from JetStream's own answer to the request.
pub const REPLY: &str = "Asterisk-Bus-Reply";
/// The JetStream de-duplication header.
pub const MSG_ID: &str = "Nats-Msg-Id";

/// [`KIND`] of an AMI message: the payload is the frame exactly as Asterisk sent
/// it (`Name: value` lines ending in `\r\n`, without the terminating empty line),
/// so the ordered header list, repeats and non-UTF-8 bytes included, is kept;
/// `Message::parse` reads it back.
pub const KIND_AMI: &str = "ami";
/// [`KIND`] of an ARI event: the payload is the event's JSON exactly as received.
pub const KIND_ARI: &str = "ari";
/// [`KIND`] of a marker: the payload is empty; [`MARKER`] says which.
pub const KIND_MARKER: &str = "marker";

/// [`MARKER`]: the node's connection was lost and is back; what happened in
/// between is unknown.
pub const MARKER_RECONNECTED: &str = "reconnected";
/// [`MARKER`]: the node's ARI WebSocket dropped (a `reconnected` follows when
/// it is back).
pub const MARKER_DISCONNECTED: &str = "disconnected";
/// [`MARKER`]: the bridge lost [`LOST`] events of this node (its subscription
/// went over its budget).
pub const MARKER_LAGGED: &str = "lagged";
/// [`MARKER`]: NATS refused the message of this [`SEQ`] for good (larger than
/// the server's `max_payload` or the stream's limit); [`SIZE`] says how large
/// it was. The marker takes its place (possibly stored after messages that
/// were already in flight); the event itself is lost.
pub const MARKER_TOO_LARGE: &str = "too_large";
/// [`MARKER`]: the node's subscription overflowed its budget and was cut off
/// (`SlowSubscriberPolicy::Disconnect`); the bridge subscribed again, and what
/// came in between is unknown.
pub const MARKER_OVERFLOWED: &str = "overflowed";
/// [`MARKER`]: the node sent an ARI message that is not valid JSON; [`SIZE`]
/// says how large it was. It is not published.
pub const MARKER_INVALID: &str = "invalid";

/// The message id: `<node>:<session>:<seq>`, where `session` is chosen once per
/// bridge run. It is fixed when the bridge receives the message, so a
/// republish after a failed or unanswered publish carries the same id and
/// JetStream drops the copy (within the stream's duplicate window).
pub fn message_id(node: &str, session: &str, seq: u64) -> String {
    format!("{node}:{session}:{seq}")
}

/// The headers every published message carries.
pub(crate) fn headers(node: &str, kind: &str, seq: u64, msg_id: &str, received: u128) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(MSG_ID, msg_id);
    h.insert(NODE, node);
    h.insert(KIND, kind);
    h.insert(SEQ, seq.to_string().as_str());
    h.insert(RECEIVED, received.to_string().as_str());
    h
}

/// A header's value as text.
pub(crate) fn get<'a>(headers: Option<&'a HeaderMap>, name: &str) -> Option<&'a str> {
    headers?.get(name).map(|v| v.as_str())
}
