//! Media sessions against the mock chan_websocket peer: handshake and format,
//! audio both ways byte-exact, XOFF/XON, marks, flush, hang-up, malformed
//! control messages, both connection directions and ARI `externalMedia`.

use asterisk_sdk::ari::AriClient;
use asterisk_sdk::media::{
    ControlFormat, MediaCommand, MediaDecodeError, MediaEncodeError, MediaEvent,
};
use asterisk_sdk::media_ws::{
    self, EndReason, MediaError, MediaItem, MediaOptions, MediaServer, MediaServerOptions,
    MediaSession,
};
use asterisk_sdk_mock::ari::MockAri;
use asterisk_sdk_mock::media::{MockMediaConfig, MockMediaServer, connect_to};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// A deterministic byte pattern (a small LCG), distinct per `seed`.
fn audio(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect()
}

/// Chunk lengths that do not line up with frames.
fn ragged(data: &[u8]) -> Vec<&[u8]> {
    let sizes = [1usize, 17, 159, 160, 161, 333, 1000, 7];
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < data.len() {
        let n = sizes[i % sizes.len()].min(data.len() - at);
        out.push(&data[at..at + n]);
        at += n;
        i += 1;
    }
    out
}

fn fast(config: MockMediaConfig) -> MockMediaConfig {
    MockMediaConfig {
        pacing: 0.02,
        ..config
    }
}

async fn connect(server: &MockMediaServer) -> MediaSession {
    media_ws::connect(&server.url(), MediaOptions::default())
        .await
        .expect("session starts")
}

/// Collect `len` received bytes from the session's audio.
fn collect_audio(session: &mut MediaSession, len: usize) -> tokio::task::JoinHandle<Vec<u8>> {
    let mut frames = session.audio();
    tokio::spawn(async move {
        let mut got = Vec::new();
        while got.len() < len {
            match frames.next().await {
                Some(f) => got.extend_from_slice(&f),
                None => break,
            }
        }
        got
    })
}

#[tokio::test]
async fn handshake_reads_the_format_in_both_control_formats() {
    for control in [ControlFormat::PlainText, ControlFormat::Json] {
        let config = MockMediaConfig {
            codec: "slin16".into(),
            optimal_frame_size: 640,
            ptime: 20,
            control,
            ..MockMediaConfig::default()
        };
        let server = MockMediaServer::start(fast(config)).await.expect("mock");
        let session = connect(&server).await;
        let f = session.format();
        assert_eq!(f.codec, "slin16");
        assert_eq!((f.optimal_frame_size, f.ptime), (640, 20));
        assert_eq!(f.control, control);
        assert_eq!(f.connection_id, server.handle().config().connection_id);
        assert_eq!(f.channel_id.as_deref(), Some("1700000000.1"));
        let MediaEvent::MediaStart(start) = session.start_event() else {
            panic!("start event is {:?}", session.start_event());
        };
        assert_eq!(start.channel, "WebSocket/INCOMING/0x1");
        assert_eq!(
            start.channel_variables.is_some(),
            control == ControlFormat::Json
        );
        // A mark in this format is understood and answered.
        session.send_audio(&audio(640 * 3, 1)).await.expect("audio");
        session.mark("m1").await.expect("mark answered");
        assert_eq!(server.handle().played(), audio(640 * 3, 1));
        let sent = server.handle().commands();
        let mark = sent.last().expect("a command");
        match control {
            ControlFormat::Json => {
                assert_eq!(mark, r#"{"command":"MARK_MEDIA","correlation_id":"m1"}"#)
            }
            _ => assert_eq!(mark, "MARK_MEDIA m1"),
        }
    }
}

#[tokio::test]
async fn ten_seconds_each_way_arrive_byte_exact() {
    // µ-law: 160 bytes per 20 ms, so 10 s is 80 000 bytes each way.
    let config = MockMediaConfig {
        echo: false,
        ..fast(MockMediaConfig::default())
    };
    let server = MockMediaServer::start(config).await.expect("mock");
    let mut session = connect(&server).await;
    let peer = server.handle();
    let outgoing = audio(80_000, 7);
    let incoming = audio(80_000, 8);
    let received = collect_audio(&mut session, incoming.len());
    assert!(peer.send_audio(&incoming));
    for chunk in ragged(&outgoing) {
        session.send_audio(chunk).await.expect("audio accepted");
    }
    assert_eq!(session.pending_bytes(), 0);
    session.mark("end").await.expect("played to the end");
    assert_eq!(peer.played(), outgoing, "what Asterisk played");
    let got = received.await.expect("reader");
    assert_eq!(got, incoming, "what the application received");
    let stats = session.stats();
    assert_eq!((stats.frames_sent, stats.bytes_sent), (500, 80_000));
    assert_eq!((stats.frames_received, stats.frames_dropped), (500, 0));
    assert_eq!(peer.dropped_frames(), 0);
}

#[tokio::test]
async fn under_xoff_the_sender_waits_and_nothing_is_lost() {
    // Asterisk's margin between XOFF and dropping is 100 frames (900 → 1000);
    // the mock keeps that margin at lower levels so the test stays short.
    let config = MockMediaConfig {
        xoff_level: 20,
        xon_level: 10,
        queue_max: 120,
        echo: false,
        pacing: 0.1,
        ..MockMediaConfig::default()
    };
    let server = MockMediaServer::start(config).await.expect("mock");
    let session = connect(&server).await;
    let peer = server.handle();
    let outgoing = audio(160 * 400, 3);
    session.send_audio(&outgoing).await.expect("audio accepted");
    session.mark("done").await.expect("played");
    assert!(peer.xoffs() >= 1, "the queue never reached the XOFF level");
    assert!(session.stats().xoffs >= 1, "the session saw no XOFF");
    assert_eq!(
        peer.dropped_frames(),
        0,
        "frames dropped: the sender ignored XOFF"
    );
    assert!(peer.max_queue() < 120, "queue reached {}", peer.max_queue());
    assert_eq!(peer.played(), outgoing);
    assert!(!session.is_paused());
}

#[tokio::test]
async fn marks_resolve_in_order_after_their_audio() {
    let server = MockMediaServer::start(fast(MockMediaConfig::default()))
        .await
        .expect("mock");
    let session = Arc::new(connect(&server).await);
    let peer = server.handle();
    let mut waiters = Vec::new();
    let mut sent = 0usize;
    for i in 0..5u32 {
        let chunk = audio(160 * 20, i);
        session.send_audio(&chunk).await.expect("audio");
        sent += chunk.len();
        let pending = session
            .queue_mark(format!("mark-{i}"))
            .await
            .expect("queued");
        let session = Arc::clone(&session);
        let peer = peer.clone();
        waiters.push(tokio::spawn(async move {
            pending.await.expect("mark resolves");
            (
                i,
                sent,
                peer.played().len(),
                session.stats().marks_processed,
            )
        }));
    }
    for w in waiters {
        let (i, before, played, processed) = w.await.expect("waiter");
        assert!(
            played >= before,
            "mark-{i} resolved after {played} of {before} bytes"
        );
        assert!(
            processed > u64::from(i),
            "mark-{i} resolved before earlier marks"
        );
    }
    assert_eq!(session.stats().marks_processed, 5);
}

#[tokio::test]
async fn flush_discards_what_is_queued() {
    // Real-time pace: 2 s of audio is queued when the flush comes.
    let config = MockMediaConfig {
        echo: false,
        ..MockMediaConfig::default()
    };
    let server = MockMediaServer::start(config).await.expect("mock");
    let session = connect(&server).await;
    let peer = server.handle();
    let prompt = audio(160 * 100, 5);
    session.send_audio(&prompt).await.expect("audio");
    let pending = session.queue_mark("prompt-end").await.expect("queued");
    session
        .send_audio(&[1, 2, 3])
        .await
        .expect("partial frame kept");
    while peer.played().len() < 160 * 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    session.flush().await.expect("flush sent");
    assert!(matches!(pending.await, Err(MediaError::Flushed)));
    assert_eq!(
        session.pending_bytes(),
        0,
        "the partial frame was not discarded"
    );
    let answer = audio(160 * 5, 6);
    session
        .send_audio(&answer)
        .await
        .expect("audio after flush");
    session.mark("answer-end").await.expect("played");
    let played = peer.played();
    assert!(peer.commands().iter().any(|c| c == "FLUSH_MEDIA"));
    assert!(played.len() < prompt.len(), "the whole prompt was played");
    assert!(
        played.ends_with(&answer),
        "the audio after the flush was not played last"
    );
    let before = played.len() - answer.len();
    assert_eq!(
        played[..before],
        prompt[..before],
        "played audio is not the prompt's start"
    );
}

#[tokio::test]
async fn hang_up_mid_stream_ends_the_session_with_its_reason() {
    let server = MockMediaServer::start(MockMediaConfig::default())
        .await
        .expect("mock");
    let mut session = connect(&server).await;
    let mut events = session.events();
    let mut frames = session.audio();
    let session = Arc::new(session);
    let sender = {
        let session = Arc::clone(&session);
        tokio::spawn(async move {
            loop {
                if let Err(e) = session.send_audio(&audio(1600, 9)).await {
                    return e;
                }
            }
        })
    };
    while server.handle().played().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(server.handle().hangup());
    let reason = session.closed().await;
    assert_eq!(
        reason,
        EndReason::Hangup {
            code: Some(1000),
            reason: String::new()
        }
    );
    let error = sender.await.expect("sender task");
    assert!(
        matches!(error, MediaError::Ended(EndReason::Hangup { .. })),
        "{error:?}"
    );
    let mut last = None;
    while let Some(item) = events.next().await {
        last = Some(item);
    }
    assert_eq!(last, Some(MediaItem::Ended(reason)));
    while frames.next().await.is_some() {}
    assert!(matches!(
        session.mark("late").await,
        Err(MediaError::Ended(_))
    ));
}

#[tokio::test]
async fn malformed_control_messages_are_errors_and_the_session_goes_on() {
    let server = MockMediaServer::start(fast(MockMediaConfig::default()))
        .await
        .expect("mock");
    let mut session = connect(&server).await;
    let peer = server.handle();
    let mut events = session.events();
    assert!(peer.send_text("STATUS queue_length:many xon_level:800"));
    assert!(peer.send_text("{\"event\": "));
    assert!(peer.send_text("MEDIA_START connection_id:x"));
    assert!(peer.send_text("SOMETHING_NEW detail:1"));
    assert!(peer.send_dtmf('7'));
    let mut items = Vec::new();
    while items.len() < 5 {
        items.push(events.next().await.expect("an item"));
    }
    let MediaItem::Malformed(status) = &items[0] else {
        panic!("{:?}", items[0]);
    };
    assert!(matches!(
        &status.error,
        MediaDecodeError::InvalidField { field: "queue_length", value, .. } if value == "many"
    ));
    assert!(
        matches!(&items[1], MediaItem::Malformed(m) if matches!(m.error, MediaDecodeError::Json(_)))
    );
    assert!(matches!(
        &items[2],
        MediaItem::Malformed(m) if matches!(m.error, MediaDecodeError::MissingField { field: "channel", .. })
    ));
    assert!(
        matches!(&items[3], MediaItem::Event(MediaEvent::Unknown(raw)) if raw.name == "SOMETHING_NEW")
    );
    assert!(matches!(&items[4], MediaItem::Event(MediaEvent::DtmfEnd(d)) if d.digit == '7'));
    // A JSON-only command in plain text is refused here, not sent.
    let direction = MediaCommand::SetMediaDirection {
        direction: "in".into(),
    };
    assert!(matches!(
        session.command(&direction).await,
        Err(MediaError::Encode(MediaEncodeError::JsonOnly { .. }))
    ));
    // Still up: audio and marks work, and a status answers.
    session.send_audio(&audio(480, 2)).await.expect("audio");
    session.mark("still-up").await.expect("mark");
    session
        .command(&MediaCommand::GetStatus)
        .await
        .expect("status asked");
    loop {
        match events.next().await.expect("status") {
            MediaItem::Event(MediaEvent::Status(s)) => {
                assert_eq!((s.xon_level, s.xoff_level), (800, 900));
                break;
            }
            MediaItem::Event(_) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(session.end_reason().is_none());
    assert_eq!(peer.played(), audio(480, 2));
}

#[tokio::test]
async fn json_errors_from_asterisk_are_events() {
    let config = fast(MockMediaConfig {
        control: ControlFormat::Json,
        ..MockMediaConfig::default()
    });
    let server = MockMediaServer::start(config).await.expect("mock");
    let mut session = connect(&server).await;
    let mut events = session.events();
    let bad = MediaCommand::SetMediaDirection {
        direction: "sideways".into(),
    };
    session.command(&bad).await.expect("sent");
    let good = MediaCommand::SetMediaDirection {
        direction: "out".into(),
    };
    session.command(&good).await.expect("sent");
    let MediaItem::Event(MediaEvent::CommandError(e)) = events.next().await.expect("error event")
    else {
        panic!("no ERROR event");
    };
    assert!(e.error_text.contains("sideways"), "{}", e.error_text);
    session.mark("m").await.expect("mark");
    assert_eq!(server.handle().direction().as_deref(), Some("out"));
}

#[tokio::test]
async fn asterisk_as_client_connects_to_the_media_server() {
    let options = MediaServerOptions::default();
    let server = MediaServer::bind("127.0.0.1:0", options)
        .await
        .expect("bind");
    let url = format!("ws://{}/voicebot?call=1", server.local_addr());
    let peer = connect_to(&url, fast(MockMediaConfig::default()))
        .await
        .expect("mock connects");
    let accepted = server.accept().await.expect("accepted");
    assert_eq!(accepted.path, "/voicebot?call=1");
    let session = accepted.session;
    assert_eq!(session.format().optimal_frame_size, 160);
    session.send_audio(&audio(800, 4)).await.expect("audio");
    session.mark("x").await.expect("mark");
    assert_eq!(peer.played(), audio(800, 4));
    let end = session.close().await;
    assert_eq!(end, EndReason::Closed);
    peer.ended().await;
}

#[tokio::test]
async fn external_media_gives_a_channel_and_a_connected_session() {
    let ari = MockAri::builder()
        .media(fast(MockMediaConfig::default()))
        .start()
        .await
        .expect("mock ARI");
    let client = AriClient::http(ari.base_url(), "asterisk", "asterisk").expect("client");
    let (channel, session) = client
        .channels()
        .external_media_websocket("bot", "ulaw")
        .connect(&ari.base_url())
        .await
        .expect("externalMedia with media");
    assert!(channel.name.starts_with("WebSocket/"), "{}", channel.name);
    let id = session.format().connection_id.clone();
    let peer = ari.media_peer(&id).expect("peer for the connection id");
    assert!(peer.is_connected());
    assert_eq!(
        session.format().channel_id.as_deref(),
        Some(channel.id.as_str())
    );
    session.send_audio(&audio(320, 1)).await.expect("audio");
    session.mark("m").await.expect("mark");
    // A second connection to the same id is refused (409), an unknown one 404.
    let again = media_ws::connect(
        &media_ws::media_url(&ari.base_url(), &id).expect("url"),
        MediaOptions::default(),
    )
    .await;
    assert!(
        matches!(again, Err(MediaError::Connect { .. })),
        "{again:?}"
    );
    client
        .channels()
        .hangup(channel.id.clone())
        .await
        .expect("hangup");
    assert!(matches!(
        session.closed().await,
        EndReason::Hangup {
            code: Some(1000),
            ..
        }
    ));
}

#[tokio::test]
async fn finish_audio_pads_the_last_frame_and_passthrough_keeps_messages_whole() {
    let server = MockMediaServer::start(fast(MockMediaConfig::default()))
        .await
        .expect("mock");
    let session = connect(&server).await;
    session.send_audio(&audio(100, 1)).await.expect("audio");
    assert_eq!(session.pending_bytes(), 100);
    session.finish_audio(0xff).await.expect("padded frame");
    session.mark("m").await.expect("mark");
    let mut expected = audio(100, 1);
    expected.resize(160, 0xff);
    assert_eq!(server.handle().played(), expected);

    let opus = fast(MockMediaConfig {
        codec: "opus".into(),
        optimal_frame_size: 0,
        ..MockMediaConfig::default()
    });
    let server = MockMediaServer::start(opus).await.expect("mock");
    let session = connect(&server).await;
    assert!(session.format().passthrough());
    for n in [37, 120, 5] {
        session.send_audio(&audio(n, 2)).await.expect("audio");
    }
    assert_eq!(session.pending_bytes(), 0);
    let expected = [audio(37, 2), audio(120, 2), audio(5, 2)].concat();
    let peer = server.handle();
    let played = tokio::time::timeout(Duration::from_secs(10), async {
        while peer.played().len() < expected.len() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        peer.played()
    })
    .await
    .expect("all audio played");
    assert_eq!(played, expected);
}

fn refused(result: Result<(), MediaError>) -> (String, String) {
    match result {
        Err(MediaError::Refused { command, reason }) => (command, reason),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn passthrough_refuses_marks_flush_and_queue_commands_at_once() {
    let opus = fast(MockMediaConfig {
        codec: "opus".into(),
        optimal_frame_size: 0,
        ..MockMediaConfig::default()
    });
    let server = MockMediaServer::start(opus).await.expect("mock");
    let mut session = connect(&server).await;
    let mut events = session.events();
    let mark = tokio::time::timeout(Duration::from_secs(5), session.mark("m"))
        .await
        .expect("a mark in passthrough mode fails at once");
    assert_eq!(refused(mark).0, "MARK_MEDIA");
    assert_eq!(refused(session.flush().await).0, "FLUSH_MEDIA");
    let pause = session.command(&MediaCommand::PauseMedia).await;
    assert_eq!(refused(pause).0, "PAUSE_MEDIA");
    session
        .command(&MediaCommand::GetStatus)
        .await
        .expect("GET_STATUS works in passthrough mode");
    // What Asterisk answers a mark it gets in passthrough mode anyway.
    session
        .command(&MediaCommand::Raw("MARK_MEDIA raw".into()))
        .await
        .expect("raw text is sent");
    let error = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(item) = events.next().await {
            if let MediaItem::Event(MediaEvent::CommandError(e)) = item {
                return Some(e.error_text);
            }
        }
        None
    })
    .await
    .expect("an ERROR event");
    assert_eq!(
        error.as_deref(),
        Some("MARK_MEDIA not supported in passthrough mode")
    );
    let sent = server.handle().commands();
    assert!(
        !sent
            .iter()
            .any(|c| c == "MARK_MEDIA m" || c == "FLUSH_MEDIA"),
        "refused commands were sent: {sent:?}"
    );
}

#[tokio::test]
async fn a_mark_asterisk_refuses_fails_with_its_error() {
    let config = fast(MockMediaConfig {
        control: ControlFormat::Json,
        ..MockMediaConfig::default()
    });
    let server = MockMediaServer::start(config).await.expect("mock");
    let session = connect(&server).await;
    let direction = MediaCommand::SetMediaDirection {
        direction: "in".into(),
    };
    session.command(&direction).await.expect("direction sent");
    let mark = tokio::time::timeout(Duration::from_secs(5), session.mark("m"))
        .await
        .expect("a refused mark fails instead of waiting forever");
    let (command, reason) = refused(mark);
    assert_eq!(command, "MARK_MEDIA");
    assert_eq!(reason, "not supported while media direction is 'in'");
}

#[tokio::test]
async fn bulk_buffering_completes_with_its_correlation_id() {
    let server = MockMediaServer::start(fast(MockMediaConfig::default()))
        .await
        .expect("mock");
    let mut session = connect(&server).await;
    let mut events = session.events();
    session
        .command(&MediaCommand::StartMediaBuffering)
        .await
        .expect("start");
    session.send_audio(&audio(1000, 3)).await.expect("audio");
    session.finish_audio(0xff).await.expect("last frame");
    let stop = MediaCommand::StopMediaBuffering {
        correlation_id: Some("tts-1".into()),
    };
    session.command(&stop).await.expect("stop");
    loop {
        match events.next().await.expect("an event") {
            MediaItem::Event(MediaEvent::MediaBufferingCompleted(done)) => {
                assert_eq!(done.correlation_id.as_deref(), Some("tts-1"));
                break;
            }
            MediaItem::Event(_) => {}
            other => panic!("{other:?}"),
        }
    }
    let mut expected = audio(1000, 3);
    expected.resize(1120, 0xff);
    assert_eq!(server.handle().played(), expected);
}

#[tokio::test]
async fn commands_a_release_line_lacks_fail_at_once() {
    let ari = MockAri::builder()
        .asterisk_version("21.12.3")
        .media(fast(MockMediaConfig::default()))
        .start()
        .await
        .expect("mock ARI");
    let client = AriClient::http(ari.base_url(), "asterisk", "asterisk").expect("client");
    let (_channel, session) = client
        .channels()
        .external_media_websocket("bot", "ulaw")
        .connect(&ari.base_url())
        .await
        .expect("externalMedia with media");
    let Err(MediaError::Unsupported(e)) = session.mark("m").await else {
        panic!("MARK_MEDIA was sent to a 21.12.3 server");
    };
    assert_eq!(
        (e.name.as_str(), e.server_version.as_str()),
        ("MARK_MEDIA", "21.12.3")
    );
    assert!(!e.available_in.contains(&"21.12.3".to_string()));
    // What 21.x has still goes out.
    session
        .command(&MediaCommand::GetStatus)
        .await
        .expect("GET_STATUS");
    session.flush().await.expect("FLUSH_MEDIA");
    let peer = ari
        .media_peer(&session.format().connection_id)
        .expect("peer");
    let end = session.close().await;
    assert_eq!(end, EndReason::Closed);
    // (FLUSH_MEDIA jumps the queue, so the order is not fixed.)
    let mut sent = peer.commands();
    sent.sort();
    assert_eq!(sent, ["FLUSH_MEDIA", "GET_STATUS"]);
}

type RawSocket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// A hand-driven peer: sends `MEDIA_START` (passthrough), then runs `then`.
async fn raw_peer<F, Fut>(then: F) -> (String, tokio::task::JoinHandle<()>)
where
    F: FnOnce(RawSocket) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    use asterisk_sdk::media::MediaStart;
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("ws://{}/media", listener.local_addr().expect("address"));
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let mut ws = tokio_tungstenite::accept_async(tcp).await.expect("upgrade");
        let mut start = MediaStart::default();
        start.connection_id = "raw".into();
        start.channel = "WebSocket/raw".into();
        start.format = "opus".into();
        start.optimal_frame_size = 0;
        start.ptime = 20;
        ws.send(Message::text(start.encode(ControlFormat::PlainText)))
            .await
            .expect("MEDIA_START");
        then(ws).await;
    });
    (url, task)
}

/// A peer that keeps the connection open and never reads again.
async fn stalled_peer() -> (String, tokio::task::JoinHandle<()>) {
    raw_peer(|ws| async move {
        std::future::pending::<()>().await;
        drop(ws);
    })
    .await
}

#[tokio::test]
async fn an_oversized_message_ends_the_session_with_a_clear_reason() {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let (url, peer) = raw_peer(|mut ws| async move {
        let _ = ws.send(Message::Binary(vec![0u8; 1 << 20].into())).await;
        let _ = ws.send(Message::Binary(vec![0u8; 160].into())).await;
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    let mut session = media_ws::connect(&url, MediaOptions::default())
        .await
        .expect("session");
    let mut audio = session.audio();
    let end = tokio::time::timeout(Duration::from_secs(10), session.closed())
        .await
        .expect("the session ends");
    match &end {
        EndReason::Lost(why) => assert!(why.contains("too long"), "{why}"),
        other => panic!("expected a lost connection, got {other:?}"),
    }
    assert_eq!(audio.next().await, None, "no part of the message arrived");
    peer.abort();
}

#[tokio::test]
async fn a_peer_that_stops_reading_ends_the_session_instead_of_blocking_it() {
    let (url, peer) = stalled_peer().await;
    let options = MediaOptions::default().write_timeout(Duration::from_millis(300));
    let session = media_ws::connect(&url, options).await.expect("session");
    let chunk = vec![0x55u8; 60_000];
    let outcome = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Err(e) = session.send_audio(&chunk).await {
                return e;
            }
        }
    })
    .await
    .expect("sending stops once the peer stalls");
    assert!(
        matches!(outcome, MediaError::Ended(EndReason::WriteTimeout(_))),
        "{outcome:?}"
    );
    let end = tokio::time::timeout(Duration::from_secs(10), session.close())
        .await
        .expect("close does not hang");
    assert!(matches!(end, EndReason::WriteTimeout(_)), "{end:?}");
    peer.abort();
}

#[tokio::test]
async fn a_session_not_accepted_in_time_is_closed_and_skipped() {
    let options = MediaServerOptions::default().accept_timeout(Duration::from_millis(100));
    let server = MediaServer::bind("127.0.0.1:0", options)
        .await
        .expect("bind");
    let late = format!("ws://{}/late", server.local_addr());
    let late = connect_to(&late, fast(MockMediaConfig::default()))
        .await
        .expect("mock connects");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fresh = format!("ws://{}/fresh", server.local_addr());
    let _fresh = connect_to(&fresh, fast(MockMediaConfig::default()))
        .await
        .expect("mock connects");
    let accepted = tokio::time::timeout(Duration::from_secs(5), server.accept())
        .await
        .expect("the fresh session is offered")
        .expect("accepted");
    assert_eq!(accepted.path, "/fresh");
    tokio::time::timeout(Duration::from_secs(5), late.ended())
        .await
        .expect("the session nobody accepted was closed");
}

#[tokio::test]
async fn connections_past_the_handshake_limit_are_closed() {
    let options = MediaServerOptions::default().max_handshakes(1);
    let server = MediaServer::bind("127.0.0.1:0", options)
        .await
        .expect("bind");
    // A connection that never upgrades holds the only handshake slot.
    let _silent = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .expect("tcp");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let url = format!("ws://{}/second", server.local_addr());
    let second = tokio::time::timeout(
        Duration::from_secs(5),
        connect_to(&url, fast(MockMediaConfig::default())),
    )
    .await
    .expect("the second connection is answered at once");
    assert!(second.is_err(), "a second handshake was served");
}

#[tokio::test]
async fn the_end_is_the_last_event_even_when_the_buffer_was_full() {
    let server = MockMediaServer::start(fast(MockMediaConfig::default()))
        .await
        .expect("mock");
    let options = MediaOptions::default().event_buffer(2);
    let mut session = media_ws::connect(&server.url(), options)
        .await
        .expect("session");
    let peer = server.handle();
    for _ in 0..10 {
        peer.send_dtmf('5');
    }
    peer.hangup();
    tokio::time::timeout(Duration::from_secs(5), session.closed())
        .await
        .expect("the session ends");
    let items: Vec<MediaItem> = session.events().collect().await;
    assert!(
        session.stats().events_dropped > 0,
        "the buffer never filled"
    );
    assert!(
        matches!(
            items.last(),
            Some(MediaItem::Ended(EndReason::Hangup { .. }))
        ),
        "{items:?}"
    );
}

#[tokio::test]
async fn a_flush_drops_marks_not_yet_written_and_keeps_commands_in_order() {
    // Big frames fill the socket buffers quickly while the peer is stalled.
    let config = fast(MockMediaConfig {
        codec: "slin16".into(),
        optimal_frame_size: 32_000,
        echo: false,
        ..MockMediaConfig::default()
    });
    let server = MockMediaServer::start(config).await.expect("mock");
    let session = Arc::new(connect(&server).await);
    let peer = server.handle();
    peer.stall();
    let sender = {
        let session = Arc::clone(&session);
        // One call of many frames: the flush interrupts it.
        tokio::spawn(async move { session.send_audio(&vec![7u8; 32_000 * 1000]).await })
    };
    // Wait until the socket is backed up: the driver stops writing frames.
    let mut last = u64::MAX;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let sent = session.stats().frames_sent;
        if sent == last {
            break;
        }
        last = sent;
    }
    let status = {
        let session = Arc::clone(&session);
        tokio::spawn(async move { session.command(&MediaCommand::GetStatus).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stale = {
        let session = Arc::clone(&session);
        tokio::spawn(async move { session.queue_mark("reused").await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let flush = {
        let session = Arc::clone(&session);
        tokio::spawn(async move { session.flush().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    peer.resume();
    let sent = tokio::time::timeout(Duration::from_secs(10), sender)
        .await
        .expect("the sender stops")
        .expect("task");
    assert!(matches!(sent, Err(MediaError::Flushed)), "{sent:?}");
    status.await.expect("task").expect("GET_STATUS queued");
    let stale = stale.await.expect("task").expect("mark queued");
    flush.await.expect("task").expect("flush sent");
    assert!(matches!(stale.await, Err(MediaError::Flushed)));
    session.send_audio(&[9u8; 32_000]).await.expect("audio");
    tokio::time::timeout(Duration::from_secs(10), session.mark("reused"))
        .await
        .expect("the new mark resolves")
        .expect("played");
    let commands = peer.commands();
    let at = |wanted: &str| commands.iter().position(|c| c == wanted);
    let flush_at = at("FLUSH_MEDIA").expect("FLUSH_MEDIA written");
    assert!(
        at("GET_STATUS").is_some_and(|status| status < flush_at),
        "a command queued before the flush went after it: {commands:?}"
    );
    let marks = commands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_str() == "MARK_MEDIA reused")
        .map(|(i, _)| i)
        .collect::<Vec<_>>();
    assert_eq!(marks.len(), 1, "the stale mark was written: {commands:?}");
    assert!(marks[0] > flush_at);
    assert!(peer.played().ends_with(&[9u8; 32_000]));
}
