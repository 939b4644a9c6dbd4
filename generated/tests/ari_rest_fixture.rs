//! Every REST request of a real Asterisk 23.4.1 capture (`ari-rest.txt`) is
//! reproduced by the generated operations (method, path, query), and every
//! recorded response decodes to the operation's typed result or typed error.
#![cfg(feature = "ari")]

use asterisk_sdk::ari::models::{ChannelState, PlaybackState};
use asterisk_sdk::ari::{
    AriClient, AriError, AriRequest, AriResponse, AriTransport, ErrorKind, TransportError,
};
use asterisk_sdk::runtime::ari::TransportFuture;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[path = "../../tests/fixtures/capture.rs"]
mod capture;

/// One request/response pair of the capture.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    /// Path below `/ari`, as sent (percent-encoded).
    path: String,
    /// Decoded query pairs, in order.
    query: Vec<(String, String)>,
    status: u16,
    body: Vec<u8>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII escape");
                out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 query")
}

/// The REST exchanges of the capture, WebSocket upgrade left out.
fn capture() -> Vec<Exchange> {
    let text = String::from_utf8(capture::read("asterisk-23.4.1/ari-rest.txt"))
        .expect("the REST capture is UTF-8");
    let mut out = Vec::new();
    for block in text.split("=== [").skip(1) {
        let (head, rest) = block.split_once('\n').expect("block header line");
        if !head.ends_with("REQUEST") {
            continue;
        }
        let (request, response) = rest.split_once("--- RESPONSE\n").expect("response part");
        let request_line = request.lines().next().expect("request line");
        let mut parts = request_line.split(' ');
        let method = parts.next().expect("method").to_string();
        let target = parts.next().expect("target");
        let target = target.strip_prefix("/ari").expect("ARI target");
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p, q),
            None => (target, ""),
        };
        let query = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        let status: u16 = response
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status code");
        let body = response
            .split_once("\n\n")
            .map(|(_, b)| b.trim())
            .unwrap_or("");
        out.push(Exchange {
            method,
            path: path.to_string(),
            query,
            status,
            body: body.as_bytes().to_vec(),
        });
    }
    out
}

/// A transport that answers with the capture's responses, in order, and
/// records what the generated code sent.
#[derive(Default, Clone)]
struct Replay {
    responses: Arc<Mutex<VecDeque<Exchange>>>,
    sent: Arc<Mutex<Vec<AriRequest>>>,
}

impl AriTransport for Replay {
    fn send(&self, request: AriRequest) -> TransportFuture<'_> {
        self.sent.lock().expect("lock").push(request);
        let next = self.responses.lock().expect("lock").pop_front();
        Box::pin(async move {
            let ex = next.ok_or(TransportError::Disconnected)?;
            Ok(AriResponse::new(
                ex.status,
                Some("application/json".into()),
                ex.body,
            ))
        })
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn every_captured_request_is_reproduced_and_decoded() {
    let mut exchanges = capture();
    // `GET /api-docs/resources.json` is the Swagger listing, not an operation.
    exchanges.retain(|e| !e.path.starts_with("/api-docs/"));
    assert_eq!(exchanges.len(), 18, "REST operations in the capture");
    let replay = Replay::default();
    replay
        .responses
        .lock()
        .expect("lock")
        .extend(exchanges.iter().cloned());
    let client = AriClient::new(replay.clone());

    rt().block_on(async {
        let info = client.asterisk().get_info().await.expect("info");
        let system = info.system.expect("system");
        assert_eq!(system.version, "23.4.1");

        let denied = client.asterisk().get_info().await.expect_err("401");
        assert_eq!(denied.kind(), Some(ErrorKind::Unauthorized));
        assert_eq!(denied.status(), Some(401));
        assert_eq!(denied.message(), Some("Authentication required"));
        match &denied {
            AriError::Api(e) => assert!(!e.documented, "401 is not in getInfo's errors"),
            other => panic!("{other:?}"),
        }

        let apps = client.applications().list().await.expect("apps");
        assert_eq!(apps[0].name, "test-app");
        let app = client.applications().get("test-app").await.expect("app");
        assert!(app.channel_ids.is_empty());
        assert!(client.channels().list().await.expect("channels").is_empty());
        assert!(client.bridges().list().await.expect("bridges").is_empty());
        let endpoints = client.endpoints().list().await.expect("endpoints");
        assert_eq!(endpoints[0].technology, "IAX2");
        assert_eq!(endpoints[0].resource, "testpeer");
        assert!(
            client
                .device_states()
                .list()
                .await
                .expect("states")
                .is_empty()
        );
        assert!(
            client
                .mailboxes()
                .list()
                .await
                .expect("mailboxes")
                .is_empty()
        );
        assert!(
            client
                .recordings()
                .list_stored()
                .await
                .expect("stored")
                .is_empty()
        );
        let sound = client.sounds().get("hello-world").await.expect("sound");
        assert_eq!(sound.formats[0].format, "gsm");
        let var = client
            .asterisk()
            .get_global_var("ASTERISK_VERSION_NUM")
            .await
            .expect("global var");
        assert_eq!(var.value, "");

        let missing = client
            .playback("does-not-exist")
            .get()
            .await
            .expect_err("404");
        assert!(missing.is_not_found());
        assert_eq!(missing.message(), Some("Playback not found"));
        match &missing {
            AriError::Api(e) => {
                assert!(e.documented, "404 is documented for playbacks.get");
                assert_eq!(e.operation, "playbacks.get");
            }
            other => panic!("{other:?}"),
        }

        let channel = client
            .channels()
            .originate("Local/100@stasis-test")
            .app("test-app")
            .app_args("originated")
            .caller_id("ARI Test <5555>")
            .send()
            .await
            .expect("originate");
        assert_eq!(channel.id, "1795727858.4");
        assert_eq!(channel.state, ChannelState::Down);
        let handle = channel.handle(&client);
        handle.answer().await.expect("answer");
        let playback = handle
            .play("sound:hello-world")
            .playback_id("pb-hello-1")
            .await
            .expect("play");
        assert_eq!(playback.id, "pb-hello-1");
        assert_eq!(playback.state, PlaybackState::Queued);
        let name = handle
            .get_channel_var("CHANNEL(name)")
            .await
            .expect("variable");
        assert_eq!(name.value, "Local/100@stasis-test-00000002;1");
        handle.hangup().reason("normal").await.expect("hangup");
    });

    let sent = replay.sent.lock().expect("lock");
    assert_eq!(sent.len(), exchanges.len());
    for (req, ex) in sent.iter().zip(&exchanges) {
        assert_eq!(req.method, ex.method, "{}", ex.path);
        assert_eq!(req.path, ex.path);
        assert_eq!(req.query, ex.query, "{}", ex.path);
        assert!(req.body.is_none(), "{}", ex.path);
    }
    assert!(replay.responses.lock().expect("lock").is_empty());
}

#[test]
fn path_parameters_are_percent_encoded() {
    let client = AriClient::new(Replay::default());
    let req = client.channel("Local/100@stasis-test;1").answer().request();
    assert_eq!(req.path, "/channels/Local%2F100%40stasis-test%3B1/answer");
    let req = client
        .bridges()
        .add_channel("my bridge?#", ["a/1", "b;2"])
        .role("x")
        .request();
    assert_eq!(req.path, "/bridges/my%20bridge%3F%23/addChannel");
    assert_eq!(
        req.query,
        [
            ("channel".to_string(), "a/1,b;2".to_string()),
            ("role".to_string(), "x".to_string())
        ]
    );
    let req = client.endpoints().get("PJSIP", "alice/../x").request();
    assert_eq!(req.path, "/endpoints/PJSIP/alice%2F..%2Fx");
}

#[test]
fn query_values_are_decimal_and_boolean_words() {
    let client = AriClient::new(Replay::default());
    let req = client
        .channel("c1")
        .record("rec", "wav")
        .max_duration_seconds(30)
        .beep(true)
        .if_exists("overwrite")
        .request();
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.query,
        [
            ("name", "rec"),
            ("format", "wav"),
            ("maxDurationSeconds", "30"),
            ("ifExists", "overwrite"),
            ("beep", "true"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );
}

#[test]
fn allowed_values_take_enums_or_strings() {
    use asterisk_sdk::ari::params::{IfExists, Spy, TerminateOn};
    let client = AriClient::new(Replay::default());
    let typed = client
        .channel("c1")
        .record("rec", "wav")
        .if_exists(IfExists::Append)
        .terminate_on(TerminateOn::Pound)
        .request();
    let spelled = client
        .channel("c1")
        .record("rec", "wav")
        .if_exists(String::from("append"))
        .terminate_on("#")
        .request();
    assert_eq!(typed.query, spelled.query);
    assert!(
        typed
            .query
            .contains(&("terminateOn".to_string(), "#".to_string()))
    );
    // A value this SDK does not know is sent as given.
    let future = client
        .channel("c1")
        .snoop_channel("app")
        .spy("sideways")
        .request();
    assert!(
        future
            .query
            .contains(&("spy".to_string(), "sideways".to_string()))
    );
    assert_eq!(Spy::from("sideways"), Spy::Other("sideways".into()));
    assert_eq!(IfExists::from("overwrite").as_str(), "overwrite");
}

#[test]
fn variables_go_in_the_json_body() {
    let client = AriClient::new(Replay::default());
    let req = client
        .channels()
        .originate("PJSIP/alice")
        .variable("CALLERID(name)", "Alice")
        .variable(
            "Call_State",
            serde_json::json!({"value": "Waiting", "report_events": true}),
        )
        .request();
    assert_eq!(
        req.body,
        Some(serde_json::json!({"variables": {
            "CALLERID(name)": "Alice",
            "Call_State": {"value": "Waiting", "report_events": true}
        }}))
    );
    assert_eq!(
        req.query,
        [("endpoint".to_string(), "PJSIP/alice".to_string())]
    );
    // Required body parameter, and the dynamic configuration `fields` list.
    let req = client
        .channel("c1")
        .set_channel_vars([("A", "1")])
        .request();
    assert_eq!(req.body, Some(serde_json::json!({"variables": {"A": "1"}})));
    let req = client
        .asterisk()
        .update_object("res_pjsip", "endpoint", "alice")
        .fields([("direct_media", "no")])
        .request();
    assert_eq!(req.method, "PUT");
    assert_eq!(
        req.body,
        Some(serde_json::json!({"fields": [{"attribute": "direct_media", "value": "no"}]}))
    );
}

#[test]
fn documented_not_found_is_typed() {
    let replay = Replay::default();
    replay.responses.lock().expect("lock").push_back(Exchange {
        method: "POST".into(),
        path: String::new(),
        query: Vec::new(),
        status: 404,
        body: br#"{"message":"Channel not found"}"#.to_vec(),
    });
    let client = AriClient::new(replay.clone());
    let err = rt()
        .block_on(client.channel("gone").answer().send())
        .expect_err("404");
    assert_eq!(err.kind(), Some(ErrorKind::NotFound));
    assert_eq!(err.message(), Some("Channel not found"));
    match err {
        AriError::Api(e) => {
            assert!(e.documented);
            assert_eq!(e.operation, "channels.answer");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn events_websocket_is_described_not_sent() {
    let client = AriClient::new(Replay::default());
    let req = client
        .events()
        .event_websocket(["app-a", "app-b"])
        .subscribe_all(true)
        .request();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/events");
    assert_eq!(
        req.query,
        [
            ("app".to_string(), "app-a,app-b".to_string()),
            ("subscribeAll".to_string(), "true".to_string())
        ]
    );
}
