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

/// One optional positional argument, for [`CommandLine::optional`].
#[derive(Debug, Clone)]
pub struct Optional<'a> {
    /// The parameter name (for error messages).
    pub name: &'static str,
    /// The value, when set.
    pub value: Option<std::borrow::Cow<'a, str>>,
    /// Sent instead of an unset value when a later argument is set.
    pub fill: Option<&'static str>,
    /// Whether an unset value can simply be left out (Asterisk finds the later
    /// arguments by their form).
    pub skippable: bool,
}

/// Builds one command line: the command words, then arguments quoted as
/// Asterisk's argument parser expects.
///
/// Arguments that are empty or hold a space or tab are wrapped in double quotes;
/// `"` and `\` are escaped with a backslash; CR and LF are rejected.
#[derive(Debug, Clone)]
pub struct CommandLine {
    line: String,
}

impl CommandLine {
    /// Start a line with the command words, e.g. `STREAM FILE`.
    pub fn new(words: &str) -> Self {
        let mut line = String::with_capacity(words.len() + 32);
        line.push_str(words);
        CommandLine { line }
    }

    /// Append an argument.
    pub fn arg(&mut self, value: &str) -> Result<&mut Self, AgiError> {
        push_quoted(&mut self.line, value)?;
        Ok(self)
    }

    /// Append the optional trailing arguments: everything up to the last set one.
    /// AGI arguments are positional, so an unset argument before a set one is
    /// sent as its `fill`, left out when `skippable`, and otherwise an error.
    pub fn optional(&mut self, args: &[Optional<'_>]) -> Result<&mut Self, AgiError> {
        let Some(last) = args.iter().rposition(|a| a.value.is_some()) else {
            return Ok(self);
        };
        for a in &args[..=last] {
            match (&a.value, a.fill) {
                (Some(v), _) => push_quoted(&mut self.line, v)?,
                (None, _) if a.skippable => {}
                (None, Some(fill)) => push_quoted(&mut self.line, fill)?,
                (None, None) => {
                    return Err(AgiError::InvalidArgument(format!(
                        "`{}` must be set when a later optional argument is",
                        a.name
                    )));
                }
            }
        }
        Ok(self)
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
        let opt = |name, value: Option<&'static str>, fill| Optional {
            name,
            value: value.map(Into::into),
            fill,
            skippable: false,
        };
        let mut l = CommandLine::new("GET DATA");
        l.arg("f").unwrap();
        l.optional(&[
            opt("timeout", None, Some("0")),
            opt("maxdigits", Some("4"), None),
        ])
        .unwrap();
        assert_eq!(l.finish(), "GET DATA f 0 4");
        let mut l = CommandLine::new("X");
        assert!(
            l.optional(&[opt("a", None, None), opt("b", Some("1"), None)])
                .is_err()
        );
        assert_eq!(l.optional(&[opt("a", None, None)]).unwrap().finish(), "X");
    }
}
