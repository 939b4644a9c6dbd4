//! AGI: the FastAGI server, AsyncAGI sessions over AMI, and the protocol pieces
//! both share (environment, command lines, replies, typed outcomes).
//!
//! A handler receives the session's [`AgiRequest`] and an [`AgiChannel`]; the
//! generated crate adds one typed method per AGI command to every
//! `AgiChannel<T: Transport>`.

mod asyncagi;
mod command;
mod error;
mod fastagi;
mod lines;
pub mod outcome;
#[cfg(feature = "ami")]
mod over_ami;
pub use crate::percent;
mod reply;
mod request;
mod server;
mod transport;

pub use asyncagi::{AsyncAgi, AsyncAgiLink, decode_exec_result, decode_start_env};
pub use command::{Command, CommandLine, Optional, RawCommand};
pub use error::AgiError;
pub use fastagi::{FastAgi, FastAgiOptions, HANGUP_GRACE};
pub use outcome::{
    GetDataOutcome, GosubOutcome, RecordEnd, RecordOutcome, SpeechEnd, SpeechOutcome, SpeechResult,
    StreamOutcome,
};
#[cfg(feature = "ami")]
#[cfg_attr(docsrs, doc(cfg(feature = "ami")))]
pub use over_ami::{AmiAgiLink, AmiAsyncAgi, AsyncAgiSession, AsyncAgiSessions};
pub use reply::{AgiReply, ReplyAssembler, Step, assemble_block};
pub use request::{AgiRequest, EnvLimits, EnvParser};
pub use server::{FastAgiServer, Handler, ServerConfig, ShutdownHandle};
pub use transport::{AgiChannel, HangupNotice, Transport};
