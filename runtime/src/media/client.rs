//! Asterisk as the server: the application connects to
//! `ws[s]://host:port/media/<connection id>` on Asterisk's HTTP server, with
//! the connection id ARI's `externalMedia` (`connection_type=server`) returned
//! in the channel variable `MEDIA_WEBSOCKET_CONNECTION_ID`.

use super::error::MediaError;
use super::protocol::{ProtocolCommand, ProtocolEvent};
use super::session::{MediaOptions, MediaSession};
use crate::ari::ws::config::ws_scheme;
use crate::ari::ws::dial::Dialer;
use crate::percent::encode_component;

/// The media URL of `connection_id` on the HTTP server of `base`
/// (`http://pbx:8088`, `https://pbx:8089/ari`, `ws://…`): the scheme becomes
/// `ws`/`wss` and any path is replaced by `/media/<connection id>` (Asterisk
/// serves it at the root of its HTTP server; with an http.conf `prefix`, build
/// the URL yourself).
pub fn media_url(base: &str, connection_id: &str) -> Result<String, MediaError> {
    let base = base.trim();
    let (scheme, rest) = ws_scheme(base).map_err(MediaError::InvalidConfig)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains(' ') {
        return Err(MediaError::InvalidConfig(format!("invalid URL: {base:?}")));
    }
    if connection_id.is_empty() {
        return Err(MediaError::InvalidConfig("empty connection id".into()));
    }
    Ok(format!(
        "{scheme}://{authority}/media/{}",
        encode_component(connection_id)
    ))
}

/// Connect to a media URL (see [`media_url`]), wait for `MEDIA_START`, and
/// return the session. `wss://` needs the `ari-tls` feature (trust set with
/// `MediaOptions::tls`). No sub-protocol is requested: chan_websocket's
/// server registers only `media`, which res_http_websocket then accepts
/// without one (and a server that does not echo a requested one would be
/// refused by the WebSocket client).
pub async fn connect<E: ProtocolEvent, C: ProtocolCommand>(
    url: &str,
    options: MediaOptions,
) -> Result<MediaSession<E, C>, MediaError> {
    let connect_err = |source| MediaError::Connect {
        url: url.to_string(),
        source,
    };
    let dialer = Dialer::for_url(
        url.to_string(),
        None,
        options.connect_timeout,
        #[cfg(feature = "ari-tls")]
        &options.tls_config(),
    )
    .map_err(connect_err)?
    .with_limits(options.socket_limits());
    let socket = dialer.dial().await.map_err(connect_err)?;
    MediaSession::start(socket, &options).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_media_urls() {
        let url = |b: &str, id: &str| media_url(b, id).ok();
        assert_eq!(
            url("http://127.0.0.1:8088", "abc-1").as_deref(),
            Some("ws://127.0.0.1:8088/media/abc-1")
        );
        assert_eq!(
            url("https://pbx:8089/ari/", "x y").as_deref(),
            Some("wss://pbx:8089/media/x%20y")
        );
        assert_eq!(url("ftp://pbx", "a"), None);
        assert_eq!(url("http://", "a"), None);
        assert_eq!(url("http://pbx", ""), None);
    }
}
