//! Typed AMI events: subscribe to one event type (`Hangup`, filtered to one
//! call) or to every event as the `Event` enum, and read their typed fields.
//!
//! To have something to watch, it places one short call (Originate into
//! `Wait(1)`) and prints the call's events until it hangs up. Exits non-zero
//! when the call's `Hangup` does not arrive within 30 s.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example ami_events            # against the built-in mock
//! ASTERISK_AMI=127.0.0.1:5038 ASTERISK_AMI_USER=admin ASTERISK_AMI_SECRET=amp111 \
//!   ASTERISK_DIAL=Local/100@default cargo run -p asterisk-sdk --example ami_events
//! ```

#[path = "support/mod.rs"]
mod support;

use asterisk_sdk::ami::actions::Originate;
use asterisk_sdk::ami::events::Hangup;
use asterisk_sdk::ami::{AmiClient, Event, EventItem};
use futures::StreamExt;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    support::exit(run().await)
}

async fn run() -> support::Result {
    let settings = support::Settings::from_env();
    let ami = support::ami::server(&settings).await?;
    println!("AMI: {}", ami.describe());

    let client = AmiClient::builder()
        .host(ami.host.as_str())
        .port(ami.port)
        .credentials(&ami.user, &ami.secret)
        .connect()
        .await?;

    // Subscribe before the call starts: a stream sees the events received after
    // it was created. One stream takes every event as the `Event` enum; the other
    // only `Hangup`s of channels dialled by this example, decoded to their struct.
    let mut all = client.events::<Event>();
    let prefix = format!("{}-", settings.dial); // the call's channels: <dial>-<n>
    let ours = prefix.clone();
    let mut hangups = client
        .events::<Hangup>()
        .with_filter(move |raw| raw.get("Channel").is_some_and(|c| c.starts_with(&ours)));

    let call = Originate::new(&settings.dial)
        .application("Wait")
        .data("1")
        .async_(true);
    client.send(&call).await?.into_result()?;
    println!("Originate {} into Wait(1) queued", settings.dial);

    // The whole call on the `Event` stream: match the events you care about.
    support::within(30, "Hangup on the Event stream", async {
        while let Some(item) = all.next().await {
            let event = match item {
                EventItem::Event(event) => event,
                EventItem::Reconnected => {
                    println!("(reconnected: events may be missing)");
                    continue;
                }
                _ => continue, // other markers, e.g. events lost by a slow reader
            };
            let channel = event.raw().get("Channel").unwrap_or("");
            match &event {
                Event::Newchannel(e) => println!(
                    "Newchannel {channel} state {:?} caller {:?}",
                    e.channel.channel_state, e.channel.caller_id_num
                ),
                Event::Newstate(e) => {
                    println!("Newstate {channel} -> {:?}", e.channel.channel_state)
                }
                Event::Hangup(_) if channel.starts_with(&prefix) => return Ok(()),
                other => println!("{} {channel}", other.name()),
            }
        }
        Err("the event stream ended")
    })
    .await??;

    // The typed stream holds the same Hangup, decoded to its struct.
    let hangup = support::within(30, "Hangup on the typed stream", async {
        loop {
            match hangups.next().await {
                Some(EventItem::Event(hangup)) => return Ok(hangup),
                Some(_) => continue, // Reconnected or Lagged: markers, not events
                None => return Err("the event stream ended"),
            }
        }
    })
    .await??;
    println!(
        "Hangup {}: cause {:?} ({})",
        hangup.channel.channel.as_deref().unwrap_or("?"),
        hangup.cause,
        hangup.cause_txt.as_deref().unwrap_or("")
    );

    client.disconnect().await?;
    Ok(())
}
