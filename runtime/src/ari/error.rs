//! Errors of ARI operations: transport failures, error statuses from Asterisk
//! (typed by code, with Asterisk's `{"message": …}` text) and undecodable bodies.

use super::transport::TransportError;
use std::fmt;

/// What an error status means, by HTTP code. Open: codes without a variant are
/// kept in `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400: a parameter is missing or invalid.
    BadRequest,
    /// 401: no or wrong credentials.
    Unauthorized,
    /// 403: the operation is not allowed.
    Forbidden,
    /// 404: the resource (channel, bridge, …) does not exist.
    NotFound,
    /// 405: the method is not allowed on this path.
    MethodNotAllowed,
    /// 409: the resource is in a state that does not allow the operation.
    Conflict,
    /// 412: a precondition failed (e.g. the channel is not in a Stasis application).
    PreconditionFailed,
    /// 422: a referenced entity (application, media, …) cannot be processed.
    UnprocessableEntity,
    /// 500: Asterisk failed internally.
    InternalServerError,
    /// 501: not implemented by this Asterisk.
    NotImplemented,
    /// 503: the service is unavailable.
    ServiceUnavailable,
    /// Any other status code.
    Other(u16),
}

impl ErrorKind {
    /// The kind of a status code.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            409 => Self::Conflict,
            412 => Self::PreconditionFailed,
            422 => Self::UnprocessableEntity,
            500 => Self::InternalServerError,
            501 => Self::NotImplemented,
            503 => Self::ServiceUnavailable,
            other => Self::Other(other),
        }
    }

    /// The status code of this kind.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict => 409,
            Self::PreconditionFailed => 412,
            Self::UnprocessableEntity => 422,
            Self::InternalServerError => 500,
            Self::NotImplemented => 501,
            Self::ServiceUnavailable => 503,
            Self::Other(code) => code,
        }
    }
}

/// An error status returned by Asterisk for one operation.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation, as `resource.nickname` (e.g. `channels.answer`).
    pub operation: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// The status code's meaning.
    pub kind: ErrorKind,
    /// Whether the operation's documentation lists this code.
    pub documented: bool,
    /// Asterisk's `message` from the JSON error body, when there is one.
    pub message: Option<String>,
    /// The raw body (at most [`ApiError::BODY_KEPT`] bytes).
    pub body: Vec<u8>,
}

impl ApiError {
    /// How many bytes of an error body are kept.
    pub const BODY_KEPT: usize = 4096;

    /// Build from a status and its body; reads `{"message": "…"}` when present.
    pub fn new(operation: &'static str, status: u16, documented: &[u16], body: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        struct Body {
            message: Option<String>,
        }
        let message = serde_json::from_slice::<Body>(body)
            .ok()
            .and_then(|b| b.message);
        let kept = &body[..body.len().min(Self::BODY_KEPT)];
        ApiError {
            operation,
            status,
            kind: ErrorKind::from_status(status),
            documented: documented.contains(&status),
            message,
            body: kept.to_vec(),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("kind", &self.kind)
            .field("documented", &self.documented)
            .field("message", &self.message)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ARI {} failed with status {}",
            self.operation, self.status
        )?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if !self.documented {
            f.write_str(" (status not documented for this operation)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Why an ARI operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AriError {
    /// The request got no response.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// Asterisk answered with an error status.
    #[error(transparent)]
    Api(ApiError),
    /// A success response whose body does not decode to the documented type.
    #[error("ARI {operation}: cannot decode the {status} response: {source}")]
    Decode {
        /// The operation, as `resource.nickname`.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The server's release line lacks the operation: refused before it was
    /// sent (see [`crate::version`]; turn the check off with the generated
    /// `AriClient::version_check`).
    #[error(transparent)]
    Unsupported(#[from] crate::version::Unsupported),
}

impl AriError {
    /// The error status, when Asterisk answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The status's meaning, when Asterisk answered with an error status.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Self::Api(e) => Some(e.kind),
            _ => None,
        }
    }

    /// Asterisk's message, when the error body had one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.message.as_deref(),
            _ => None,
        }
    }

    /// Whether Asterisk answered 404 (the resource does not exist).
    pub fn is_not_found(&self) -> bool {
        self.kind() == Some(ErrorKind::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_asterisk_message_and_documentation() {
        let e = ApiError::new(
            "playbacks.get",
            404,
            &[404],
            br#"{"message":"Playback not found"}"#,
        );
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.documented);
        assert_eq!(e.message.as_deref(), Some("Playback not found"));
        assert_eq!(
            e.to_string(),
            "ARI playbacks.get failed with status 404: Playback not found"
        );
        let odd = ApiError::new("channels.answer", 418, &[404], b"not json");
        assert_eq!(odd.kind, ErrorKind::Other(418));
        assert_eq!(odd.kind.status(), 418);
        assert!(!odd.documented);
        assert!(odd.message.is_none());
    }

    #[test]
    fn kinds_round_trip_their_codes() {
        for code in [400, 401, 403, 404, 405, 409, 412, 422, 500, 501, 503, 599] {
            assert_eq!(ErrorKind::from_status(code).status(), code);
        }
    }
}
