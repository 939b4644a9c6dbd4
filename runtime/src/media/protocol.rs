//! What the session needs from the generated command and event types: the few
//! commands and events its mechanics use (marks, flush, hang-up; start,
//! XOFF/XON, mark processed), the way the AMI client needs `Action` and
//! `Event`. The asterisk-sdk crate implements these for its `MediaCommand` and
//! `MediaEvent`.

use super::wire::{ControlFormat, MediaDecodeError, MediaEncodeError};
use crate::version::Availability;

/// A command type the session can send.
pub trait ProtocolCommand: Send + 'static {
    /// The command name (`MARK_MEDIA`), for errors.
    fn name(&self) -> &str;
    /// Where the command exists, when some generated release lacks it
    /// (checked against [`MediaOptions::server_version`](super::MediaOptions::server_version)).
    fn availability(&self) -> Option<Availability> {
        None
    }
    /// Whether Asterisk refuses the command in passthrough mode (it answers
    /// with an `ERROR` event, or ignores it on releases without one); the
    /// session then refuses it at once with [`MediaError::Refused`](super::MediaError::Refused).
    fn refused_in_passthrough(&self) -> bool {
        false
    }
    /// `MARK_MEDIA` with this correlation id.
    fn mark(id: &str) -> Self
    where
        Self: Sized;
    /// `FLUSH_MEDIA`.
    fn flush() -> Self
    where
        Self: Sized;
    /// `HANGUP`.
    fn hangup() -> Self
    where
        Self: Sized;
    /// The TEXT message in `format`.
    fn encode(&self, format: ControlFormat) -> Result<String, MediaEncodeError>;
}

/// An event type the session can read.
pub trait ProtocolEvent: Sized + Send + 'static {
    /// Read one TEXT message (either format).
    fn decode(text: &str) -> Result<Self, MediaDecodeError>;
    /// What the event means to the session.
    fn signal(&self) -> Signal<'_>;
}

/// The meaning of an event to the session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signal<'a> {
    /// `MEDIA_START`: the connection and its audio format.
    Start(StartInfo<'a>),
    /// `MEDIA_XOFF`: stop sending audio.
    Xoff,
    /// `MEDIA_XON`: sending may go on.
    Xon,
    /// `MEDIA_MARK_PROCESSED` with its correlation id.
    MarkProcessed(Option<&'a str>),
    /// `ERROR`: Asterisk refused a command; the text starts with the
    /// command's name when it names one (`MARK_MEDIA not supported …`).
    CommandError(&'a str),
    /// Anything else (passed on to the application).
    Other,
}

/// The facts of `MEDIA_START` the session works with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartInfo<'a> {
    /// The connection id.
    pub connection_id: &'a str,
    /// The channel name.
    pub channel: &'a str,
    /// The channel's unique id, when the release sends it.
    pub channel_id: Option<&'a str>,
    /// The codec name (`ulaw`, `slin16`, …).
    pub format: &'a str,
    /// Bytes per frame; 0 in passthrough mode (no re-framing).
    pub optimal_frame_size: u32,
    /// Milliseconds per frame.
    pub ptime: u32,
}

/// The audio format of a session, from its `MEDIA_START`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaFormat {
    /// The connection id.
    pub connection_id: String,
    /// The channel name.
    pub channel: String,
    /// The channel's unique id, when the release sends it.
    pub channel_id: Option<String>,
    /// The codec name (`ulaw`, `slin16`, …).
    pub codec: String,
    /// Bytes per frame; 0 in passthrough mode (each BINARY message is a frame).
    pub optimal_frame_size: usize,
    /// Milliseconds per frame.
    pub ptime: u32,
    /// The control-message format Asterisk uses on this connection.
    pub control: ControlFormat,
}

impl MediaFormat {
    /// From a `MEDIA_START` and the format it was written in.
    pub fn new(start: &StartInfo<'_>, control: ControlFormat) -> MediaFormat {
        MediaFormat {
            connection_id: start.connection_id.to_string(),
            channel: start.channel.to_string(),
            channel_id: start.channel_id.map(str::to_string),
            codec: start.format.to_string(),
            optimal_frame_size: start.optimal_frame_size as usize,
            ptime: start.ptime,
            control,
        }
    }

    /// Whether Asterisk passes audio through without re-framing.
    pub fn passthrough(&self) -> bool {
        self.optimal_frame_size == 0
    }
}
