//! The AGI side of the examples: where a FastAGI server listens, and who calls
//! it — the scripted mock Asterisk, or a real Asterisk asked over AMI.

use super::Result;
use super::settings::Settings;
use asterisk_sdk::ami::actions::Originate;
use asterisk_sdk_mock::agi::{MockAgi, MockReport};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A listener on `ASTERISK_AGI_BIND` (default `127.0.0.1:4573`). With the mock
/// and the default address busy, a free port instead.
pub async fn listener(settings: &Settings) -> Result<TcpListener> {
    match TcpListener::bind(&settings.agi_bind).await {
        Ok(listener) => Ok(listener),
        Err(e) if !settings.agi_bind_explicit && !settings.real() => {
            println!(
                "({} is busy: {e}; the mock calls a free port instead)",
                settings.agi_bind
            );
            Ok(TcpListener::bind("127.0.0.1:0").await?)
        }
        Err(e) => Err(format!("cannot listen on {}: {e}", settings.agi_bind).into()),
    }
}

/// A call into a FastAGI server, under way.
pub struct Caller {
    /// The mock playing its script, when no real Asterisk was given.
    mock: Option<JoinHandle<std::io::Result<MockReport>>>,
}

/// Call the FastAGI server at `addr` for script `path` (path and query of the
/// `agi://` URL): the mock Asterisk plays `script`; with `ASTERISK_AMI` set, the
/// real Asterisk is asked over AMI to call `ASTERISK_DIAL` into
/// `AGI(agi://<addr>/<path>)`.
pub async fn call(
    settings: &Settings,
    addr: SocketAddr,
    path: &str,
    script: MockAgi,
) -> Result<Caller> {
    if !settings.real() {
        println!("(the mock Asterisk calls agi://{addr}/{path})");
        let mock = script.script_path(path).run(addr);
        return Ok(Caller {
            mock: Some(tokio::spawn(mock)),
        });
    }
    let ami = super::ami::server(settings).await?;
    let client = ami.connect().await?;
    let url = format!("agi://{addr}/{path}");
    let originate = Originate::new(&settings.dial)
        .application("AGI")
        .data(&url)
        .async_(true);
    client.send(&originate).await?.into_result()?;
    println!("(Asterisk calls {} into AGI({url}))", settings.dial);
    client.disconnect().await?;
    Ok(Caller { mock: None })
}

impl Caller {
    /// Wait for the mock to finish its script and fail when the server sent
    /// other commands than scripted; at once for a real Asterisk. Returns what the
    /// mock saw.
    pub async fn finish(self) -> Result<String> {
        let Some(mock) = self.mock else {
            return Ok("a real Asterisk called".into());
        };
        let report = mock.await??;
        if !report.mismatches.is_empty() {
            return Err(format!(
                "commands differ from the mock's script (expected, received): {:?}",
                report.mismatches
            )
            .into());
        }
        Ok(format!(
            "the mock saw {} commands, all as scripted",
            report.commands.len()
        ))
    }
}
