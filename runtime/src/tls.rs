//! TLS trust for the clients (AMI over TLS, ARI over `https://` and `wss://`):
//! [`TlsConfig`] says which servers to trust and builds the rustls
//! configuration with an explicit `ring` provider.
//!
//! Nothing here touches process-wide state: no rustls provider is installed with
//! `install_default`, so an application stays free to install its own (or none).
//!
//! The default trust is the platform's: the certificates of the operating
//! system's store (`/etc/ssl/certs` and friends, the Windows or macOS store, or
//! `SSL_CERT_FILE` / `SSL_CERT_DIR`), loaded when a client is built. Asterisk
//! servers often carry certificates of a company CA that the administrators put
//! in that store; a root list compiled into the program would not know it.

use std::fmt;
use std::sync::Arc;

/// The rustls crate the clients use; build a [`rustls::ClientConfig`] with it to
/// pass one of your own.
pub use tokio_rustls::rustls;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// PEM text holds no certificate or cannot be decoded.
    #[error("CA certificates in PEM: {0}")]
    Pem(String),
    /// A CA certificate cannot serve as a trust anchor.
    #[error("CA certificate not usable: {0}")]
    Certificate(#[source] rustls::Error),
    /// The platform's certificate store could not be read, or holds no usable
    /// certificate, and no CA certificate was added.
    #[error("no trusted root certificates: {0}")]
    NoRoots(String),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(#[source] rustls::Error),
}

/// Which servers a TLS client trusts: the platform's roots (the default), only
/// the CA certificates you add, or a complete rustls configuration of your own.
///
/// ```
/// # fn demo(pem: &[u8]) -> Result<(), asterisk_sdk_runtime::tls::TlsError> {
/// use asterisk_sdk_runtime::tls::TlsConfig;
///
/// // The platform's roots and a company CA.
/// let company = TlsConfig::platform_roots().add_ca_pem(pem)?;
/// // Only a self-signed Asterisk certificate.
/// let pinned = TlsConfig::added_roots_only().add_ca_pem(pem)?;
/// # let _ = (company, pinned);
/// # Ok(())
/// # }
/// ```
///
/// `Debug` shows where the trust comes from, never certificate or key material.
#[derive(Clone)]
pub struct TlsConfig {
    source: Source,
}

#[derive(Clone)]
enum Source {
    Roots {
        platform: bool,
        added: Vec<CertificateDer<'static>>,
    },
    Rustls(Arc<ClientConfig>),
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig::platform_roots()
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Roots { platform, added } => f
                .debug_struct("TlsConfig")
                .field("platform_roots", platform)
                .field("added_roots", &added.len())
                .finish(),
            Source::Rustls(_) => f
                .debug_struct("TlsConfig")
                .field("rustls", &"<ClientConfig>")
                .finish(),
        }
    }
}

impl From<Arc<ClientConfig>> for TlsConfig {
    fn from(config: Arc<ClientConfig>) -> Self {
        TlsConfig::rustls(config)
    }
}

impl From<ClientConfig> for TlsConfig {
    fn from(config: ClientConfig) -> Self {
        TlsConfig::rustls(Arc::new(config))
    }
}

impl TlsConfig {
    /// Trust the platform's root certificates (the default).
    pub fn platform_roots() -> Self {
        TlsConfig {
            source: Source::Roots {
                platform: true,
                added: Vec::new(),
            },
        }
    }

    /// Trust only the CA certificates added with [`TlsConfig::add_ca_pem`] or
    /// [`TlsConfig::add_ca_der`] (a private CA, or a self-signed certificate).
    pub fn added_roots_only() -> Self {
        TlsConfig {
            source: Source::Roots {
                platform: false,
                added: Vec::new(),
            },
        }
    }

    /// Use this rustls configuration as it is (its roots, verifier, client
    /// certificate and provider). Protocols over TLS need no ALPN, so leave
    /// `alpn_protocols` empty.
    pub fn rustls(config: Arc<ClientConfig>) -> Self {
        TlsConfig {
            source: Source::Rustls(config),
        }
    }

    /// Also trust the CA certificates of this PEM text (every `CERTIFICATE`
    /// block). Fails when it holds none or one cannot be decoded. Replaces a
    /// configuration given with [`TlsConfig::rustls`] by the platform's roots plus
    /// these.
    pub fn add_ca_pem(self, pem: impl AsRef<[u8]>) -> Result<Self, TlsError> {
        let certs = CertificateDer::pem_slice_iter(pem.as_ref())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::Pem(e.to_string()))?;
        if certs.is_empty() {
            return Err(TlsError::Pem("no CERTIFICATE block".into()));
        }
        Ok(certs.into_iter().fold(self, TlsConfig::add_certificate))
    }

    /// Also trust this DER-encoded CA certificate. It is checked when a client
    /// is built. Replaces a configuration given with [`TlsConfig::rustls`] like
    /// [`TlsConfig::add_ca_pem`].
    pub fn add_ca_der(self, der: impl Into<Vec<u8>>) -> Self {
        self.add_certificate(CertificateDer::from(der.into()))
    }

    fn add_certificate(mut self, cert: CertificateDer<'static>) -> Self {
        match &mut self.source {
            Source::Roots { added, .. } => added.push(cert),
            Source::Rustls(_) => {
                self.source = Source::Roots {
                    platform: true,
                    added: vec![cert],
                }
            }
        }
        self
    }

    /// The rustls configuration a client uses: the one given, or one built with
    /// the `ring` provider, rustls' safe default protocol versions (TLS 1.2 and
    /// 1.3) and the trusted roots. Reads the platform's store each time it
    /// builds; clients call it once, not per connection.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        let (platform, added) = match &self.source {
            Source::Rustls(config) => return Ok(Arc::clone(config)),
            Source::Roots { platform, added } => (*platform, added),
        };
        let mut roots = RootCertStore::empty();
        for cert in added {
            roots.add(cert.clone()).map_err(TlsError::Certificate)?;
        }
        if platform {
            add_platform_roots(&mut roots)?;
        }
        if roots.is_empty() {
            return Err(TlsError::NoRoots("no CA certificate was added".into()));
        }
        Ok(Arc::new(with_roots(roots)?))
    }
}

/// The provider every configuration built here uses; passed explicitly, never
/// installed as the process default.
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The name to verify in the server's certificate: a DNS name or an IP address
/// (brackets of an IPv6 URL host allowed). `None` when it is neither.
pub(crate) fn server_name(name: &str) -> Option<rustls::pki_types::ServerName<'static>> {
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    rustls::pki_types::ServerName::try_from(bare.to_string()).ok()
}

/// A client configuration with the `ring` provider and these roots.
pub(crate) fn with_roots(roots: RootCertStore) -> Result<ClientConfig, TlsError> {
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Add the platform's roots; certificates of the store that rustls cannot use
/// are skipped (stores commonly hold a few), an unreadable or useless store is an
/// error unless CA certificates were added.
fn add_platform_roots(roots: &mut RootCertStore) -> Result<(), TlsError> {
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::debug!(%error, "platform certificate store");
    }
    let (usable, unusable) = roots.add_parsable_certificates(found.certs);
    if unusable > 0 {
        tracing::debug!(unusable, "platform certificates rustls cannot use");
    }
    if usable == 0 && roots.is_empty() {
        let why = match found.errors.first() {
            Some(error) => error.to_string(),
            None => "the platform's certificate store is empty".into(),
        };
        return Err(TlsError::NoRoots(why));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate as PEM text.
    fn ca_pem() -> String {
        use base64::Engine;
        let made =
            rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
        let b64 = base64::engine::general_purpose::STANDARD.encode(made.cert.der());
        format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n")
    }

    #[test]
    fn pem_adds_every_certificate() {
        let pem = format!("comment\n{}{}", ca_pem(), ca_pem());
        let tls = TlsConfig::added_roots_only().add_ca_pem(pem).expect("pem");
        assert_eq!(
            format!("{tls:?}"),
            "TlsConfig { platform_roots: false, added_roots: 2 }"
        );
        assert!(tls.client_config().is_ok());
    }

    #[test]
    fn pem_without_certificate_is_refused() {
        let err = TlsConfig::default()
            .add_ca_pem("not a certificate")
            .expect_err("refused");
        assert!(matches!(err, TlsError::Pem(_)), "{err:?}");
    }

    #[test]
    fn bad_der_fails_when_built() {
        let tls = TlsConfig::added_roots_only().add_ca_der(b"\x30\x03\x02\x01\x00".to_vec());
        assert!(matches!(tls.client_config(), Err(TlsError::Certificate(_))));
    }

    #[test]
    fn no_roots_at_all_is_an_error() {
        assert!(matches!(
            TlsConfig::added_roots_only().client_config(),
            Err(TlsError::NoRoots(_))
        ));
    }

    #[test]
    fn a_given_config_is_used_as_is() {
        let given = Arc::new(with_roots(RootCertStore::empty()).expect("config"));
        let tls = TlsConfig::from(Arc::clone(&given));
        let used = tls.client_config().expect("given");
        assert!(Arc::ptr_eq(&given, &used));
        assert!(!format!("{tls:?}").contains("platform"));
    }
}
