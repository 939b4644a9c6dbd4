//! The AMI side of the examples: the address of the real Asterisk of
//! `ASTERISK_AMI` or of a freshly started mock, and an AsyncAGI call on it.

use super::Result;
use super::settings::{Settings, host_port};
use asterisk_sdk::ami::AmiClient;
use asterisk_sdk::ami::actions::Originate;
use asterisk_sdk_mock::ami::MockAmi;
use std::time::Duration;

/// An AMI server to log in to (no `Debug`: it holds the secret).
pub struct AmiServer {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// AMI user.
    pub user: String,
    /// Its secret (never printed).
    pub secret: String,
    /// The mock behind the address when no real Asterisk was given; it stops
    /// when this is dropped.
    pub mock: Option<MockAmi>,
}

/// The real Asterisk of `ASTERISK_AMI`, or a mock started on a free port that
/// accepts the configured user.
pub async fn server(settings: &Settings) -> Result<AmiServer> {
    let (mock, host, port) = match &settings.ami {
        Some(addr) => {
            let (host, port) = host_port(addr, 5038);
            (None, host, port)
        }
        None => {
            let mock = MockAmi::builder()
                .user(&settings.ami_user, &settings.ami_secret)
                .start()
                .await?;
            let addr = mock.addr();
            (Some(mock), addr.ip().to_string(), addr.port())
        }
    };
    Ok(AmiServer {
        host,
        port,
        user: settings.ami_user.clone(),
        secret: settings.ami_secret.clone(),
        mock,
    })
}

impl AmiServer {
    /// Log in with bounded waits (for the support code and the tour; the AMI
    /// examples spell the builder out).
    pub async fn connect(&self) -> Result<AmiClient> {
        let client = AmiClient::builder()
            .host(self.host.clone())
            .port(self.port)
            .credentials(&self.user, &self.secret)
            .connect_timeout(Duration::from_secs(5))
            .action_timeout(Duration::from_secs(10))
            .connect()
            .await?;
        Ok(client)
    }

    /// `host:port`, and whether it is the mock.
    pub fn describe(&self) -> String {
        let what = if self.mock.is_some() {
            "built-in mock"
        } else {
            "Asterisk"
        };
        format!("{what} at {}:{}", self.host, self.port)
    }

    /// Put a channel into AsyncAGI: the mock announces one with
    /// `AsyncAGIStart`; a real Asterisk is asked (over `client`) to call `dial`
    /// and run `AGI(agi:async)` on it. Returns what was done.
    pub async fn start_async_agi_call(&self, client: &AmiClient, dial: &str) -> Result<String> {
        match &self.mock {
            Some(mock) => {
                let channel = "Local/500@asyncagi-00000001;2";
                mock.set_agi_result("GET VARIABLE", &format!("200 result=1 ({channel})"));
                mock.start_async_agi(
                    channel,
                    &[
                        ("agi_request", "async"),
                        ("agi_channel", channel),
                        ("agi_callerid", "1000"),
                        ("agi_priority", "2"),
                    ],
                )
                .await;
                Ok(format!("the mock put {channel} into AsyncAGI"))
            }
            None => {
                let originate = Originate::new(dial)
                    .application("AGI")
                    .data("agi:async")
                    .async_(true);
                client.send(&originate).await?.into_result()?;
                Ok(format!("Originate {dial} -> AGI(agi:async)"))
            }
        }
    }
}
