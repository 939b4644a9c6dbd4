//! AMI, the Asterisk Manager Interface: messages, actions, typed events and the client.
//!
//! Layers, bottom up: [`Message`] (one frame over a shared buffer, headers as an
//! ordered multimap), [`ActionHeaders`] and the [`Action`] trait (what the generated
//! action types and [`RawAction`] implement), [`FromEvent`] and [`TypedEvent`] (what generated
//! event types implement, with the helpers of [`decode`]), then the codec and client.

mod action;
pub mod catalog;
mod client;
mod codec;
pub mod decode;
mod header;
mod message;
mod raw_action;
mod response;
mod scan;
#[cfg(feature = "serde")]
mod serialize;
mod soft_hangup;
mod spans;
mod text;

pub use action::{Action, ActionHeaders, InvalidHeader, ListAction};
pub use catalog::{ActionInfo, EventInfo};
pub use client::{
    ANSWER_MARGIN, AmiClient, AmiClientBuilder, AmiError, AuthMode, CloseReason, ConnectionState,
    CountMismatch, EventItem, EventStream, ListRequest, ListResponse, ReconnectPolicy, Request,
    SlowSubscriberPolicy, md5_key,
};
pub use codec::{DEFAULT_MAX_MESSAGE, Frame, FrameDecoder, FrameError};
pub use header::{FromEvent, FromHeader, TypedEvent};
pub use message::{Header, Message};
pub use raw_action::RawAction;
pub use response::{ActionResponse, Response, ResponseStatus};
#[cfg(feature = "serde")]
pub use serialize::WireHeaders;
pub use soft_hangup::SoftHangupFlags;
pub use text::Text;
