//! The ARI part of the tour: a Stasis application that originates the dial target
//! into itself, answers, plays `sound:hello-world`, waits for PlaybackFinished,
//! hangs up, and prints the typed events — over HTTP, with one request also sent
//! as REST over the events WebSocket.

use crate::support::settings::Settings;
use crate::{step, support};
use asterisk_sdk::ari::{AriClient, AriEvent};
use asterisk_sdk::ari_ws::{self, EventStream, Item, WsConfig};
use futures::StreamExt;
use std::time::Duration;

const APP: &str = "sdk-tour";

/// Run the ARI part.
pub async fn tour(settings: &Settings) -> support::Result<()> {
    let server = support::ari::server(settings).await?;
    let base = server.url.clone();
    let mock = server.mock.as_ref();
    if mock.is_some() {
        step("ari", format!("mock ARI server on {base}"));
    }

    // The events socket first, so StasisStart is not missed.
    let config = WsConfig::new(&base, &settings.ari_user, &settings.ari_password).app(APP);
    let (ws_rest, mut events) = ari_ws::connect(config).await?;
    step(
        "ari",
        format!("events WebSocket open for application {APP}"),
    );
    let client = AriClient::http(&base, &settings.ari_user, &settings.ari_password)?;

    let info = client.asterisk().get_info().await?;
    step(
        "ari",
        format!(
            "GET /asterisk/info -> Asterisk {}",
            info.system
                .as_ref()
                .map(|s| s.version.as_str())
                .unwrap_or("?")
        ),
    );

    let channel = client
        .channels()
        .originate(&settings.dial)
        .app(APP)
        .app_args("tour")
        .caller_id("SDK tour <1000>")
        .await?;
    step(
        "ari",
        format!(
            "POST /channels (originate {}) -> channel {}",
            settings.dial, channel.id
        ),
    );

    wait_for(
        &mut events,
        "StasisStart",
        |e| matches!(e, AriEvent::StasisStart(s) if s.channel.id == channel.id),
    )
    .await?;

    let handle = channel.handle(&client);
    if mock.is_some() {
        // The same generated operation over the WebSocket (Asterisk 22+).
        AriClient::new(ws_rest.clone())
            .channel(&channel.id)
            .answer()
            .await?;
        step(
            "ari",
            "POST /channels/{id}/answer -> sent as REST over the WebSocket",
        );
    } else {
        handle.answer().await?;
        step("ari", "POST /channels/{id}/answer -> ok");
    }

    let playback = handle.play("sound:hello-world").await?;
    step(
        "ari",
        format!(
            "POST /channels/{{id}}/play -> playback {} ({:?})",
            playback.id, playback.state
        ),
    );
    wait_for(
        &mut events,
        "PlaybackFinished",
        |e| matches!(e, AriEvent::PlaybackFinished(p) if p.playback.id == playback.id),
    )
    .await?;

    handle.hangup().await?;
    step("ari", "DELETE /channels/{id} -> ok");
    wait_for(
        &mut events,
        "StasisEnd",
        |e| matches!(e, AriEvent::StasisEnd(s) if s.channel.id == channel.id),
    )
    .await?;
    events.close();
    Ok(())
}

/// Print typed events until `done` matches one; fail after 30 s.
async fn wait_for(
    events: &mut EventStream,
    what: &str,
    done: impl Fn(&AriEvent) -> bool,
) -> support::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let item = tokio::time::timeout_at(deadline, events.next())
            .await
            .map_err(|_| format!("no {what} within 30 s"))?
            .ok_or("the ARI event stream ended")?;
        match item {
            Item::Event(e) => {
                step("ari", format!("event {}", describe(&e)));
                if done(&e) {
                    return Ok(());
                }
            }
            Item::Reconnected => step("ari", "events WebSocket reconnected"),
            other => step("ari", format!("stream: {other:?}")),
        }
    }
}

/// One line per typed event.
fn describe(e: &AriEvent) -> String {
    let detail = match e {
        AriEvent::StasisStart(s) => format!("channel {} args {:?}", s.channel.id, s.args),
        AriEvent::ChannelStateChange(c) => {
            format!("channel {} state {:?}", c.channel.id, c.channel.state)
        }
        AriEvent::PlaybackStarted(p) => {
            format!("playback {} {:?}", p.playback.id, p.playback.state)
        }
        AriEvent::PlaybackFinished(p) => {
            format!("playback {} {:?}", p.playback.id, p.playback.state)
        }
        AriEvent::ChannelDestroyed(c) => format!(
            "channel {} cause {} ({})",
            c.channel.id, c.cause, c.cause_txt
        ),
        AriEvent::StasisEnd(s) => format!("channel {}", s.channel.id),
        _ => String::new(),
    };
    format!(
        "{} at {} {detail}",
        e.event_type(),
        e.timestamp().map(|t| t.to_string()).unwrap_or_default()
    )
}
