//! The AMI client over TLS against a minimal AMI server behind tokio-rustls, with a
//! self-signed certificate for `localhost` made at test time: MD5 login and a Ping
//! when the certificate is trusted (given as a rustls configuration, or as an
//! added CA certificate), a prompt TLS error when it is not. No test installs a
//! process-wide rustls provider, and the client must not either.
#![cfg(feature = "tls")]

mod tls_identity;

use asterisk_sdk_runtime::ami::{
    Action, ActionHeaders, AmiClient, AmiError, AuthMode, Frame, FrameDecoder, Message, md5_key,
};
use asterisk_sdk_runtime::tls::{TlsConfig, rustls};
use bytes::BytesMut;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tls_identity::{Identity, is_invalid_certificate};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SECRET: &str = "tls-secret";
const CHALLENGE: &str = "502417933";

/// The `Ping` action, with no headers.
struct Ping(ActionHeaders);

impl Action for Ping {
    const NAME: &'static str = "Ping";
    type Response = asterisk_sdk_runtime::ami::Response;
    fn headers(&self) -> &ActionHeaders {
        &self.0
    }
}

fn identity() -> Identity {
    Identity::new(&["localhost"])
}

/// A TLS AMI server on loopback; `log` records the actions it received.
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    async fn start(id: &Identity) -> Server {
        let acceptor = tokio_rustls::TlsAcceptor::from(id.server_config());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let l = l.clone();
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

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// One AMI message block with the `ActionID` echoed second when present.
fn block(pairs: &[(&str, &str)], id: Option<&str>) -> Vec<u8> {
    let mut s = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        s.push_str(&format!("{k}: {v}\r\n"));
        if i == 0
            && let Some(id) = id
        {
            s.push_str(&format!("ActionID: {id}\r\n"));
        }
    }
    s.push_str("\r\n");
    s.into_bytes()
}

/// The answer to one action, and whether the connection closes after it.
fn answer(m: &Message) -> (Vec<u8>, bool) {
    let id = m.action_id();
    let action = m.get("Action").unwrap_or("");
    let out = match action {
        "Challenge" => block(&[("Response", "Success"), ("Challenge", CHALLENGE)], id),
        "Login" if m.get("Key") == Some(md5_key(CHALLENGE, SECRET).as_str()) => block(
            &[
                ("Response", "Success"),
                ("Message", "Authentication accepted"),
            ],
            id,
        ),
        "Login" => {
            let refused = [("Response", "Error"), ("Message", "Authentication failed")];
            return (block(&refused, id), true);
        }
        "Logoff" => {
            let bye = [
                ("Response", "Goodbye"),
                ("Message", "Thanks for all the fish."),
            ];
            return (block(&bye, id), true);
        }
        "Ping" => block(&[("Response", "Success"), ("Ping", "Pong")], id),
        _ => block(
            &[
                ("Response", "Error"),
                ("Message", "Invalid/unknown command"),
            ],
            id,
        ),
    };
    (out, false)
}

async fn serve(
    mut tls: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    log: Arc<Mutex<Vec<String>>>,
) {
    if tls
        .write_all(b"Asterisk Call Manager/12.0.0\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut dec = FrameDecoder::new();
    let mut buf = BytesMut::new();
    loop {
        match tls.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        while let Some(frame) = dec.decode(&mut buf) {
            let Ok(Frame::Message(m)) = frame else {
                continue;
            };
            let action = m.get("Action").unwrap_or("").to_string();
            let md5 = if m.get("Key").is_some() { " md5" } else { "" };
            log.lock().unwrap().push(format!("{action}{md5}"));
            let (out, close) = answer(&m);
            if tls.write_all(&out).await.is_err() {
                return;
            }
            if close {
                let _ = tls.shutdown().await;
                return;
            }
        }
    }
}

#[tokio::test]
async fn trusted_certificate_md5_login_then_ping() {
    let id = identity();
    let server = Server::start(&id).await;
    let client = AmiClient::builder()
        .host("127.0.0.1")
        .port(server.port)
        .tls_server_name("localhost")
        .tls(id.client_config())
        .credentials("admin", SECRET)
        .auth_mode(AuthMode::Md5)
        .connect()
        .await
        .unwrap();
    assert_eq!(
        client.banner().as_deref(),
        Some("Asterisk Call Manager/12.0.0")
    );
    let r = client.send(&Ping(ActionHeaders::new())).await.unwrap();
    assert!(r.is_success());
    assert_eq!(r.get("Ping"), Some("Pong"));
    assert!(r.action_id().is_some_and(|id| !id.is_empty()));
    assert_eq!(
        server.log(),
        ["Challenge", "Login md5", "CoreSettings", "Ping"]
    );
    client.disconnect().await.unwrap();
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}

#[tokio::test]
async fn added_pem_ca_is_trusted_without_a_process_wide_provider() {
    let id = identity();
    let server = Server::start(&id).await;
    let trust = TlsConfig::added_roots_only().add_ca_pem(id.pem()).unwrap();
    let client = AmiClient::builder()
        .host("localhost")
        .port(server.port)
        .tls(trust)
        .credentials("admin", SECRET)
        .auth_mode(AuthMode::Md5)
        .connect()
        .await
        .unwrap();
    let r = client.send(&Ping(ActionHeaders::new())).await.unwrap();
    assert_eq!(r.get("Ping"), Some("Pong"));
    client.disconnect().await.unwrap();
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}

#[tokio::test]
async fn trust_without_any_root_fails_before_connecting() {
    let id = identity();
    let server = Server::start(&id).await;
    let result = AmiClient::builder()
        .host("localhost")
        .port(server.port)
        .tls(TlsConfig::added_roots_only())
        .credentials("admin", SECRET)
        .connect()
        .await;
    let Err(err) = result else {
        panic!("connected without any root to trust");
    };
    assert!(matches!(err, AmiError::TlsConfig(_)), "{err:?}");
    assert!(err.to_string().contains("no trusted root"), "{err}");
}

#[tokio::test]
async fn untrusted_certificate_fails_with_tls_error() {
    let served = identity();
    let other = identity();
    let server = Server::start(&served).await;
    let result = AmiClient::builder()
        .host("127.0.0.1")
        .port(server.port)
        .tls(other.client_config())
        .tls_server_name("localhost")
        .credentials("admin", SECRET)
        .connect_timeout(Duration::from_secs(30))
        .connect()
        .await;
    let err = match result {
        Ok(_) => panic!("connected although the certificate is not trusted"),
        Err(e) => e,
    };
    // A TLS error, not a timeout: the refusal is reported at once.
    let AmiError::Tls { source, .. } = &err else {
        panic!("expected AmiError::Tls, got {err:?}");
    };
    assert!(
        is_invalid_certificate(source),
        "expected an invalid certificate, got {source:?}"
    );
    assert!(err.to_string().contains("TLS handshake"), "{err}");
    assert!(server.log().is_empty(), "the server received actions");
}
