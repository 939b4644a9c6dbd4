//! A small HTTP/1.1 server for the mock: reads a request (head up to 64 KiB,
//! body up to 1 MiB, keep-alive), checks Basic auth, and either answers through
//! the core or upgrades `GET /ari/events` to a WebSocket.

use super::core::{Core, Request, reason};
use super::json::message;
use super::websocket;
use asterisk_sdk_runtime::ari::ws::Credentials;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 1024 * 1024;

/// One parsed request head.
#[derive(Debug)]
struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-decode (`+` is a space in query strings).
pub(crate) fn decode(s: &str, plus_is_space: bool) -> String {
    asterisk_sdk_runtime::percent::decode(s, plus_is_space)
}

/// `a=1&b=x%20y` as decoded pairs.
pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(n, true), decode(v, true))
        })
        .collect()
}

/// Decoded path segments and query pairs of a request target.
pub(crate) type Target = (Vec<String>, Vec<(String, String)>);

/// `/ari/a/b%20c?x=1` → segments below `/ari` and the query; `None` outside `/ari`.
pub(crate) fn split_target(target: &str) -> Option<Target> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let rest = path.strip_prefix("/ari")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let segments = rest
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| decode(s, false))
        .collect();
    Some((segments, parse_query(query)))
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

fn parse_head(raw: &[u8]) -> Option<Head> {
    let text = std::str::from_utf8(raw).ok()?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Head {
        method,
        target,
        headers,
    })
}

async fn write_reply(
    stream: &mut TcpStream,
    status: u16,
    body: Option<&str>,
    extra: &str,
) -> std::io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nServer: Asterisk\r\nCache-Control: no-cache, no-store\r\n{extra}",
        reason(status)
    );
    match body {
        Some(b) => out.push_str(&format!(
            "Content-type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        )),
        None => out.push_str("Content-Length: 0\r\n\r\n"),
    }
    stream.write_all(out.as_bytes()).await
}

fn authorized(head: &Head, query: &[(String, String)], creds: &Credentials) -> bool {
    let via_header = head
        .header("authorization")
        .and_then(asterisk_sdk_runtime::ari::ws::basic::parse_header)
        .is_some_and(|(u, p)| u == creds.username && p == creds.password);
    let via_key = query
        .iter()
        .any(|(n, v)| n == "api_key" && *v == format!("{}:{}", creds.username, creds.password));
    via_header || via_key
}

/// chan_websocket's `/media/<connection id>` (no ARI credentials, like
/// Asterisk's `http_uri`): 404 for an unknown id, 409 when already connected,
/// else the upgrade and the media peer.
async fn serve_media(mut stream: TcpStream, head: &Head, id: &str, core: &Arc<Core>) {
    let peer = core.media().get(id).map(|p| p.handle.clone());
    let Some(peer) = peer else {
        let _ = write_reply(
            &mut stream,
            404,
            Some(&message("WebSocket instance not found")),
            "",
        )
        .await;
        return;
    };
    if peer.is_connected() || peer.is_ended() {
        let text = message("Another websocket connection exists for this connection id");
        let _ = write_reply(&mut stream, 409, Some(&text), "").await;
        return;
    }
    let upgrade = head
        .header("upgrade")
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let (true, Some(key)) = (upgrade, head.header("sec-websocket-key")) else {
        let _ = write_reply(&mut stream, 426, None, "").await;
        return;
    };
    let protocol = head
        .header("sec-websocket-protocol")
        .is_some_and(|v| v.split(',').any(|p| p.trim() == "media"));
    let accept = derive_accept_key(key.as_bytes());
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{}\r\n",
        if protocol {
            "Sec-WebSocket-Protocol: media\r\n"
        } else {
            ""
        }
    );
    if stream.write_all(response.as_bytes()).await.is_err() {
        return;
    }
    let socket = tokio_tungstenite::WebSocketStream::from_raw_socket(
        stream,
        tokio_tungstenite::tungstenite::protocol::Role::Server,
        None,
    )
    .await;
    peer.run(socket).await;
}

/// Serve one TCP connection until it closes or upgrades.
pub(crate) async fn serve(mut stream: TcpStream, core: Arc<Core>, creds: Arc<Credentials>) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let head_end = loop {
            if let Some(end) = find_head_end(&buf) {
                break end;
            }
            if buf.len() > MAX_HEAD {
                let _ = write_reply(
                    &mut stream,
                    400,
                    Some(&message("Request header too large")),
                    "",
                )
                .await;
                return;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let Some(head) = parse_head(&buf[..head_end]) else {
            let _ = write_reply(&mut stream, 400, Some(&message("Malformed request")), "").await;
            return;
        };
        let length: usize = head
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if length > MAX_BODY {
            let _ = write_reply(
                &mut stream,
                400,
                Some(&message("Request body too large")),
                "",
            )
            .await;
            return;
        }
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body_bytes: Vec<u8> = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        let close = head
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));

        if let Some(id) = head
            .target
            .split('?')
            .next()
            .and_then(|p| p.strip_prefix("/media/"))
        {
            let id = decode(id, false);
            serve_media(stream, &head, &id, &core).await;
            return;
        }
        let Some((segments, query)) = split_target(&head.target) else {
            let _ = write_reply(&mut stream, 404, Some(&message("Resource not found")), "").await;
            if close {
                return;
            }
            continue;
        };
        if !authorized(&head, &query, &creds) {
            let extra = "WWW-Authenticate: Basic realm=\"Asterisk REST Interface\"\r\n";
            let _ = write_reply(
                &mut stream,
                401,
                Some(&message("Authentication required")),
                extra,
            )
            .await;
            if close {
                return;
            }
            continue;
        }
        let upgrade = head
            .header("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
        if upgrade && head.method == "GET" && segments == ["events"] {
            let apps: Vec<String> = query
                .iter()
                .filter(|(n, _)| n == "app")
                .flat_map(|(_, v)| v.split(','))
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            let Some(key) = head.header("sec-websocket-key") else {
                let _ = write_reply(
                    &mut stream,
                    400,
                    Some(&message("Missing Sec-WebSocket-Key")),
                    "",
                )
                .await;
                return;
            };
            if apps.is_empty() {
                let _ = write_reply(
                    &mut stream,
                    400,
                    Some(&message("Missing required parameter: app")),
                    "",
                )
                .await;
                return;
            }
            // Registered before the 101 goes out: once the client sees the
            // upgrade, events for its applications reach it.
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            let id = core.sessions().register(apps, tx);
            let accept = derive_accept_key(key.as_bytes());
            let response = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            );
            if stream.write_all(response.as_bytes()).await.is_err() {
                core.sessions().unregister(id);
                return;
            }
            websocket::run(stream, std::mem::take(&mut buf), core, id, rx).await;
            return;
        }
        let body = if body_bytes.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match serde_json::from_slice(&body_bytes) {
                Ok(v) => Some(v),
                Err(_) => {
                    let _ = write_reply(&mut stream, 400, Some(&message("Invalid JSON body")), "")
                        .await;
                    continue;
                }
            }
        };
        let request = Request {
            method: head.method.clone(),
            segments,
            query: query.into_iter().filter(|(n, _)| n != "api_key").collect(),
            body,
        };
        let (reply, events) = core.handle(&request);
        if write_reply(&mut stream, reply.status, reply.body.as_deref(), "")
            .await
            .is_err()
        {
            return;
        }
        core.emit(events);
        if close {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_targets() {
        let (seg, q) = split_target(
            "/ari/channels/a%2Fb/play?media=sound:hello-world&callerId=ARI+Test+%3C5555%3E",
        )
        .expect("below /ari");
        assert_eq!(seg, ["channels", "a/b", "play"]);
        assert_eq!(q[0], ("media".into(), "sound:hello-world".into()));
        assert_eq!(q[1], ("callerId".into(), "ARI Test <5555>".into()));
        assert!(split_target("/other").is_none());
        assert!(split_target("/arix").is_none());
        assert_eq!(decode("%zz%4", false), "%zz%4");
    }
}
