//! `ami/mod.rs`: the module root, the broadcast-header accessors (one generic
//! impl for every event struct) and the size of the decoders' header-name key.
//! The decode helpers themselves are hand-written in
//! `asterisk_sdk_runtime::ami::decode`.

use super::doc;
use crate::fixes::ami_types::HeaderType;
use crate::model::ami::Model;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// Longest lower-cased header or event name the generated matches compare.
fn key_len(m: &Model) -> usize {
    let mut n = 32;
    for e in &m.events {
        n = n.max(e.wire.len());
        for f in &e.fields {
            n = n.max(f.header.len());
        }
        for s in &e.snapshots {
            n = n.max(s.prefix.len() + 32);
        }
    }
    n.next_power_of_two()
}

fn broadcast_accessors(m: &Model) -> Vec<TokenStream> {
    m.broadcast_fields
        .iter()
        .map(|f| {
            let h = &f.header;
            let i = format_ident!("{}", f.ident);
            match &f.ty {
                HeaderType::Number(n) => {
                    let t: TokenStream = n.parse().unwrap_or_default();
                    let d = doc(&[format!(
                        "`{h}` header parsed as `{n}` (`None` when absent or not a number)."
                    )]);
                    quote! {
                        #d
                        fn #i(&self) -> Option<#t> {
                            self.raw().get(#h).and_then(FromHeader::from_header)
                        }
                    }
                }
                HeaderType::Bool => {
                    let d = doc(&[format!("`{h}` header as a boolean.")]);
                    quote! {
                        #d
                        fn #i(&self) -> Option<bool> {
                            self.raw().get(#h).and_then(FromHeader::from_header)
                        }
                    }
                }
                _ => {
                    let d = doc(&[format!("`{h}` header.")]);
                    quote! {
                        #d
                        fn #i(&self) -> Option<&str> {
                            self.raw().get(#h)
                        }
                    }
                }
            }
        })
        .collect()
}

/// `ami/mod.rs`.
pub fn emit_root(m: &Model) -> TokenStream {
    let len = Literal::usize_unsuffixed(key_len(m));
    let accessors = broadcast_accessors(m);
    let heads = super::code_list(&m.broadcast);
    let trait_doc = doc(&[
        "Headers Asterisk adds to broadcast events, read from the raw message.".to_string(),
        String::new(),
        format!("Broadcast headers: {heads}."),
    ]);
    quote! {
        //! AMI: a typed builder for every action and a typed struct for every event of
        //! the generated releases, plus the [`Event`] enum over all events.
        //!
        //! Actions live in [`actions`], events in [`events`] (action and event names
        //! overlap, e.g. `Hangup`), typed success responses in [`responses`],
        //! snapshot blocks in [`snapshot`], open enums of documented enum lists in
        //! [`enums`], and plain data in [`catalog`].

        pub mod actions;
        pub mod catalog;
        pub mod enums;
        mod event;
        pub mod events;
        pub mod responses;
        pub mod snapshot;

        pub use asterisk_sdk_runtime::ami::{
            Action, ActionHeaders, ActionResponse, AmiClient, AmiClientBuilder, AmiError, AuthMode,
            CloseReason, ConnectionState, CountMismatch, EventItem, EventStream, FromEvent,
            FromHeader, ListAction, ListRequest, ListResponse, Message, RawAction, ReconnectPolicy,
            Request, Response, ResponseStatus, SlowSubscriberPolicy, SoftHangupFlags, Text,
            TypedEvent, ANSWER_MARGIN,
        };
        pub use event::Event;
        pub use snapshot::{BridgeSnapshot, ChannelSnapshot};

        #trait_doc
        pub trait EventHeaders {
            /// The whole message.
            fn raw(&self) -> &Message;
            #(#accessors)*
        }

        /// Every generated event struct is read through [`EventHeaders`].
        impl<T: TypedEvent> EventHeaders for T {
            fn raw(&self) -> &Message {
                self.message()
            }
        }

        /// The header-name key of the generated decoders, sized for the longest
        /// header or event name they compare.
        pub(crate) type Key = asterisk_sdk_runtime::ami::decode::HeaderKey<#len>;
    }
}
