//! Our fixes (`specs/fixes/*.toml`): what Asterisk's documentation lacks or gets wrong.
//!
//! - `enums.toml`: the domain enums users expect, with their wire values
//!   ([`enums`]);
//! - `ami_types.toml`: types for AMI/AGI headers, by naming rule and per field
//!   ([`ami_types`]);
//! - `corrections.toml`: names and types where the docs are wrong ([`corrections`]);
//! - `aliases.toml`: extra search spellings of generated types ([`aliases`]);
//! - `answer_times.toml`: how long an action may take to answer ([`answer_times`]);
//! - `units.toml`: units of headers the docs state in prose ([`units`]);
//! - `ami_responses.toml`: the headers of AMI success responses and the answer
//!   quirks of single actions ([`ami_responses`]);
//! - `agi_results.toml`: result kinds and parameter types of AGI commands
//!   ([`agi_results`]);
//! - `ari_operations.toml`: ARI handles, body shapes and defaults sent when
//!   unset ([`ari_operations`]);
//! - `media.toml`: the chan_websocket media protocol: formats, constants,
//!   commands and events per release ([`media`]).
//!
//! Every fix has a `name` and a one-line `reason`.

use crate::Result;
use std::path::Path;

pub mod agi_results;
pub mod aliases;
pub mod ami_responses;
pub mod ami_types;
pub mod answer_times;
pub mod ari_operations;
pub mod corrections;
pub mod enums;
pub mod media;
pub mod units;

/// All fixes, loaded.
#[derive(Debug, Clone, Default)]
pub struct Fixes {
    /// Domain enums.
    pub enums: enums::EnumFixes,
    /// AMI/AGI header types.
    pub ami_types: ami_types::AmiTypeFixes,
    /// Corrections to upstream names and types.
    pub corrections: corrections::Corrections,
    /// Extra search aliases.
    pub aliases: aliases::Aliases,
    /// Answer times of actions.
    pub answer_times: answer_times::AnswerTimes,
    /// Units of headers.
    pub units: units::Units,
    /// AMI success responses and answer quirks.
    pub ami_responses: ami_responses::ResponseFixes,
    /// AGI result kinds and parameter types.
    pub agi_results: agi_results::AgiResults,
    /// ARI handles, body shapes and defaults sent when unset.
    pub ari_operations: ari_operations::AriOperationFixes,
    /// The chan_websocket media protocol.
    pub media: media::MediaFixes,
}

impl Fixes {
    /// Load every fixes file from `dir` (`specs/fixes`).
    pub fn load(dir: &Path) -> Result<Fixes> {
        Ok(Fixes {
            enums: enums::EnumFixes::load(&dir.join("enums.toml"))?,
            ami_types: ami_types::AmiTypeFixes::load(&dir.join("ami_types.toml"))?,
            corrections: corrections::Corrections::load(&dir.join("corrections.toml"))?,
            aliases: aliases::Aliases::load(&dir.join("aliases.toml"))?,
            answer_times: answer_times::AnswerTimes::load(&dir.join("answer_times.toml"))?,
            units: units::Units::load(&dir.join("units.toml"))?,
            ami_responses: ami_responses::ResponseFixes::load(&dir.join("ami_responses.toml"))?,
            agi_results: agi_results::AgiResults::load(&dir.join("agi_results.toml"))?,
            ari_operations: ari_operations::AriOperationFixes::load(
                &dir.join("ari_operations.toml"),
            )?,
            media: media::MediaFixes::load(&dir.join("media.toml"))?,
        })
    }
}

/// Parse a TOML fixes file into `T`, with the path in the error.
pub fn load_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = crate::read_to_string(path)?;
    toml::from_str(&text).map_err(|e| crate::input_err(path.display(), e.to_string()))
}
