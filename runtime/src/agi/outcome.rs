//! Typed results of AGI commands, and the parsers that turn a reply into them.
//!
//! Each parser is named after a result shape, not a command; the generated crate
//! picks one per command from `specs/fixes/agi_results.toml`. Every parser takes
//! the command line (for errors) and the final reply.

use super::error::AgiError;
use super::reply::AgiReply;

/// How a playback ended: the escape digit pressed, and where playback stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamOutcome {
    /// The escape digit that stopped playback, `None` when it played to the end.
    pub digit: Option<char>,
    /// The offset where playback stopped (`endpos=`, 0 when absent).
    pub endpos: u64,
}

/// What `get data` collected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetDataOutcome {
    /// The DTMF digits collected (may be empty).
    pub digits: String,
    /// Whether input ended because the digit timeout expired.
    pub timed_out: bool,
}

/// Why a recording ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordEnd {
    /// A terminating DTMF digit was pressed.
    Dtmf(char),
    /// The time limit or the silence limit was reached.
    Timeout,
    /// A digit was pressed while the beep played; nothing was recorded.
    BeepInterrupted(char),
}

/// The result of `record file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordOutcome {
    /// Why the recording ended.
    pub end: RecordEnd,
    /// The `endpos=` offset, when sent.
    pub endpos: Option<u64>,
}

/// Why speech recognition ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpeechEnd {
    /// Speech was recognized.
    Speech,
    /// A DTMF digit was pressed.
    Digit(char),
    /// Nothing was said in time.
    Timeout,
    /// The channel hung up.
    Hangup,
}

/// One recognition result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpeechResult {
    /// `score<i>=`.
    pub score: i32,
    /// `text<i>=`.
    pub text: String,
    /// `grammar<i>=`.
    pub grammar: String,
}

/// The result of `speech recognize`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpeechOutcome {
    /// Why recognition ended.
    pub end: SpeechEnd,
    /// The `endpos=` offset, when sent.
    pub endpos: Option<u64>,
    /// The results, best first (only after speech).
    pub results: Vec<SpeechResult>,
}

/// The result of `gosub`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GosubOutcome {
    /// Whether the subroutine ended abnormally (e.g. the channel hung up in it).
    pub abnormal_exit: bool,
}

fn failed(line: &str, reply: &AgiReply) -> AgiError {
    AgiError::Failed {
        command: line.to_string(),
        reply: reply.line.clone(),
    }
}

fn int(line: &str, reply: &AgiReply) -> Result<i64, AgiError> {
    let _ = line;
    reply
        .result_int()
        .ok_or_else(|| AgiError::invalid_reply(&reply.line, "result is not a number"))
}

fn code_char(reply: &AgiReply, code: i64) -> Result<char, AgiError> {
    u32::try_from(code)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| AgiError::invalid_reply(&reply.line, "result is not a character code"))
}

/// Any result means success (commands that always answer the same value).
pub fn unit(line: &str, reply: AgiReply) -> Result<(), AgiError> {
    int(line, &reply).map(|_| ())
}

/// `0` is success; anything else is [`AgiError::Failed`].
pub fn zero_ok(line: &str, reply: AgiReply) -> Result<(), AgiError> {
    match int(line, &reply)? {
        0 => Ok(()),
        _ => Err(failed(line, &reply)),
    }
}

/// `yes` → `true`, `no` → `false`, anything else is [`AgiError::Failed`].
pub fn flag(line: &str, reply: AgiReply, yes: i64, no: i64) -> Result<bool, AgiError> {
    match int(line, &reply)? {
        v if v == yes => Ok(true),
        v if v == no => Ok(false),
        _ => Err(failed(line, &reply)),
    }
}

/// A non-negative number; `-1` is `None`.
pub fn number_or_none(line: &str, reply: AgiReply) -> Result<Option<i32>, AgiError> {
    match int(line, &reply)? {
        -1 => Ok(None),
        v => i32::try_from(v)
            .map(Some)
            .map_err(|_| AgiError::invalid_reply(&reply.line, "result out of range")),
    }
}

/// The raw integer result.
pub fn integer(line: &str, reply: AgiReply) -> Result<i64, AgiError> {
    int(line, &reply)
}

/// A digit's character code, `0` for none; negative is [`AgiError::Failed`].
pub fn digit(line: &str, reply: AgiReply) -> Result<Option<char>, AgiError> {
    match int(line, &reply)? {
        0 => Ok(None),
        v if v < 0 => Err(failed(line, &reply)),
        v => code_char(&reply, v).map(Some),
    }
}

/// A digit (or none) and the `endpos=` of a playback.
pub fn stream(line: &str, reply: AgiReply) -> Result<StreamOutcome, AgiError> {
    let endpos = reply.endpos().unwrap_or(0);
    let digit = digit(line, reply)?;
    Ok(StreamOutcome { digit, endpos })
}

/// The digits of `get data` (`-1` is [`AgiError::Failed`]).
pub fn get_data(line: &str, reply: AgiReply) -> Result<GetDataOutcome, AgiError> {
    if reply.result.starts_with('-') {
        return Err(failed(line, &reply));
    }
    Ok(GetDataOutcome {
        timed_out: reply.data.as_deref() == Some("timeout"),
        digits: reply.result,
    })
}

/// `1 (value)` → `Some(value)`, `0` → `None`, anything else is [`AgiError::Failed`].
pub fn value(line: &str, reply: AgiReply) -> Result<Option<String>, AgiError> {
    match int(line, &reply)? {
        1 => Ok(Some(reply.data.unwrap_or_default())),
        0 => Ok(None),
        _ => Err(failed(line, &reply)),
    }
}

/// `1 (text)` → the text; anything else is [`AgiError::Failed`].
pub fn text(line: &str, reply: AgiReply) -> Result<String, AgiError> {
    match int(line, &reply)? {
        1 => Ok(reply.data.unwrap_or_default()),
        _ => Err(failed(line, &reply)),
    }
}

/// A received character, `None` on timeout; `(hangup)` is [`AgiError::ChannelHungUp`].
pub fn received_char(line: &str, reply: AgiReply) -> Result<Option<char>, AgiError> {
    if reply.data.as_deref() == Some("hangup") {
        return Err(AgiError::ChannelHungUp);
    }
    digit(line, reply)
}

/// The outcome of `record file`.
pub fn record(line: &str, reply: AgiReply) -> Result<RecordOutcome, AgiError> {
    let v = int(line, &reply)?;
    let endpos = reply.endpos();
    let end = match reply.data.as_deref() {
        Some("hangup") => return Err(AgiError::ChannelHungUp),
        Some("dtmf") if v > 0 => RecordEnd::Dtmf(code_char(&reply, v)?),
        Some("timeout") if v >= 0 => RecordEnd::Timeout,
        Some("randomerror") if v > 0 => RecordEnd::BeepInterrupted(code_char(&reply, v)?),
        _ => return Err(failed(line, &reply)),
    };
    Ok(RecordOutcome { end, endpos })
}

/// The application's return value of `exec` (`-2`: no such application, an error).
pub fn exec(line: &str, reply: AgiReply) -> Result<i32, AgiError> {
    match int(line, &reply)? {
        -2 => Err(failed(line, &reply)),
        v => i32::try_from(v)
            .map_err(|_| AgiError::invalid_reply(&reply.line, "result out of range")),
    }
}

/// The outcome of `gosub`: `0` completed; anything else is [`AgiError::Failed`].
pub fn gosub(line: &str, reply: AgiReply) -> Result<GosubOutcome, AgiError> {
    match int(line, &reply)? {
        0 => Ok(GosubOutcome {
            abnormal_exit: reply
                .text
                .as_deref()
                .is_some_and(|t| t.contains("abnormal")),
        }),
        _ => Err(failed(line, &reply)),
    }
}

/// The outcome of `speech recognize`: `1` with extras; anything else is
/// [`AgiError::Failed`].
pub fn speech(line: &str, reply: AgiReply) -> Result<SpeechOutcome, AgiError> {
    if int(line, &reply)? != 1 {
        return Err(failed(line, &reply));
    }
    let end = match reply.data.as_deref() {
        Some("speech") => SpeechEnd::Speech,
        Some("timeout") => SpeechEnd::Timeout,
        Some("hangup") => SpeechEnd::Hangup,
        Some("digit") => match reply.extra("digit").and_then(|d| d.chars().next()) {
            Some(c) => SpeechEnd::Digit(c),
            None => {
                return Err(AgiError::invalid_reply(
                    &reply.line,
                    "digit without `digit=`",
                ));
            }
        },
        _ => {
            return Err(AgiError::invalid_reply(
                &reply.line,
                "unknown recognition end",
            ));
        }
    };
    let count: usize = reply
        .extra("results")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut results = Vec::new();
    for i in 0..count.min(reply.extras.len()) {
        let get = |k: &str| {
            reply
                .extra(&format!("{k}{i}"))
                .unwrap_or_default()
                .to_string()
        };
        results.push(SpeechResult {
            score: get("score").parse().unwrap_or(0),
            text: get("text"),
            grammar: get("grammar"),
        });
    }
    Ok(SpeechOutcome {
        end,
        endpos: reply.endpos(),
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(line: &str) -> AgiReply {
        AgiReply::parse_line(line).unwrap()
    }

    #[test]
    fn shapes_parse() {
        assert_eq!(
            stream("S", r("200 result=0 endpos=11360")).unwrap(),
            StreamOutcome {
                digit: None,
                endpos: 11360
            }
        );
        assert_eq!(
            stream("S", r("200 result=35 endpos=5")).unwrap().digit,
            Some('#')
        );
        assert!(stream("S", r("200 result=-1 endpos=0")).is_err());
        let d = get_data("G", r("200 result=12 (timeout)")).unwrap();
        assert_eq!((d.digits.as_str(), d.timed_out), ("12", true));
        assert_eq!(
            value("V", r("200 result=1 (bar)")).unwrap().as_deref(),
            Some("bar")
        );
        assert_eq!(value("V", r("200 result=0")).unwrap(), None);
        assert!(flag("D", r("200 result=0"), 0, 1).unwrap());
        let rec = record("R", r("200 result=35 (dtmf) endpos=800")).unwrap();
        assert_eq!(rec.end, RecordEnd::Dtmf('#'));
        assert!(matches!(
            record("R", r("200 result=-1 (hangup) endpos=0")),
            Err(AgiError::ChannelHungUp)
        ));
        assert!(exec("E", r("200 result=-2")).is_err());
        let g = gosub("G", r("200 result=0 Gosub complete (abnormal exit)")).unwrap();
        assert!(g.abnormal_exit);
        let s = speech(
            "S",
            r("200 result=1 (speech) endpos=10 results=1 score0=900 text0=\"hi there\" grammar0=g"),
        )
        .unwrap();
        assert_eq!(s.results[0].text, "hi there");
        assert_eq!(number_or_none("C", r("200 result=-1")).unwrap(), None);
    }
}
