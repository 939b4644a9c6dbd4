//! `ami/actions.rs`: one builder struct per action, implementing `Action` (and
//! `ListAction` for event-list actions).

use super::{code_list, doc, tokens};
use crate::fixes::ami_types::HeaderType;
use crate::fixes::answer_times::{AnswerTime, TimeUnit};
use crate::model::ami::{ActionModel, Model, ParamKind, ParamModel};
use crate::surface::releases_doc;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Link to the official page of an action.
fn action_link(name: &str) -> String {
    format!("<https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/{name}/>")
}

fn param_fact(p: &ParamModel) -> String {
    let mut s = format!("`{}`", p.name);
    let mut extra = Vec::new();
    if let Some(u) = &p.unit {
        extra.push(u.clone());
    }
    if let Some(d) = &p.default {
        extra.push(format!("default `{d}`"));
    }
    if !p.enum_values.is_empty() {
        extra.push(format!("one of {}", code_list(&p.enum_values)));
    }
    if p.multiple {
        extra.push("repeatable".into());
    }
    if let Some(r) = &p.releases {
        extra.push(format!("only in {}", r.join(", ")));
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join("; ")));
    }
    s
}

/// Parameter type and the expression turning `v` into the header value.
fn param_type(ty: &HeaderType) -> (TokenStream, TokenStream) {
    match ty {
        HeaderType::Bool => (quote!(bool), quote!(if v { "true" } else { "false" })),
        HeaderType::Number(n) => {
            let t = tokens(n);
            (quote!(#t), quote!(v.to_string()))
        }
        _ => (quote!(impl Into<String>), quote!(v)),
    }
}

fn action_doc(a: &ActionModel, m: &Model) -> Vec<String> {
    let mut d = vec![format!("AMI action `{}`.", a.name), String::new()];
    d.push(format!(
        "- Releases: {}",
        releases_doc(
            &a.releases.iter().map(String::as_str).collect::<Vec<_>>(),
            &m.tags
        )
    ));
    d.push(match &a.privileges {
        Some(p) if p.is_empty() => "- Privileges: any logged-in user".into(),
        Some(p) => format!("- Privileges: {}", code_list(p)),
        None => "- Privileges: unknown".into(),
    });
    if !a.since.is_empty() {
        d.push(format!("- Since: {}", a.since.join(", ")));
    }
    if !a.modules.is_empty() {
        d.push(format!("- Modules: {}", code_list(&a.modules)));
    }
    let req: Vec<String> = a
        .params
        .iter()
        .filter(|p| p.required)
        .map(param_fact)
        .collect();
    let opt: Vec<String> = a
        .params
        .iter()
        .filter(|p| !p.required)
        .map(param_fact)
        .collect();
    if !req.is_empty() {
        d.push(format!("- Required parameters: {}", req.join(", ")));
    }
    if !opt.is_empty() {
        d.push(format!("- Optional parameters: {}", opt.join(", ")));
    }
    if let Some(l) = &a.list {
        let items = if l.items.is_empty() {
            "any event".to_string()
        } else {
            code_list(&l.items)
        };
        let complete = l
            .complete
            .as_deref()
            .map(|c| format!("`{c}`"))
            .unwrap_or_else(|| "none".into());
        d.push(format!(
            "- Event list: items {items}; completion {complete}"
        ));
    }
    if let Some(r) = &a.response {
        let headers: Vec<String> = r.fields.iter().map(|f| f.header.clone()).collect();
        d.push(format!(
            "- Response: [`{}`](super::responses::{}) (headers {})",
            r.ty,
            r.ty,
            code_list(&headers)
        ));
    }
    if let Some((fix, _)) = &a.unkeyed_items {
        d.push(format!(
            "- Quirk `{fix}`: its list items arrive without `ActionID`; the client takes those between the acknowledgement and the completion"
        ));
    }
    if let Some((fix, _)) = &a.no_response {
        d.push(format!(
            "- Quirk `{fix}`: Asterisk answers it without any `Response:`, so sending it fails at once with `AmiError::NoResponse`"
        ));
    }
    d.push(String::new());
    d.push(action_link(&a.name));
    d
}

fn setter(p: &ParamModel) -> TokenStream {
    let ident = format_ident!("{}", p.ident);
    let header = &p.name;
    let mut lines = vec![format!("Set {}.", param_fact(p))];
    let (ty, value) = param_type(&p.ty);
    if p.multiple {
        lines.push("Calling it again adds one more header.".into());
        let d = doc(&lines);
        return quote! {
            #d
            pub fn #ident(mut self, v: #ty) -> Self {
                self.headers.push(#header, #value);
                self
            }
        };
    }
    let d = doc(&lines);
    quote! {
        #d
        pub fn #ident(mut self, v: #ty) -> Self {
            self.headers.set(#header, #value);
            self
        }
    }
}

fn pairs_setters(p: &ParamModel) -> TokenStream {
    let header = &p.name;
    let one = doc(&[format!("Add one `{header}: name=value` header.")]);
    let many = doc(&[format!(
        "Add one `{header}: name=value` header per pair, in order."
    )]);
    quote! {
        #one
        pub fn variable(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
            self.headers.push(#header, format!("{}={}", name.as_ref(), value.as_ref()));
            self
        }
        #many
        pub fn variables<I, K, V>(mut self, pairs: I) -> Self
        where
            I: IntoIterator<Item = (K, V)>,
            K: AsRef<str>,
            V: AsRef<str>,
        {
            for (k, v) in pairs {
                self = self.variable(k, v);
            }
            self
        }
    }
}

/// The entry struct and the adder method of a numbered family.
fn family(a: &ActionModel, m: &Model) -> Option<(TokenStream, TokenStream)> {
    let members: Vec<&ParamModel> = a
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Family { .. }))
        .collect();
    if members.is_empty() {
        return None;
    }
    let _ = m;
    let (ty_name, method) = a
        .family
        .clone()
        .unwrap_or((format!("{}Entry", a.ty), "entry".into()));
    let ty = format_ident!("{}", ty_name);
    let method = format_ident!("{}", method);
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    let mut pushes = Vec::new();
    let mut stems = Vec::new();
    for p in &members {
        let ParamKind::Family { stem, parens } = &p.kind else {
            continue;
        };
        let f = format_ident!("{}", p.ident);
        let fd = doc(&[format!("Value of `{}`: {}.", p.name, param_fact(p))]);
        fields.push(quote!(#fd pub #f: Option<String>,));
        let sd = doc(&[format!("Set `{}`.", p.name)]);
        setters.push(quote! {
            #sd
            pub fn #f(mut self, v: impl Into<String>) -> Self {
                self.#f = Some(v.into());
                self
            }
        });
        let fmt = if *parens {
            format!("{stem}({{idx}})")
        } else {
            format!("{stem}-{{idx:06}}")
        };
        pushes.push(quote! {
            if let Some(v) = entry.#f {
                self.headers.push(format!(#fmt), v);
            }
        });
        stems.push(p.name.clone());
    }
    let sd = doc(&[
        format!(
            "One numbered entry of [`{}`]: headers {}, the index replaced by the entry's position.",
            a.ty,
            code_list(&stems)
        ),
        String::new(),
        format!("Build it with `{ty_name}::default()` and the setters."),
    ]);
    let strukt = quote! {
        #sd
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct #ty { #(#fields)* }
        impl #ty {
            #(#setters)*
        }
    };
    let md = doc(&["Add one numbered entry (indexes count from 0 in call order).".to_string()]);
    let adder = quote! {
        #md
        pub fn #method(mut self, entry: #ty) -> Self {
            let idx = self.entries;
            self.entries += 1;
            #(#pushes)*
            self
        }
    };
    Some((strukt, adder))
}

/// The `Action::answer_within` override of an action with an answer-time fix.
fn answer_within(t: &AnswerTime) -> TokenStream {
    let header = &t.header;
    let default = t.default;
    let (unit, ctor) = match t.unit {
        TimeUnit::Milliseconds => ("ms", quote!(from_millis)),
        TimeUnit::Seconds => ("s", quote!(from_secs)),
    };
    let mut lines = vec![format!(
        "`{header}` ({unit}; `{default}` when unset). Fix `{}`: {}",
        t.name, t.reason
    )];
    let skip = match &t.unless_true {
        Some(flag) => {
            lines.push(format!("`None` when `{flag}` is true."));
            quote! {
                let is_true = |v: &str| {
                    matches!(v.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "y" | "t" | "1" | "on")
                };
                if self.headers.get(#flag).is_some_and(is_true) {
                    return None;
                }
            }
        }
        None => quote!(),
    };
    let d = doc(&lines);
    quote! {
        #d
        fn answer_within(&self) -> Option<std::time::Duration> {
            #skip
            let value = self
                .headers
                .get(#header)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(#default);
            Some(std::time::Duration::#ctor(value))
        }
    }
}

fn list_impl(a: &ActionModel, m: &Model) -> TokenStream {
    let Some(l) = &a.list else { return quote!() };
    let ty = format_ident!("{}", a.ty);
    let Some(complete) = l.complete.as_deref().and_then(|c| m.event(c)) else {
        return quote!();
    };
    let items: Vec<_> = l.items.iter().filter_map(|i| m.event(i)).collect();
    let complete_ty = format_ident!("{}", complete.ty);
    let complete_wire = &complete.wire;
    let (item_ty, extra) = match items.len() {
        0 => (quote!(crate::ami::Event), quote!()),
        1 => {
            let t = format_ident!("{}", items[0].ty);
            (quote!(events::#t), quote!())
        }
        _ => {
            let enum_name = format_ident!("{}Item", a.ty);
            let variants: Vec<_> = items.iter().map(|e| format_ident!("{}", e.ty)).collect();
            let idx: Vec<usize> = (0..variants.len()).collect();
            let d = doc(&[format!(
                "One item event of [`{}`]'s event list: {}.",
                a.ty,
                code_list(&items.iter().map(|e| e.wire.clone()).collect::<Vec<_>>())
            )]);
            let vdocs = items
                .iter()
                .map(|e| doc(&[format!("A `{}` event.", e.wire)]));
            let extra = quote! {
                #d
                #[derive(Debug, Clone, PartialEq)]
                #[non_exhaustive]
                pub enum #enum_name {
                    #(#vdocs #variants(Box<events::#variants>),)*
                }
                impl FromEvent for #enum_name {
                    fn matches(event_name: &str) -> bool {
                        #(events::#variants::matches(event_name))||*
                    }
                    fn from_message(msg: Message) -> Result<Self, Message> {
                        let name = msg.event_name().unwrap_or_default();
                        let which = [#(events::#variants::matches(name)),*].iter().position(|m| *m);
                        match which {
                            #(Some(#idx) => Ok(Self::#variants(Box::new(events::#variants::decode(msg)))),)*
                            _ => Err(msg),
                        }
                    }
                }
            };
            (quote!(#enum_name), extra)
        }
    };
    let unkeyed = a.unkeyed_items.as_ref().map(|(fix, reason)| {
        let d = doc(&[format!("`true`. Fix `{fix}`: {reason}")]);
        quote! {
            #d
            fn unkeyed_items(&self) -> bool {
                true
            }
        }
    });
    quote! {
        #extra
        impl ListAction for #ty {
            type Item = #item_ty;
            type Complete = events::#complete_ty;
            const COMPLETE_EVENT: &'static str = #complete_wire;
            #unkeyed
        }
    }
}

fn emit_action(a: &ActionModel, m: &Model) -> TokenStream {
    let ty = format_ident!("{}", a.ty);
    let d = doc(&action_doc(a, m));
    let name = &a.name;
    let required: Vec<&ParamModel> = a
        .params
        .iter()
        .filter(|p| p.required && p.kind == ParamKind::Plain)
        .collect();
    let args = required.iter().map(|p| {
        let i = format_ident!("{}", p.ident);
        let (t, _) = param_type(&p.ty);
        quote!(#i: #t)
    });
    let sets = required.iter().map(|p| {
        let i = format_ident!("{}", p.ident);
        let h = &p.name;
        let (_, value) = param_type(&p.ty);
        quote! {{ let v = #i; headers.set(#h, #value); }}
    });
    let new_doc = if required.is_empty() {
        doc(&[format!("A `{name}` action (no required parameter).")])
    } else {
        doc(&[format!(
            "A `{name}` action with its required parameters {}, set in that order.",
            code_list(&required.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
        )])
    };
    let mut methods = Vec::new();
    for p in &a.params {
        match p.kind {
            ParamKind::Plain if !p.required => methods.push(setter(p)),
            ParamKind::Pairs => methods.push(pairs_setters(p)),
            _ => {}
        }
    }
    let fam = family(a, m);
    let (fam_struct, fam_field, fam_init) = match &fam {
        Some((s, adder)) => {
            methods.push(adder.clone());
            (s.clone(), quote!(entries: usize,), quote!(entries: 0,))
        }
        None => (quote!(), quote!(), quote!()),
    };
    let list = list_impl(a, m);
    let response_ty = match &a.response {
        Some(r) => {
            let t = format_ident!("{}", r.ty);
            quote!(responses::#t)
        }
        None => quote!(Response),
    };
    let no_response = a.no_response.as_ref().map(|(fix, reason)| {
        let d = doc(&[format!("Fix `{fix}`: {reason}")]);
        quote! {
            #d
            fn no_response(&self) -> Option<&'static str> {
                Some(#reason)
            }
        }
    });
    let answer_within = a
        .answer_time
        .as_ref()
        .map(answer_within)
        .unwrap_or_default();
    let availability = availability(&a.releases, &m.tags);
    let mut aliases: Vec<String> = Vec::new();
    if a.ty != a.name {
        aliases.push(a.name.clone());
    }
    aliases.extend(a.aliases.iter().filter(|x| **x != a.ty).cloned());
    let aliases = aliases.iter().map(|x| quote!(#[doc(alias = #x)]));
    let derive = if required.is_empty() {
        quote!(#[derive(Debug, Clone, Default)])
    } else {
        quote!(#[derive(Debug, Clone)])
    };
    let new_body = if required.is_empty() {
        quote!(Self::default())
    } else {
        quote! {
            let mut headers = ActionHeaders::new();
            #(#sets)*
            Self { headers, #fam_init }
        }
    };
    quote! {
        #d
        #(#aliases)*
        #derive
        pub struct #ty {
            headers: ActionHeaders,
            #fam_field
        }
        impl #ty {
            #new_doc
            pub fn new(#(#args),*) -> Self {
                #new_body
            }
            #(#methods)*
            /// Set `ActionID`, echoed back in the response and in the events of an
            /// event list (the client still correlates on its own id).
            pub fn action_id(mut self, v: impl Into<String>) -> Self {
                self.headers.set("ActionID", v);
                self
            }
            /// Add any header (one more each call), e.g. a parameter a newer release added.
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.headers.push(name.into(), value);
                self
            }
        }
        impl Action for #ty {
            const NAME: &'static str = #name;
            type Response = #response_ty;
            fn headers(&self) -> &ActionHeaders {
                &self.headers
            }
            #answer_within
            #no_response
            #availability
        }
        #fam_struct
        #list
    }
}

/// The `Action::availability` override of an action some generated release
/// lacks (none for one every release has: it is always sent).
fn availability(releases: &[String], all: &[String]) -> TokenStream {
    if releases.len() == all.len() {
        return quote!();
    }
    quote! {
        fn availability(&self) -> Option<::asterisk_sdk_runtime::version::Availability> {
            Some(::asterisk_sdk_runtime::version::Availability::new(
                &[#(#releases),*],
                crate::ami::catalog::RELEASES,
            ))
        }
    }
}

/// `ami/actions.rs`.
pub fn emit_actions(m: &Model) -> TokenStream {
    let items = m.actions.iter().map(|a| emit_action(a, m));
    quote! {
        //! Every AMI action of the generated releases: a builder per action that sets
        //! headers in call order, implementing [`Action`] (and [`ListAction`] for
        //! actions answering with an event list).
        use super::{events, responses};
        use asterisk_sdk_runtime::ami::{
            Action, ActionHeaders, FromEvent, ListAction, Message, Response, TypedEvent,
        };
        #(#items)*
    }
}
