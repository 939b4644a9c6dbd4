//! `ami/events/`, `ami/event.rs`, `ami/snapshot.rs` and `ami/enums.rs`: one struct
//! per event decoded in one pass over its headers, the `Event` enum, the snapshot
//! blocks and the open enums of documented enum lists.

use super::{code_list, doc, tokens};
use crate::Result;
use crate::emit::open_enum::{self, CATCH_ALL, OpenEnum};
use crate::fixes::ami_types::HeaderType;
use crate::model::ami::{EventModel, EventOrigin, FieldModel, Model, SnapshotKind};
use crate::names;
use crate::surface::releases_doc;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// Rust type of a field (inside the `Option`).
fn field_type(f: &FieldModel) -> TokenStream {
    match &f.ty {
        HeaderType::Text => quote!(Text),
        HeaderType::Bool => quote!(bool),
        HeaderType::Number(n) => tokens(n),
        HeaderType::Domain(d) => {
            let d = format_ident!("{}", d);
            quote!(crate::domain::#d)
        }
        HeaderType::Enum => match &f.enum_type {
            Some(e) => {
                let e = format_ident!("{}", e);
                quote!(crate::ami::enums::#e)
            }
            None => quote!(Text),
        },
        HeaderType::Runtime(r) => {
            let r = format_ident!("{}", r);
            quote!(asterisk_sdk_runtime::ami::#r)
        }
    }
}

/// Type description for docs.
fn type_doc(f: &FieldModel) -> String {
    match &f.ty {
        HeaderType::Text => "text".into(),
        HeaderType::Bool => "boolean".into(),
        HeaderType::Number(n) => format!("`{n}`"),
        HeaderType::Domain(d) => format!("[`{d}`](crate::domain::{d})"),
        HeaderType::Enum => match &f.enum_type {
            Some(e) => format!("[`{e}`](crate::ami::enums::{e})"),
            None => "text".into(),
        },
        HeaderType::Runtime(r) => format!("[`{r}`](asterisk_sdk_runtime::ami::{r})"),
    }
}

/// Expression decoding header `i` of `raw` into the field's `Option<T>`.
fn decode_expr(f: &FieldModel) -> TokenStream {
    match f.ty {
        HeaderType::Text => quote!(Some(raw.value_text(i))),
        _ => quote!(typed(raw, i)),
    }
}

/// The JSON key of a field: its Rust name without a keyword-avoiding `_`.
fn json_key(ident: &str) -> String {
    ident.trim_end_matches('_').to_string()
}

/// `serialize_entry` of one `Option` field when it is set: open and domain enums
/// as their wire text, every other type by its own `Serialize`.
fn serialize_field(f: &FieldModel, this: TokenStream) -> TokenStream {
    let i = format_ident!("{}", f.ident);
    let key = json_key(&f.ident);
    let value = match (&f.ty, &f.enum_type) {
        (HeaderType::Domain(_), _) | (HeaderType::Enum, Some(_)) => quote!(OpenEnum::as_str(v)),
        _ => quote!(v),
    };
    quote! {
        if let Some(v) = &#this.#i {
            m.serialize_entry(#key, #value)?;
        }
    }
}

fn key_lit(s: &str) -> Literal {
    Literal::byte_string(s.to_ascii_lowercase().as_bytes())
}

fn field_doc(f: &FieldModel, what: &str) -> TokenStream {
    let mut s = format!("`{}` {what}: {}", f.header, type_doc(f));
    if let Some(u) = &f.unit {
        s.push_str(&format!(", in {u}"));
    }
    if let Some(d) = &f.documented_as {
        s.push_str(&format!("; documented as `{d}`"));
    }
    if f.undocumented {
        s.push_str("; sent but not documented");
    }
    if !f.enum_values.is_empty() && f.ty != HeaderType::Enum {
        s.push_str(&format!(
            "; documented values {}",
            code_list(&f.enum_values)
        ));
    }
    if let Some(r) = &f.releases {
        s.push_str(&format!("; only in {}", r.join(", ")));
    }
    s.push('.');
    doc(&[s])
}

fn event_link(e: &EventModel) -> String {
    match e.origin {
        EventOrigin::Documented => format!("<https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Events/{}/>", e.name),
        EventOrigin::Inline => "Documented inside the action that answers with it; see <https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/>.".into(),
        EventOrigin::Undocumented => "Not documented by Asterisk: headers known from its C sources.".into(),
    }
}

fn event_doc(e: &EventModel, m: &Model) -> Vec<String> {
    let mut d = vec![format!("AMI event `{}`.", e.name), String::new()];
    d.push(format!("- Wire name: `{}`", e.wire));
    d.push(format!(
        "- Releases: {}",
        releases_doc(
            &e.releases.iter().map(String::as_str).collect::<Vec<_>>(),
            &m.tags
        )
    ));
    if !e.since.is_empty() {
        d.push(format!("- Since: {}", e.since.join(", ")));
    }
    if !e.classes.is_empty() {
        d.push(format!("- Classes: {}", code_list(&e.classes)));
    }
    if !e.modules.is_empty() {
        d.push(format!("- Modules: {}", code_list(&e.modules)));
    }
    if let Some(k) = e.kind {
        d.push(format!("- Kind: {}", k.as_str()));
    }
    d.push(String::new());
    d.push("Non-exhaustive (a newer release adds headers): build one from a message with `FromEvent::from_message` or [`Event::from_message`](crate::ami::Event::from_message).".into());
    d.push(String::new());
    d.push(event_link(e));
    d
}

/// Prefixed snapshots sorted so that a longer prefix is tried before a shorter one.
fn snapshot_order(e: &EventModel) -> Vec<&crate::model::ami::SnapModel> {
    let mut s: Vec<_> = e.snapshots.iter().collect();
    s.sort_by_key(|x| std::cmp::Reverse(x.prefix.len()));
    s
}

fn emit_event(e: &EventModel, m: &Model) -> TokenStream {
    let ty = format_ident!("{}", e.ty);
    let d = doc(&event_doc(e, m));
    let wire = &e.wire;
    let mut decls = Vec::new();
    let mut inits = Vec::new();
    let mut names_ = Vec::new();
    for s in &e.snapshots {
        let i = format_ident!("{}", s.ident);
        let (sty, what) = if s.kind == SnapshotKind::Bridge {
            (quote!(BridgeSnapshot), "Bridge")
        } else {
            (quote!(ChannelSnapshot), "Channel")
        };
        let prefix = if s.prefix.is_empty() {
            "no prefix".to_string()
        } else {
            format!("prefix `{}`", s.prefix)
        };
        let undoc = if s.documented {
            ""
        } else {
            "; sent but not documented"
        };
        let sd = doc(&[format!(
            "{what} snapshot block ({prefix}{undoc}); all fields `None` when absent."
        )]);
        decls.push(quote!(#sd pub #i: #sty,));
        let l = format_ident!("f_{}", s.ident);
        inits.push(quote!(let mut #l = #sty::default();));
        names_.push(quote!(#i: #l));
    }
    let mut arms = Vec::new();
    let mut single = Vec::new();
    for f in &e.fields {
        let i = format_ident!("{}", f.ident);
        let t = field_type(f);
        let fd = field_doc(f, "header");
        decls.push(quote!(#fd pub #i: Option<#t>,));
        let l = format_ident!("f_{}", f.ident);
        inits.push(quote!(let mut #l = None;));
        let k = key_lit(&f.header);
        let ex = decode_expr(f);
        arms.push(quote!(#k => #l = #ex,));
        single.push((k, l.clone(), ex.clone()));
        names_.push(quote!(#i: #l));
    }
    let mut fallbacks = Vec::new();
    for s in snapshot_order(e) {
        let i = format_ident!("f_{}", s.ident);
        if s.prefix.is_empty() {
            fallbacks.push(quote! {
                if #i.accept(name, raw, i) {
                    continue;
                }
            });
        } else {
            let p = key_lit(&s.prefix);
            fallbacks.push(quote! {
                if name.strip_prefix(#p.as_slice()).is_some_and(|rest| #i.accept(rest, raw, i)) {
                    continue;
                }
            });
        }
    }
    let dispatch = match arms.len() {
        0 => quote!(#(#fallbacks)*),
        1 if fallbacks.is_empty() => {
            let (k, l, ex) = &single[0];
            quote! {
                if name == #k {
                    #l = #ex;
                }
            }
        }
        _ => quote! {
            match name {
                #(#arms)*
                _ => {
                    #(#fallbacks)*
                }
            }
        },
    };
    let mut ser = Vec::new();
    for sn in &e.snapshots {
        let i = format_ident!("{}", sn.ident);
        let key = json_key(&sn.ident);
        ser.push(quote!(m.serialize_entry(#key, &self.#i)?;));
    }
    for f in &e.fields {
        ser.push(serialize_field(f, quote!(self)));
    }
    let mut alias_names: Vec<&String> = Vec::new();
    for x in std::iter::once(&e.wire).chain(&e.aliases) {
        if *x != e.ty && !alias_names.contains(&x) {
            alias_names.push(x);
        }
    }
    let alias = alias_names.iter().map(|x| quote!(#[doc(alias = #x)]));
    let body = if names_.is_empty() {
        quote!(Self { raw })
    } else {
        quote! {
            #(#inits)*
            {
                let raw = &raw;
                let mut key = Key::new();
                for i in 0..raw.len() {
                    let name = key.lower(raw.name(i));
                    #dispatch
                }
            }
            Self { #(#names_,)* raw }
        }
    };
    quote! {
        #d
        #(#alias)*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #ty {
            #(#decls)*
            /// The whole message: every header as received, including ones without a field.
            pub raw: Message,
        }
        impl TypedEvent for #ty {
            const NAME: &'static str = #wire;
            fn decode(raw: Message) -> Self {
                #body
            }
            fn message(&self) -> &Message {
                &self.raw
            }
        }
        #[cfg(feature = "serde")]
        impl serde::Serialize for #ty {
            /// `{"name", "headers": [[name, value], …], typed fields…}`; unset fields are left out.
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("name", self.raw.event_name().unwrap_or_default())?;
                m.serialize_entry("headers", &WireHeaders(&self.raw))?;
                #(#ser)*
                m.end()
            }
        }
    }
}

/// `ami/events/`: the event structs, one part per initial (see [`split`](crate::emit::split)).
pub fn emit_events(m: &Model) -> TokenStream {
    let items = m.events.iter().map(|e| emit_event(e, m));
    let needs_typed = m
        .events
        .iter()
        .any(|e| e.fields.iter().any(|f| f.ty != HeaderType::Text));
    let typed = if needs_typed {
        quote!(
            use asterisk_sdk_runtime::ami::decode::typed;
        )
    } else {
        quote!()
    };
    quote! {
        //! Every AMI event of the generated releases: one struct per event with a
        //! typed `Option` per known header and the whole message in `raw`.
        //!
        //! Each struct implements [`TypedEvent`] (and so [`FromEvent`](asterisk_sdk_runtime::ami::FromEvent)
        //! and [`EventHeaders`](super::EventHeaders)); the files are split by initial.
        use super::snapshot::{BridgeSnapshot, ChannelSnapshot};
        use super::Key;
        #typed
        use asterisk_sdk_runtime::ami::{Message, Text, TypedEvent};
        #[cfg(feature = "serde")]
        use asterisk_sdk_runtime::ami::WireHeaders;
        #[cfg(feature = "serde")]
        use asterisk_sdk_runtime::open_enum::OpenEnum;
        #(#items)*
    }
}

/// `ami/event.rs`: the `Event` enum.
pub fn emit_event_enum(m: &Model) -> TokenStream {
    let variants: Vec<_> = m.events.iter().map(|e| format_ident!("{}", e.ty)).collect();
    let vdocs = m.events.iter().map(|e| doc(&[format!("`{}`.", e.wire)]));
    let keys = m.events.iter().map(|e| key_lit(&e.wire));
    let variants2 = variants.clone();
    quote! {
        //! [`Event`]: any AMI event, decoded to its typed struct by its `Event:` name.
        use super::EventHeaders;
        use super::Key;
        use super::events;
        use asterisk_sdk_runtime::ami::{FromEvent, Message, TypedEvent};

        /// Any AMI event: a typed variant per known event, `Unknown` for the rest
        /// (the message is kept whole either way).
        ///
        /// Non-exhaustive: a newer release adds variants, so a `match` needs a `_` arm.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#vdocs #variants(Box<events::#variants>),)*
            /// An event the generated releases do not know, or a message without `Event:`.
            Unknown(Message),
        }

        impl Event {
            /// Decode a message by its `Event:` name (ASCII case-insensitive).
            pub fn from_message(raw: Message) -> Event {
                let mut key = Key::new();
                let name = match raw.event_name() {
                    Some(n) => key.lower(n),
                    None => return Event::Unknown(raw),
                };
                match name {
                    #(#keys => Event::#variants(Box::new(events::#variants::decode(raw))),)*
                    _ => Event::Unknown(raw),
                }
            }

            /// The `Event:` header as received (empty when absent).
            pub fn name(&self) -> &str {
                self.raw().event_name().unwrap_or_default()
            }

            /// The whole message.
            pub fn raw(&self) -> &Message {
                match self {
                    #(Event::#variants(e) => &e.raw,)*
                    Event::Unknown(m) => m,
                }
            }

            /// Whether the event is not one the generated releases know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Event::Unknown(_))
            }
        }

        impl EventHeaders for Event {
            fn raw(&self) -> &Message {
                Event::raw(self)
            }
        }

        impl FromEvent for Event {
            fn matches(_event_name: &str) -> bool {
                true
            }
            fn from_message(msg: Message) -> Result<Self, Message> {
                Ok(Event::from_message(msg))
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for Event {
            /// The typed event's form; an unknown event as its message.
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(Event::#variants2(e) => serde::Serialize::serialize(e, s),)*
                    Event::Unknown(m) => serde::Serialize::serialize(m, s),
                }
            }
        }
    }
}

fn snapshot_struct(name: &str, what: &str, fields: &[FieldModel], extra: &[String]) -> TokenStream {
    let ty = format_ident!("{}", name);
    let mut decls = Vec::new();
    let mut arms = Vec::new();
    for f in fields {
        let i = format_ident!("{}", f.ident);
        let t = field_type(f);
        let fd = field_doc(f, "(after the block's prefix)");
        decls.push(quote!(#fd pub #i: Option<#t>,));
        let k = key_lit(&f.header);
        let ex = decode_expr(f);
        arms.push(quote!(#k => self.#i = #ex,));
    }
    let mut ser: Vec<TokenStream> = fields
        .iter()
        .map(|f| serialize_field(f, quote!(self)))
        .collect();
    let mut legacy = quote!(return false;);
    for x in extra {
        if x.eq_ignore_ascii_case("ChanVariable") {
            let k = key_lit(x);
            let legacy_prefix = key_lit(&format!("{x}("));
            decls.push(quote! {
                /// Channel variables: `ChanVariable: name=value` headers and legacy
                /// `ChanVariable(name): value` headers, in order.
                pub variables: Vec<(Text, Text)>,
            });
            arms.push(quote!(#k => self.variables.push(split_var(raw.value_text(i))),));
            ser.push(quote! {
                if !self.variables.is_empty() {
                    m.serialize_entry("variables", &self.variables)?;
                }
            });
            legacy = quote! {
                if key.starts_with(#legacy_prefix) && key.ends_with(b")") {
                    self.variables.push(legacy_var(raw, i));
                } else {
                    return false;
                }
            };
        } else {
            let i = format_ident!("{}", names::field_name(x));
            let fd = doc(&[format!(
                "`{x}` (after the block's prefix): text; sent but not documented."
            )]);
            decls.push(quote!(#fd pub #i: Option<Text>,));
            let key = json_key(&names::field_name(x));
            ser.push(quote! {
                if let Some(v) = &self.#i {
                    m.serialize_entry(#key, v)?;
                }
            });
            let k = key_lit(x);
            arms.push(quote!(#k => self.#i = Some(raw.value_text(i)),));
        }
    }
    let sd = doc(&[
        format!(
            "A {what} snapshot block: the headers Asterisk expands `<{what}_snapshot/>` to, after the block's prefix."
        ),
        String::new(),
        format!(
            "Every field is `None` when its header is absent; headers: {}.",
            code_list(&fields.iter().map(|f| f.header.clone()).collect::<Vec<_>>())
        ),
        String::new(),
        "Non-exhaustive (a newer release adds headers): start from `Default` and assign fields."
            .into(),
    ]);
    quote! {
        #sd
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct #ty {
            #(#decls)*
        }
        #[cfg(feature = "serde")]
        impl serde::Serialize for #ty {
            /// A map of the fields that are set (open enums as their wire text).
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                #(#ser)*
                m.end()
            }
        }
        impl #ty {
            /// Take header `i` of `raw` when `key` (its lower-case name without the
            /// block's prefix) belongs to this block.
            pub(crate) fn accept(&mut self, key: &[u8], raw: &Message, i: usize) -> bool {
                match key {
                    #(#arms)*
                    _ => {
                        #legacy
                    }
                }
                true
            }
        }
    }
}

/// `ami/snapshot.rs`.
pub fn emit_snapshots(m: &Model) -> TokenStream {
    let chan = snapshot_struct(
        "ChannelSnapshot",
        "channel",
        &m.channel_fields,
        &m.snapshot_extra,
    );
    let bridge = snapshot_struct("BridgeSnapshot", "bridge", &m.bridge_fields, &[]);
    let has_var = m
        .snapshot_extra
        .iter()
        .any(|x| x.eq_ignore_ascii_case("ChanVariable"));
    let helpers = if has_var {
        quote!(
            use asterisk_sdk_runtime::ami::decode::{legacy_var, split_var, typed};
        )
    } else {
        quote!(
            use asterisk_sdk_runtime::ami::decode::typed;
        )
    };
    // Serializing an enum-typed snapshot header goes through `OpenEnum`.
    let open_enum = if m
        .channel_fields
        .iter()
        .chain(&m.bridge_fields)
        .any(|f| matches!(f.ty, HeaderType::Domain(_) | HeaderType::Enum))
    {
        quote! {
            #[cfg(feature = "serde")]
            use asterisk_sdk_runtime::open_enum::OpenEnum;
        }
    } else {
        quote!()
    };
    quote! {
        //! Snapshot blocks: the channel and bridge header groups many events carry,
        //! possibly several times under different prefixes (`Dest`, `Transferer`, …).
        #helpers
        use asterisk_sdk_runtime::ami::{Message, Text};
        #open_enum
        #chan
        #bridge
    }
}

/// `ami/enums.rs`: the open enums of the model (one per distinct value set).
pub fn emit_enums(m: &Model) -> Result<TokenStream> {
    let mut items = Vec::new();
    for e in &m.enums {
        let ty = format_ident!("{}", e.name);
        let used_by: Vec<String> = e
            .headers
            .iter()
            .map(|(event, header)| format!("`{header}` of `{event}`"))
            .collect();
        let which = match used_by.len() {
            1 => "header",
            _ => "the headers",
        };
        let d = doc(&[format!(
            "Values of {which} {} (open: other values are kept in `{CATCH_ALL}`).",
            used_by.join(", ")
        )]);
        let open = OpenEnum::from_wires(&e.name, d, &e.values, |_, v| doc(&[format!("`{v}`.")]));
        let open = open_enum::emit(&open)?;
        items.push(quote! {
            #open
            impl FromHeader for #ty {
                fn from_header(value: &str) -> Option<Self> {
                    from_header_text(value)
                }
            }
        });
    }
    Ok(quote! {
        //! Open enums for event headers whose documentation lists their values:
        //! one type per distinct value set (lists of yes/no words are `bool`,
        //! lists equal to a domain enum are that enum).
        use asterisk_sdk_runtime::ami::FromHeader;
        use asterisk_sdk_runtime::open_enum::from_header_text;
        #(#items)*
    })
}
