//! The tour: every interface of the SDK, step by step, against the built-in mock
//! Asterisk — or against a real Asterisk when `ASTERISK_AMI` (and for ARI
//! `ASTERISK_ARI`) is set. Every step is printed; any failure exits non-zero.
//!
//! ```sh
//! cargo run -p asterisk-sdk --example tour
//! ASTERISK_AMI=127.0.0.1:5038 ASTERISK_AMI_USER=admin ASTERISK_AMI_SECRET=amp111 \
//!   ASTERISK_DIAL=Local/100@default cargo run -p asterisk-sdk --example tour
//! ```

mod agi;
mod ami;
mod ari;
#[path = "../support/mod.rs"]
mod support;

use std::process::ExitCode;
use support::Settings;

/// Print one step.
pub fn step(part: &str, what: impl std::fmt::Display) {
    println!("[{part}] {what}");
}

#[tokio::main]
async fn main() -> ExitCode {
    let settings = Settings::from_env();
    println!("asterisk-sdk tour ({})", settings.describe());
    let result = run(&settings).await;
    match result {
        Ok(()) => {
            println!("tour finished: every step passed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tour failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(settings: &Settings) -> support::Result {
    let ami = ami::Ami::start(settings).await?;
    ami.tour(settings).await?;
    agi::tour(settings, &ami).await?;
    ari::tour(settings).await?;
    ami.finish().await?;
    Ok(())
}
