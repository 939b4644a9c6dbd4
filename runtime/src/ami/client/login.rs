//! Authentication (`Challenge`/MD5 with plaintext fallback, or plaintext) and the
//! session settings applied after every login.

use super::super::action::ActionHeaders;
use super::super::response::Response;
use super::AmiError;
use super::config::{AuthMode, Config};
use super::connection::ConnHandle;
use md5::{Digest, Md5};

/// Lowercase hex MD5 of `challenge` followed by `secret`: the `Key` of an MD5 login.
pub fn md5_key(challenge: &str, secret: &str) -> String {
    let mut h = Md5::new();
    h.update(challenge.as_bytes());
    h.update(secret.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(32);
    for b in digest.iter() {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

fn message_of(r: &Response) -> String {
    r.message.as_deref().unwrap_or("").to_string()
}

/// Log in on a fresh connection, then apply the session filters.
pub(crate) async fn login(conn: &ConnHandle, cfg: &Config) -> Result<(), AmiError> {
    let timeout = cfg.action_timeout;
    let key = match cfg.auth {
        AuthMode::Plaintext => None,
        AuthMode::Md5 | AuthMode::Md5WithFallback => {
            let mut h = ActionHeaders::new();
            h.set("AuthType", "MD5");
            let r = Response::from_message(conn.request("Challenge", &h, None, timeout).await?);
            match r.get("Challenge") {
                Some(challenge) if r.is_success() => Some(md5_key(challenge, &cfg.secret.0)),
                _ if cfg.auth == AuthMode::Md5WithFallback => {
                    tracing::debug!("AMI MD5 challenge refused; falling back to plaintext login");
                    None
                }
                _ => {
                    return Err(AmiError::Auth {
                        message: format!("MD5 challenge refused: {}", message_of(&r)),
                    });
                }
            }
        }
    };
    let mut h = ActionHeaders::new();
    h.set("Username", cfg.username.clone());
    match key {
        Some(key) => {
            h.set("AuthType", "MD5");
            h.set("Key", key);
        }
        None => h.set("Secret", cfg.secret.0.clone()),
    }
    if let Some(mask) = &cfg.events_mask {
        h.set("Events", mask.clone());
    }
    let r = Response::from_message(conn.request("Login", &h, None, timeout).await?);
    if !r.is_success() {
        return Err(AmiError::Auth {
            message: message_of(&r),
        });
    }
    for filter in &cfg.filters {
        let mut h = ActionHeaders::new();
        h.set("Operation", "Add");
        h.set("Filter", filter.clone());
        let r = Response::from_message(conn.request("Filter", &h, None, timeout).await?);
        if !r.is_success() {
            return Err(AmiError::Setup(format!(
                "filter {filter:?} rejected: {}",
                message_of(&r)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_matches_the_real_capture() {
        // From fixtures/asterisk-23.4.1/ami-md5-login.txt.
        assert_eq!(
            md5_key("123756553", "amp111"),
            "379d3328f51bcb303a6235bd09cdde5b"
        );
    }
}
