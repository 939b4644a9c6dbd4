//! What the WebSocket servers (the outbound ARI server, the media server) check
//! in an upgrade request: Basic credentials, and the sub-protocol to echo.

use super::basic::parse_header;
use super::config::Credentials;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};

/// The user the request presents, after checking it against `required` (when
/// set); a refusal is an HTTP 401 to send back.
// The error type is tungstenite's; its size is not ours to choose.
#[allow(clippy::result_large_err)]
pub(crate) fn check_credentials(
    request: &Request,
    required: Option<&Credentials>,
) -> Result<Option<String>, ErrorResponse> {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_header);
    if let Some(required) = required {
        match &presented {
            Some((user, password))
                if *user == required.username && *password == required.password => {}
            _ => return Err(unauthorized()),
        }
    }
    Ok(presented.map(|(user, _)| user))
}

fn unauthorized() -> ErrorResponse {
    let mut response = ErrorResponse::new(Some("{\"message\":\"Authentication required\"}".into()));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Asterisk REST Interface\""),
    );
    response
}

/// Answer with `protocol` when the request offers it.
pub(crate) fn echo_protocol(request: &Request, response: &mut Response, protocol: &'static str) {
    let offered = request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == protocol);
    if offered {
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(protocol),
        );
    }
}
