//! HTTP Basic authentication: the `Authorization` header value and its check
//! (used by the events WebSocket client, the outbound server and the mock).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// `Basic <base64(user:password)>`.
pub fn header_value(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{username}:{password}"))
    )
}

/// The `(user, password)` of a `Basic …` header value, if well formed.
pub fn parse_header(value: &str) -> Option<(String, String)> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
    let (u, p) = decoded.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_credentials() {
        let v = header_value("asterisk", "se:cret");
        assert_eq!(v, "Basic YXN0ZXJpc2s6c2U6Y3JldA==");
        assert_eq!(
            parse_header(&v),
            Some(("asterisk".to_string(), "se:cret".to_string()))
        );
        assert_eq!(parse_header("Bearer x"), None);
        assert_eq!(parse_header("Basic !!!"), None);
    }
}
