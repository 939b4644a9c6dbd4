//! The AMI client over TLS against a minimal AMI server behind tokio-rustls, with a
//! self-signed certificate for `localhost` made at test time: MD5 login and a Ping
//! when the certificate is trusted, a prompt TLS error when it is not.
#![cfg(feature = "tls")]

use asterisk_sdk_runtime::ami::rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use asterisk_sdk_runtime::ami::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use asterisk_sdk_runtime::ami::{
    Action, ActionHeaders, AmiClient, AmiError, AuthMode, Frame, FrameDecoder, Message, md5_key,
};
use bytes::BytesMut;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SECRET: &str = "tls-secret";
const CHALLENGE: &str = "502417933";

/// The `Ping` action, with no headers.
struct Ping(ActionHeaders);

impl Action for Ping {
    const NAME: &'static str = "Ping";
    fn headers(&self) -> &ActionHeaders {
        &self.0
    }
}

/// A self-signed certificate for `localhost` and its PKCS#8 key.
struct Identity {
    cert: CertificateDer<'static>,
    key: Vec<u8>,
}

fn identity() -> Identity {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    Identity {
        cert: made.cert.der().clone(),
        key: made.signing_key.serialize_der(),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration trusting only `trusted`.
fn client_config(trusted: &CertificateDer<'static>) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// A TLS AMI server on loopback; `log` records the actions it received.
struct Server {
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    async fn start(id: &Identity) -> Server {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![id.cert.clone()],
                PrivatePkcs8KeyDer::from(id.key.clone()).into(),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
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
        .tls(client_config(&id.cert))
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
    assert_eq!(server.log(), ["Challenge", "Login md5", "Ping"]);
    client.disconnect().await.unwrap();
}

#[tokio::test]
async fn untrusted_certificate_fails_with_tls_error() {
    let served = identity();
    let other = identity();
    let server = Server::start(&served).await;
    let result = AmiClient::builder()
        .host("127.0.0.1")
        .port(server.port)
        .tls(client_config(&other.cert))
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
    let cause = source
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    assert!(
        matches!(cause, Some(rustls::Error::InvalidCertificate(_))),
        "expected an invalid certificate, got {source:?}"
    );
    assert!(err.to_string().contains("TLS handshake"), "{err}");
    assert!(server.log().is_empty(), "the server received actions");
}
