//! AGI reply lines: `200 result=N (data) key=value … text`, and the assembly of a
//! reply from lines (provisional `100`, `HANGUP` notices, the multi-line `520` block).

use super::error::AgiError;

/// Most bytes of usage text kept from a `520` block.
const MAX_USAGE: usize = 8 * 1024;

/// One final `200` reply of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgiReply {
    /// The status code (200).
    pub code: u16,
    /// The raw value after `result=` (a number, or digits for `get data`).
    pub result: String,
    /// The text in parentheses after the result, e.g. the value of `get variable`
    /// or `timeout`.
    pub data: Option<String>,
    /// `key=value` tokens after the result and data, in order (quotes removed).
    pub extras: Vec<(String, String)>,
    /// Free text after the result when it is not `key=value` tokens (gosub).
    pub text: Option<String>,
    /// The whole line as received, without its line ending.
    pub line: String,
}

impl AgiReply {
    /// Parse one `200 result=…` line (no line ending).
    pub fn parse_line(line: &str) -> Result<AgiReply, AgiError> {
        let line = line.trim_end_matches(['\r', '\n']);
        let (code, rest) = line
            .split_once(' ')
            .ok_or_else(|| AgiError::invalid_reply(line, "no status code"))?;
        let code: u16 = code
            .parse()
            .map_err(|_| AgiError::invalid_reply(line, "status code is not a number"))?;
        let rest = rest
            .strip_prefix("result=")
            .ok_or_else(|| AgiError::invalid_reply(line, "no `result=`"))?;
        let (result, mut rest) = match rest.find(' ') {
            Some(i) => (&rest[..i], rest[i + 1..].trim_start()),
            None => (rest, ""),
        };
        let mut data = None;
        if let Some(inner) = rest.strip_prefix('(') {
            // A value may itself hold parentheses: when the line ends with `)`, the
            // data runs to that last one; otherwise to the first `)` (extras follow).
            let end = if inner.ends_with(')') {
                Some(inner.len() - 1)
            } else {
                inner.find(')')
            };
            let end = end.ok_or_else(|| AgiError::invalid_reply(line, "unclosed `(`"))?;
            data = Some(inner[..end].to_string());
            rest = inner[end + 1..].trim_start();
        }
        let mut extras = Vec::new();
        let mut text = None;
        if !rest.is_empty() {
            match parse_extras(rest) {
                Some(e) => extras = e,
                None => text = Some(rest.to_string()),
            }
        }
        Ok(AgiReply {
            code,
            result: result.to_string(),
            data,
            extras,
            text,
            line: line.to_string(),
        })
    }

    /// The result as an integer, when it is one.
    pub fn result_int(&self) -> Option<i64> {
        self.result.parse().ok()
    }

    /// The value of the extra token `key` (e.g. `endpos`).
    pub fn extra(&self, key: &str) -> Option<&str> {
        self.extras
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The `endpos=` offset, when present and numeric.
    pub fn endpos(&self) -> Option<u64> {
        self.extra("endpos").and_then(|v| v.parse().ok())
    }
}

/// Split `k=v k2="quoted value"` tokens; `None` when some token is not `key=value`.
fn parse_extras(mut rest: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = &rest[..eq];
        if key.is_empty() || key.contains(' ') {
            return None;
        }
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            let close = q.find('"')?;
            (&q[..close], &q[close + 1..])
        } else {
            match after.find(' ') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            }
        };
        out.push((key.to_string(), value.to_string()));
        rest = next.trim_start();
    }
    Some(out)
}

/// What one line did to the reply being assembled.
#[derive(Debug)]
#[non_exhaustive]
pub enum Step {
    /// More lines are needed (a provisional `100` line or inside a `520` block).
    Continue,
    /// Asterisk announced that the channel hung up; the reply is still pending.
    Hangup,
    /// The reply is complete.
    Done(Result<AgiReply, AgiError>),
}

/// Assembles the reply to one command from the lines Asterisk sends.
#[derive(Debug)]
pub struct ReplyAssembler<'a> {
    command: &'a str,
    usage: Option<String>,
}

impl<'a> ReplyAssembler<'a> {
    /// An assembler for the reply to `command` (used in error messages).
    pub fn new(command: &'a str) -> Self {
        ReplyAssembler {
            command,
            usage: None,
        }
    }

    /// Feed one line (its line ending may be present).
    pub fn feed(&mut self, line: &str) -> Step {
        let line = line.trim_end_matches(['\r', '\n']);
        if let Some(usage) = &mut self.usage {
            if line.starts_with("520 ") {
                let usage = std::mem::take(usage);
                self.usage = None;
                return Step::Done(Err(self.usage_error(usage)));
            }
            if usage.len() + line.len() < MAX_USAGE {
                if !usage.is_empty() {
                    usage.push('\n');
                }
                usage.push_str(line);
            }
            return Step::Continue;
        }
        if line == "HANGUP" {
            return Step::Hangup;
        }
        let code = line.get(..3).unwrap_or("");
        let sep = line.as_bytes().get(3).copied();
        match (code, sep) {
            ("100", _) => Step::Continue,
            ("200", Some(b' ')) => Step::Done(AgiReply::parse_line(line)),
            ("503", _) => Step::Done(Err(AgiError::ResourceFailure {
                reply: line.to_string(),
            })),
            ("510", _) => Step::Done(Err(AgiError::UnknownCommand {
                command: self.command.to_string(),
            })),
            ("511", _) => Step::Done(Err(AgiError::ChannelHungUp)),
            ("520", Some(b'-')) => {
                self.usage = Some(String::new());
                Step::Continue
            }
            ("520", _) => Step::Done(Err(self.usage_error(String::new()))),
            _ => Step::Done(Err(AgiError::invalid_reply(line, "unexpected line"))),
        }
    }

    fn usage_error(&self, usage: String) -> AgiError {
        AgiError::Usage {
            command: self.command.to_string(),
            usage,
        }
    }
}

/// Assemble a reply from a whole block of lines (AsyncAGI's decoded `Result`).
/// Returns the reply and whether a `HANGUP` line was among the lines.
pub fn assemble_block(command: &str, block: &str) -> (Result<AgiReply, AgiError>, bool) {
    let mut asm = ReplyAssembler::new(command);
    let mut hangup = false;
    for line in block.split('\n') {
        if line.trim_end_matches('\r').is_empty() {
            continue;
        }
        match asm.feed(line) {
            Step::Continue => {}
            Step::Hangup => hangup = true,
            Step::Done(r) => return (r, hangup),
        }
    }
    let err = if hangup {
        AgiError::ChannelHungUp
    } else {
        AgiError::invalid_reply(block, "no final reply line")
    };
    (Err(err), hangup)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(asm: &mut ReplyAssembler<'_>, line: &str) -> Result<AgiReply, AgiError> {
        match asm.feed(line) {
            Step::Done(r) => r,
            other => panic!("not done: {other:?}"),
        }
    }

    #[test]
    fn parses_result_data_and_extras() {
        let r = AgiReply::parse_line("200 result=1 (timeout) endpos=11360").unwrap();
        assert_eq!(r.result_int(), Some(1));
        assert_eq!(r.data.as_deref(), Some("timeout"));
        assert_eq!(r.endpos(), Some(11360));
        let r = AgiReply::parse_line("200 result=1 (a (b) c)").unwrap();
        assert_eq!(r.data.as_deref(), Some("a (b) c"));
        let r = AgiReply::parse_line("200 result=0 Gosub complete (abnormal exit)").unwrap();
        assert_eq!(r.text.as_deref(), Some("Gosub complete (abnormal exit)"));
        let r = AgiReply::parse_line(
            "200 result=1 (speech) endpos=0 results=1 score0=900 text0=\"hello world\" grammar0=yesno",
        )
        .unwrap();
        assert_eq!(r.extra("text0"), Some("hello world"));
        assert_eq!(r.extra("grammar0"), Some("yesno"));
        let r = AgiReply::parse_line("200 result= (timeout)").unwrap();
        assert_eq!(r.result, "");
        assert!(AgiReply::parse_line("garbage").is_err());
    }

    #[test]
    fn assembles_special_lines() {
        let mut asm = ReplyAssembler::new("GOSUB a b 1");
        assert!(matches!(asm.feed("100 result=0 Trying..."), Step::Continue));
        assert!(done(&mut asm, "200 result=0 Gosub complete").is_ok());

        let mut asm = ReplyAssembler::new("FOO");
        assert!(matches!(asm.feed("HANGUP"), Step::Hangup));
        assert!(matches!(
            done(&mut asm, "510 Invalid or unknown command"),
            Err(AgiError::UnknownCommand { .. })
        ));
        let mut asm = ReplyAssembler::new("ANSWER");
        assert!(matches!(
            done(
                &mut asm,
                "511 Command Not Permitted on a dead channel or intercept routine"
            ),
            Err(AgiError::ChannelHungUp)
        ));
        let mut asm = ReplyAssembler::new("SET PRIORITY");
        assert!(matches!(
            asm.feed("520-Invalid command syntax.  Proper usage follows:"),
            Step::Continue
        ));
        assert!(matches!(
            asm.feed(" Usage: SET PRIORITY <priority>"),
            Step::Continue
        ));
        match done(&mut asm, "520 End of proper usage.") {
            Err(AgiError::Usage { usage, .. }) => {
                assert_eq!(usage, " Usage: SET PRIORITY <priority>")
            }
            other => panic!("{other:?}"),
        }
        let (r, hup) = assemble_block("X", "503 result=-2 Memory allocation failure\n");
        assert!(matches!(r, Err(AgiError::ResourceFailure { .. })) && !hup);
    }
}
