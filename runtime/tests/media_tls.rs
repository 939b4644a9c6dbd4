//! Media sessions over TLS, both directions, with a self-signed certificate
//! for `localhost` made at test time: `wss://` to a tiny chan_websocket-like
//! server works when the certificate is trusted and fails with a TLS error
//! when not; `MediaServer` with a rustls configuration accepts a `wss://`
//! client. The event and command types are minimal test ones (the generated
//! ones live in asterisk-sdk).
#![cfg(feature = "ari-tls")]

mod tls_identity;

use asterisk_sdk_runtime::ari::ws::WsError;
use asterisk_sdk_runtime::media::wire::{
    self, ControlFormat, MediaDecodeError, MediaEncodeError, Received,
};
use asterisk_sdk_runtime::media::{
    self, MediaError, MediaOptions, MediaServer, MediaServerOptions, ProtocolCommand,
    ProtocolEvent, Signal, StartInfo,
};
use asterisk_sdk_runtime::tls::TlsConfig;
use futures::{SinkExt, StreamExt};
use tls_identity::{Identity, is_invalid_certificate};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const START: &str = "MEDIA_START connection_id:c1 channel:WebSocket/c1/0x1 channel_id:1.1 format:ulaw optimal_frame_size:160 ptime:20";

/// A control message kept as text; `MEDIA_START`, marks and XOFF/XON read.
struct Event {
    name: String,
    rest: String,
}

impl ProtocolEvent for Event {
    fn decode(text: &str) -> Result<Self, MediaDecodeError> {
        match Received::parse(text)? {
            Received::Text { name, rest } => Ok(Event {
                name: name.into(),
                rest: rest.into(),
            }),
            Received::Json { name, .. } => Ok(Event {
                name,
                rest: String::new(),
            }),
        }
    }

    fn signal(&self) -> Signal<'_> {
        let pairs = wire::text_pairs(&self.rest, None);
        let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        match self.name.as_str() {
            "MEDIA_START" => Signal::Start(StartInfo {
                connection_id: get("connection_id").unwrap_or(""),
                channel: get("channel").unwrap_or(""),
                channel_id: get("channel_id"),
                format: get("format").unwrap_or(""),
                optimal_frame_size: get("optimal_frame_size")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
                ptime: get("ptime").and_then(|v| v.parse().ok()).unwrap_or(20),
            }),
            "MEDIA_MARK_PROCESSED" => Signal::MarkProcessed(Some(self.rest.as_str())),
            "MEDIA_XOFF" => Signal::Xoff,
            "MEDIA_XON" => Signal::Xon,
            _ => Signal::Other,
        }
    }
}

/// Commands as plain text.
struct Command(String);

impl ProtocolCommand for Command {
    fn name(&self) -> &str {
        self.0.split(' ').next().unwrap_or("")
    }
    fn mark(id: &str) -> Self {
        Command(format!("MARK_MEDIA {id}"))
    }
    fn flush() -> Self {
        Command("FLUSH_MEDIA".into())
    }
    fn hangup() -> Self {
        Command("HANGUP".into())
    }
    fn encode(&self, _format: ControlFormat) -> Result<String, MediaEncodeError> {
        Ok(self.0.clone())
    }
}

type Session = media::MediaSession<Event, Command>;

fn identity() -> Identity {
    Identity::new(&["localhost"])
}

/// A TLS server that sends MEDIA_START, then answers every mark.
async fn asterisk_like(id: &Identity) -> u16 {
    let acceptor = tokio_rustls::TlsAcceptor::from(id.server_config());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut ws) = tokio_tungstenite::accept_async(tls).await else {
                    return;
                };
                if ws.send(Message::text(START)).await.is_err() {
                    return;
                }
                while let Some(Ok(m)) = ws.next().await {
                    if let Message::Text(t) = m
                        && let Some(id) = t.as_str().strip_prefix("MARK_MEDIA ")
                    {
                        let _ = ws
                            .send(Message::text(format!("MEDIA_MARK_PROCESSED {id}")))
                            .await;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn wss_media_url_with_a_trusted_certificate() {
    let id = identity();
    let port = asterisk_like(&id).await;
    let trust = TlsConfig::added_roots_only().add_ca_pem(id.pem()).unwrap();
    let url = format!("wss://localhost:{port}/media/c1");
    let session: Session = media::connect(&url, MediaOptions::default().tls(trust))
        .await
        .expect("wss media session");
    assert_eq!(session.format().codec, "ulaw");
    assert_eq!(session.format().channel_id.as_deref(), Some("1.1"));
    session.send_audio(&[0x7f; 320]).await.unwrap();
    session.mark("m1").await.expect("mark over TLS");
    assert_eq!(session.stats().frames_sent, 2);
}

#[tokio::test]
async fn wss_media_url_with_an_untrusted_certificate_fails() {
    let id = identity();
    let port = asterisk_like(&id).await;
    let url = format!("wss://localhost:{port}/media/c1");
    let stranger = Identity::new(&["localhost"]);
    let trust = TlsConfig::added_roots_only()
        .add_ca_pem(stranger.pem())
        .unwrap();
    let err = media::connect::<Event, Command>(&url, MediaOptions::default().tls(trust))
        .await
        .expect_err("an untrusted certificate was accepted");
    let MediaError::Connect {
        source: WsError::Tls { source, .. },
        ..
    } = &err
    else {
        panic!("not a TLS error: {err:?}");
    };
    assert!(is_invalid_certificate(source), "{source:?}");
}

#[tokio::test]
async fn media_server_accepts_wss() {
    let id = identity();
    let mut options = MediaServerOptions::default();
    options.tls = Some(id.server_config());
    let server: MediaServer<Event, Command> =
        MediaServer::bind("127.0.0.1:0", options).await.unwrap();
    let port = server.local_addr().port();
    let client_config = id.client_config();
    let asterisk = tokio::spawn(async move {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let name = asterisk_sdk_runtime::tls::rustls::pki_types::ServerName::try_from("localhost")
            .unwrap();
        let tls = tokio_rustls::TlsConnector::from(client_config)
            .connect(name, tcp)
            .await
            .unwrap();
        let url = format!("wss://localhost:{port}/bot");
        let (mut ws, _) = tokio_tungstenite::client_async(url, tls).await.unwrap();
        ws.send(Message::text(START)).await.unwrap();
        let mut frames = 0;
        while let Some(Ok(m)) = ws.next().await {
            match m {
                Message::Binary(_) => frames += 1,
                Message::Close(_) => break,
                _ => {}
            }
        }
        frames
    });
    let accepted = server.accept().await.expect("accepted over TLS");
    assert_eq!(accepted.path, "/bot");
    accepted.session.send_audio(&[0; 480]).await.unwrap();
    let end = accepted.session.close().await;
    assert_eq!(end, media::EndReason::Closed);
    assert_eq!(asterisk.await.unwrap(), 3);
}
