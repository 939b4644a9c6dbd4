//! Result kinds and parameter types of AGI commands
//! (`specs/fixes/agi_results.toml`): Asterisk documents results only in prose.

use crate::Result;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// `specs/fixes/agi_results.toml`: result kind and parameter types per command.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgiResults {
    /// One entry per AGI command.
    #[serde(default)]
    pub command: Vec<ResultFix>,
}

/// The fix for one command.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultFix {
    /// The command name as in the manifest, e.g. `stream file`.
    pub name: String,
    /// The result kind.
    pub result: ResultKind,
    /// One line: what the result means (shown in the generated docs).
    pub reason: String,
    /// Parameter types by documented parameter name.
    #[serde(default)]
    pub params: BTreeMap<String, ParamFix>,
}

/// How the `result=` of a reply becomes a typed result (see the fixes file's
/// header for each kind's meaning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    /// Any result is success → `()`.
    Unit,
    /// 0 success, anything else an error → `()`.
    ZeroOk,
    /// 1 true, 0 false → `bool`.
    BoolOne,
    /// 0 true, 1 false → `bool`.
    BoolZero,
    /// 1 true, -1 false → `bool`.
    BoolFound,
    /// A channel state number, -1 none → `Option<ChannelState>`.
    ChannelState,
    /// A digit code, 0 none → `Option<char>`.
    Digit,
    /// A digit and `endpos=` → `StreamOutcome`.
    Stream,
    /// Collected digits and `(timeout)` → `GetDataOutcome`.
    GetData,
    /// 1 with a value, 0 not set → `Option<String>`.
    Value,
    /// 1 with a text → `String`.
    Text,
    /// A character code, 0 timeout → `Option<char>`.
    ReceivedChar,
    /// A recording's end → `RecordOutcome`.
    Record,
    /// The application's return value → `i32`.
    Exec,
    /// A Gosub's end → `GosubOutcome`.
    Gosub,
    /// A speech recognition result → `SpeechOutcome`.
    Speech,
}

/// The Rust type of an AGI parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// Text (`&str`).
    #[default]
    Str,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// A `bool` sent as `on` or `off`.
    OnOff,
    /// A `bool`: a word sent when true, nothing when false.
    Flag,
}

impl ParamType {
    /// The Rust primitive of a number type.
    pub fn number(self) -> Option<&'static str> {
        match self {
            ParamType::I32 => Some("i32"),
            ParamType::I64 => Some("i64"),
            ParamType::U32 => Some("u32"),
            ParamType::U64 => Some("u64"),
            ParamType::Str | ParamType::OnOff | ParamType::Flag => None,
        }
    }
}

/// Type and wire form of one parameter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamFix {
    /// The type; `str` when absent.
    #[serde(rename = "type", default)]
    pub ty: ParamType,
    /// Sent for an unset optional parameter when a later one is set.
    pub fill: Option<String>,
    /// Prepended to the value on the wire (e.g. `s=`).
    pub prefix: Option<String>,
    /// The Rust name, instead of one derived from the documented name.
    pub rename: Option<String>,
    /// For `flag`: the word sent when true.
    pub wire: Option<String>,
    /// Unit of the value when the XML states one in prose (e.g. `milliseconds`).
    pub unit: Option<String>,
}

impl AgiResults {
    /// Load and check a fixes file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::read_to_string(path)?;
        Self::from_toml(&text).map_err(|m| crate::input_err(path.display(), m))
    }

    /// Parse and check the TOML text.
    pub fn from_toml(text: &str) -> std::result::Result<Self, String> {
        let fixes: AgiResults = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = Vec::new();
        for c in &fixes.command {
            if seen.contains(&c.name) {
                return Err(format!("command `{}` listed twice", c.name));
            }
            seen.push(c.name.clone());
            if c.reason.trim().is_empty() {
                return Err(format!("command `{}` has no reason", c.name));
            }
            for (p, f) in &c.params {
                if (f.ty == ParamType::Flag) != f.wire.is_some() {
                    return Err(format!(
                        "`{}` parameter `{p}`: `wire` goes with type flag",
                        c.name
                    ));
                }
            }
        }
        Ok(fixes)
    }

    /// The fix of command `name`.
    pub fn get(&self, name: &str) -> Option<&ResultFix> {
        self.command.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_fixes_file_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/fixes/agi_results.toml");
        let f = AgiResults::load(&path).unwrap();
        assert_eq!(f.command.len(), 47);
        assert_eq!(
            f.get("database deltree").map(|c| c.result),
            Some(ResultKind::BoolZero)
        );
    }

    #[test]
    fn rejects_unknown_kinds_types_and_keys() {
        let bad = "[[command]]\nname = \"x\"\nresult = \"nope\"\nreason = \"r\"\n";
        assert!(AgiResults::from_toml(bad).unwrap_err().contains("nope"));
        let bad = "[[command]]\nname = \"x\"\nresult = \"unit\"\nreason = \"r\"\n[command.params]\na = { type = \"float\" }\n";
        assert!(AgiResults::from_toml(bad).unwrap_err().contains("float"));
        let bad =
            "[[command]]\nname = \"x\"\nresult = \"unit\"\nreason = \"r\"\nresults = \"unit\"\n";
        assert!(AgiResults::from_toml(bad).unwrap_err().contains("results"));
    }
}
