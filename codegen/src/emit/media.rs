//! The chan_websocket media protocol (`specs/fixes/media.toml`, checked by
//! [`crate::model::media`]) as typed Rust: `media/commands.rs` (`MediaCommand`,
//! what the application sends), `media/events.rs` (one struct per event and the
//! `MediaEvent` enum with `Unknown`), `media/facts.rs` (constants and formats),
//! each in both control formats (plain text and JSON), decoding and encoding.

use super::docs::{code, doc_lines};
use super::{GeneratedFile, Options};
use crate::Result;
use crate::fixes::Fixes;
use crate::fixes::media::{ConstantValue, FieldType, TextForm};
use crate::model::media::{CommandModel, EventModel, FieldModel, MediaModel, PLAIN_TEXT};
use crate::surface::{Releases, releases_doc};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// Emit `media/mod.rs`, `media/commands.rs`, `media/events.rs`, `media/facts.rs`.
pub fn emit(releases: &Releases, fixes: &Fixes, options: &Options) -> Result<Vec<GeneratedFile>> {
    let media = fixes.media.without(&options.left_out);
    let model = MediaModel::new(&media, &releases.tags())?;
    Ok(vec![
        super::render("media/mod.rs", module())?,
        super::render("media/facts.rs", facts(&model))?,
        super::render("media/commands.rs", commands(&model))?,
        super::render("media/events.rs", events(&model))?,
    ])
}

fn module() -> TokenStream {
    quote! {
        //! The media protocol of chan_websocket (ARI `externalMedia` with
        //! `transport=websocket`, or `Dial(WebSocket/…)`): the commands the
        //! application sends ([`MediaCommand`]), the events Asterisk sends
        //! ([`MediaEvent`]) and the driver's numbers ([`facts`]), from
        //! `specs/fixes/media.toml`. BINARY frames carry audio; these are the TEXT
        //! frames, in plain text or JSON ([`ControlFormat`]).
        pub mod commands;
        pub mod events;
        pub mod facts;
        pub use commands::MediaCommand;
        pub use events::*;
        pub use asterisk_sdk_runtime::media::wire::{
            ControlFormat, MediaDecodeError, MediaEncodeError, RawMediaEvent,
        };
    }
}

fn releases_list(tags: &[String]) -> TokenStream {
    quote! { &[#(#tags),*] }
}

fn source_doc(model: &MediaModel, source: &std::collections::BTreeMap<String, u32>) -> String {
    let lines: Vec<String> = model
        .tags
        .iter()
        .filter_map(|t| source.get(t).map(|n| format!("{t}: line {n}")))
        .collect();
    format!(
        "Source (`channels/chan_websocket.c`): {}.",
        lines.join(", ")
    )
}

fn facts(model: &MediaModel) -> TokenStream {
    let all = &model.tags;
    let consts = model.constants.iter().map(|c| {
        let name = ident(&c.rust);
        let have: Vec<&str> = c.releases.iter().map(String::as_str).collect();
        let doc = doc_lines(&[
            c.reason.clone(),
            String::new(),
            source_doc(model, &c.source),
            String::new(),
            format!("Releases: {}.", releases_doc(&have, all)),
        ]);
        match &c.value {
            ConstantValue::Integer(n) => {
                let n = *n as usize;
                quote! { #doc pub const #name: usize = #n; }
            }
            ConstantValue::Text(t) => quote! { #doc pub const #name: &str = #t; },
        }
    });
    let formats = model.formats.iter().map(|f| {
        let variant = ident(&f.variant);
        let list = releases_list(&f.releases);
        quote! { ControlFormat::#variant => #list, }
    });
    let mut format_doc = vec![
        "The generated releases whose driver speaks `format`:".to_string(),
        String::new(),
    ];
    for f in &model.formats {
        let have: Vec<&str> = f.releases.iter().map(String::as_str).collect();
        format_doc.push(format!(
            "- {}: {} ({})",
            code(&f.wire),
            releases_doc(&have, all),
            f.reason
        ));
    }
    let format_doc = doc_lines(&format_doc);
    let all_list = releases_list(all);
    quote! {
        //! Numbers and names of the chan_websocket driver, and the releases of each
        //! control format.
        use asterisk_sdk_runtime::media::wire::ControlFormat;
        /// Every release the media protocol was generated from, oldest first.
        pub const RELEASES: &[&str] = #all_list;
        #(#consts)*
        #format_doc
        pub fn format_releases(format: ControlFormat) -> &'static [&'static str] {
            #[allow(unreachable_patterns)]
            match format {
                #(#formats)*
                _ => &[],
            }
        }
    }
}

fn rust_type(ty: FieldType) -> TokenStream {
    match ty {
        FieldType::String | FieldType::Rest => quote! { ::std::string::String },
        FieldType::Integer => quote! { u32 },
        FieldType::Boolean => quote! { bool },
        FieldType::Digit => quote! { char },
        FieldType::Object => {
            quote! { ::serde_json::Map<::std::string::String, ::serde_json::Value> }
        }
    }
}

fn type_words(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String => "text",
        FieldType::Rest => "text to the end of the line",
        FieldType::Integer => "integer",
        FieldType::Boolean => "`true`/`false`",
        FieldType::Digit => "one character",
        FieldType::Object => "JSON object",
    }
}

fn commands(model: &MediaModel) -> TokenStream {
    let all = &model.tags;
    let variants = model.commands.iter().map(|c| {
        let v = ident(&c.fix.variant);
        let have: Vec<&str> = c.fix.releases.iter().map(String::as_str).collect();
        let mut doc = vec![
            format!(
                "{}{}.",
                code(&c.fix.wire),
                if c.fix.json_only {
                    " (JSON control format only)"
                } else {
                    ""
                }
            ),
            String::new(),
            c.fix.reason.clone(),
            String::new(),
            source_doc(model, &c.fix.source),
            String::new(),
            format!("Releases: {}.", releases_doc(&have, all)),
        ];
        for p in &c.params {
            doc.push(String::new());
            doc.push(format!(
                "`{}`: {}{} (JSON key {}{}).",
                p.key,
                type_words(p.ty),
                if p.required { "" } else { ", optional" },
                code(&p.key),
                if c.fix.json_only {
                    ""
                } else {
                    "; in plain text after the name and a space"
                }
            ));
        }
        let doc = doc_lines(&doc);
        if c.params.is_empty() {
            quote! { #doc #v, }
        } else {
            let fields = c.params.iter().map(|p| {
                let f = ident(&p.key);
                let ty = rust_type(p.ty);
                let d = format!(" `{}`.", p.key);
                if p.required {
                    quote! { #[doc = #d] #f: #ty }
                } else {
                    quote! { #[doc = #d] #f: ::std::option::Option<#ty> }
                }
            });
            quote! { #doc #v { #(#fields),* }, }
        }
    });
    let pattern = |c: &CommandModel| -> TokenStream {
        let v = ident(&c.fix.variant);
        if c.params.is_empty() {
            quote! { MediaCommand::#v }
        } else {
            let fs = c.params.iter().map(|p| ident(&p.key));
            quote! { MediaCommand::#v { #(#fs),* } }
        }
    };
    let any = |c: &CommandModel| -> TokenStream {
        let v = ident(&c.fix.variant);
        if c.params.is_empty() {
            quote! { MediaCommand::#v }
        } else {
            quote! { MediaCommand::#v { .. } }
        }
    };
    let names = model.commands.iter().map(|c| {
        let pat = any(c);
        let w = &c.fix.wire;
        quote! { #pat => #w, }
    });
    let rels = model.commands.iter().map(|c| {
        let pat = any(c);
        let list = releases_list(&c.fix.releases);
        quote! { #pat => #list, }
    });
    let refused: Vec<TokenStream> = model
        .commands
        .iter()
        .filter(|c| c.fix.refused_in_passthrough)
        .map(any)
        .collect();
    let refused = if refused.is_empty() {
        quote! { false }
    } else {
        quote! { matches!(self, #(#refused)|*) }
    };
    let encodes = model.commands.iter().map(|c| {
        let pat = pattern(c);
        let w = &c.fix.wire;
        let json_params = c.params.iter().map(|p| {
            let f = ident(&p.key);
            let k = &p.key;
            if p.required {
                quote! { params.push((#k, FieldValue::to_json(#f))); }
            } else {
                quote! { if let Some(v) = #f { params.push((#k, FieldValue::to_json(v))); } }
            }
        });
        let text = if c.fix.json_only {
            quote! { ControlFormat::PlainText => Err(MediaEncodeError::JsonOnly { command: #w }), }
        } else if let Some(p) = c.params.first() {
            let f = ident(&p.key);
            let k = &p.key;
            if p.required {
                quote! { ControlFormat::PlainText => wire::text_command(#w, Some((#k, #f.as_str())), MAX), }
            } else {
                quote! { ControlFormat::PlainText => wire::text_command(#w, #f.as_deref().map(|v| (#k, v)), MAX), }
            }
        } else {
            quote! { ControlFormat::PlainText => wire::text_command(#w, None, MAX), }
        };
        quote! {
            #pat => match format {
                #text
                _ => {
                    #[allow(unused_mut)]
                    let mut params: ::std::vec::Vec<(&'static str, ::serde_json::Value)> = ::std::vec::Vec::new();
                    #(#json_params)*
                    wire::json_command(#w, &params, MAX)
                }
            },
        }
    });
    let decodes = model.commands.iter().map(|c| {
        let v = ident(&c.fix.variant);
        let w = &c.fix.wire;
        if c.params.is_empty() {
            return quote! { #w => Ok(MediaCommand::#v), };
        }
        let fields = c.params.iter().enumerate().map(|(i, p)| {
            let f = ident(&p.key);
            let k = &p.key;
            let ty = rust_type(p.ty);
            let text_arm = if i == 0 && !c.fix.json_only {
                quote! { CommandBody::Text(data) => data.as_deref().and_then(<#ty as FieldValue>::from_text), }
            } else {
                quote! { CommandBody::Text(_) => None, }
            };
            let value = quote! {
                match &body {
                    #text_arm
                    CommandBody::Json(object) => wire::json_field::<#ty>(object, #w, #k)?,
                }
            };
            if p.required {
                quote! { #f: wire::required(#value, #w, #k)? }
            } else {
                quote! { #f: #value }
            }
        });
        quote! { #w => Ok(MediaCommand::#v { #(#fields),* }), }
    });
    let max = model
        .constants
        .iter()
        .find(|c| c.rust == "MAX_TEXT_MESSAGE_LEN")
        .map(|_| quote! { super::facts::MAX_TEXT_MESSAGE_LEN })
        .unwrap_or_else(|| quote! { usize::MAX });
    quote! {
        //! The commands the application sends to chan_websocket (TEXT frames).
        // One push per parameter, each conditional or not as the fact says.
        #![allow(clippy::vec_init_then_push)]
        use asterisk_sdk_runtime::media::wire::{
            self, CommandBody, ControlFormat, FieldValue, MediaDecodeError, MediaEncodeError,
        };
        /// Asterisk ignores longer control messages.
        const MAX: usize = #max;
        /// A command to chan_websocket. Each variant says which generated releases
        /// have it; a release without it logs the command as unknown and ignores it.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum MediaCommand {
            #(#variants)*
            /// Any text, sent as is (a command this SDK does not know).
            Raw(::std::string::String),
        }
        impl MediaCommand {
            /// The command name (`MARK_MEDIA`); for [`MediaCommand::Raw`], its first word.
            pub fn name(&self) -> &str {
                match self {
                    #(#names)*
                    MediaCommand::Raw(text) => text.split_whitespace().next().unwrap_or(""),
                }
            }
            /// The generated releases that have the command (all for `Raw`).
            pub fn releases(&self) -> &'static [&'static str] {
                match self {
                    #(#rels)*
                    MediaCommand::Raw(_) => super::facts::RELEASES,
                }
            }
            /// Whether Asterisk refuses the command on a passthrough connection
            /// (no frame size: the media is relayed as is); `false` for `Raw`.
            pub fn refused_in_passthrough(&self) -> bool {
                #refused
            }
            /// The TEXT message in `format`.
            pub fn encode(&self, format: ControlFormat) -> ::std::result::Result<::std::string::String, MediaEncodeError> {
                match self {
                    #(#encodes)*
                    MediaCommand::Raw(text) => Ok(text.clone()),
                }
            }
            /// Read a command as Asterisk does (for mocks and tests); an unknown
            /// name gives [`MediaCommand::Raw`].
            pub fn decode(text: &str) -> ::std::result::Result<MediaCommand, MediaDecodeError> {
                let (name, body) = wire::split_command(text)?;
                match name.as_str() {
                    #(#decodes)*
                    _ => Ok(MediaCommand::Raw(text.trim().to_string())),
                }
            }
        }
    }
}

fn field_doc(model: &MediaModel, event: &EventModel, f: &FieldModel) -> TokenStream {
    let have: Vec<&str> = f.releases.iter().map(String::as_str).collect();
    let ev_have: Vec<&str> = event.fix.releases.iter().map(String::as_str).collect();
    let mut lines = vec![format!("`{}`: {}.", f.key, type_words(f.ty))];
    if !f.required {
        let mut why = Vec::new();
        if have.len() != ev_have.len() {
            why.push(format!("sent by {}", releases_doc(&have, &model.tags)));
        }
        if f.formats.len() == 1 {
            why.push(format!("only in the {} format", code(&f.formats[0])));
        }
        if event.fix.text == TextForm::Id {
            why.push("absent when the command gave none".to_string());
        }
        lines.push(String::new());
        lines.push(format!("Optional: {}.", why.join("; ")));
    }
    doc_lines(&lines)
}

fn events(model: &MediaModel) -> TokenStream {
    let all = &model.tags;
    let structs = model.events.iter().map(|e| {
        let name = ident(&e.fix.variant);
        let wire_name = &e.fix.wire;
        let have: Vec<&str> = e.fix.releases.iter().map(String::as_str).collect();
        let form = match e.fix.text {
            TextForm::Bare => format!("{} alone", code(wire_name)),
            TextForm::Id => format!("`{wire_name} <correlation id>` (or the name alone)"),
            TextForm::Pairs => format!("`{wire_name} key:value …`"),
        };
        let doc = doc_lines(&[
            format!("The {} event.", code(wire_name)),
            String::new(),
            e.fix.reason.clone(),
            String::new(),
            format!("Plain text: {form}; JSON: `{{\"event\":\"{wire_name}\", …}}`."),
            String::new(),
            source_doc(model, &e.fix.source),
            String::new(),
            format!("Releases: {}.", releases_doc(&have, all)),
        ]);
        let fields = e.fields.iter().map(|f| {
            let fname = ident(&f.key);
            let ty = rust_type(f.ty);
            let d = field_doc(model, e, f);
            if f.required {
                quote! { #d pub #fname: #ty, }
            } else {
                quote! { #d pub #fname: ::std::option::Option<#ty>, }
            }
        });
        let rest_key = e
            .fields
            .iter()
            .find(|f| f.ty == FieldType::Rest)
            .map(|f| {
                let k = &f.key;
                quote! { Some(#k) }
            })
            .unwrap_or_else(|| quote! { None });
        let finish = |f: &FieldModel, value: TokenStream| -> TokenStream {
            let fname = ident(&f.key);
            let k = &f.key;
            if f.required {
                quote! { #fname: wire::required(#value, Self::NAME, #k)?, }
            } else if f.key == "correlation_id" {
                quote! { #fname: wire::correlation_id(#value), }
            } else {
                quote! { #fname: #value, }
            }
        };
        let text_fields = e.fields.iter().map(|f| {
            let ty = rust_type(f.ty);
            let k = &f.key;
            let value = if !f.in_text() {
                quote! { None }
            } else if e.fix.text == TextForm::Id {
                quote! { (!rest.is_empty()).then(|| rest.to_string()) }
            } else {
                quote! { wire::text_field::<#ty>(&pairs, Self::NAME, #k)? }
            };
            finish(f, value)
        });
        let json_fields = e.fields.iter().map(|f| {
            let ty = rust_type(f.ty);
            let k = &f.key;
            let value = if f.formats.iter().any(|x| x == "json") {
                quote! { wire::json_field::<#ty>(object, Self::NAME, #k)? }
            } else {
                quote! { None }
            };
            finish(f, value)
        });
        let pairs_decl = if e.fix.text == TextForm::Pairs {
            quote! { let pairs = wire::text_pairs(rest, #rest_key); }
        } else {
            quote! { let _ = rest; }
        };
        let get = |f: &FieldModel| -> TokenStream {
            let fname = ident(&f.key);
            if f.required {
                quote! { Some(&self.#fname) }
            } else {
                quote! { self.#fname.as_ref() }
            }
        };
        let text_encode = match e.fix.text {
            TextForm::Bare => quote! { Self::NAME.to_string() },
            TextForm::Id => {
                let f = e.fields.iter().find(|f| f.in_text());
                match f {
                    Some(f) => {
                        let g = get(f);
                        quote! {
                            match #g.filter(|v| !v.is_empty()) {
                                Some(id) => format!("{} {}", Self::NAME, id),
                                None => Self::NAME.to_string(),
                            }
                        }
                    }
                    None => quote! { Self::NAME.to_string() },
                }
            }
            TextForm::Pairs => {
                let pushes = e.fields.iter().filter(|f| f.in_text()).map(|f| {
                    let g = get(f);
                    let k = &f.key;
                    let fname = ident(&f.key);
                    if f.required {
                        quote! { pairs.push((#k, FieldValue::to_text(&self.#fname))); }
                    } else {
                        quote! { if let Some(v) = #g { pairs.push((#k, FieldValue::to_text(v))); } }
                    }
                });
                quote! {
                    let mut pairs: ::std::vec::Vec<(&str, ::std::string::String)> = ::std::vec::Vec::new();
                    #(#pushes)*
                    wire::text_event(Self::NAME, &pairs)
                }
            }
        };
        let json_pushes = e.fields.iter().filter(|f| f.formats.iter().any(|x| x == "json")).map(|f| {
            let g = get(f);
            let k = &f.key;
            if f.key == "correlation_id" {
                quote! { fields.push((#k, ::serde_json::Value::from(#g.cloned().unwrap_or_default()))); }
            } else if f.required {
                let fname = ident(&f.key);
                quote! { fields.push((#k, FieldValue::to_json(&self.#fname))); }
            } else {
                quote! { if let Some(v) = #g { fields.push((#k, FieldValue::to_json(v))); } }
            }
        });
        let releases = releases_list(&e.fix.releases);
        quote! {
            #doc
            ///
            /// Build one (e.g. in a mock) with `Default` and field assignments.
            #[derive(Debug, Clone, Default, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
            }
            impl #name {
                /// The event name.
                pub const NAME: &'static str = #wire_name;
                /// The generated releases that send it.
                pub const RELEASES: &'static [&'static str] = #releases;
                /// From the plain-text body after the name.
                pub fn from_text(rest: &str) -> ::std::result::Result<Self, MediaDecodeError> {
                    #pairs_decl
                    Ok(Self { #(#text_fields)* })
                }
                /// From the JSON object.
                pub fn from_json(object: &::serde_json::Map<::std::string::String, ::serde_json::Value>) -> ::std::result::Result<Self, MediaDecodeError> {
                    let _ = object;
                    Ok(Self { #(#json_fields)* })
                }
                /// The TEXT message Asterisk would send in `format` (for mocks and tests).
                pub fn encode(&self, format: ControlFormat) -> ::std::string::String {
                    if format == ControlFormat::PlainText {
                        #text_encode
                    } else {
                        #[allow(unused_mut)]
                        let mut fields: ::std::vec::Vec<(&str, ::serde_json::Value)> = ::std::vec::Vec::new();
                        #(#json_pushes)*
                        wire::json_event(Self::NAME, fields)
                    }
                }
            }
        }
    });
    let variants = model.events.iter().map(|e| {
        let v = ident(&e.fix.variant);
        let d = format!(" {}.", code(&e.fix.wire));
        quote! { #[doc = #d] #v(#v), }
    });
    let text_arms = model.events.iter().map(|e| {
        let v = ident(&e.fix.variant);
        let w = &e.fix.wire;
        quote! { #w => #v::from_text(rest).map(MediaEvent::#v), }
    });
    let json_arms = model.events.iter().map(|e| {
        let v = ident(&e.fix.variant);
        let w = &e.fix.wire;
        quote! { #w => #v::from_json(&object).map(MediaEvent::#v), }
    });
    let name_arms = model.events.iter().map(|e| {
        let v = ident(&e.fix.variant);
        quote! { MediaEvent::#v(_) => #v::NAME, }
    });
    let encode_arms = model.events.iter().map(|e| {
        let v = ident(&e.fix.variant);
        quote! { MediaEvent::#v(e) => e.encode(format), }
    });
    let _ = PLAIN_TEXT;
    quote! {
        //! The events chan_websocket sends (TEXT frames), one struct each, and
        //! [`MediaEvent`], which keeps events this SDK does not know.
        // One push per field, each conditional or not as the fact says.
        #![allow(clippy::vec_init_then_push)]
        use asterisk_sdk_runtime::media::wire::{
            self, ControlFormat, FieldValue, MediaDecodeError, RawMediaEvent, Received,
        };
        #(#structs)*
        /// An event from chan_websocket, in either control format.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum MediaEvent {
            #(#variants)*
            /// An event this SDK does not know, as received.
            Unknown(RawMediaEvent),
        }
        impl MediaEvent {
            /// Read one TEXT message (plain text or JSON). A known event with a
            /// missing or invalid field is an error; an unknown one is
            /// [`MediaEvent::Unknown`].
            pub fn decode(text: &str) -> ::std::result::Result<MediaEvent, MediaDecodeError> {
                match Received::parse(text)? {
                    Received::Text { name, rest } => match name {
                        #(#text_arms)*
                        _ => Ok(MediaEvent::Unknown(RawMediaEvent { name: name.to_string(), text: text.to_string() })),
                    },
                    Received::Json { name, object } => match name.as_str() {
                        #(#json_arms)*
                        _ => Ok(MediaEvent::Unknown(RawMediaEvent { name, text: text.to_string() })),
                    },
                }
            }
            /// The event name.
            pub fn name(&self) -> &str {
                match self {
                    #(#name_arms)*
                    MediaEvent::Unknown(raw) => &raw.name,
                }
            }
            /// The TEXT message in `format` (an unknown event: as received).
            pub fn encode(&self, format: ControlFormat) -> ::std::string::String {
                match self {
                    #(#encode_arms)*
                    MediaEvent::Unknown(raw) => raw.text.clone(),
                }
            }
        }
    }
}
