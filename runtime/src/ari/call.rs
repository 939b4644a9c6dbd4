//! Running one generated ARI operation over any [`AriTransport`]: send, turn an
//! error status into [`AriError::Api`], decode the success body.

use super::error::{ApiError, AriError};
use super::transport::{AriRequest, AriResponse, AriTransport};
use crate::version::{Availability, ServerVersion, VersionGate};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How long a version learned from `GET /asterisk/info` is trusted before the
/// next checked operation asks again: a long-running app follows an Asterisk
/// upgraded under it without a request per operation.
pub const VERSION_MAX_AGE: Duration = Duration::from_secs(600);

/// The server's version, learned from `GET /asterisk/info` (`system.version`)
/// and kept for [`VERSION_MAX_AGE`] or until [`VersionGate::forget`];
/// `Ok(None)` when Asterisk answered without one or with an error status (the
/// answer is kept as long). A transport failure is returned and the next call
/// asks again.
pub async fn server_version(
    transport: &dyn AriTransport,
    gate: &VersionGate,
) -> Result<Option<ServerVersion>, AriError> {
    if gate.learned_within(VERSION_MAX_AGE) {
        return Ok(gate.server_version());
    }
    let request = AriRequest::new("GET", "/asterisk/info").query("only", "system");
    let response = transport.send(request).await?;
    let version = if (200..300).contains(&response.status) {
        serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .and_then(|v| {
                v.pointer("/system/version")
                    .and_then(|s| s.as_str())
                    .map(ServerVersion::parse)
            })
    } else {
        None
    };
    if version.is_none() {
        tracing::debug!(
            status = response.status,
            "GET /asterisk/info gave no system.version; operations are not checked against the server's release"
        );
    }
    gate.learn(version.clone());
    Ok(version)
}

/// Refuse `operation` with [`AriError::Unsupported`] when the server's release
/// line lacks it (the rules of [`crate::version`]), learning the server's
/// version first when the check could refuse it. Not knowing the version (a
/// transport failure while asking) lets the operation through.
pub async fn admit(
    transport: &dyn AriTransport,
    gate: &VersionGate,
    operation: &'static str,
    availability: &Availability,
) -> Result<(), AriError> {
    if !gate.matters(Some(availability)) {
        return Ok(());
    }
    if let Err(e) = server_version(transport, gate).await {
        tracing::debug!(error = %e, "cannot learn the Asterisk version; {operation} is not checked");
    }
    gate.admit(operation, Some(availability))?;
    Ok(())
}

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

    /// Answers `GET /asterisk/info` with `version` and counts the requests.
    struct Info {
        version: &'static str,
        asked: std::sync::atomic::AtomicUsize,
    }

    impl AriTransport for Info {
        fn send(&self, request: AriRequest) -> TransportFuture<'_> {
            assert_eq!(
                (request.method, request.path.as_str()),
                ("GET", "/asterisk/info")
            );
            self.asked
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let body = format!(
                r#"{{"system":{{"version":"{}","entity_id":"x"}}}}"#,
                self.version
            );
            Box::pin(async move { Ok(AriResponse::new(200, None, body)) })
        }
    }

    const NOT_21: Availability =
        Availability::new(&["20.20.1", "22.10.1"], &["20.20.1", "21.12.3", "22.10.1"]);

    #[test]
    fn admit_learns_the_version_once_and_refuses_what_the_line_lacks() {
        let t = Info {
            version: "21.12.3",
            asked: Default::default(),
        };
        let gate = VersionGate::default();
        let err = run(admit(&t, &gate, "events.claimChannel", &NOT_21)).expect_err("21 lacks it");
        match err {
            AriError::Unsupported(u) => {
                assert_eq!(u.name, "events.claimChannel");
                assert_eq!(u.server_version, "21.12.3");
                assert_eq!(u.available_in, ["20.20.1", "22.10.1"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(run(admit(&t, &gate, "events.claimChannel", &NOT_21)).is_err());
        assert_eq!(t.asked.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(
            run(server_version(&t, &gate))
                .unwrap()
                .map(|v| v.to_string()),
            Some("21.12.3".to_string())
        );
        assert_eq!(t.asked.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[test]
    fn a_forgotten_version_is_asked_again_and_an_upgrade_is_seen() {
        let gate = VersionGate::default();
        let before = Info {
            version: "21.12.3",
            asked: Default::default(),
        };
        assert!(run(admit(&before, &gate, "events.claimChannel", &NOT_21)).is_err());
        // Asterisk was upgraded under the app; the events socket reconnected.
        gate.forget();
        let after = Info {
            version: "22.10.1",
            asked: Default::default(),
        };
        assert!(run(admit(&after, &gate, "events.claimChannel", &NOT_21)).is_ok());
        assert_eq!(after.asked.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(
            gate.server_version().map(|v| v.to_string()),
            Some("22.10.1".to_string())
        );
    }

    #[test]
    fn admit_asks_nothing_when_the_check_is_off() {
        let t = Info {
            version: "21.12.3",
            asked: Default::default(),
        };
        let gate = VersionGate::new(false);
        assert!(run(admit(&t, &gate, "events.claimChannel", &NOT_21)).is_ok());
        assert_eq!(t.asked.load(std::sync::atomic::Ordering::Relaxed), 0);
    }

    #[test]
    fn admit_trusts_a_newer_server() {
        let t = Info {
            version: "24.0.0",
            asked: Default::default(),
        };
        let gate = VersionGate::default();
        assert!(run(admit(&t, &gate, "events.claimChannel", &NOT_21)).is_ok());
        assert_eq!(t.asked.load(std::sync::atomic::Ordering::Relaxed), 1);
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
