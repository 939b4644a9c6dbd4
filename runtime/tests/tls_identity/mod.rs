//! Test identities for the TLS tests: a self-signed certificate made at test
//! time, its key, its PEM text, and rustls configurations with an explicit
//! `ring` provider (no test installs a process-wide one).

use asterisk_sdk_runtime::tls::rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use asterisk_sdk_runtime::tls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use base64::Engine;
use std::sync::Arc;

/// A self-signed certificate and its PKCS#8 key.
pub struct Identity {
    pub cert: CertificateDer<'static>,
    key: Vec<u8>,
}

impl Identity {
    /// A new certificate for these names (DNS names or IP addresses).
    pub fn new(names: &[&str]) -> Identity {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let made = rcgen::generate_simple_self_signed(names).unwrap();
        Identity {
            cert: made.cert.der().clone(),
            key: made.signing_key.serialize_der(),
        }
    }

    /// The certificate as PEM text.
    pub fn pem(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.cert.as_ref());
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap());
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }

    /// A server configuration presenting this certificate.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![self.cert.clone()],
                PrivatePkcs8KeyDer::from(self.key.clone()).into(),
            )
            .unwrap();
        Arc::new(config)
    }

    /// A client configuration trusting only this certificate.
    pub fn client_config(&self) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        roots.add(self.cert.clone()).unwrap();
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Whether an error chain holds rustls refusing the server's certificate.
pub fn is_invalid_certificate(source: &std::io::Error) -> bool {
    let cause = source
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    matches!(cause, Some(rustls::Error::InvalidCertificate(_)))
}
