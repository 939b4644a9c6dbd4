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

/// Lower-case hex MD5 of `challenge` followed by `secret`: the `Key` of an MD5
/// login (handy for tests that speak AMI by hand).
pub fn md5_key(challenge: &str, secret: &str) -> String {
    auth::md5_key(challenge, secret)
}
