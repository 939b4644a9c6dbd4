//! AMI, the Asterisk Manager Interface: messages, actions, typed events and the client.
//!
//! Layers, bottom up: [`Message`] (one frame over a shared buffer, headers as an
//! ordered multimap), [`ActionHeaders`] and the [`Action`] trait (what the generated
//! action types implement), [`FromEvent`] (what generated event types implement),
//! then the codec and client.

mod action;
pub mod catalog;
mod header;
mod message;
mod text;

pub use action::{Action, ActionHeaders, InvalidHeader, ListAction};
pub use catalog::{ActionInfo, EventInfo};
pub use header::{FromHeader, FromEvent};
pub use message::{Header, Message};
pub use text::Text;
