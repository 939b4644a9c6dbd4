//! `ami/mod.rs`: the module root, the broadcast-header accessors and the small
//! decode helpers every generated event shares.

use super::doc;
use crate::fixes::ami_types::{AmiTypeFixes, HeaderType};
use crate::model::ami::Model;
use crate::names;
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

fn broadcast_accessors(m: &Model, fixes: &AmiTypeFixes) -> Vec<TokenStream> {
    m.broadcast
        .iter()
        .map(|h| {
            let i = format_ident!("{}", names::field_name(h));
            match fixes.event_header("Broadcast", h, false) {
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
pub fn emit_root(m: &Model, fixes: &AmiTypeFixes) -> TokenStream {
    let len = Literal::usize_unsuffixed(key_len(m));
    let accessors = broadcast_accessors(m, fixes);
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
            ANSWER_MARGIN,
        };
        pub use event::Event;
        pub use snapshot::{BridgeSnapshot, ChannelSnapshot};

        #trait_doc
        pub trait EventHeaders {
            /// The whole message.
            fn raw(&self) -> &Message;
            #(#accessors)*
        }

        /// Lower-cases a header name into a fixed buffer so that one generated
        /// `match` finds a field whatever the spelling (`CommandID`/`CommandId`).
        pub(crate) struct Key([u8; #len]);

        impl Key {
            pub(crate) fn new() -> Self {
                Key([0; #len])
            }

            /// The lower-cased name; empty (matching no field) when it is longer
            /// than any known name.
            pub(crate) fn lower(&mut self, name: &str) -> &[u8] {
                let b = name.as_bytes();
                if b.len() > self.0.len() {
                    return &[];
                }
                for (d, s) in self.0.iter_mut().zip(b) {
                    *d = s.to_ascii_lowercase();
                }
                &self.0[..b.len()]
            }
        }

        /// Header `i` parsed as `T`; `None` when not UTF-8 or not parsable.
        pub(crate) fn typed<T: FromHeader>(raw: &Message, i: usize) -> Option<T> {
            raw.value_str(i).and_then(T::from_header)
        }

        /// `name=value` as a pair (value empty when there is no `=`).
        pub(crate) fn split_var(v: Text) -> (Text, Text) {
            match v.split_once('=') {
                Some(pair) => pair,
                None => (v, Text::default()),
            }
        }

        /// The pair of a legacy `ChanVariable(name): value` header.
        pub(crate) fn legacy_var(raw: &Message, i: usize) -> (Text, Text) {
            let n = raw.name(i);
            let name = match (n.find('('), n.strip_suffix(')')) {
                (Some(open), Some(head)) if open < head.len() => &head[open + 1..],
                _ => "",
            };
            (Text::from(name), raw.value_text(i))
        }

        #[cfg(test)]
        mod key_tests {
            use super::Key;

            #[test]
            fn lower_cases_like_std_for_every_byte_and_length() {
                let mut key = Key::new();
                let all: Vec<char> = (0u8..128).map(char::from).chain(['é', 'Ä', '€']).collect();
                for len in 0..=key.0.len() {
                    for start in 0..all.len() {
                        let name: String = all.iter().cycle().skip(start).take(len).collect();
                        if name.len() > key.0.len() {
                            continue;
                        }
                        assert_eq!(key.lower(&name), name.to_ascii_lowercase().as_bytes());
                    }
                }
                let long = "x".repeat(key.0.len() + 1);
                assert!(key.lower(&long).is_empty());
            }
        }
    }
}
