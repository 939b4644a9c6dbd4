//! AGI commands: one typed `Command` struct and one
//! `AgiCommands` method per command, results typed by
//! `specs/fixes/agi_results.toml`, written to `agi/`.

use super::docs::{code, doc_lines};
use super::{GeneratedFile, Options, render};
use crate::Result;
use crate::fixes::agi_results::{AgiResults, ParamType, ResultKind};
use crate::model::agi::{CommandModel, Model, ParamModel};
use crate::surface::Releases;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Emit `agi/mod.rs`, `agi/commands.rs` and `agi/methods.rs` with the AGI
/// fixes (`specs/fixes/agi_results.toml`, loaded with the other fixes).
pub fn emit(
    releases: &Releases,
    fixes: &AgiResults,
    options: &Options,
) -> Result<Vec<GeneratedFile>> {
    let _ = options;
    let model = Model::build(releases, fixes)?;
    let tags = model.tags.join(", ");
    Ok(vec![
        render("agi/mod.rs", module_file(&tags))?,
        render("agi/commands.rs", commands_file(&model.commands, &tags))?,
        render("agi/methods.rs", methods_file(&model.commands, &tags))?,
    ])
}

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

impl ParamModel {
    fn is_str(&self) -> bool {
        self.ty == ParamType::Str
    }

    /// The Rust field name.
    fn field_ident(&self) -> Ident {
        ident(&self.field)
    }

    /// The field type in the command struct.
    fn field_type(&self) -> TokenStream {
        let base = match self.ty {
            ParamType::Str => quote!(&'a str),
            ParamType::OnOff | ParamType::Flag => quote!(bool),
            number => {
                let t = ident(number.number().unwrap_or("i64"));
                quote!(#t)
            }
        };
        if self.required || self.ty == ParamType::Flag {
            base
        } else {
            quote!(Option<#base>)
        }
    }

    /// The argument type of the channel method.
    fn arg_type(&self) -> TokenStream {
        let t = self.field_type().to_string().replace("& 'a", "&");
        t.parse().unwrap_or_default()
    }

    /// Statement appending a required value to `line`.
    fn push_required(&self) -> TokenStream {
        let f = self.field_ident();
        let value = match self.ty {
            ParamType::Str => quote!(self.#f),
            ParamType::OnOff => quote!(if self.#f { "on" } else { "off" }),
            _ => quote!(&self.#f.to_string()),
        };
        match &self.fix.prefix {
            Some(p) => {
                let fmt = format!("{}{{}}", escape_format(p));
                quote! { line.arg(&format!(#fmt, #value))?; }
            }
            None => quote! { line.arg(#value)?; },
        }
    }

    /// An `Optional { … }` expression for an optional value.
    fn optional(&self) -> TokenStream {
        let f = self.field_ident();
        let name = &self.wire_name;
        let prefix = self.fix.prefix.clone().unwrap_or_default();
        let fmt = format!("{}{{v}}", escape_format(&prefix));
        let value = match self.ty {
            ParamType::Flag => {
                let w = self.fix.wire.clone().unwrap_or_default();
                quote!(self.#f.then_some(Cow::Borrowed(#w)))
            }
            ParamType::Str if prefix.is_empty() => quote!(self.#f.map(Cow::Borrowed)),
            ParamType::OnOff => {
                quote!(self.#f.map(|v| Cow::Borrowed(if v { "on" } else { "off" })))
            }
            _ if prefix.is_empty() => quote!(self.#f.map(|v| Cow::Owned(v.to_string()))),
            _ => quote!(self.#f.map(|v| Cow::Owned(format!(#fmt)))),
        };
        let fill = match &self.fix.fill {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        };
        let skippable = self.ty == ParamType::Flag;
        quote! {
            Optional { name: #name, value: #value, fill: #fill, skippable: #skippable }
        }
    }

    fn doc(&self) -> String {
        let mut s = format!("Parameter {}", code(&self.wire_name));
        s.push_str(if self.required {
            ", required"
        } else {
            ", optional"
        });
        if let Some(u) = &self.fix.unit {
            s.push_str(&format!(", in {u}"));
        }
        match self.ty {
            ParamType::OnOff => s.push_str("; sent as `on` or `off`"),
            ParamType::Flag => s.push_str(&format!(
                "; sends {} when true",
                code(self.fix.wire.as_deref().unwrap_or_default())
            )),
            _ => {}
        }
        if let Some(p) = &self.fix.prefix {
            s.push_str(&format!("; sent with the prefix {}", code(p)));
        }
        if let Some(f) = &self.fix.fill {
            s.push_str(&format!(
                "; {} is sent when unset and a later one is set",
                code(f)
            ));
        }
        if let Some(r) = &self.releases {
            s.push_str(&format!(". Only in {r}"));
        }
        s.push('.');
        s
    }
}

/// Escape `{` and `}` for use in a `format!` string.
fn escape_format(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

impl CommandModel {
    fn type_ident(&self) -> Ident {
        ident(&self.type_name)
    }

    /// Clippy's argument limit is 7 (self included): commands with more
    /// positional parameters mirror the wire form on purpose.
    fn allow_many(&self) -> TokenStream {
        if self.params.len() >= 7 {
            quote!(#[allow(clippy::too_many_arguments)])
        } else {
            quote!()
        }
    }

    fn has_lifetime(&self) -> bool {
        self.params.iter().any(ParamModel::is_str)
    }

    fn syntax(&self) -> String {
        let mut s = self.words.clone();
        for p in &self.params {
            if p.required {
                s.push_str(&format!(" <{}>", p.wire_name));
            } else {
                s.push_str(&format!(" [{}]", p.wire_name));
            }
        }
        s
    }

    fn link(&self) -> String {
        format!(
            "<{}/AGI_Commands/{}/>",
            super::docs::DOCS_BASE,
            self.name.replace(' ', "_")
        )
    }

    /// The output type and the parse expression of the result kind.
    fn result(&self) -> (TokenStream, TokenStream) {
        match self.kind {
            ResultKind::Unit => (quote!(()), quote!(outcome::unit(line, reply))),
            ResultKind::ZeroOk => (quote!(()), quote!(outcome::zero_ok(line, reply))),
            ResultKind::BoolOne => (quote!(bool), quote!(outcome::flag(line, reply, 1, 0))),
            ResultKind::BoolZero => (quote!(bool), quote!(outcome::flag(line, reply, 0, 1))),
            ResultKind::BoolFound => (quote!(bool), quote!(outcome::flag(line, reply, 1, -1))),
            ResultKind::ChannelState => (
                quote!(Option<ChannelState>),
                quote!(
                    outcome::number_or_none(line, reply)
                        .map(|s| s.map(|n| ChannelState::from_code(n.into())))
                ),
            ),
            ResultKind::Digit => (quote!(Option<char>), quote!(outcome::digit(line, reply))),
            ResultKind::Stream => (quote!(StreamOutcome), quote!(outcome::stream(line, reply))),
            ResultKind::GetData => (
                quote!(GetDataOutcome),
                quote!(outcome::get_data(line, reply)),
            ),
            ResultKind::Value => (quote!(Option<String>), quote!(outcome::value(line, reply))),
            ResultKind::Text => (quote!(String), quote!(outcome::text(line, reply))),
            ResultKind::ReceivedChar => (
                quote!(Option<char>),
                quote!(outcome::received_char(line, reply)),
            ),
            ResultKind::Record => (quote!(RecordOutcome), quote!(outcome::record(line, reply))),
            ResultKind::Exec => (quote!(i32), quote!(outcome::exec(line, reply))),
            ResultKind::Gosub => (quote!(GosubOutcome), quote!(outcome::gosub(line, reply))),
            ResultKind::Speech => (quote!(SpeechOutcome), quote!(outcome::speech(line, reply))),
        }
    }

    fn facts(&self) -> Vec<String> {
        let mut lines = vec![
            format!("Wire: {}", code(&self.syntax())),
            String::new(),
            format!("Result: {}", self.reason),
            String::new(),
        ];
        let mut meta = Vec::new();
        if !self.since.is_empty() {
            meta.push(format!("Since Asterisk {}.", self.since.join(", ")));
        }
        meta.push(format!("Releases: {}.", self.releases));
        if let Some(d) = self.dead_safe {
            meta.push(format!(
                "Runs on a hung-up channel: {}.",
                if d { "yes" } else { "no (511)" }
            ));
        }
        lines.push(meta.join(" "));
        lines.push(String::new());
        lines.push(self.link());
        lines
    }
}

fn module_file(tags: &str) -> TokenStream {
    let doc = format!(
        "AGI: every command as a typed method ([`AgiCommands`]) and a [`Command`] struct, over FastAGI or AsyncAGI. Generated for releases {tags}."
    );
    quote! {
        #![doc = #doc]
        pub mod commands;
        mod methods;
        pub use crate::runtime::agi::*;
        pub use commands::*;
        pub use methods::AgiCommands;
    }
}

fn commands_file(models: &[CommandModel], tags: &str) -> TokenStream {
    let doc = format!(
        "One struct per AGI command implementing [`Command`]: how it is written and what its reply means. Generated for releases {tags}."
    );
    let items = models.iter().map(command_item);
    quote! {
        #![doc = #doc]
        use crate::domain::ChannelState;
        use crate::runtime::agi::outcome;
        use crate::runtime::agi::{
            AgiError, AgiReply, Command, CommandLine, GetDataOutcome, GosubOutcome, Optional,
            RecordOutcome, SpeechOutcome, StreamOutcome,
        };
        #[allow(unused_imports)]
        use std::borrow::Cow;
        #(#items)*
    }
}

fn command_item(m: &CommandModel) -> TokenStream {
    let ident = m.type_ident();
    let mut lines = vec![format!("AGI command {}.", code(&m.name)), String::new()];
    lines.extend(m.facts());
    let docs = doc_lines(&lines);
    let (output, parse) = m.result();
    let words = &m.words;
    let generics = if m.has_lifetime() {
        quote!(<'a>)
    } else {
        quote!()
    };
    let anon = if m.has_lifetime() {
        quote!(<'_>)
    } else {
        quote!()
    };
    let fields = m.params.iter().map(|p| {
        let f = p.field_ident();
        let t = p.field_type();
        let d = doc_lines(&[p.doc()]);
        quote! { #d pub #f: #t, }
    });
    let required = m
        .params
        .iter()
        .filter(|p| p.required)
        .map(ParamModel::push_required);
    let optional: Vec<TokenStream> = m
        .params
        .iter()
        .filter(|p| !p.required)
        .map(ParamModel::optional)
        .collect();
    let optional = if optional.is_empty() {
        quote!()
    } else {
        quote! { line.optional(&[#(#optional),*])?; }
    };
    let body = if m.params.is_empty() {
        quote!(pub struct #ident;)
    } else {
        quote!(pub struct #ident #generics { #(#fields)* })
    };
    let usage = if m.kind == ResultKind::Exec {
        quote! {
            fn usage_follows(&self, reply: &AgiReply) -> bool {
                reply.result == "1"
            }
        }
    } else {
        quote!()
    };
    quote! {
        #docs
        #[doc(alias = #words)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #body
        impl Command for #ident #anon {
            type Output = #output;
            fn render(&self) -> Result<String, AgiError> {
                let mut line = CommandLine::new(#words);
                #(#required)*
                #optional
                Ok(line.finish())
            }
            fn parse(&self, line: &str, reply: AgiReply) -> Result<#output, AgiError> {
                #parse
            }
            #usage
        }
    }
}

fn methods_file(models: &[CommandModel], tags: &str) -> TokenStream {
    let doc = format!(
        "[`AgiCommands`]: one async method per AGI command on every `AgiChannel<T: Transport>`. Generated for releases {tags}."
    );
    let decls = models.iter().map(|m| {
        let method = ident(&m.method);
        let (output, _) = m.result();
        let args = m.params.iter().map(|p| {
            let f = p.field_ident();
            let t = p.arg_type();
            quote!(#f: #t)
        });
        let type_ident = m.type_ident();
        let lines = vec![
            format!("Sends {}; see [`{}`].", code(&m.syntax()), type_ident),
            String::new(),
            format!("Result: {}", m.reason),
        ];
        let docs = doc_lines(&lines);
        let allow = m.allow_many();
        let words = &m.words;
        quote! {
            #docs
            #[doc(alias = #words)]
            #allow
            fn #method(&mut self, #(#args),*) -> impl Future<Output = Result<#output, AgiError>> + Send;
        }
    });
    let impls = models.iter().map(|m| {
        let method = ident(&m.method);
        let type_ident = m.type_ident();
        let (output, _) = m.result();
        let args = m.params.iter().map(|p| {
            let f = p.field_ident();
            let t = p.arg_type();
            quote!(#f: #t)
        });
        let fields = m.params.iter().map(ParamModel::field_ident);
        let value = if m.params.is_empty() {
            quote!(#type_ident)
        } else {
            quote!(#type_ident { #(#fields),* })
        };
        let allow = m.allow_many();
        quote! {
            #allow
            async fn #method(&mut self, #(#args),*) -> Result<#output, AgiError> {
                self.run(&#value).await
            }
        }
    });
    quote! {
        #![doc = #doc]
        use super::commands::*;
        use crate::domain::ChannelState;
        use crate::runtime::agi::{
            AgiChannel, AgiError, GetDataOutcome, GosubOutcome, RecordOutcome, SpeechOutcome,
            StreamOutcome, Transport,
        };
        use std::future::Future;

        /// Every AGI command as an async method. Implemented for every
        /// `AgiChannel<T: Transport>` (FastAGI and AsyncAGI).
        pub trait AgiCommands {
            #(#decls)*
        }

        impl<T: Transport> AgiCommands for AgiChannel<T> {
            #(#impls)*
        }
    }
}
