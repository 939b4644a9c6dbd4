//! A FastAGI IVR: a server that Asterisk calls for `AGI(agi://host:4573/ivr)`,
//! which answers, greets, reads a 4-digit PIN, tells whether it is right, stores
//! the outcome in a channel variable and hangs up.
//!
//! By default the built-in mock Asterisk calls the server once and presses
//! `1234`; with `ASTERISK_AMI` set, a real Asterisk is asked to call
//! `ASTERISK_DIAL` into the IVR (the server listens on `ASTERISK_AGI_BIND`,
//! default `127.0.0.1:4573`). Exits non-zero when no call completes within 30 s.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example agi_ivr             # against the built-in mock
//! ASTERISK_AMI=127.0.0.1:5038 ASTERISK_DIAL=Local/100@default \
//!   cargo run -p asterisk-sdk --example agi_ivr
//! ```

#[path = "support/mod.rs"]
mod support;

use asterisk_sdk::agi::{
    AgiChannel, AgiCommands, AgiError, AgiRequest, FastAgiServer, ServerConfig,
};
use asterisk_sdk_mock::agi::MockAgi;
use std::process::ExitCode;
use tokio::sync::mpsc;

/// The PIN the IVR accepts.
const PIN: &str = "1234";

/// One call through the IVR; returns the digits the caller entered.
async fn ivr(request: AgiRequest, mut channel: AgiChannel) -> Result<String, AgiError> {
    println!(
        "call on {} from {:?} for script {:?}",
        request.channel, request.caller_id, request.script
    );
    channel.answer().await?;
    channel.stream_file("welcome", "", None).await?;
    let input = channel.get_data("enter-pin", Some(5000), Some(4)).await?;
    let accepted = input.digits == PIN;
    println!("PIN entered: {:?} (accepted: {accepted})", input.digits);
    let verdict = if accepted {
        "auth-thankyou"
    } else {
        "auth-incorrect"
    };
    channel.stream_file(verdict, "", None).await?;
    channel
        .set_variable("IVR_PIN_OK", if accepted { "1" } else { "0" })
        .await?;
    channel.hangup(None).await?;
    Ok(input.digits)
}

#[tokio::main]
async fn main() -> ExitCode {
    support::exit(run().await)
}

async fn run() -> support::Result {
    let settings = support::Settings::from_env();

    // The server runs each call's handler in its own task; this one reports
    // each call's outcome back to `run`.
    let server = FastAgiServer::from_listener(
        support::agi::listener(&settings).await?,
        ServerConfig::default(),
    );
    let addr = server.local_addr()?;
    let stop = server.shutdown_handle();
    let (calls_done, mut outcomes) = mpsc::unbounded_channel();
    let serving = tokio::spawn(server.serve(move |request, channel| {
        let calls_done = calls_done.clone();
        async move {
            let outcome = ivr(request, channel).await;
            let _ = calls_done.send(outcome.as_ref().map_err(|e| e.to_string()).cloned());
            outcome.map(|_| ())
        }
    }));
    println!("FastAGI server listening on {addr}");

    let caller = support::agi::call(&settings, addr, "ivr", mock_caller()).await?;
    let outcome = support::within(30, "completed call", outcomes.recv())
        .await?
        .ok_or("the FastAGI server stopped")?;
    let digits = outcome.map_err(|e| format!("the IVR failed: {e}"))?;
    println!("call done: PIN {digits:?}; {}", caller.finish().await?);

    stop.shutdown();
    serving.await??;
    Ok(())
}

/// What the mock Asterisk answers to the IVR's commands (a real Asterisk
/// answers on its own).
fn mock_caller() -> MockAgi {
    MockAgi::new()
        .env("agi_callerid", "5551000")
        .expect("ANSWER", "200 result=0")
        .expect("STREAM FILE welcome \"\"", "200 result=0 endpos=12000")
        .expect("GET DATA enter-pin 5000 4", "200 result=1234")
        .expect("STREAM FILE auth-thankyou \"\"", "200 result=0 endpos=9000")
        .expect("SET VARIABLE IVR_PIN_OK 1", "200 result=1")
        .expect("HANGUP", "200 result=1")
        .send_hangup()
        .close()
}
