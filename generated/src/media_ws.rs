//! Media sessions with typed commands and events: the runtime's generic
//! [`MediaSession`](asterisk_sdk_runtime::media::MediaSession) over the
//! generated [`MediaCommand`] and [`MediaEvent`], and the ARI helper
//! [`Channels::external_media_websocket`] that creates a WebSocket
//! `externalMedia` channel and connects its media.
//!
//! Written by hand (not generated): it only ties the runtime's media session
//! and ARI to the generated types.
//!
//! ```no_run
//! # async fn bot(client: &asterisk_sdk::ari::AriClient) -> Result<(), Box<dyn std::error::Error>> {
//! use asterisk_sdk::media::MediaEvent;
//! use asterisk_sdk::media_ws::MediaItem;
//! use futures::StreamExt;
//!
//! let (channel, mut media) = client
//!     .channels()
//!     .external_media_websocket("voicebot", "ulaw")
//!     .connect("http://127.0.0.1:8088")
//!     .await?;
//! println!("{}: {} frames of {} bytes", channel.id, media.format().codec, media.format().optimal_frame_size);
//! let mut events = media.events();
//! media.send_audio(&[0xff; 1600]).await?; // 200 ms of µ-law silence
//! media.mark("prompt-1").await?;          // played up to here
//! while let Some(MediaItem::Event(MediaEvent::DtmfEnd(dtmf))) = events.next().await {
//!     println!("DTMF {}", dtmf.digit);
//! }
//! # Ok(())
//! # }
//! ```

use crate::ari::models::Channel;
use crate::ari::params::{ConnectionType, Encapsulation, Transport};
use crate::ari::resources::channels::{Channels, ExternalMedia};
use crate::media::facts::{self, CONNECTION_ID_VARIABLE};
use crate::media::{MediaCommand, MediaEvent};
use asterisk_sdk_runtime::ari::AriError;
use asterisk_sdk_runtime::media::wire::{ControlFormat, MediaDecodeError, MediaEncodeError};
pub use asterisk_sdk_runtime::media::{
    Accepted, AudioStream, EndReason, MalformedMessage, MediaError, MediaFormat, MediaOptions,
    MediaServerOptions, MediaStats, PendingMark, media_url,
};
use asterisk_sdk_runtime::media::{ProtocolCommand, ProtocolEvent, Signal, StartInfo};
use asterisk_sdk_runtime::version::Availability;

/// A media session with typed commands and events.
pub type MediaSession = asterisk_sdk_runtime::media::MediaSession<MediaEvent, MediaCommand>;

/// Accepts Asterisk's outgoing media connections (`websocket_client.conf`).
pub type MediaServer = asterisk_sdk_runtime::media::MediaServer<MediaEvent, MediaCommand>;

/// One item of [`MediaSession::events`](asterisk_sdk_runtime::media::MediaSession::events).
pub type MediaItem = asterisk_sdk_runtime::media::MediaItem<MediaEvent>;

/// The event stream of a [`MediaSession`].
pub type MediaEvents = asterisk_sdk_runtime::media::MediaEvents<MediaEvent>;

impl ProtocolCommand for MediaCommand {
    fn name(&self) -> &str {
        MediaCommand::name(self)
    }

    fn availability(&self) -> Option<Availability> {
        let releases = self.releases();
        (releases.len() != facts::RELEASES.len())
            .then(|| Availability::new(releases, facts::RELEASES))
    }

    fn refused_in_passthrough(&self) -> bool {
        // A fact of specs/fixes/media.toml (ERROR_ON_PASSTHROUGH_MODE_RTN).
        MediaCommand::refused_in_passthrough(self)
    }

    fn mark(id: &str) -> Self {
        MediaCommand::MarkMedia {
            correlation_id: id.to_string(),
        }
    }

    fn flush() -> Self {
        MediaCommand::FlushMedia
    }

    fn hangup() -> Self {
        MediaCommand::Hangup
    }

    fn encode(&self, format: ControlFormat) -> Result<String, MediaEncodeError> {
        MediaCommand::encode(self, format)
    }
}

impl ProtocolEvent for MediaEvent {
    fn decode(text: &str) -> Result<Self, MediaDecodeError> {
        MediaEvent::decode(text)
    }

    fn signal(&self) -> Signal<'_> {
        match self {
            MediaEvent::MediaStart(s) => Signal::Start(StartInfo {
                connection_id: &s.connection_id,
                channel: &s.channel,
                channel_id: s.channel_id.as_deref(),
                format: &s.format,
                optimal_frame_size: s.optimal_frame_size,
                ptime: s.ptime,
            }),
            MediaEvent::MediaXoff(_) => Signal::Xoff,
            MediaEvent::MediaXon(_) => Signal::Xon,
            MediaEvent::MediaMarkProcessed(m) => Signal::MarkProcessed(m.correlation_id.as_deref()),
            MediaEvent::CommandError(e) => Signal::CommandError(&e.error_text),
            _ => Signal::Other,
        }
    }
}

/// Connect to a media URL (Asterisk as server; see [`media_url`]).
pub async fn connect(url: &str, options: MediaOptions) -> Result<MediaSession, MediaError> {
    asterisk_sdk_runtime::media::connect(url, options).await
}

/// Why [`ExternalMediaWebSocket::connect`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExternalMediaError {
    /// `POST /channels/externalMedia` failed.
    #[error(transparent)]
    Ari(#[from] AriError),
    /// The created channel has no `MEDIA_WEBSOCKET_CONNECTION_ID` in its
    /// `channelvars` (the channel was hung up again).
    #[error("externalMedia channel {channel_id} returned no {CONNECTION_ID_VARIABLE}")]
    NoConnectionId {
        /// The channel.
        channel_id: String,
    },
    /// Connecting the media failed (the channel was hung up again).
    #[error("media of externalMedia channel {channel_id}: {source}")]
    Media {
        /// The channel.
        channel_id: String,
        /// The cause.
        #[source]
        source: MediaError,
    },
}

/// A WebSocket `externalMedia` channel with Asterisk as the media server,
/// connected on [`ExternalMediaWebSocket::connect`]. Made by
/// [`Channels::external_media_websocket`].
#[derive(Debug)]
#[must_use = "nothing happens until `.connect(base_url).await`"]
pub struct ExternalMediaWebSocket<'a> {
    channels: Channels<'a>,
    request: ExternalMedia<'a>,
    options: MediaOptions,
}

impl<'a> Channels<'a> {
    /// `POST /channels/externalMedia` with `transport=websocket`,
    /// `encapsulation=none` and `connection_type=server` (Asterisk waits for
    /// the application at `/media/<connection id>`), then the media connection:
    /// `.connect(base_url).await` returns the channel and a started
    /// [`MediaSession`]. `format` is the codec (`ulaw`, `slin16`, …).
    pub fn external_media_websocket(
        &self,
        app: impl Into<String>,
        format: impl Into<String>,
    ) -> ExternalMediaWebSocket<'a> {
        let request = self
            .external_media(app, format)
            .transport(Transport::Websocket)
            .encapsulation(Encapsulation::None)
            .connection_type(ConnectionType::Server);
        ExternalMediaWebSocket {
            channels: *self,
            request,
            options: MediaOptions::default(),
        }
    }
}

impl<'a> ExternalMediaWebSocket<'a> {
    /// Set other parameters of the `externalMedia` request (channel id,
    /// variables, `data`, `transport_data`, …).
    pub fn customize(mut self, f: impl FnOnce(ExternalMedia<'a>) -> ExternalMedia<'a>) -> Self {
        self.request = f(self.request);
        self
    }

    /// Settings of the media session.
    pub fn options(mut self, options: MediaOptions) -> Self {
        self.options = options;
        self
    }

    /// Create the channel and connect its media on the HTTP server of
    /// `base_url` (the ARI base URL, e.g. `http://127.0.0.1:8088`; see
    /// [`media_url`]). When the media does not connect, the channel is hung up.
    /// With the client's version check on, the session learns the server's
    /// version ([`MediaOptions::server_version`]) so that a command its release
    /// line lacks fails at once.
    pub async fn connect(
        mut self,
        base_url: &str,
    ) -> Result<(Channel, MediaSession), ExternalMediaError> {
        let client = self.channels.client();
        if self.options.server_version.is_none() && client.version_gate().enabled() {
            self.options.server_version = client.server_version().await.ok().flatten();
        }
        let channel = self.request.send().await?;
        let connection_id = channel
            .channelvars
            .as_ref()
            .and_then(|vars| vars.get(CONNECTION_ID_VARIABLE))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let Some(connection_id) = connection_id else {
            let _ = self.channels.hangup(channel.id.clone()).await;
            return Err(ExternalMediaError::NoConnectionId {
                channel_id: channel.id,
            });
        };
        let session = match media_url(base_url, &connection_id) {
            Ok(url) => connect(&url, self.options).await,
            Err(e) => Err(e),
        };
        match session {
            Ok(session) => Ok((channel, session)),
            Err(source) => {
                let _ = self.channels.hangup(channel.id.clone()).await;
                Err(ExternalMediaError::Media {
                    channel_id: channel.id,
                    source,
                })
            }
        }
    }
}
