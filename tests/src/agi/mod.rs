//! The mock AGI driver: plays Asterisk's side of a FastAGI session against a
//! server under test.
//!
//! It connects, sends an `agi_*` environment, then answers each command from a
//! script (expected command → reply lines) or with a default reply, can send
//! `HANGUP` or close mid-session, and records every command it received.
//!
//! ```no_run
//! # async fn demo(addr: std::net::SocketAddr) -> std::io::Result<()> {
//! use asterisk_sdk_mock::agi::MockAgi;
//! let report = MockAgi::new()
//!     .script_path("ivr?lang=en")
//!     .expect("ANSWER", "200 result=0")
//!     .expect("STREAM FILE hello-world \"\"", "200 result=0 endpos=11360")
//!     .send_hangup()
//!     .run(addr)
//!     .await?;
//! assert_eq!(report.commands[0], "ANSWER");
//! # Ok(()) }
//! ```

mod env;

pub use env::default_environment;

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The reply Asterisk gives to commands on a dead channel.
pub const DEAD_CHANNEL: &str = "511 Command Not Permitted on a dead channel or intercept routine";

/// One step of a mock session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockStep {
    /// Read a command; when `command` is `Some`, it is compared with the line
    /// received. Then send `reply` (lines separated by `\n`).
    Expect {
        /// The expected command line (without line ending), or `None` for any.
        command: Option<String>,
        /// The reply lines.
        reply: String,
    },
    /// Send the `HANGUP` line.
    SendHangup,
    /// Read a command, then send `HANGUP` and close without replying: the
    /// caller hung up while the command ran and the AGI ended.
    HangupDuring {
        /// The expected command line, or `None` for any.
        command: Option<String>,
    },
    /// Read a command, answer `reply`, then (after `delay`) send `HANGUP` and
    /// keep the session open, later commands getting `511`: what Asterisk does
    /// when the channel hangs up during `STREAM FILE` or `WAIT FOR DIGIT` (it
    /// answers `200 result=-1 …` first and announces the hang-up after).
    ReplyThenHangup {
        /// The expected command line, or `None` for any.
        command: Option<String>,
        /// The reply lines.
        reply: String,
        /// Pause between the reply and `HANGUP`.
        delay: std::time::Duration,
    },
    /// Close the connection.
    Close,
}

/// What the mock saw during a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MockReport {
    /// Every command line received, in order, without line endings.
    pub commands: Vec<String>,
    /// Scripted expectations that did not match: (expected, received).
    pub mismatches: Vec<(String, String)>,
    /// Whether the server closed the connection before the script ended.
    pub closed_early: bool,
}

/// A scripted Asterisk for one FastAGI session.
#[derive(Debug, Clone)]
pub struct MockAgi {
    env: Vec<(String, String)>,
    steps: VecDeque<MockStep>,
    default_reply: String,
    close_when_done: bool,
}

impl Default for MockAgi {
    fn default() -> Self {
        Self::new()
    }
}

impl MockAgi {
    /// A session with [`default_environment`] and default reply `200 result=0`.
    pub fn new() -> Self {
        MockAgi {
            env: default_environment(),
            steps: VecDeque::new(),
            default_reply: "200 result=0".into(),
            close_when_done: false,
        }
    }

    /// Set an environment key (`agi_` prefix included), replacing an existing one.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        match self.env.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value.to_string(),
            None => self.env.push((key.to_string(), value.to_string())),
        }
        self
    }

    /// Replace the whole environment (keys with their `agi_` prefix), in order.
    pub fn environment(mut self, env: Vec<(String, String)>) -> Self {
        self.env = env;
        self
    }

    /// Set `agi_network_script` (path and query of the `agi://` URL) and the
    /// matching `agi_request`.
    pub fn script_path(self, path: &str) -> Self {
        self.env("agi_network_script", path)
            .env("agi_request", &format!("agi://127.0.0.1:4573/{path}"))
    }

    /// Append an `agi_arg_N` argument.
    pub fn arg(self, value: &str) -> Self {
        let n = self
            .env
            .iter()
            .filter(|(k, _)| k.starts_with("agi_arg_"))
            .count()
            + 1;
        self.env(&format!("agi_arg_{n}"), value)
    }

    /// Expect `command` next and answer `reply`.
    pub fn expect(mut self, command: &str, reply: &str) -> Self {
        self.steps.push_back(MockStep::Expect {
            command: Some(command.to_string()),
            reply: reply.to_string(),
        });
        self
    }

    /// Answer the next command, whatever it is, with `reply`.
    pub fn reply(mut self, reply: &str) -> Self {
        self.steps.push_back(MockStep::Expect {
            command: None,
            reply: reply.to_string(),
        });
        self
    }

    /// Send `HANGUP` at this point; later unscripted commands get `511`.
    pub fn send_hangup(mut self) -> Self {
        self.steps.push_back(MockStep::SendHangup);
        self
    }

    /// Expect `command`, then send `HANGUP` and close without replying.
    pub fn hangup_during(mut self, command: &str) -> Self {
        self.steps.push_back(MockStep::HangupDuring {
            command: Some(command.to_string()),
        });
        self
    }

    /// Expect `command`, answer `reply`, then after `delay` send `HANGUP` (see
    /// [`MockStep::ReplyThenHangup`]); later unscripted commands get `511`.
    pub fn reply_then_hangup(
        mut self,
        command: &str,
        reply: &str,
        delay: std::time::Duration,
    ) -> Self {
        self.steps.push_back(MockStep::ReplyThenHangup {
            command: Some(command.to_string()),
            reply: reply.to_string(),
            delay,
        });
        self
    }

    /// Close the connection at this point.
    pub fn close(mut self) -> Self {
        self.steps.push_back(MockStep::Close);
        self
    }

    /// The reply to unscripted commands (before any hang-up).
    pub fn default_reply(mut self, reply: &str) -> Self {
        self.default_reply = reply.to_string();
        self
    }

    /// Close the connection as soon as the script is done instead of answering
    /// further commands with the default reply.
    pub fn close_when_done(mut self) -> Self {
        self.close_when_done = true;
        self
    }

    /// Connect to a FastAGI server at `addr` and play the session.
    pub async fn run(self, addr: SocketAddr) -> io::Result<MockReport> {
        let stream = TcpStream::connect(addr).await?;
        self.run_on(stream).await
    }

    /// Play the session over an established stream.
    pub async fn run_on<S: AsyncRead + AsyncWrite + Unpin>(
        self,
        stream: S,
    ) -> io::Result<MockReport> {
        let mut io = BufReader::new(stream);
        let mut block = String::new();
        for (k, v) in &self.env {
            block.push_str(&format!("{k}: {v}\n"));
        }
        block.push('\n');
        io.get_mut().write_all(block.as_bytes()).await?;
        let mut report = MockReport::default();
        let mut dead = false;
        let mut steps = self.steps;
        loop {
            let step = match steps.pop_front() {
                Some(s) => s,
                None if self.close_when_done => break,
                None => MockStep::Expect {
                    command: None,
                    reply: if dead {
                        DEAD_CHANNEL.to_string()
                    } else {
                        self.default_reply.clone()
                    },
                },
            };
            match step {
                MockStep::Expect { command, reply } => {
                    let Some(line) = read_command(&mut io, &mut report).await? else {
                        report.closed_early = !steps.is_empty();
                        break;
                    };
                    check(&command, &line, &mut report);
                    let mut out = reply;
                    out.push('\n');
                    io.get_mut().write_all(out.as_bytes()).await?;
                }
                MockStep::SendHangup => {
                    dead = true;
                    io.get_mut().write_all(b"HANGUP\n").await?;
                }
                MockStep::HangupDuring { command } => {
                    let Some(line) = read_command(&mut io, &mut report).await? else {
                        report.closed_early = true;
                        break;
                    };
                    check(&command, &line, &mut report);
                    io.get_mut().write_all(b"HANGUP\n").await?;
                    break;
                }
                MockStep::ReplyThenHangup {
                    command,
                    reply,
                    delay,
                } => {
                    let Some(line) = read_command(&mut io, &mut report).await? else {
                        report.closed_early = true;
                        break;
                    };
                    check(&command, &line, &mut report);
                    io.get_mut()
                        .write_all(format!("{reply}\n").as_bytes())
                        .await?;
                    io.get_mut().flush().await?;
                    tokio::time::sleep(delay).await;
                    dead = true;
                    io.get_mut().write_all(b"HANGUP\n").await?;
                }
                MockStep::Close => break,
            }
        }
        let _ = io.get_mut().shutdown().await;
        Ok(report)
    }
}

fn check(expected: &Option<String>, line: &str, report: &mut MockReport) {
    if let Some(e) = expected
        && e != line
    {
        report.mismatches.push((e.clone(), line.to_string()));
    }
}

async fn read_command<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut BufReader<S>,
    report: &mut MockReport,
) -> io::Result<Option<String>> {
    let mut line = String::new();
    let n = io.read_line(&mut line).await?;
    if n == 0 {
        return Ok(None);
    }
    let line = line.strip_suffix('\n').unwrap_or(&line).to_string();
    report.commands.push(line.clone());
    Ok(Some(line))
}
