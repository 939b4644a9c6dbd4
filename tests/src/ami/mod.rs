//! A mock Asterisk AMI server for tests: banner, plaintext and MD5 login, an
//! answer to every action of the generated catalog, simulated calls, pushed and
//! replayed events, and connection drops on cue. Start one with
//! [`MockAmi::builder`].

mod answer;
mod asyncagi;
mod auth;
mod call;
mod catalog;
mod channels;
mod config;
mod dispatch;
mod mask;
mod replay;
mod reply;
mod server;
mod session;
mod shared;
mod wire;

pub use config::MockAmiBuilder;
pub use reply::{Handler, Reply};
pub use server::MockAmi;

/// The `Key` of an MD5 login (the runtime's; re-exported for tests that speak AMI
/// by hand).
pub use asterisk_sdk_runtime::ami::md5_key;
