//! The AGI environment: the `agi_*` lines Asterisk sends first, as a typed request.

use super::error::AgiError;
use super::percent;
use std::collections::BTreeMap;

/// Limits on the environment block, against hostile or broken peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvLimits {
    /// Most lines accepted, the closing empty line excluded.
    pub max_lines: usize,
    /// Most bytes accepted over all lines, line endings included.
    pub max_bytes: usize,
}

impl Default for EnvLimits {
    fn default() -> Self {
        EnvLimits {
            max_lines: 256,
            max_bytes: 16 * 1024,
        }
    }
}

/// The typed `agi_*` environment of one AGI session.
///
/// Values Asterisk sends as the literal `unknown` (caller id, caller name, DNID,
/// RDNIS) and empty values of optional keys are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgiRequest {
    /// `agi_network: yes`: the session came in over FastAGI.
    pub network: bool,
    /// `agi_network_script`, raw: path and query of the `agi://` URL.
    pub network_script: Option<String>,
    /// The script path of `agi_network_script` (before `?`), percent-decoded.
    pub script: Option<String>,
    /// The query parameters of `agi_network_script`, in order, percent-decoded
    /// (`+` stays a plus sign).
    pub params: Vec<(String, String)>,
    /// `agi_request`: the URL or script the dialplan ran (`async` for AsyncAGI).
    pub request: String,
    /// `agi_channel`: the channel name.
    pub channel: String,
    /// `agi_language`.
    pub language: String,
    /// `agi_type`: the channel technology, e.g. `PJSIP`.
    pub channel_type: String,
    /// `agi_uniqueid`.
    pub unique_id: String,
    /// `agi_version`: the Asterisk version.
    pub version: String,
    /// `agi_callerid`.
    pub caller_id: Option<String>,
    /// `agi_calleridname`.
    pub caller_id_name: Option<String>,
    /// `agi_callingpres`: caller presentation.
    pub calling_pres: Option<i32>,
    /// `agi_callingani2`.
    pub calling_ani2: Option<i32>,
    /// `agi_callington`: type of number.
    pub calling_ton: Option<i32>,
    /// `agi_callingtns`: transit network select.
    pub calling_tns: Option<i32>,
    /// `agi_dnid`: the dialed number.
    pub dnid: Option<String>,
    /// `agi_rdnis`: the redirecting number.
    pub rdnis: Option<String>,
    /// `agi_context`.
    pub context: String,
    /// `agi_extension`.
    pub extension: String,
    /// `agi_priority`.
    pub priority: Option<i32>,
    /// `agi_enhanced`: `1.0` for EAGI.
    pub enhanced: bool,
    /// `agi_accountcode`.
    pub account_code: Option<String>,
    /// `agi_threadid`.
    pub thread_id: Option<String>,
    /// `agi_arg_1` … `agi_arg_N`, in order.
    pub args: Vec<String>,
    /// Keys this type does not know, with their values.
    pub other: BTreeMap<String, String>,
}

impl AgiRequest {
    /// The first query parameter of the script URL named `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Parse a whole environment block (lines ending in `\n` or `\r\n`, ended by an
    /// empty line or the end of the text), as AsyncAGI's `Env` header carries it.
    pub fn from_env_text(text: &str, limits: EnvLimits) -> Result<AgiRequest, AgiError> {
        if text.len() > limits.max_bytes {
            return Err(too_many_bytes(limits));
        }
        let mut parser = EnvParser::new(limits);
        for line in text.split('\n') {
            if parser.push_line(line)? {
                break;
            }
        }
        Ok(parser.finish())
    }
}

fn too_many_bytes(limits: EnvLimits) -> AgiError {
    AgiError::Environment(format!(
        "environment larger than {} bytes",
        limits.max_bytes
    ))
}

/// Builds an [`AgiRequest`] line by line.
#[derive(Debug)]
pub struct EnvParser {
    limits: EnvLimits,
    lines: usize,
    bytes: usize,
    request: AgiRequest,
}

impl EnvParser {
    /// A parser enforcing `limits`.
    pub fn new(limits: EnvLimits) -> Self {
        EnvParser {
            limits,
            lines: 0,
            bytes: 0,
            request: AgiRequest::default(),
        }
    }

    /// Take one line (without or with its line ending). Returns `true` on the
    /// empty line that ends the environment.
    pub fn push_line(&mut self, line: &str) -> Result<bool, AgiError> {
        self.bytes += line.len() + 1;
        if self.bytes > self.limits.max_bytes {
            return Err(too_many_bytes(self.limits));
        }
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            return Ok(true);
        }
        self.lines += 1;
        if self.lines > self.limits.max_lines {
            return Err(AgiError::Environment(format!(
                "more than {} environment lines",
                self.limits.max_lines
            )));
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(AgiError::Environment(format!(
                "line {} is not `key: value`",
                self.lines
            )));
        };
        let value = value.strip_prefix(' ').unwrap_or(value);
        self.set(key.trim(), value);
        Ok(false)
    }

    /// The request built so far.
    pub fn finish(self) -> AgiRequest {
        self.request
    }

    fn set(&mut self, key: &str, value: &str) {
        let r = &mut self.request;
        match key {
            "agi_network" => r.network = value.eq_ignore_ascii_case("yes"),
            "agi_network_script" => {
                let (path, query) = match value.split_once('?') {
                    Some((p, q)) => (p, Some(q)),
                    None => (value, None),
                };
                r.script = Some(percent::decode(path, false));
                r.params = query.map(parse_query).unwrap_or_default();
                r.network_script = Some(value.to_string());
            }
            "agi_request" => r.request = value.to_string(),
            "agi_channel" => r.channel = value.to_string(),
            "agi_language" => r.language = value.to_string(),
            "agi_type" => r.channel_type = value.to_string(),
            "agi_uniqueid" => r.unique_id = value.to_string(),
            "agi_version" => r.version = value.to_string(),
            "agi_callerid" => r.caller_id = known(value),
            "agi_calleridname" => r.caller_id_name = known(value),
            "agi_callingpres" => r.calling_pres = value.trim().parse().ok(),
            "agi_callingani2" => r.calling_ani2 = value.trim().parse().ok(),
            "agi_callington" => r.calling_ton = value.trim().parse().ok(),
            "agi_callingtns" => r.calling_tns = value.trim().parse().ok(),
            "agi_dnid" => r.dnid = known(value),
            "agi_rdnis" => r.rdnis = known(value),
            "agi_context" => r.context = value.to_string(),
            "agi_extension" => r.extension = value.to_string(),
            "agi_priority" => r.priority = value.trim().parse().ok(),
            "agi_enhanced" => r.enhanced = value.trim().starts_with('1'),
            "agi_accountcode" => r.account_code = non_empty(value),
            "agi_threadid" => r.thread_id = non_empty(value),
            _ => {
                if let Some(n) = key
                    .strip_prefix("agi_arg_")
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| (1..=self.limits.max_lines).contains(n))
                {
                    if r.args.len() < n {
                        r.args.resize(n, String::new());
                    }
                    r.args[n - 1] = value.to_string();
                } else {
                    r.other.insert(key.to_string(), value.to_string());
                }
            }
        }
    }
}

fn known(value: &str) -> Option<String> {
    if value.is_empty() || value == "unknown" {
        None
    } else {
        Some(value.to_string())
    }
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent::decode(k, false), percent::decode(v, false)),
            None => (percent::decode(pair, false), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_network_script_and_args() {
        let text = "agi_network: yes\nagi_network_script: ivr/main%20menu?lang=fr&num=+1555&flag\r\nagi_callerid: unknown\nagi_callingpres: 67\nagi_arg_1: a\nagi_arg_2: b c\nagi_custom: x\n\n";
        let r = AgiRequest::from_env_text(text, EnvLimits::default()).unwrap();
        assert!(r.network);
        assert_eq!(r.script.as_deref(), Some("ivr/main menu"));
        assert_eq!(r.param("lang"), Some("fr"));
        assert_eq!(r.param("num"), Some("+1555"));
        assert_eq!(r.param("flag"), Some(""));
        assert_eq!(r.caller_id, None);
        assert_eq!(r.calling_pres, Some(67));
        assert_eq!(r.args, ["a", "b c"]);
        assert_eq!(r.other.get("agi_custom").map(String::as_str), Some("x"));
    }

    #[test]
    fn limits_are_enforced() {
        let limits = EnvLimits {
            max_lines: 2,
            max_bytes: 1000,
        };
        let err = AgiRequest::from_env_text("agi_a: 1\nagi_b: 2\nagi_c: 3\n\n", limits);
        assert!(matches!(err, Err(AgiError::Environment(_))));
        let err = AgiRequest::from_env_text("no colon here\n\n", EnvLimits::default());
        assert!(matches!(err, Err(AgiError::Environment(_))));
    }
}
