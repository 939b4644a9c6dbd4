//! What the examples share besides the SDK: where Asterisk is (the built-in mock
//! unless the README's `ASTERISK_*` variables name a real one), the calls that
//! give an example something to handle, and how a run ends.
//!
//! Included with `#[path = "support/mod.rs"] mod support;`; each example uses a
//! part of it.
#![allow(dead_code)]

#[cfg(feature = "ami")] // a real Asterisk is asked over AMI to call the server
pub mod agi;
#[cfg(feature = "ami")]
pub mod ami;
pub mod ari;
pub mod settings;

pub use settings::Settings;

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

/// What an example step fails with.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// `future`'s output, or an error saying `what` did not happen within `secs` seconds.
pub async fn within<T>(secs: u64, what: &str, future: impl Future<Output = T>) -> Result<T> {
    tokio::time::timeout(Duration::from_secs(secs), future)
        .await
        .map_err(|_| format!("no {what} within {secs} s").into())
}

/// The exit status of a run: success, or the error printed and failure.
pub fn exit(result: Result) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
