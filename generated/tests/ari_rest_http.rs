//! The HTTP transport on the wire, against a one-file fake server: Basic
//! authentication in the header (never `api_key` in the query), `/ari` prefix,
//! percent-encoded path, JSON body for `variables`, typed error statuses.
#![cfg(feature = "ari")]

use asterisk_sdk::ari::{AriClient, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One request as the server saw it: head (request line + headers) and body.
struct Seen {
    head: String,
    body: Vec<u8>,
}

/// Serve `responses` (status line, body) in order on one listener, reporting
/// every request seen.
async fn serve(
    listener: TcpListener,
    responses: Vec<(&'static str, &'static str)>,
    seen: mpsc::UnboundedSender<Seen>,
) {
    let mut responses = responses.into_iter();
    let Ok((mut socket, _)) = listener.accept().await else {
        return;
    };
    let mut buf = Vec::new();
    loop {
        // Read one request head.
        let head_end = loop {
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        let _ = seen.send(Seen { head, body });
        let Some((status, body)) = responses.next() else {
            return;
        };
        let reply = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if socket.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

#[test]
fn basic_auth_header_encoded_path_and_json_body() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, mut rx) = mpsc::unbounded_channel();
        let server = tokio::spawn(serve(
            listener,
            vec![
                ("200 OK", r#"{"value":"Local/100@x-00000001;1"}"#),
                ("200 OK", r#"{"id":"c9","name":"PJSIP/alice-1","state":"Down","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"default","exten":"s","priority":1,"app_name":"","app_data":""},"creationtime":"2026-11-26T21:17:38.012+0000","language":"en"}"#),
                ("404 Not Found", r#"{"message":"Channel not found"}"#),
            ],
            tx,
        ));
        let client = AriClient::http(format!("http://{addr}"), "asterisk", "asterisk").expect("client");

        let var = client
            .channel("Local/100@x;1")
            .get_channel_var("CHANNEL(name)")
            .await
            .expect("variable");
        assert_eq!(var.value, "Local/100@x-00000001;1");
        let seen = rx.recv().await.expect("first request");
        let request_line = seen.head.lines().next().expect("request line");
        assert_eq!(
            request_line,
            "GET /ari/channels/Local%2F100%40x%3B1/variable?variable=CHANNEL%28name%29 HTTP/1.1"
        );
        let auth: Vec<&str> = seen
            .head
            .lines()
            .filter(|l| l.to_ascii_lowercase().starts_with("authorization:"))
            .collect();
        // base64("asterisk:asterisk"), as in the real capture.
        assert_eq!(auth.len(), 1);
        assert_eq!(auth[0].split_once(':').map(|(_, v)| v.trim()), Some("Basic YXN0ZXJpc2s6YXN0ZXJpc2s="));
        assert!(!seen.head.contains("api_key"), "{}", seen.head);

        let channel = client
            .channels()
            .originate("PJSIP/alice")
            .variable("CALLERID(name)", "Alice")
            .await
            .expect("originate");
        assert_eq!(channel.id, "c9");
        let seen = rx.recv().await.expect("second request");
        assert!(seen.head.starts_with("POST /ari/channels?endpoint=PJSIP%2Falice HTTP/1.1\r\n"), "{}", seen.head);
        assert!(seen.head.to_ascii_lowercase().contains("content-type: application/json"));
        assert!(!seen.head.contains("api_key"));
        let body: serde_json::Value = serde_json::from_slice(&seen.body).expect("JSON body");
        assert_eq!(body, serde_json::json!({"variables": {"CALLERID(name)": "Alice"}}));

        let err = client.channel("gone").hangup().await.expect_err("404");
        assert_eq!(err.kind(), Some(ErrorKind::NotFound));
        assert_eq!(err.message(), Some("Channel not found"));
        let seen = rx.recv().await.expect("third request");
        assert!(seen.head.starts_with("DELETE /ari/channels/gone HTTP/1.1\r\n"));
        server.abort();
    });
}

#[test]
fn unreachable_server_is_a_transport_error() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // Bind then drop: nothing listens on the port any more.
        let addr = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind")
            .local_addr()
            .expect("addr");
        let client =
            AriClient::http(format!("http://{addr}"), "asterisk", "s3cret").expect("client");
        let err = client.asterisk().ping().await.expect_err("refused");
        assert!(
            matches!(err, asterisk_sdk::ari::AriError::Transport(_)),
            "{err:?}"
        );
        assert!(!format!("{err:?} {err}").contains("s3cret"));
    });
}
