//! ARI over TLS against tiny servers behind tokio-rustls with a self-signed
//! certificate for `localhost` made at test time: `https://` requests and the
//! `wss://` events socket work when the user trusts the certificate (added PEM
//! or DER CA, a rustls configuration, or a reqwest client of their own) and fail
//! with a TLS error when not. Nothing installs a process-wide rustls provider.
#![cfg(feature = "ari-tls")]

mod tls_identity;

use asterisk_sdk_runtime::ari::ws::{self, WsConfig, WsError, WsItem};
use asterisk_sdk_runtime::ari::{AriHttp, AriRequest, AriTransport, TransportError, reqwest};
use asterisk_sdk_runtime::tls::{TlsConfig, rustls};
use futures::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tls_identity::{Identity, is_invalid_certificate};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// `Basic` header of `asterisk` / `secret`.
const AUTH: &str = "Basic YXN0ZXJpc2s6c2VjcmV0";
const WAIT: Duration = Duration::from_secs(10);

fn identity() -> Identity {
    Identity::new(&["localhost"])
}

/// A TLS server on loopback; `log` records what each connection asked for.
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Answers each HTTP request (one per connection) with a JSON body;
    /// records `<request line> | <authorization>`.
    async fn https(id: &Identity) -> Server {
        Server::start(id, |mut tls, log| async move {
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                let mut byte = [0u8];
                if tls.read_exact(&mut byte).await.is_err() {
                    return;
                }
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let line = head.lines().next().unwrap_or("").to_string();
            let auth = head
                .lines()
                .find_map(|l| l.strip_prefix("authorization: "))
                .unwrap_or("-")
                .to_string();
            log.lock().unwrap().push(format!("{line} | {auth}"));
            let body = r#"{"ping":"pong","asterisk_id":"tls"}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(answer.as_bytes()).await;
            let _ = tls.shutdown().await;
        })
        .await
    }

    /// Accepts the WebSocket upgrade, records `<path?query> | <authorization>`,
    /// sends one event, then echoes nothing and waits for the close.
    async fn wss(id: &Identity) -> Server {
        Server::start(id, |tls, log| async move {
            let seen = log.clone();
            // The error type is tungstenite's; its size is not ours to choose.
            #[allow(clippy::result_large_err)]
            let check = move |request: &Request, response: Response| {
                let auth = request
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                seen.lock()
                    .unwrap()
                    .push(format!("{} | {auth}", request.uri()));
                Ok(response)
            };
            let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(tls, check).await else {
                return;
            };
            let event = r#"{"type":"StasisStart","application":"tls-app"}"#;
            if socket.send(Message::text(event)).await.is_err() {
                return;
            }
            while let Some(Ok(_)) = socket.next().await {}
        })
        .await
    }

    async fn start<F, Fut>(id: &Identity, serve: F) -> Server
    where
        F: Fn(
                tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
                Arc<Mutex<Vec<String>>>,
            ) -> Fut
            + Send
            + Sync
            + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let acceptor = tokio_rustls::TlsAcceptor::from(id.server_config());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        let serve = Arc::new(serve);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, l, serve) = (acceptor.clone(), l.clone(), serve.clone());
                tokio::spawn(async move {
                    // A refused handshake just ends this connection.
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        serve(tls, l).await;
                    }
                });
            }
        });
        Server { port, log }
    }
}

fn no_process_wide_provider() -> bool {
    rustls::crypto::CryptoProvider::get_default().is_none()
}

async fn ping(http: &AriHttp) -> Result<serde_json::Value, TransportError> {
    let response = http.send(AriRequest::new("GET", "/asterisk/ping")).await?;
    assert_eq!(response.status, 200);
    Ok(serde_json::from_slice(&response.body).expect("JSON body"))
}

#[tokio::test]
async fn https_with_an_added_pem_ca() {
    let id = identity();
    let server = Server::https(&id).await;
    let trust = TlsConfig::added_roots_only().add_ca_pem(id.pem()).unwrap();
    let http = AriHttp::builder(
        format!("https://localhost:{}", server.port),
        "asterisk",
        "secret",
    )
    .tls(trust)
    .build()
    .unwrap();
    let body = ping(&http).await.unwrap();
    assert_eq!(body["ping"], "pong");
    assert_eq!(
        server.log(),
        [format!("GET /ari/asterisk/ping HTTP/1.1 | {AUTH}")]
    );
    assert!(no_process_wide_provider());
}

#[tokio::test]
async fn https_with_a_rustls_config_or_a_reqwest_client_of_the_users() {
    let id = identity();
    let server = Server::https(&id).await;
    let base = format!("https://localhost:{}", server.port);
    let with_config = AriHttp::builder(&base, "asterisk", "secret")
        .tls(id.client_config())
        .build()
        .unwrap();
    assert_eq!(ping(&with_config).await.unwrap()["ping"], "pong");
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured((*id.client_config()).clone())
        .build()
        .unwrap();
    let with_client = AriHttp::builder(&base, "asterisk", "secret")
        .http_client(client)
        .build()
        .unwrap();
    assert_eq!(ping(&with_client).await.unwrap()["ping"], "pong");
    assert_eq!(server.log().len(), 2);
    assert!(no_process_wide_provider());
}

#[tokio::test]
async fn https_with_an_untrusted_certificate_is_a_tls_error() {
    let (served, other) = (identity(), identity());
    let server = Server::https(&served).await;
    let http = AriHttp::builder(
        format!("https://localhost:{}", server.port),
        "asterisk",
        "secret",
    )
    .tls(TlsConfig::added_roots_only().add_ca_der(other.cert.to_vec()))
    .build()
    .unwrap();
    let err = ping(&http).await.expect_err("certificate not trusted");
    let TransportError::Tls(message) = &err else {
        panic!("expected TransportError::Tls, got {err:?}");
    };
    assert!(message.contains("certificate"), "{message}");
    assert!(server.log().is_empty(), "the server received a request");
}

fn wss_config(server: &Server) -> WsConfig {
    WsConfig::new(
        format!("wss://localhost:{}", server.port),
        "asterisk",
        "secret",
    )
    .app("tls-app")
}

#[tokio::test]
async fn wss_with_an_added_der_ca() {
    let id = identity();
    let server = Server::wss(&id).await;
    let trust = TlsConfig::added_roots_only().add_ca_der(id.cert.to_vec());
    let (_rest, mut events) = ws::connect::<serde_json::Value>(wss_config(&server).tls(trust))
        .await
        .unwrap();
    let item = tokio::time::timeout(WAIT, events.next_item())
        .await
        .expect("an event in time");
    let Some(WsItem::Event(event)) = item else {
        panic!("expected an event, got {item:?}");
    };
    assert_eq!(event["type"], "StasisStart");
    assert_eq!(
        server.log(),
        [format!(
            "/ari/events?app=tls-app&subscribeAll=false | {AUTH}"
        )]
    );
    assert!(no_process_wide_provider());
}

#[tokio::test]
async fn wss_from_an_https_url_with_a_rustls_config() {
    let id = identity();
    let server = Server::wss(&id).await;
    let config = WsConfig::new(
        format!("https://localhost:{}", server.port),
        "asterisk",
        "secret",
    )
    .app("tls-app")
    .tls(id.client_config());
    let (_rest, mut events) = ws::connect::<serde_json::Value>(config).await.unwrap();
    let item = tokio::time::timeout(WAIT, events.next_item())
        .await
        .unwrap();
    assert!(matches!(item, Some(WsItem::Event(_))), "{item:?}");
    assert!(no_process_wide_provider());
}

#[tokio::test]
async fn wss_with_an_untrusted_certificate_is_a_tls_error() {
    let (served, other) = (identity(), identity());
    let server = Server::wss(&served).await;
    let config = wss_config(&server).tls(other.client_config());
    let Err(err) = ws::connect::<serde_json::Value>(config).await else {
        panic!("connected although the certificate is not trusted");
    };
    let WsError::Tls { source, .. } = &err else {
        panic!("expected WsError::Tls, got {err:?}");
    };
    assert!(is_invalid_certificate(source), "{source:?}");
    assert!(err.to_string().contains("TLS handshake"), "{err}");
    assert!(server.log().is_empty(), "the server saw an upgrade");
}
