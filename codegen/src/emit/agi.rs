//! AGI commands: one typed `Command` struct and one
//! `AgiCommands` method per command, results typed by
//! `specs/fixes/agi_results.toml`, written to `agi/`.

use super::docs::{code, doc_lines};
use super::{GeneratedFile, Options, render};
use crate::manifest::{AgiCommand, AmiParam};
use crate::names;
use crate::surface::{Releases, Tagged, releases_doc, union_by, union_ordered};
use crate::{Error, Result};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Result kinds the emitter knows (see the fixes file's header).
const KINDS: &[&str] = &[
    "unit",
    "zero_ok",
    "bool_one",
    "bool_zero",
    "bool_found",
    "channel_state",
    "digit",
    "stream",
    "get_data",
    "value",
    "text",
    "received_char",
    "record",
    "exec",
    "gosub",
    "speech",
];

/// Parameter types the emitter knows.
const TYPES: &[&str] = &["str", "i32", "i64", "u32", "u64", "on_off", "flag"];

/// `specs/fixes/agi_results.toml`: result kind and parameter types per command.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgiResults {
    /// One entry per AGI command.
    #[serde(default)]
    pub command: Vec<ResultFix>,
}

/// The fix for one command.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultFix {
    /// The command name as in the manifest, e.g. `stream file`.
    pub name: String,
    /// The result kind, one of `KINDS`.
    pub result: String,
    /// One line: what the result means (shown in the generated docs).
    pub reason: String,
    /// Parameter types by documented parameter name.
    #[serde(default)]
    pub params: BTreeMap<String, ParamFix>,
}

/// Type and wire form of one parameter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamFix {
    /// One of `TYPES`; `str` when absent.
    #[serde(rename = "type")]
    pub ty: Option<String>,
    /// Sent for an unset optional parameter when a later one is set.
    pub fill: Option<String>,
    /// Prepended to the value on the wire (e.g. `s=`).
    pub prefix: Option<String>,
    /// The Rust name, instead of one derived from the documented name.
    pub rename: Option<String>,
    /// For `flag`: the word sent when true.
    pub wire: Option<String>,
    /// Unit of the value when the XML states one in prose (e.g. `milliseconds`).
    pub unit: Option<String>,
}

impl AgiResults {
    /// Load and check a fixes file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::read_to_string(path)?;
        Self::from_toml(&text).map_err(|m| crate::input_err(path.display(), m))
    }

    /// Parse and check the TOML text.
    pub fn from_toml(text: &str) -> std::result::Result<Self, String> {
        let fixes: AgiResults = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = Vec::new();
        for c in &fixes.command {
            if seen.contains(&c.name) {
                return Err(format!("command `{}` listed twice", c.name));
            }
            seen.push(c.name.clone());
            if c.reason.trim().is_empty() {
                return Err(format!("command `{}` has no reason", c.name));
            }
            if !KINDS.contains(&c.result.as_str()) {
                return Err(format!(
                    "command `{}`: unknown result kind `{}`",
                    c.name, c.result
                ));
            }
            for (p, f) in &c.params {
                let ty = f.ty.as_deref().unwrap_or("str");
                if !TYPES.contains(&ty) {
                    return Err(format!("`{}` parameter `{p}`: unknown type `{ty}`", c.name));
                }
                if (ty == "flag") != f.wire.is_some() {
                    return Err(format!(
                        "`{}` parameter `{p}`: `wire` goes with type flag",
                        c.name
                    ));
                }
            }
        }
        Ok(fixes)
    }

    fn get(&self, name: &str) -> Option<&ResultFix> {
        self.command.iter().find(|c| c.name == name)
    }
}

/// Emit `agi/mod.rs`, `agi/commands.rs` and `agi/methods.rs` with the AGI
/// fixes (`specs/fixes/agi_results.toml`, loaded with the other fixes).
pub fn emit(
    releases: &Releases,
    fixes: &AgiResults,
    options: &Options,
) -> Result<Vec<GeneratedFile>> {
    let _ = options;
    let all = releases.tags();
    let commands = union_by(&releases.lists(|m| &m.agi.commands[..]), |c| c.name.clone());
    check_coverage(&commands, fixes)?;
    let mut models = Vec::new();
    for cmd in &commands {
        let fix = fixes
            .get(&cmd.item.name)
            .ok_or_else(|| missing(&cmd.item.name))?;
        models.push(CommandModel::new(cmd, fix, &all)?);
    }
    let tags = all.join(", ");
    Ok(vec![
        render("agi/mod.rs", module_file(&tags))?,
        render("agi/commands.rs", commands_file(&models, &tags))?,
        render("agi/methods.rs", methods_file(&models, &tags))?,
    ])
}

fn missing(name: &str) -> Error {
    crate::input_err(
        "specs/fixes/agi_results.toml",
        format!("AGI command `{name}` has no result kind; add it"),
    )
}

fn check_coverage(commands: &[Tagged<AgiCommand>], fixes: &AgiResults) -> Result<()> {
    for c in commands {
        let fix = fixes
            .get(&c.item.name)
            .ok_or_else(|| missing(&c.item.name))?;
        for p in fix.params.keys() {
            let known = c
                .versions
                .iter()
                .any(|(_, v)| v.params.iter().any(|q| &q.name == p));
            if !known {
                return Err(crate::input_err(
                    "specs/fixes/agi_results.toml",
                    format!("`{}` has no parameter `{p}`", c.item.name),
                ));
            }
        }
    }
    for f in &fixes.command {
        if !commands.iter().any(|c| c.item.name == f.name) {
            return Err(crate::input_err(
                "specs/fixes/agi_results.toml",
                format!(
                    "`{}` is not an AGI command of any generated release",
                    f.name
                ),
            ));
        }
    }
    Ok(())
}

/// One parameter, ready to emit.
struct ParamModel {
    wire_name: String,
    field: Ident,
    ty: String,
    required: bool,
    fix: ParamFix,
    releases: Option<String>,
}

impl ParamModel {
    fn is_str(&self) -> bool {
        self.ty == "str"
    }

    /// The field type in the command struct.
    fn field_type(&self) -> TokenStream {
        let base = match self.ty.as_str() {
            "str" => quote!(&'a str),
            "on_off" | "flag" => quote!(bool),
            other => {
                let t = Ident::new(other, Span::call_site());
                quote!(#t)
            }
        };
        if self.required || self.ty == "flag" {
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
        let f = &self.field;
        let value = match self.ty.as_str() {
            "str" => quote!(self.#f),
            "on_off" => quote!(if self.#f { "on" } else { "off" }),
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
        let f = &self.field;
        let name = &self.wire_name;
        let prefix = self.fix.prefix.clone().unwrap_or_default();
        let fmt = format!("{}{{v}}", escape_format(&prefix));
        let value = match self.ty.as_str() {
            "flag" => {
                let w = self.fix.wire.clone().unwrap_or_default();
                quote!(self.#f.then_some(Cow::Borrowed(#w)))
            }
            "str" if prefix.is_empty() => quote!(self.#f.map(Cow::Borrowed)),
            "on_off" => quote!(self.#f.map(|v| Cow::Borrowed(if v { "on" } else { "off" }))),
            _ if prefix.is_empty() => quote!(self.#f.map(|v| Cow::Owned(v.to_string()))),
            _ => quote!(self.#f.map(|v| Cow::Owned(format!(#fmt)))),
        };
        let fill = match &self.fix.fill {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        };
        let skippable = self.ty == "flag";
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
        match self.ty.as_str() {
            "on_off" => s.push_str("; sent as `on` or `off`"),
            "flag" => s.push_str(&format!(
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

/// One command, ready to emit.
struct CommandModel {
    name: String,
    words: String,
    type_ident: Ident,
    method: Ident,
    kind: String,
    reason: String,
    since: Vec<String>,
    releases: String,
    dead_safe: Option<bool>,
    params: Vec<ParamModel>,
}

impl CommandModel {
    fn new(cmd: &Tagged<AgiCommand>, fix: &ResultFix, all: &[String]) -> Result<Self> {
        let lists: Vec<(&str, &[AmiParam])> = cmd
            .versions
            .iter()
            .map(|(t, c)| (t.as_str(), &c.params[..]))
            .collect();
        let merged = union_ordered(&lists, |p| p.name.clone());
        let fields = names::dedupe(
            merged
                .iter()
                .map(|p| {
                    let f = fix.params.get(&p.item.name);
                    names::field_name(f.and_then(|f| f.rename.as_deref()).unwrap_or(&p.item.name))
                })
                .collect(),
        );
        let mut params = Vec::new();
        let mut seen_optional = false;
        for (p, field) in merged.iter().zip(fields) {
            let pfix = fix.params.get(&p.item.name).cloned().unwrap_or_default();
            let ty = pfix.ty.clone().unwrap_or_else(|| "str".into());
            let required = p.item.required && p.in_all(all) && !seen_optional && ty != "flag";
            seen_optional |= !required;
            params.push(ParamModel {
                wire_name: p.item.name.clone(),
                field: Ident::new(&field, Span::call_site()),
                ty,
                required,
                fix: pfix,
                releases: (!p.in_all(
                    &cmd.releases()
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>(),
                ))
                .then(|| p.releases().join(", ")),
            });
        }
        Ok(CommandModel {
            name: cmd.item.name.clone(),
            words: cmd.item.name.to_uppercase(),
            type_ident: Ident::new(&names::type_name(&cmd.item.name), Span::call_site()),
            method: Ident::new(&names::field_name(&cmd.item.name), Span::call_site()),
            kind: fix.result.clone(),
            reason: fix.reason.trim().to_string(),
            since: cmd.item.since.clone(),
            releases: releases_doc(&cmd.releases(), all),
            dead_safe: cmd.item.dead_safe,
            params,
        })
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
        match self.kind.as_str() {
            "unit" => (quote!(()), quote!(outcome::unit(line, reply))),
            "zero_ok" => (quote!(()), quote!(outcome::zero_ok(line, reply))),
            "bool_one" => (quote!(bool), quote!(outcome::flag(line, reply, 1, 0))),
            "bool_zero" => (quote!(bool), quote!(outcome::flag(line, reply, 0, 1))),
            "bool_found" => (quote!(bool), quote!(outcome::flag(line, reply, 1, -1))),
            "channel_state" => (
                quote!(Option<ChannelState>),
                quote!(
                    outcome::number_or_none(line, reply)
                        .map(|s| s.map(|n| ChannelState::from_code(n.into())))
                ),
            ),
            "digit" => (quote!(Option<char>), quote!(outcome::digit(line, reply))),
            "stream" => (quote!(StreamOutcome), quote!(outcome::stream(line, reply))),
            "get_data" => (
                quote!(GetDataOutcome),
                quote!(outcome::get_data(line, reply)),
            ),
            "value" => (quote!(Option<String>), quote!(outcome::value(line, reply))),
            "text" => (quote!(String), quote!(outcome::text(line, reply))),
            "received_char" => (
                quote!(Option<char>),
                quote!(outcome::received_char(line, reply)),
            ),
            "record" => (quote!(RecordOutcome), quote!(outcome::record(line, reply))),
            "exec" => (quote!(i32), quote!(outcome::exec(line, reply))),
            "gosub" => (quote!(GosubOutcome), quote!(outcome::gosub(line, reply))),
            _ => (quote!(SpeechOutcome), quote!(outcome::speech(line, reply))),
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
    let ident = &m.type_ident;
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
        let f = &p.field;
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
    let usage = if m.kind == "exec" {
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
        let method = &m.method;
        let (output, _) = m.result();
        let args = m.params.iter().map(|p| {
            let f = &p.field;
            let t = p.arg_type();
            quote!(#f: #t)
        });
        let type_ident = &m.type_ident;
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
        let method = &m.method;
        let type_ident = &m.type_ident;
        let (output, _) = m.result();
        let args = m.params.iter().map(|p| {
            let f = &p.field;
            let t = p.arg_type();
            quote!(#f: #t)
        });
        let fields = m.params.iter().map(|p| &p.field);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_fixes_file_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/fixes/agi_results.toml");
        let f = AgiResults::load(&path).unwrap();
        assert_eq!(f.command.len(), 47);
        assert_eq!(
            f.get("database deltree").map(|c| c.result.as_str()),
            Some("bool_zero")
        );
    }

    #[test]
    fn rejects_unknown_kinds_and_types() {
        let bad = "[[command]]\nname = \"x\"\nresult = \"nope\"\nreason = \"r\"\n";
        assert!(
            AgiResults::from_toml(bad)
                .unwrap_err()
                .contains("unknown result kind")
        );
        let bad = "[[command]]\nname = \"x\"\nresult = \"unit\"\nreason = \"r\"\n[command.params]\na = { type = \"float\" }\n";
        assert!(
            AgiResults::from_toml(bad)
                .unwrap_err()
                .contains("unknown type")
        );
    }
}
