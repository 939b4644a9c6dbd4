//! `asterisk-bus`: bridges the Asterisk servers listed in a TOML file to NATS
//! JetStream (see the `bus::file` module for the format). Exits cleanly on
//! SIGTERM or Ctrl-C after publishing what it buffered.
//!
//! `asterisk-bus <config.toml>`

use asterisk_sdk_runtime::bus::Bridge;
use asterisk_sdk_runtime::bus::file::BridgeFile;
use std::process::ExitCode;

const USAGE: &str = "usage: asterisk-bus <config.toml>";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if path == "-h" || path == "--help" {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let file = match BridgeFile::load(std::path::Path::new(&path)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("asterisk-bus: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("asterisk-bus: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(file)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("asterisk-bus: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(file: BridgeFile) -> Result<(), Box<dyn std::error::Error>> {
    let config = file.bus_config()?;
    let fleet = file.fleet_builder().connect().await?;
    let nats = file
        .connect_options()
        .connect(file.nats.url.expose())
        .await?;
    let bridge = Bridge::start(fleet, nats.clone(), config).await?;
    let nodes: Vec<String> = bridge.fleet().nodes().map(|n| n.to_string()).collect();
    eprintln!(
        "asterisk-bus: bridging {} to {}",
        nodes.join(", "),
        file.nats.url
    );
    wait_for_signal().await?;
    eprintln!("asterisk-bus: stopping; publishing what is buffered");
    for (node, stats) in bridge.shutdown().await {
        eprintln!(
            "asterisk-bus: {node}: {} queued, {} acknowledged ({} already stored), {} retries",
            stats.queued, stats.acked, stats.duplicates, stats.retries
        );
    }
    nats.flush().await?;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => Ok(()),
        r = tokio::signal::ctrl_c() => r,
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}
