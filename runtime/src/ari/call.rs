//! Running one generated ARI operation over any [`AriTransport`]: send, turn an
//! error status into [`AriError::Api`], decode the success body.

use super::error::{ApiError, AriError};
use super::transport::{AriRequest, AriResponse, AriTransport};
use serde::de::DeserializeOwned;

/// Send `request` and return the response when its status is 2xx; any other
/// status becomes [`AriError::Api`], marked documented when `documented` lists it.
pub async fn send(
    transport: &dyn AriTransport,
    operation: &'static str,
    documented: &[u16],
    request: AriRequest,
) -> Result<AriResponse, AriError> {
    let response = transport.send(request).await?;
    if (200..300).contains(&response.status) {
        Ok(response)
    } else {
        Err(AriError::Api(ApiError::new(
            operation,
            response.status,
            documented,
            &response.body,
        )))
    }
}

/// Decode a JSON success body.
pub fn json<T: DeserializeOwned>(
    operation: &'static str,
    response: AriResponse,
) -> Result<T, AriError> {
    serde_json::from_slice(&response.body).map_err(|source| AriError::Decode {
        operation,
        status: response.status,
        source,
    })
}

/// A success without a documented body (`void`): the body is ignored.
pub fn unit(response: AriResponse) -> Result<(), AriError> {
    let _ = response;
    Ok(())
}

/// A binary success body, as sent.
pub fn bytes(response: AriResponse) -> Result<Vec<u8>, AriError> {
    Ok(response.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ari::error::ErrorKind;
    use crate::ari::transport::TransportFuture;

    struct Fixed(u16, &'static [u8]);

    impl AriTransport for Fixed {
        fn send(&self, _request: AriRequest) -> TransportFuture<'_> {
            let response = AriResponse {
                status: self.0,
                content_type: Some("application/json".into()),
                body: self.1.to_vec(),
            };
            Box::pin(async move { Ok(response) })
        }
    }

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn error_status_is_typed() {
        let t = Fixed(409, br#"{"message":"Channel not in Stasis application"}"#);
        let err = run(send(
            &t,
            "channels.answer",
            &[404, 409, 412],
            AriRequest::new("POST", "/x"),
        ))
        .expect_err("409 is an error");
        assert_eq!(err.kind(), Some(ErrorKind::Conflict));
        assert_eq!(err.message(), Some("Channel not in Stasis application"));
        match err {
            AriError::Api(e) => assert!(e.documented),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_success_body_is_a_decode_error() {
        let t = Fixed(200, b"{not json");
        let resp = run(send(
            &t,
            "asterisk.ping",
            &[],
            AriRequest::new("GET", "/asterisk/ping"),
        ))
        .expect("200");
        let err = json::<serde_json::Value>("asterisk.ping", resp).expect_err("bad JSON");
        assert!(
            matches!(err, AriError::Decode { status: 200, .. }),
            "{err:?}"
        );
    }
}
