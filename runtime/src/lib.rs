//! asterisk-sdk-runtime: the hand-written half of asterisk-sdk.
//!
//! Transports, framing, authentication, correlation, reconnection and servers for
//! AMI, AGI and ARI. It never names a specific action, event, command or operation
//! beyond what its protocol needs; the generated `asterisk-sdk` crate implements
//! this crate's traits for every one of them.
//!
//! Cargo features: `ami`, `agi`, `ari` (on by default) select the protocols;
//! `tls` adds AMI over TLS and `ari-tls` ARI over `https://` and `wss://`, both
//! with rustls and the `tls` module's trust settings. With `ami` and `ari`, the
//! `fleet` module manages many servers; `nats` adds the `bus` module (the
//! fleet's events and actions on NATS JetStream) and the `asterisk-bus` binary.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "ari")]
#[cfg_attr(docsrs, doc(cfg(feature = "ari")))]
pub mod ari;
pub mod clock;
#[cfg(feature = "ari")]
#[cfg_attr(docsrs, doc(cfg(feature = "ari")))]
pub mod media;
pub mod open_enum;

/// serde, for the expansion of [`open_enum!`] (not part of the API).
#[doc(hidden)]
pub use serde as __serde;
pub mod percent;
pub mod version;

#[cfg(feature = "agi")]
#[cfg_attr(docsrs, doc(cfg(feature = "agi")))]
pub mod agi;

#[cfg(feature = "ami")]
#[cfg_attr(docsrs, doc(cfg(feature = "ami")))]
pub mod ami;

#[cfg(any(feature = "ami", feature = "ari"))]
mod io;

#[cfg(any(feature = "ami", feature = "ari"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "ami", feature = "ari"))))]
pub mod tasks;

#[cfg(all(feature = "ami", feature = "ari"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "ami", feature = "ari"))))]
pub mod fleet;

#[cfg(feature = "nats")]
#[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
pub mod bus;

#[cfg(any(feature = "tls", feature = "ari-tls"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tls", feature = "ari-tls"))))]
pub mod tls;
