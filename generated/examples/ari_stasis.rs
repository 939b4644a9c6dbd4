//! A Stasis application on the per-call framework (`asterisk_sdk::ari_app`):
//! every call entering `Stasis(sdk-example)` gets its own task with a `Call`
//! that sees only that channel's events. The handler answers, plays a sound
//! and awaits its end, hangs up, and reads its call's last events.
//!
//! To have a call, the example originates one into its own application (on a
//! real Asterisk: `ASTERISK_DIAL`, which must answer). Exits non-zero when the
//! call is not handled within 30 s or its handler fails.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example ari_stasis          # against the built-in mock
//! ASTERISK_ARI=http://127.0.0.1:8088 ASTERISK_ARI_USER=asterisk ASTERISK_ARI_PASSWORD=asterisk \
//!   ASTERISK_DIAL=Local/100@default cargo run -p asterisk-sdk --example ari_stasis
//! ```

#[path = "support/mod.rs"]
mod support;

use asterisk_sdk::ari::AriClient;
use asterisk_sdk::ari_app::{
    App, AppReport, Call, CallError, CallItem, CallOutcome, PlaybackOutcome,
};
use std::process::ExitCode;
use std::time::Duration;
use tokio::sync::mpsc;

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

    // The app: its events WebSocket registers `sdk-example`; one task per call.
    let (ended_tx, mut ended) = mpsc::unbounded_channel();
    let app = App::new(APP)
        .server(&ari.url, &ari.user, &ari.password)
        .max_calls(10)
        .on_report(move |report| {
            if let AppReport::CallFinished {
                channel_id,
                outcome,
            } = report
            {
                println!("handler for {channel_id} ended: {outcome:?}");
                let _ = ended_tx.send(outcome.clone());
            }
        })
        .start(handle)
        .await?;

    // A call into the application, placed over HTTP.
    let client = AriClient::http(&ari.url, &ari.user, &ari.password)?;
    let placed = client
        .channels()
        .originate(&settings.dial)
        .app(APP)
        .app_args("example")
        .caller_id("SDK example <1000>")
        .await?;
    println!("originated {} into Stasis({APP})", placed.id);

    let outcome = support::within(30, "the call's handler", ended.recv()).await?;
    let stats = app.shutdown(Duration::from_secs(5)).await?;
    println!(
        "summary: {} calls handled, {} completed, {} running",
        stats.started, stats.completed, stats.running
    );
    match outcome {
        Some(CallOutcome::Completed) => Ok(()),
        other => Err(format!("the handler did not complete: {other:?}").into()),
    }
}

/// One call: answer, play hello-world to its end, hang up, print its last events.
async fn handle(mut call: Call) -> Result<(), CallError> {
    println!("call {} entered with args {:?}", call.id(), call.args());
    call.channel().answer().await?;
    match call.play("sound:hello-world").await_finished().await? {
        PlaybackOutcome::Done(p) => println!("played {} (playback {})", p.media_uri, p.id),
        other => println!("playback did not finish: {other:?}"),
    }
    call.channel().hangup().await?;
    // The rest of this call's events, up to its StasisEnd.
    while let Some(item) = call.next_event().await {
        match item {
            CallItem::Event(event) => println!("  event {}", event.event_type()),
            other => println!("  {other:?}"),
        }
    }
    Ok(())
}
