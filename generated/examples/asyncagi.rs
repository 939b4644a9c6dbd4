//! AsyncAGI over AMI: a channel running `AGI(agi:async)` announces itself with
//! `AsyncAGIStart`; the SDK turns that into a session whose AGI commands go out
//! as `Action: AGI` and whose results come back in `AsyncAGIExec` events.
//!
//! By default the built-in mock Asterisk puts one channel into AsyncAGI; with
//! `ASTERISK_AMI` set, a real Asterisk is asked to call `ASTERISK_DIAL` into
//! `AGI(agi:async)`. Exits non-zero when no session starts within 30 s or a
//! command fails.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example asyncagi            # against the built-in mock
//! ASTERISK_AMI=127.0.0.1:5038 ASTERISK_DIAL=Local/100@default \
//!   cargo run -p asterisk-sdk --example asyncagi
//! ```

#[path = "support/mod.rs"]
mod support;

use asterisk_sdk::agi::{AgiCommands, AmiAsyncAgi};
use asterisk_sdk::ami::AmiClient;
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

    // Listen for AsyncAGIStart before a channel can enter AsyncAGI.
    let agi = AmiAsyncAgi::new(client.clone());
    let mut sessions = agi.sessions();
    println!(
        "{}",
        ami.start_async_agi_call(&client, &settings.dial).await?
    );

    let mut session = support::within(30, "AsyncAGIStart", sessions.next())
        .await?
        .ok_or("the AMI event stream ended")??;
    println!(
        "session on {} (caller {:?})",
        session.request.channel, session.request.caller_id
    );

    // The same typed AGI methods as over FastAGI.
    let agi_channel = &mut session.channel;
    agi_channel.answer().await?;
    let name = agi_channel.get_variable("CHANNEL(name)").await?;
    println!("ANSWER ok; CHANNEL(name) = {name:?}");
    agi_channel.verbose("hello from asterisk-sdk", 1).await?;
    // Leave AsyncAGI: the channel continues in the dialplan.
    agi_channel.asyncagi_break().await?;
    println!("ASYNCAGI BREAK: the channel is back in the dialplan");

    client.disconnect().await?;
    Ok(())
}
