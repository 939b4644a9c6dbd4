//! Originate with `Async: true`, then wait for its `OriginateResponse`, matched
//! to the action by `ActionID`.
//!
//! An asynchronous Originate is answered at once ("Originate successfully
//! queued"); whether the call was placed arrives later as an `OriginateResponse`
//! event carrying the action's `ActionID`. The client gives every action an
//! `ActionID` and the answer echoes it, so the example reads it from the answer.
//! Exits non-zero when no `OriginateResponse` arrives within 30 s or it reports
//! a failure.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example ami_originate          # against the built-in mock
//! ASTERISK_AMI=127.0.0.1:5038 ASTERISK_AMI_USER=admin ASTERISK_AMI_SECRET=amp111 \
//!   ASTERISK_DIAL=PJSIP/100 cargo run -p asterisk-sdk --example ami_originate
//! ```

#[path = "support/mod.rs"]
mod support;

use asterisk_sdk::ami::actions::Originate;
use asterisk_sdk::ami::enums::OriginateResponseResponse;
use asterisk_sdk::ami::events::OriginateResponse;
use asterisk_sdk::ami::{AmiClient, EventItem};
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

    // Subscribe first, so the OriginateResponse cannot pass before we listen.
    let mut responses = client.events::<OriginateResponse>();

    let originate = Originate::new(&settings.dial)
        .application("Wait")
        .data("1")
        .caller_id("\"SDK example\" <1000>")
        .timeout(30_000) // ms to wait for an answer
        .async_(true);
    let queued = client.send(&originate).await?.into_result()?;
    let action_id = queued
        .action_id()
        .ok_or("the Originate answer carries no ActionID")?
        .to_owned();
    println!(
        "Originate {} -> {} (ActionID {action_id})",
        settings.dial,
        queued.message.as_deref().unwrap_or("Success")
    );

    let response = support::within(30, "OriginateResponse", async {
        while let Some(item) = responses.next().await {
            match item {
                EventItem::Event(r) if r.action_id.as_deref() == Some(action_id.as_str()) => {
                    return Ok(r);
                }
                _ => {} // another action's response, or a stream marker
            }
        }
        Err("the event stream ended")
    })
    .await??;

    println!(
        "OriginateResponse for {action_id}: {:?} on {} (uniqueid {}, reason {})",
        response.response,
        response.channel.as_deref().unwrap_or("?"),
        response.uniqueid.as_deref().unwrap_or("?"),
        response.reason.as_deref().unwrap_or("?"),
    );
    if !matches!(response.response, Some(OriginateResponseResponse::Success)) {
        return Err(format!("the call was not placed: {:?}", response.response).into());
    }

    client.disconnect().await?;
    Ok(())
}
