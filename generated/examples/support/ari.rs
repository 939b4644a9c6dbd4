//! The ARI side of the examples: the real Asterisk of `ASTERISK_ARI`, or a
//! freshly started mock ARI server.

use super::Result;
use super::settings::Settings;
use asterisk_sdk_mock::ari::MockAri;
use asterisk_sdk_mock::media::MockMediaConfig;

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
            // Media peers play at a fifth of real time too, and do not echo
            // (the application does).
            let media = MockMediaConfig {
                pacing: 0.2,
                echo: false,
                ..MockMediaConfig::default()
            };
            let mock = MockAri::builder()
                .credentials(&settings.ari_user, &settings.ari_password)
                .time_scale(0.2)
                .media(media)
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

/// With the mock, play the caller on the media connection `connection_id`:
/// `seconds` of audio and the DTMF digit `#`; returns the frames sent. With a
/// real Asterisk, `None` (the call talks by itself).
pub fn caller_audio(
    server: &AriServer,
    connection_id: &str,
    seconds: usize,
) -> Result<Option<u64>> {
    let Some(mock) = &server.mock else {
        return Ok(None);
    };
    let peer = mock
        .media_peer(connection_id)
        .ok_or("the mock has no media peer for the connection id")?;
    let size = peer.config().optimal_frame_size.max(1);
    let frames = seconds * 1000 / peer.config().ptime.max(1) as usize;
    let audio: Vec<u8> = (0..frames * size).map(|i| (i % 251) as u8).collect();
    if !peer.send_audio(&audio) || !peer.send_dtmf('#') {
        return Err("the mock media peer is not connected".into());
    }
    println!("(the mock plays the caller: {seconds} s of audio and DTMF #)");
    Ok(Some(frames as u64))
}
