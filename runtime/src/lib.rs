//! asterisk-sdk-runtime: the hand-written half of asterisk-sdk.
//!
//! Transports, framing, authentication, correlation, reconnection and servers for
//! AMI, AGI and ARI. It never names a specific action, event, command or operation
//! beyond what its protocol needs; the generated `asterisk-sdk` crate implements
//! this crate's traits for every one of them.

#![warn(missing_docs)]

#[cfg(feature = "ari")]
pub mod ari;
pub mod open_enum;
pub mod percent;

#[cfg(feature = "agi")]
pub mod agi;

#[cfg(feature = "ami")]
pub mod ami;
