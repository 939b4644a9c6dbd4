//! ARI models and events: one union surface over every release, as serde types.
//!
//! Writes `ari/mod.rs`, `ari/models/` (one struct per model of any release, one
//! open enum per property with allowed values; split by initial), `ari/events.rs` (`AriEvent`,
//! one variant per concrete `Message` subtype plus `Unknown`) and, through
//! [`ops`], the operations: `ari/client.rs` and `ari/resources/*.rs`, and through
//! [`catalog`] the route catalog `ari/catalog.rs`.
//!
//! The structs, fields and their types come from [`crate::model::ari`]. Every
//! struct keeps unknown JSON keys in `extra`. Docs carry facts only (names,
//! types, requiredness, allowed values, releases, a link).

use crate::Result;
use crate::emit::open_enum::{self, CATCH_ALL, OpenEnum};
use crate::emit::{GeneratedFile, Options, render};
use crate::fixes::Fixes;
use crate::model::ari::{Field, FieldType, Model, StructModel};
use crate::names::field_name;
use crate::surface::{Releases, releases_doc};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

pub mod catalog;
pub mod ops;

/// Where the official per-resource pages live.
const DOCS_BASE: &str =
    "https://docs.asterisk.org/Latest_API/API_Documentation/Asterisk_REST_Interface/";

/// The Rust name of the catch-all variant of `AriEvent`.
const UNKNOWN: &str = "Unknown";

/// An `AriEvent` variant is boxed when its struct holds more inline fields than
/// this (see [`inline_fields`]). With 64, the transfer events and `Dial` (three
/// channels) are boxed and the enum stays about two `Channel`s wide, instead of
/// the 11-channel `BridgeAttendedTransfer`: every decoded event moves the whole
/// enum a few times, so its width is paid on every message.
const BOX_VARIANT_ABOVE_FIELDS: usize = 64;

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// The docs page of a resource: `deviceStates` → `Devicestates_REST_API` (the
/// docs capitalise the first letter and lower-case the rest).
fn docs_url(resource: &str) -> String {
    let mut chars = resource.chars();
    let title = match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase(),
        None => String::new(),
    };
    format!("{DOCS_BASE}{title}_REST_API/")
}

fn docs_link(resource: &str) -> String {
    let mut chars = resource.chars();
    let title = match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase(),
        None => String::new(),
    };
    format!("Official page: [{title} REST API]({}).", docs_url(resource))
}

/// `#[doc = ...]` attributes, one per line (each line gets a leading space).
fn doc(lines: &[String]) -> TokenStream {
    let mut out = TokenStream::new();
    for (i, para) in lines.iter().enumerate() {
        if i > 0 {
            out.extend(quote!(#[doc = ""]));
        }
        for line in para.lines() {
            let l = format!(" {line}");
            out.extend(quote!(#[doc = #l]));
        }
    }
    out
}

fn code_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Rust type of a field.
fn rust_type(ty: &FieldType) -> TokenStream {
    match ty {
        FieldType::Text => quote!(::std::string::String),
        FieldType::OpenEnum(e) => {
            let e = ident(e);
            quote!(#e)
        }
        FieldType::I32 => quote!(i32),
        FieldType::U32 => quote!(u32),
        FieldType::I64 => quote!(i64),
        FieldType::F64 => quote!(f64),
        FieldType::Bool => quote!(bool),
        FieldType::Timestamp => quote!(::asterisk_sdk_runtime::ari::Timestamp),
        FieldType::StringMap => {
            quote!(::std::collections::BTreeMap<::std::string::String, ::std::string::String>)
        }
        FieldType::Model { rust, boxed } => {
            let r = ident(rust);
            if *boxed {
                quote!(::std::boxed::Box<#r>)
            } else {
                quote!(#r)
            }
        }
        FieldType::List(inner) => {
            let t = rust_type(inner);
            quote!(::std::vec::Vec<#t>)
        }
        FieldType::Json => quote!(::serde_json::Value),
    }
}

fn field_doc(model: &StructModel, f: &Field, all: &[String]) -> TokenStream {
    let mut lines = Vec::new();
    let ty = if f.conflicting_types.is_empty() {
        format!("`{}`", f.data_type)
    } else {
        format!(
            "differs between releases ({}), kept as raw JSON",
            code_list(&f.conflicting_types)
        )
    };
    lines.push(format!("JSON key `{}`, Swagger type {ty}.", f.json));
    let mut req = if f.required {
        "Required in every release that has the model.".to_string()
    } else {
        let mut why: Vec<String> = Vec::new();
        if !f.missing_in.is_empty() {
            why.push(format!("absent in {}", f.missing_in.join(", ")));
        }
        if f.required_in.is_empty() {
            why.push("not marked required".into());
        } else {
            why.push(format!(
                "marked required in {} only",
                f.required_in.join(", ")
            ));
        }
        format!("Optional ({}).", why.join("; "))
    };
    if f.declared_in != model.name {
        req.push_str(&format!(" Inherited from `{}`.", f.declared_in));
    }
    lines.push(req);
    if !f.values.is_empty() {
        let vals: Vec<String> = f.values.iter().map(|(v, _)| v.clone()).collect();
        lines.push(format!("Allowed values: {}.", code_list(&vals)));
    }
    if let Some((min, max)) = &f.range {
        let b = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "none".into())
        };
        lines.push(format!("Range: min {}, max {}.", b(min), b(max)));
    }
    if let Some(fix) = &f.type_fix {
        lines.push(format!(
            "Typed `{}` by our fix `{}`: {}",
            fix.rust_type, fix.name, fix.reason
        ));
    }
    let have: Vec<&str> = f.releases.iter().map(|s| s.as_str()).collect();
    lines.push(format!("Releases: {}.", releases_doc(&have, all)));
    doc(&lines)
}

fn model_doc(m: &StructModel, all: &[String], is_message: bool) -> TokenStream {
    let mut lines = vec![format!(
        "ARI model `{}`, declared in `{}.json`.",
        m.name, m.resource
    )];
    let have: Vec<&str> = m.releases.iter().map(|s| s.as_str()).collect();
    lines.push(format!("Releases: {}.", releases_doc(&have, all)));
    if !m.ancestors.is_empty() {
        let mut chain = m.ancestors.clone();
        chain.push(m.name.clone());
        let chain: Vec<String> = chain.iter().map(|c| format!("`{c}`")).collect();
        lines.push(format!(
            "Subtype chain {}: the ancestors' properties are fields of this struct.",
            chain.join(" → ")
        ));
    }
    if let Some(d) = &m.discriminator {
        lines.push(format!(
            "Discriminator `{d}`; subtypes: {}.",
            code_list(&m.subtypes)
        ));
    } else if !m.subtypes.is_empty() {
        lines.push(format!("Subtypes: {}.", code_list(&m.subtypes)));
    }
    if is_message {
        lines.push(format!(
            "Arrives on the events WebSocket with `type` = `\"{}\"`, as `AriEvent::{}`.",
            m.name, m.rust
        ));
    }
    lines.push("JSON keys this struct does not know are kept in `extra` and written back on serialization.".into());
    lines.push("Non-exhaustive (a newer Asterisk adds properties): build one by deserializing JSON, e.g. with `serde_json::from_value`.".into());
    lines.push(docs_link(&m.resource));
    doc(&lines)
}

fn emit_enum(model: &StructModel, f: &Field, name: &str, all: &[String]) -> Result<TokenStream> {
    let have: Vec<&str> = f.releases.iter().map(|s| s.as_str()).collect();
    let enum_doc = vec![
        format!(
            "Allowed values of `{}.{}` (Swagger `allowableValues` LIST).",
            model.name, f.json
        ),
        format!("Releases: {}.", releases_doc(&have, all)),
        format!(
            "Open enum: a value this SDK does not know arrives as `{CATCH_ALL}` with the string kept as sent."
        ),
        docs_link(&model.resource),
    ];
    emit_open_enum(name, &enum_doc, &f.values, all)
}

/// An open enum over `values` (wire value, releases that document it; no
/// releases line when empty), through the one open-enum emitter.
pub(super) fn emit_open_enum(
    name: &str,
    enum_doc: &[String],
    values: &[(String, Vec<String>)],
    all: &[String],
) -> Result<TokenStream> {
    let wires: Vec<String> = values.iter().map(|(w, _)| w.clone()).collect();
    let e = OpenEnum::from_wires(name, doc(enum_doc), &wires, |i, wire| {
        let tags: Vec<&str> = values[i].1.iter().map(|s| s.as_str()).collect();
        let mut lines = vec![format!("Wire value `{wire}`.")];
        if !tags.is_empty() {
            lines.push(format!("Releases: {}.", releases_doc(&tags, all)));
        }
        doc(&lines)
    });
    open_enum::emit(&e)
}

/// `Deserialize` for one model through `asterisk_sdk_runtime::ari::de`: one
/// `match` over the JSON keys (borrowed when unescaped), known fields decoded in
/// place, unknown keys into `extra` (serde's `flatten` would buffer everything).
/// `free_form[i]` tells that field `i` holds free-form JSON (a raw value or a map
/// of strings), read through `de::json_field` so repeated keys inside it are
/// refused as everywhere else.
fn emit_model_de(m: &StructModel, free_form: &[bool]) -> TokenStream {
    let name = ident(&m.rust);
    let rust = &m.rust;
    let slots: Vec<Ident> = (0..m.fields.len())
        .map(|i| ident(&format!("f{i}")))
        .collect();
    let arms = m
        .fields
        .iter()
        .zip(&slots)
        .zip(free_form)
        .map(|((f, s), free)| {
            let json = &f.json;
            let read = if *free {
                quote!(json_field)
            } else {
                quote!(field)
            };
            quote!(#json => de::#read(&mut #s, &mut map, #json)?,)
        });
    let inits = m.fields.iter().zip(&slots).map(|(f, s)| {
        let fi = ident(&f.rust);
        let json = &f.json;
        if f.required {
            quote!(#fi: de::required(#s, #json)?,)
        } else {
            quote!(#fi: de::optional(#s),)
        }
    });
    let (lets, keep) = if slots.is_empty() {
        (
            TokenStream::new(),
            quote!(de::other(&mut extra, &mut map, key)?;),
        )
    } else {
        (
            quote!(#(let mut #slots = None;)*),
            quote! {
                match key.as_str() {
                    #(#arms)*
                    _ => de::other(&mut extra, &mut map, key)?,
                }
            },
        )
    };
    quote! {
        impl ::asterisk_sdk_runtime::ari::de::MapModel for #name {
            const NAME: &'static str = #rust;

            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(mut map: A) -> ::std::result::Result<Self, A::Error> {
                use ::asterisk_sdk_runtime::ari::de;
                #lets
                let mut extra = ::serde_json::Map::new();
                while let Some(key) = map.next_key::<de::Key<'de>>()? {
                    #keep
                }
                Ok(Self { #(#inits)* extra })
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::asterisk_sdk_runtime::ari::de::deserialize_model(deserializer)
            }
        }
    }
}

fn emit_models(model: &Model) -> Result<Vec<GeneratedFile>> {
    let all = &model.tags;
    let mut items = Vec::new();
    for m in &model.structs {
        let name = ident(&m.rust);
        let mdoc = model_doc(m, all, m.is_event(model));
        let alias = if m.rust != m.name {
            let wire = &m.name;
            quote!(#[doc(alias = #wire)])
        } else {
            TokenStream::new()
        };
        let mut fields = Vec::new();
        let mut enums = Vec::new();
        let mut free_form = Vec::new();
        for f in &m.fields {
            let fdoc = field_doc(m, f, all);
            let fi = ident(&f.rust);
            let base = rust_type(&f.ty);
            free_form.push(f.ty.is_free_form());
            let json = &f.json;
            let rename = if f.rust != f.json {
                quote!(#[serde(rename = #json)])
            } else {
                TokenStream::new()
            };
            if f.required {
                fields.push(quote! {
                    #fdoc
                    #rename
                    pub #fi: #base,
                });
            } else {
                fields.push(quote! {
                    #fdoc
                    #rename
                    #[serde(skip_serializing_if = "Option::is_none")]
                    pub #fi: ::std::option::Option<#base>,
                });
            }
            if let Some(e) = &f.enum_name {
                enums.push(emit_enum(m, f, e, all)?);
            }
        }
        let de = emit_model_de(m, &free_form);
        items.push(quote! {
            #mdoc
            #alias
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
                /// JSON keys this SDK does not know (added by a newer Asterisk or
                /// undocumented), kept as sent and written back on serialization.
                #[serde(flatten)]
                pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
            }
            #de
            #(#enums)*
        });
    }
    let head = inner_doc(&[
        "ARI models: one struct per model of any generated release, one open enum per",
        "property with allowed values. Generated from the ARI Swagger files; docs carry",
        "facts only and link to docs.asterisk.org.",
    ]);
    let tokens = quote! {
        #head
        #(#items)*
    };
    crate::emit::split::by_initial("ari/models", "ARI models", tokens)
}

/// `//!` lines (`quote!` only takes literal doc comments).
fn inner_doc(lines: &[&str]) -> TokenStream {
    let mut out = TokenStream::new();
    for l in lines {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        out.extend(quote!(#![doc = #l]));
    }
    out
}

/// Which header accessor a variant supports.
enum Access {
    /// A required field.
    Required(Ident),
    /// An optional field.
    Optional(Ident),
    /// No such field.
    None,
}

fn access(m: &StructModel, json: &str, swagger: &str) -> Access {
    match m
        .fields
        .iter()
        .find(|f| f.json == json && f.data_type == swagger && f.enum_name.is_none())
    {
        Some(f) if f.required => Access::Required(ident(&f.rust)),
        Some(f) => Access::Optional(ident(&f.rust)),
        None => Access::None,
    }
}

/// How many fields a model stores inline: its own fields, with a field whose type
/// is another model counted as that model's inline fields (a list, a map or an
/// object counts as one, since it holds a pointer), plus one for `extra`.
fn inline_fields(
    name: &str,
    by_name: &BTreeMap<&str, &StructModel>,
    path: &mut Vec<String>,
) -> usize {
    let Some(m) = by_name.get(name) else { return 1 };
    if path.iter().any(|p| p == name) {
        return 1; // a recursive model is behind a pointer anyway
    }
    path.push(name.to_string());
    let mut n = 1;
    for f in &m.fields {
        n += if by_name.contains_key(f.data_type.as_str()) {
            inline_fields(&f.data_type, by_name, path)
        } else {
            1
        };
    }
    path.pop();
    n
}

fn emit_events(model: &Model) -> Result<GeneratedFile> {
    let all = &model.tags;
    let messages = &model.messages;
    let concrete: Vec<&StructModel> = model.structs.iter().filter(|p| p.is_event(model)).collect();
    let unknown = ident(UNKNOWN);

    let mut variants = Vec::new();
    let mut dispatch_slice = Vec::new();
    let mut dispatch_value = Vec::new();
    let mut serialize = Vec::new();
    let mut type_arms = Vec::new();
    let mut from_impls = Vec::new();
    let mut app_arms = Vec::new();
    let mut ts_arms = Vec::new();
    let mut id_arms = Vec::new();
    let mut type_names = Vec::new();
    let by_name: BTreeMap<&str, &StructModel> =
        model.structs.iter().map(|p| (p.name.as_str(), p)).collect();
    for m in &concrete {
        let v = ident(&m.rust);
        let wire = &m.name;
        let tags: Vec<&str> = messages
            .get(&m.name)
            .map(|t| t.iter().map(|s| s.as_str()).collect())
            .unwrap_or_default();
        let fields = inline_fields(&m.name, &by_name, &mut Vec::new());
        let boxed = fields > BOX_VARIANT_ABOVE_FIELDS;
        let mut vdoc_lines = vec![
            format!("`type` = `\"{wire}\"`: see [`{}`].", m.rust),
            format!("Releases: {}.", releases_doc(&tags, all)),
        ];
        if boxed {
            vdoc_lines.push(format!(
                "Boxed: the struct holds {fields} fields inline (nested models included)."
            ));
        }
        let vdoc = doc(&vdoc_lines);
        let (payload, construct) = if boxed {
            (
                quote!(::std::boxed::Box<#v>),
                quote!(Self::#v(::std::boxed::Box::new(e))),
            )
        } else {
            (quote!(#v), quote!(Self::#v(e)))
        };
        let wrap = if boxed {
            quote!(|e| #construct)
        } else {
            quote!(Self::#v)
        };
        variants.push(quote!(#vdoc #v(#payload),));
        dispatch_slice.push(quote!(#wire => ::serde_json::from_str(text).map(#wrap),));
        dispatch_value.push(quote!(#wire => ::serde_json::from_value(value).map(#wrap),));
        serialize.push(quote!(Self::#v(e) => ::serde::Serialize::serialize(e, serializer),));
        type_arms.push(quote!(Self::#v(_) => #wire,));
        type_names.push(wire.clone());
        let fdoc = format!(" Wrap a [`{}`].", m.rust);
        from_impls.push(quote! {
            impl ::std::convert::From<#v> for AriEvent {
                #[doc = #fdoc]
                fn from(e: #v) -> Self {
                    #construct
                }
            }
        });
        app_arms.push(match access(m, "application", "string") {
            Access::Required(f) => quote!(Self::#v(e) => Some(e.#f.as_str()),),
            Access::Optional(f) => quote!(Self::#v(e) => e.#f.as_deref(),),
            Access::None => quote!(Self::#v(_) => None,),
        });
        id_arms.push(match access(m, "asterisk_id", "string") {
            Access::Required(f) => quote!(Self::#v(e) => Some(e.#f.as_str()),),
            Access::Optional(f) => quote!(Self::#v(e) => e.#f.as_deref(),),
            Access::None => quote!(Self::#v(_) => None,),
        });
        ts_arms.push(match access(m, "timestamp", "Date") {
            Access::Required(f) => quote!(Self::#v(e) => Some(e.#f),),
            Access::Optional(f) => quote!(Self::#v(e) => e.#f,),
            Access::None => quote!(Self::#v(_) => None,),
        });
    }
    let count = proc_macro2::Literal::usize_unsuffixed(type_names.len());
    let uses = concrete.iter().map(|m| ident(&m.rust));
    let enum_doc = doc(&[
        "A message of the ARI events WebSocket (`GET /events`): every concrete subtype of `Message` in any generated release, selected by `type`.".into(),
        format!("Releases: {}.", releases_doc(&all.iter().map(|s| s.as_str()).collect::<Vec<_>>(), all)),
        "Unknown types arrive as `Unknown` with the raw JSON. Serializing writes the JSON back, unknown keys included.".into(),
        docs_link("events"),
    ]);

    let head = inner_doc(&[
        "ARI events: `AriEvent`, one variant per message type of the events WebSocket,",
        "decoded from bytes by its `type` discriminator without an intermediate value.",
    ]);
    let tokens = quote! {
        #head

        use super::models::{#(#uses),*};
        use ::asterisk_sdk_runtime::ari::by_type;

        #enum_doc
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)] // only the widest variants are boxed
        #[non_exhaustive]
        pub enum AriEvent {
            #(#variants)*
            /// A message whose `type` this SDK does not know (or that has no `type`), kept as sent.
            #unknown(::serde_json::Value),
        }

        impl AriEvent {
            /// Every `type` value with a typed variant, sorted.
            pub const TYPES: [&'static str; #count] = [#(#type_names),*];

            /// Decode one WebSocket message. The `type` is read first (borrowed, nothing
            /// else is built), then the bytes are decoded straight into the selected
            /// struct. An unknown or absent `type` gives `Unknown`; a known `type` whose
            /// body does not match its struct is an error (see
            /// [`AriEvent::from_slice_lossless`]). Also errors, exactly as the serde
            /// `Deserialize` impl: input that is not one JSON object, a `type` that is
            /// not a string, and a repeated key in any object (see
            /// `asterisk_sdk_runtime::ari::by_type`).
            pub fn from_slice(bytes: &[u8]) -> ::std::result::Result<Self, ::serde_json::Error> {
                by_type::from_slice(bytes)
            }

            /// Decode without losing a message: a known `type` whose body does not match
            /// its struct becomes `Unknown` with the raw JSON, and the decoding error is
            /// returned beside it. Fails only when the bytes are not JSON.
            pub fn from_slice_lossless(
                bytes: &[u8],
            ) -> ::std::result::Result<(Self, ::std::option::Option<::serde_json::Error>), ::serde_json::Error> {
                by_type::from_slice_lossless(bytes)
            }

            /// [`AriEvent::from_slice_lossless`] on text already known to be UTF-8
            /// (a WebSocket text message).
            pub fn from_text_lossless(
                text: &str,
            ) -> ::std::result::Result<(Self, ::std::option::Option<::serde_json::Error>), ::serde_json::Error> {
                by_type::from_text_lossless(text)
            }

            /// Decode an already parsed JSON value, selected by its `type`: the same
            /// rules as [`AriEvent::from_slice`].
            pub fn from_value(value: ::serde_json::Value) -> ::std::result::Result<Self, ::serde_json::Error> {
                by_type::from_value(value)
            }

            /// The `type` of the message (for `Unknown`, as sent; empty when absent).
            pub fn event_type(&self) -> &str {
                match self {
                    #(#type_arms)*
                    Self::#unknown(v) => by_type::raw_str(v, "type").unwrap_or(""),
                }
            }

            /// `application`: the Stasis application the event is for (`None` for
            /// messages that are not events, such as `MissingParams`).
            pub fn application(&self) -> ::std::option::Option<&str> {
                match self {
                    #(#app_arms)*
                    Self::#unknown(v) => by_type::raw_str(v, "application"),
                }
            }

            /// `timestamp`: when Asterisk raised the event (`None` for messages that
            /// are not events; for `Unknown`, when absent or not a timestamp).
            pub fn timestamp(&self) -> ::std::option::Option<::asterisk_sdk_runtime::ari::Timestamp> {
                match self {
                    #(#ts_arms)*
                    Self::#unknown(v) => by_type::raw_timestamp(v),
                }
            }

            /// `asterisk_id`: the id of the Asterisk instance that sent the message.
            pub fn asterisk_id(&self) -> ::std::option::Option<&str> {
                match self {
                    #(#id_arms)*
                    Self::#unknown(v) => by_type::raw_str(v, "asterisk_id"),
                }
            }

            /// Whether this is a message without a typed variant.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::#unknown(_))
            }
        }

        /// Decodes like [`AriEvent::from_slice`].
        impl ::std::str::FromStr for AriEvent {
            type Err = ::serde_json::Error;

            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                by_type::from_text(text)
            }
        }

        /// The per-`type` half of the decoding; the rest is `asterisk_sdk_runtime::ari::by_type`.
        impl by_type::ByType for AriEvent {
            fn decode_text(kind: &str, text: &str) -> ::std::result::Result<Self, ::serde_json::Error> {
                match kind {
                    #(#dispatch_slice)*
                    _ => by_type::unknown_from_text(text),
                }
            }

            fn decode_value(
                kind: &str,
                value: ::serde_json::Value,
            ) -> ::std::result::Result<Self, ::serde_json::Error> {
                match kind {
                    #(#dispatch_value)*
                    _ => Ok(Self::#unknown(value)),
                }
            }

            fn unknown(raw: ::serde_json::Value) -> Self {
                Self::#unknown(raw)
            }
        }

        impl ::serde::Serialize for AriEvent {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize)*
                    Self::#unknown(v) => ::serde::Serialize::serialize(v, serializer),
                }
            }
        }

        /// Goes through a JSON value (the format is not known to be JSON bytes),
        /// read as `asterisk_sdk_runtime::ari::de::UniqueKeys`, and gives what
        /// [`AriEvent::from_slice`] gives; prefer that for WebSocket messages.
        impl<'de> ::serde::Deserialize<'de> for AriEvent {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                by_type::deserialize(deserializer)
            }
        }

        #(#from_impls)*
    };
    render("ari/events.rs", tokens)
}

fn emit_mod(model: &Model) -> Result<GeneratedFile> {
    // Handles re-exported at the root, grouped by module.
    let mut by_module: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for h in &model.handles {
        by_module
            .entry(field_name(&h.resource))
            .or_default()
            .push(h.name.as_str());
    }
    let handle_uses = by_module.iter().map(|(module, names)| {
        let module = ident(module);
        let mut names = names.clone();
        names.sort_unstable();
        let names: Vec<Ident> = names.iter().map(|n| ident(n)).collect();
        if names.len() == 1 {
            let n = &names[0];
            quote!(pub use resources::#module::#n;)
        } else {
            quote!(pub use resources::#module::{#(#names),*};)
        }
    });
    let head = inner_doc(&[
        "The Asterisk REST Interface: models and events of every generated release.",
        "",
        "- [`models`]: one struct per ARI model, unknown JSON keys kept in `extra`.",
        "- [`events`]: [`AriEvent`], the messages of the events WebSocket.",
        "- [`client`]: [`AriClient`], over HTTP or any [`AriTransport`].",
        "- [`resources`]: one module per resource: accessor, builders, handles.",
        "- [`params`]: open enums for operation parameters with allowed values.",
        "- [`catalog`]: every operation as plain data (method, path, parameters), for the mock server and tools.",
        "",
        "Every operation returns a builder: `client.channels().originate(\"Local/100@default\").app(\"my-app\").await`.",
        "Failures are [`AriError`]: transport errors, error statuses typed by",
        "[`ErrorKind`] with Asterisk's message, and undecodable bodies.",
    ]);
    let tokens = quote! {
        #head

        pub mod catalog;
        pub mod client;
        pub mod events;
        pub mod models;
        pub mod params;
        pub mod resources;

        pub use ::asterisk_sdk_runtime::ari::{
            ApiError, AriError, AriHttp, AriHttpBuilder, AriRequest, AriResponse, AriTransport,
            ErrorKind, Timestamp, TransportError,
        };
        pub use client::AriClient;
        pub use events::AriEvent;
        #(#handle_uses)*
    };
    render("ari/mod.rs", tokens)
}

/// Emit `ari/mod.rs`, `ari/models.rs`, `ari/events.rs`, `ari/client.rs` and
/// `ari/resources/*.rs`.
pub fn emit(releases: &Releases, fixes: &Fixes, options: &Options) -> Result<Vec<GeneratedFile>> {
    let _ = options;
    let model = Model::build(releases, fixes)?;
    let mut files = vec![emit_mod(&model)?, emit_events(&model)?];
    files.extend(emit_models(&model)?);
    files.extend(ops::emit(&model)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_pages_are_capitalised_like_the_docs() {
        assert_eq!(
            docs_url("deviceStates"),
            "https://docs.asterisk.org/Latest_API/API_Documentation/Asterisk_REST_Interface/Devicestates_REST_API/"
        );
        assert!(docs_url("channels").ends_with("/Channels_REST_API/"));
    }
}
