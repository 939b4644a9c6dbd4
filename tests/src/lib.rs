//! asterisk-sdk-mock: a mock Asterisk for tests, driven by the same manifests as the SDK.
pub mod agi;
pub mod ami;
pub mod ari;
pub mod media;
pub mod nats;
