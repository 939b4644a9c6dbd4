//! A mock Asterisk ARI server for tests: HTTP and the events WebSocket on one
//! port, Basic auth, every route of the manifest (`specs/api/23.4.1.json`,
//! embedded) with required parameters checked, simple channels / bridges /
//! playbacks that emit events shaped like the real 23.4.1 capture, REST over
//! the WebSocket, and WebSocket drops on cue. Start one with [`MockAri::builder`].
//!
//! What it simulates: `POST /channels` (originate) with `app` → `StasisStart`
//! (state `Ring`); answer → `ChannelStateChange` (`Up`); play → 201, then
//! `PlaybackStarted` and, after the playback duration, `PlaybackFinished`;
//! `DELETE /channels/{id}` → `ChannelHangupRequest`, `StasisEnd`,
//! `ChannelDestroyed` (also when the caller hangs up, [`MockAri::hang_up`]);
//! DTMF from the caller ([`MockAri::send_dtmf`]) → `ChannelDtmfReceived`;
//! `externalMedia` with `transport=websocket` → a channel with
//! `MEDIA_WEBSOCKET_CONNECTION_ID` and a mock media peer (see [`crate::media`])
//! at `/media/<connection id>` of the same port; bridges (create, add/remove
//! channel with `ChannelEnteredBridge` / `ChannelLeftBridge`, destroy); channel
//! variables;
//! playbacks get/stop. A known route the mock does not simulate answers 501
//! `{"message":"Not implemented by the mock"}`; an unknown path 404
//! `{"message":"Resource not found"}`; a known path with another method 405.

mod core;
mod http;
mod json;
mod routes;
mod sessions;
mod state;
mod websocket;

pub use json::ASTERISK_ID;

use crate::media::{MockMediaConfig, MockMediaHandle};
use asterisk_sdk_runtime::ari::ws::Credentials;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Settings of a [`MockAri`].
#[derive(Debug, Clone)]
pub struct MockAriBuilder {
    credentials: Credentials,
    playback: Duration,
    time_scale: f64,
    version: String,
    media: MockMediaConfig,
}

impl Default for MockAriBuilder {
    fn default() -> Self {
        MockAriBuilder {
            credentials: Credentials::new("asterisk", "asterisk"),
            playback: Duration::from_millis(1400),
            time_scale: 1.0,
            version: routes::RELEASE.into(),
            media: MockMediaConfig::default(),
        }
    }
}

impl MockAriBuilder {
    /// The ARI user and password the mock accepts (default `asterisk`/`asterisk`).
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Credentials::new(username, password);
        self
    }

    /// How long a playback lasts before `PlaybackFinished` (default 1.4 s, the
    /// length of `hello-world`), before the time scale.
    pub fn playback_duration(mut self, d: Duration) -> Self {
        self.playback = d;
        self
    }

    /// Multiply every simulated delay (e.g. `0.01` for fast tests).
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.time_scale = scale.max(0.0);
        self
    }

    /// The Asterisk version `GET /asterisk/info` reports (`system.version`),
    /// e.g. `"21.12.3"` for an older server or `"24.0.0"` for a newer one
    /// (default: the release whose routes the mock serves). The routes stay
    /// those of that release.
    pub fn asterisk_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Settings of the media peers of WebSocket `externalMedia` channels
    /// (codec, connection id, channel name and id are set per channel).
    pub fn media(mut self, config: MockMediaConfig) -> Self {
        self.media = config;
        self
    }

    /// Bind `127.0.0.1:0` and start serving.
    pub async fn start(self) -> std::io::Result<MockAri> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let playback = Duration::try_from_secs_f64(self.playback.as_secs_f64() * self.time_scale)
            .unwrap_or(self.playback);
        let core = core::Core::new(core::Timing { playback }, self.version, self.media);
        let creds = Arc::new(self.credentials.clone());
        let accept_core = Arc::clone(&core);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(http::serve(
                    stream,
                    Arc::clone(&accept_core),
                    Arc::clone(&creds),
                ));
            }
        });
        Ok(MockAri {
            addr,
            core,
            credentials: self.credentials,
            task,
        })
    }
}

/// A running mock ARI server. Dropping it stops accepting and drops its sockets.
#[derive(Debug)]
pub struct MockAri {
    addr: SocketAddr,
    core: Arc<core::Core>,
    credentials: Credentials,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MockAri {
    fn drop(&mut self) {
        self.task.abort();
        self.core.sessions().drop_all();
    }
}

impl MockAri {
    /// Default settings.
    pub fn builder() -> MockAriBuilder {
        MockAriBuilder::default()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` (ARI lives below `/ari`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The accepted credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Drop every events WebSocket (TCP closed without a close frame).
    pub fn drop_websockets(&self) {
        self.core.sessions().drop_all();
    }

    /// How many events WebSockets are connected.
    pub fn websocket_count(&self) -> usize {
        self.core.sessions().count()
    }

    /// The applications registered by connected WebSockets.
    pub fn applications(&self) -> Vec<String> {
        self.core.sessions().apps()
    }

    /// Send any text message to the socket serving `app` (e.g. an event type the
    /// SDK does not know). False when no socket serves it.
    pub fn send_raw(&self, app: &str, text: impl Into<String>) -> bool {
        self.core.sessions().send(app, text.into())
    }

    /// Simulate an incoming call entering `Stasis(app, args…)`: the channel is
    /// created in state `Ring` and `StasisStart` is sent. Returns the channel id.
    pub fn incoming_call(
        &self,
        app: &str,
        endpoint: &str,
        caller_id: &str,
        args: &[&str],
    ) -> String {
        self.core.incoming(app, endpoint, caller_id, args)
    }

    /// The caller presses `digits` on a channel in Stasis: one
    /// `ChannelDtmfReceived` (`digit`, `duration_ms`, `channel`) per digit, in
    /// order. False when the channel does not exist or is in no application.
    pub fn send_dtmf(&self, channel_id: &str, digits: &str) -> bool {
        self.core.dtmf(channel_id, digits)
    }

    /// The caller hangs up: `ChannelHangupRequest`, `StasisEnd` and
    /// `ChannelDestroyed` (cause 16), as for `DELETE /channels/{id}`. False
    /// when the channel does not exist.
    pub fn hang_up(&self, channel_id: &str) -> bool {
        self.core.far_end_hangup(channel_id)
    }

    /// The media peer of a WebSocket `externalMedia` channel, by connection id.
    pub fn media_peer(&self, connection_id: &str) -> Option<MockMediaHandle> {
        self.core
            .media()
            .get(connection_id)
            .map(|p| p.handle.clone())
    }

    /// The media peers of WebSocket `externalMedia` channels:
    /// (channel id, peer), in connection-id order.
    pub fn media_peers(&self) -> Vec<(String, MockMediaHandle)> {
        self.core
            .media()
            .values()
            .map(|p| (p.channel_id.clone(), p.handle.clone()))
            .collect()
    }

    /// Ids of the channels that exist.
    pub fn channel_ids(&self) -> Vec<String> {
        self.core.state().channels.keys().cloned().collect()
    }
}
