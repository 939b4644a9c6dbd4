//! The ARI side of the examples: the real Asterisk of `ASTERISK_ARI`, or a
//! freshly started mock ARI server.

use super::Result;
use super::settings::Settings;
use asterisk_sdk_mock::ari::MockAri;

/// An ARI server to use (no `Debug`: it holds the password).
pub struct AriServer {
    /// Base URL, e.g. `http://127.0.0.1:8088` (ARI lives below `/ari`).
    pub url: String,
    /// ARI user.
    pub user: String,
    /// Its password (never printed).
    pub password: String,
    /// The mock behind the URL when no real Asterisk was given; it stops when
    /// this is dropped.
    pub mock: Option<MockAri>,
}

/// The real Asterisk of `ASTERISK_ARI`, or a mock (simulated delays at a fifth of
/// real time) accepting the configured user.
pub async fn server(settings: &Settings) -> Result<AriServer> {
    let (mock, url) = match &settings.ari {
        Some(url) => (None, url.clone()),
        None => {
            let mock = MockAri::builder()
                .credentials(&settings.ari_user, &settings.ari_password)
                .time_scale(0.2)
                .start()
                .await?;
            let url = mock.base_url();
            (Some(mock), url)
        }
    };
    Ok(AriServer {
        url,
        user: settings.ari_user.clone(),
        password: settings.ari_password.clone(),
        mock,
    })
}

impl AriServer {
    /// The base URL, and whether it is the mock.
    pub fn describe(&self) -> String {
        let what = if self.mock.is_some() {
            "built-in mock"
        } else {
            "Asterisk"
        };
        format!("{what} at {}", self.url)
    }
}
