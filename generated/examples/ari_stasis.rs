//! A Stasis application over ARI: the events WebSocket delivers the calls that
//! enter `Stasis(sdk-example)`; REST requests answer them, play a sound and
//! hang up, and the typed events say when each step is done.
//!
//! To have a call, the example originates one into its own application (on a
//! real Asterisk: `ASTERISK_DIAL`, which must answer). Exits non-zero when an
//! expected event (`StasisStart`, `PlaybackFinished`, `StasisEnd`) does not
//! arrive within 30 s.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example ari_stasis          # against the built-in mock
//! ASTERISK_ARI=http://127.0.0.1:8088 ASTERISK_ARI_USER=asterisk ASTERISK_ARI_PASSWORD=asterisk \
//!   ASTERISK_DIAL=Local/100@default cargo run -p asterisk-sdk --example ari_stasis
//! ```

#[path = "support/mod.rs"]
mod support;

use asterisk_sdk::ari::{AriClient, AriEvent};
use asterisk_sdk::ari_ws::{self, EventStream, Item, WsConfig};
use futures::StreamExt;
use std::process::ExitCode;

/// The Stasis application's name.
const APP: &str = "sdk-example";

#[tokio::main]
async fn main() -> ExitCode {
    support::exit(run().await)
}

async fn run() -> support::Result {
    let settings = support::Settings::from_env();
    let ari = support::ari::server(&settings).await?;
    println!("ARI: {}", ari.describe());

    // Connecting the events WebSocket registers the application; REST goes over HTTP.
    let config = WsConfig::new(&ari.url, &ari.user, &ari.password).app(APP);
    let (_rest_over_ws, mut events) = ari_ws::connect(config).await?;
    let client = AriClient::http(&ari.url, &ari.user, &ari.password)?;

    // A call into the application.
    let placed = client
        .channels()
        .originate(&settings.dial)
        .app(APP)
        .caller_id("SDK example <1000>")
        .await?;
    println!("originated {} into Stasis({APP})", placed.id);

    // Handle it as any call entering the application.
    let start = next_event(&mut events, "StasisStart", |e| match e {
        AriEvent::StasisStart(s) if s.channel.id == placed.id => Some(s.channel.clone()),
        _ => None,
    })
    .await?;
    let channel = start.handle(&client);
    channel.answer().await?;
    let playback = channel.play("sound:hello-world").await?;
    println!("answered, playing hello-world (playback {})", playback.id);

    next_event(&mut events, "PlaybackFinished", |e| match e {
        AriEvent::PlaybackFinished(p) if p.playback.id == playback.id => Some(()),
        _ => None,
    })
    .await?;
    channel.hangup().await?;
    next_event(&mut events, "StasisEnd", |e| match e {
        AriEvent::StasisEnd(s) if s.channel.id == placed.id => Some(()),
        _ => None,
    })
    .await?;
    println!("call done");
    events.close();
    Ok(())
}

/// Print the events until `wanted` picks one; fail after 30 s.
async fn next_event<T>(
    events: &mut EventStream,
    what: &str,
    wanted: impl Fn(&AriEvent) -> Option<T>,
) -> support::Result<T> {
    support::within(30, what, async {
        while let Some(item) = events.next().await {
            if let Item::Event(event) = item {
                println!("  event {}", event.event_type());
                if let Some(found) = wanted(&event) {
                    return Ok(found);
                }
            }
        }
        Err("the events WebSocket closed")
    })
    .await?
    .map_err(Into::into)
}
