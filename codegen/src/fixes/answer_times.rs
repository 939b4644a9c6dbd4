//! How long an AMI action may take to answer (`specs/fixes/answer_times.toml`):
//! actions whose response waits for something the action itself bounds, such as a
//! synchronous `Originate` waiting for the call to be answered.
//!
//! Each entry generates an `Action::answer_within` override reading the bounding
//! header from the action's own headers.

use crate::Result;
use serde::Deserialize;
use std::path::Path;

/// Every answer-time fix.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerTimes {
    /// Entries, in file order.
    #[serde(default)]
    pub answer_time: Vec<AnswerTime>,
}

/// The answer time of one action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerTime {
    /// Fix name.
    pub name: String,
    /// One-line reason (the C function that waits).
    pub reason: String,
    /// The action name.
    pub action: String,
    /// The parameter holding the time.
    pub header: String,
    /// Its unit: `milliseconds` or `seconds`.
    pub unit: TimeUnit,
    /// The time when the header is not set.
    pub default: u64,
    /// A boolean parameter that, when true, makes the action answer at once.
    #[serde(default)]
    pub unless_true: Option<String>,
}

/// Unit of a time header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
}

impl AnswerTimes {
    /// Load `answer_times.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let a: AnswerTimes = super::load_toml(path)?;
        if let Some(e) = a.answer_time.iter().find(|e| e.reason.trim().is_empty()) {
            return Err(crate::input_err(
                path.display(),
                format!("answer time `{}` has no reason", e.name),
            ));
        }
        Ok(a)
    }

    /// The entry of `action`, if any.
    pub fn of(&self, action: &str) -> Option<&AnswerTime> {
        self.answer_time.iter().find(|e| e.action == action)
    }
}
