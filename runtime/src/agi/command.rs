//! The `Command` trait and the building of command lines with correct quoting.

use super::error::AgiError;
use super::reply::AgiReply;

/// One AGI command: how it is written on the wire and what its reply means.
///
/// The generated crate implements this for every command Asterisk documents;
/// [`super::AgiChannel::run`] sends it over any [`super::Transport`].
pub trait Command {
    /// The typed result.
    type Output;

    /// The command line without its line ending.
    fn render(&self) -> Result<String, AgiError>;

    /// Turn the final reply into the typed result. `line` is the rendered command
    /// line (for error messages).
    fn parse(&self, line: &str, reply: AgiReply) -> Result<Self::Output, AgiError>;

    /// Whether Asterisk writes a `520` usage block right after this reply (EXEC
    /// with an application returning 1 does).
    fn usage_follows(&self, reply: &AgiReply) -> bool {
        let _ = reply;
        false
    }
}

/// Builds one command line: the command words, then arguments quoted as
/// Asterisk's argument parser expects.
///
/// Arguments that are empty or hold a space or tab are wrapped in double quotes;
/// `"` and `\` are escaped with a backslash; CR and LF are rejected.
#[derive(Debug, Clone)]
pub struct CommandLine {
    line: String,
    gap: Option<&'static str>,
}

impl CommandLine {
    /// Start a line with the command words, e.g. `STREAM FILE`.
    pub fn new(words: &str) -> Self {
        let mut line = String::with_capacity(words.len() + 32);
        line.push_str(words);
        CommandLine { line, gap: None }
    }

    /// Append a required argument.
    pub fn arg(&mut self, value: &str) -> Result<&mut Self, AgiError> {
        if let Some(missing) = self.gap {
            return Err(AgiError::InvalidArgument(format!(
                "optional argument `{missing}` must be set before later ones"
            )));
        }
        push_quoted(&mut self.line, value)?;
        Ok(self)
    }

    /// Append an optional positional argument named `name`. A `None` may only be
    /// followed by other `None`s: AGI arguments are positional.
    pub fn opt(&mut self, name: &'static str, value: Option<&str>) -> Result<&mut Self, AgiError> {
        match value {
            Some(v) => self.arg(v),
            None => {
                self.gap.get_or_insert(name);
                Ok(self)
            }
        }
    }

    /// The finished line, without line ending.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.line)
    }
}

/// Append ` <value>` quoted and escaped as needed.
fn push_quoted(line: &mut String, value: &str) -> Result<(), AgiError> {
    if value.contains(['\r', '\n']) {
        return Err(AgiError::InvalidArgument(
            "arguments cannot contain CR or LF".into(),
        ));
    }
    line.push(' ');
    let quote = value.is_empty() || value.contains([' ', '\t']);
    if quote {
        line.push('"');
    }
    for c in value.chars() {
        if c == '"' || c == '\\' {
            line.push('\\');
        }
        line.push(c);
    }
    if quote {
        line.push('"');
    }
    Ok(())
}

/// A ready-made command line sent as is, whose result is the raw reply.
#[derive(Debug, Clone)]
pub struct RawCommand(pub String);

impl Command for RawCommand {
    type Output = AgiReply;

    fn render(&self) -> Result<String, AgiError> {
        if self.0.contains(['\r', '\n']) {
            return Err(AgiError::InvalidArgument(
                "a command line cannot contain CR or LF".into(),
            ));
        }
        Ok(self.0.clone())
    }

    fn parse(&self, _line: &str, reply: AgiReply) -> Result<AgiReply, AgiError> {
        Ok(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_the_capture() {
        let mut l = CommandLine::new("STREAM FILE");
        l.arg("hello-world").unwrap().arg("").unwrap();
        assert_eq!(l.finish(), "STREAM FILE hello-world \"\"");
        let mut l = CommandLine::new("SET VARIABLE");
        l.arg("BAZ").unwrap().arg("qux from \"x\" a\\b").unwrap();
        assert_eq!(l.finish(), "SET VARIABLE BAZ \"qux from \\\"x\\\" a\\\\b\"");
    }

    #[test]
    fn rejects_line_breaks_and_gaps() {
        let mut l = CommandLine::new("VERBOSE");
        assert!(l.arg("a\r\nHANGUP").is_err());
        let mut l = CommandLine::new("GET DATA");
        l.arg("f").unwrap().opt("timeout", None).unwrap();
        assert!(l.opt("maxdigits", Some("4")).is_err());
    }
}
