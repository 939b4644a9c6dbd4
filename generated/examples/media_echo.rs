//! A voice-bot skeleton over chan_websocket: a call enters a Stasis
//! application, a WebSocket `externalMedia` channel brings its audio to the
//! application (`channels().external_media_websocket`), a bridge joins the
//! two, and the application echoes the caller's audio back, marking its
//! progress. Prints the negotiated format, the frames in and out and the marks
//! Asterisk acknowledged.
//!
//! Against the mock, the mock media peer plays the caller: 2 s of audio and a
//! DTMF digit. Against a real Asterisk 23 (`ASTERISK_ARI…`, `ASTERISK_DIAL`,
//! an endpoint that answers and talks, e.g. a `Local/` channel playing a
//! prompt), it echoes for 5 s. Exits non-zero when no audio arrives, when the
//! mock's audio does not all come back, or when a mark is not acknowledged.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example media_echo          # against the built-in mock
//! ASTERISK_ARI=http://127.0.0.1:8088 ASTERISK_ARI_USER=asterisk ASTERISK_ARI_PASSWORD=asterisk \
//!   ASTERISK_DIAL=Local/100@default cargo run -p asterisk-sdk --example media_echo
//! ```

#[path = "support/mod.rs"]
mod support;

use asterisk_sdk::ari::{AriClient, AriEvent};
use asterisk_sdk::ari_ws::{self, Item, WsConfig};
use asterisk_sdk::media::MediaEvent;
use asterisk_sdk::media_ws::{MediaItem, PendingMark};
use futures::StreamExt;
use std::process::ExitCode;
use std::time::Duration;

/// The Stasis application's name.
const APP: &str = "sdk-media-echo";
/// Frames between two marks.
const MARK_EVERY: u64 = 25;

#[tokio::main]
async fn main() -> ExitCode {
    support::exit(run().await)
}

async fn run() -> support::Result {
    let settings = support::Settings::from_env();
    let ari = support::ari::server(&settings).await?;
    println!("ARI: {}", ari.describe());
    let config = WsConfig::new(&ari.url, &ari.user, &ari.password).app(APP);
    let (_rest_over_ws, mut events) = ari_ws::connect(config).await?;
    let client = AriClient::http(&ari.url, &ari.user, &ari.password)?;

    // The caller, answered in the application.
    let caller = client.channels().originate(&settings.dial).app(APP).await?;
    support::within(30, "StasisStart of the caller", async {
        while let Some(item) = events.next().await {
            if let Item::Event(AriEvent::StasisStart(s)) = item
                && s.channel.id == caller.id
            {
                return;
            }
        }
    })
    .await?;
    client.channels().answer(caller.id.clone()).await?;
    println!("caller {} answered", caller.id);

    // Its media over a WebSocket, bridged with the caller.
    let (media_channel, mut session) = client
        .channels()
        .external_media_websocket(APP, "ulaw")
        .connect(&ari.url)
        .await?;
    let format = session.format().clone();
    println!(
        "media channel {}: format {}, {} bytes per {} ms frame, control messages in {}",
        media_channel.id,
        format.codec,
        format.optimal_frame_size,
        format.ptime,
        format.control.as_str()
    );
    let bridge = client.bridges().create().type_("mixing").await?;
    client
        .bridges()
        .add_channel(
            bridge.id.clone(),
            [caller.id.as_str(), media_channel.id.as_str()],
        )
        .await?;
    println!(
        "bridge {} joins the caller and the media channel",
        bridge.id
    );

    // The mock plays the caller; a real call talks by itself.
    let expected = support::ari::caller_audio(&ari, &format.connection_id, 2)?;
    let seconds = if expected.is_some() { 10 } else { 5 };

    let mut audio = session.audio();
    let mut media_events = session.events();
    let mut frames_in = 0u64;
    let mut marks: Vec<PendingMark> = Vec::new();
    let deadline = tokio::time::sleep(Duration::from_secs(seconds));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            frame = audio.next() => {
                let Some(frame) = frame else { break };
                frames_in += 1;
                session.send_audio(&frame).await?;
                if frames_in.is_multiple_of(MARK_EVERY) {
                    marks.push(session.queue_mark(format!("echo-{frames_in}")).await?);
                }
                if expected.is_some_and(|n| frames_in >= n) {
                    break;
                }
            }
            item = media_events.next() => match item {
                Some(MediaItem::Event(MediaEvent::DtmfEnd(d))) => println!("  DTMF {}", d.digit),
                Some(MediaItem::Event(MediaEvent::MediaXoff(_))) => println!("  XOFF: sending waits"),
                Some(MediaItem::Event(MediaEvent::MediaXon(_))) => println!("  XON"),
                Some(MediaItem::Malformed(m)) => println!("  malformed control message: {m}"),
                Some(MediaItem::Ended(end)) => return Err(format!("media ended early: {end}").into()),
                _ => {}
            },
            _ = &mut deadline => break,
        }
    }
    marks.push(session.queue_mark("echo-end").await?);
    let queued = marks.len();
    let mut acknowledged = 0;
    for mark in marks {
        support::within(10, "MEDIA_MARK_PROCESSED", mark).await??;
        acknowledged += 1;
    }
    let stats = session.stats();
    println!(
        "frames in: {frames_in}, frames out: {}, marks acknowledged: {acknowledged}/{queued}",
        stats.frames_sent
    );

    client.channels().hangup(caller.id.clone()).await?;
    client.bridges().destroy(bridge.id.clone()).await?;
    client.channels().hangup(media_channel.id.clone()).await?;
    let end = support::within(10, "the end of the media session", session.closed()).await?;
    println!("media session ended: {end}");
    events.close();

    if frames_in == 0 {
        return Err("no audio arrived from the caller".into());
    }
    if let Some(n) = expected
        && (frames_in != n || stats.frames_sent != n)
    {
        return Err(format!("expected {n} frames in and out").into());
    }
    Ok(())
}
