//! ARI operations: one module per resource under `ari/resources/`, the
//! `AriClient` in `ari/client.rs`, and handles (`ChannelHandle`, …) that carry an
//! id and a client.
//!
//! Every operation of [`crate::model::ari`] becomes a method of its resource's
//! accessor (`client.channels().originate(endpoint)`) returning a builder:
//! arguments are the parameters the model marks required, optional ones chained
//! setters, then `.send().await` or `.await`. Builders only build an
//! `AriRequest`; transports (HTTP, REST over the WebSocket) carry it.

use super::{code_list, doc, docs_link, ident, inner_doc};
use crate::Result;
use crate::emit::open_enum::CATCH_ALL;
use crate::emit::{GeneratedFile, render};
use crate::manifest::Allowed;
use crate::model::ari::operations::accessor_method;
use crate::model::ari::{
    BodyShape, Model, Operation, Param, ParamLocation, ResponseKind, path_params,
};
use crate::names::{field_name, type_name};
use crate::surface::releases_doc;
use proc_macro2::TokenStream;
use quote::quote;

/// Emit `ari/params.rs`.
fn emit_params(model: &Model) -> Result<GeneratedFile> {
    let all = &model.tags;
    let mut enums = Vec::new();
    for e in &model.param_enums {
        let values: Vec<(String, Vec<String>)> =
            e.values.iter().map(|v| (v.clone(), Vec::new())).collect();
        let lines = vec![
            format!(
                "Allowed values of the query parameter `{}` (Swagger `allowableValues` LIST), in: {}.",
                e.param,
                e.operations
                    .iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "Open enum: setters take the enum or any string (`{CATCH_ALL}` sends it as given)."
            ),
        ];
        enums.push(super::emit_open_enum(&e.name, &lines, &values, all)?);
    }
    let head = inner_doc(&[
        "Open enums for operation parameters that ARI documents allowed values for.",
        "The builders' setters take `impl Into<…>`, so a plain string works too.",
    ]);
    let tokens = quote! {
        #head
        #(#enums)*
    };
    render("ari/params.rs", tokens)
}

/// The meaning of a documented error code, as the runtime's `ErrorKind` names it.
fn kind_name(code: u16) -> String {
    match code {
        400 => "BadRequest".into(),
        401 => "Unauthorized".into(),
        403 => "Forbidden".into(),
        404 => "NotFound".into(),
        405 => "MethodNotAllowed".into(),
        409 => "Conflict".into(),
        412 => "PreconditionFailed".into(),
        422 => "UnprocessableEntity".into(),
        500 => "InternalServerError".into(),
        501 => "NotImplemented".into(),
        503 => "ServiceUnavailable".into(),
        other => format!("Other({other})"),
    }
}

/// Rust type of a stored parameter value (without `Option`).
fn field_type(plan: &Param) -> TokenStream {
    if let Some(e) = &plan.enum_ty {
        let e = ident(e);
        return quote!(crate::ari::params::#e);
    }
    let p = &plan.param;
    match (plan.location, p.data_type.as_str()) {
        (ParamLocation::Body(_), _) => quote!(::serde_json::Value),
        (_, "int") => quote!(i32),
        (_, "long") => quote!(i64),
        (_, "boolean") => quote!(bool),
        (_, "double") | (_, "float") => quote!(f64),
        _ if p.multiple => quote!(::std::vec::Vec<::std::string::String>),
        _ => quote!(::std::string::String),
    }
}

/// The argument type a caller passes and the expression converting `name` to
/// the stored value.
fn arg_type(plan: &Param, name: &proc_macro2::Ident) -> (TokenStream, TokenStream) {
    if let Some(e) = &plan.enum_ty {
        let e = ident(e);
        return (
            quote!(impl ::std::convert::Into<crate::ari::params::#e>),
            quote!(::std::convert::Into::into(#name)),
        );
    }
    let p = &plan.param;
    match (plan.location, p.data_type.as_str()) {
        (ParamLocation::Body(BodyShape::AttributeList), _) => (
            quote!(
                impl ::std::iter::IntoIterator<
                    Item = (
                        impl ::std::convert::Into<::std::string::String>,
                        impl ::std::convert::Into<::serde_json::Value>
                    ),
                >
            ),
            quote!(::asterisk_sdk_runtime::ari::encode::tuples(#name)),
        ),
        (ParamLocation::Body(BodyShape::Object), _) => (
            quote!(
                impl ::std::iter::IntoIterator<
                    Item = (
                        impl ::std::convert::Into<::std::string::String>,
                        impl ::std::convert::Into<::serde_json::Value>
                    ),
                >
            ),
            quote!(::asterisk_sdk_runtime::ari::encode::object(#name)),
        ),
        (ParamLocation::Body(BodyShape::Whole), _) => (quote!(::serde_json::Value), quote!(#name)),
        (_, "int") => (quote!(i32), quote!(#name)),
        (_, "long") => (quote!(i64), quote!(#name)),
        (_, "boolean") => (quote!(bool), quote!(#name)),
        (_, "double") | (_, "float") => (quote!(f64), quote!(#name)),
        _ if p.multiple => (
            quote!(impl ::asterisk_sdk_runtime::ari::encode::IntoValues),
            quote!(::asterisk_sdk_runtime::ari::encode::IntoValues::into_values(#name)),
        ),
        _ => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(::std::convert::Into::into(#name)),
        ),
    }
}

/// The query string value of a stored parameter `v` (a reference).
fn query_value(plan: &Param) -> TokenStream {
    if plan.enum_ty.is_some() {
        return quote!(v.as_str().to_string());
    }
    let p = &plan.param;
    match p.data_type.as_str() {
        "int" | "long" | "boolean" | "double" | "float" => quote!(v.to_string()),
        _ if p.multiple => quote!(::asterisk_sdk_runtime::ari::encode::join(v)),
        _ => quote!(v.clone()),
    }
}

/// Fact lines about one parameter.
fn param_doc(p: &Param, op: &Operation, all: &[String]) -> Vec<String> {
    let a = &p.param;
    let mut ty = format!("`{}`", a.data_type);
    if a.multiple {
        ty.push_str(", several values sent comma-separated");
    }
    let mut lines = vec![format!(
        "{} parameter `{}` ({ty}), {}.",
        match p.location {
            ParamLocation::Path => "Path",
            ParamLocation::Body(_) => "Body",
            ParamLocation::Header => "Header",
            ParamLocation::Query => "Query",
        },
        a.name,
        if p.required { "required" } else { "optional" }
    )];
    if let Some(d) = &a.default {
        lines.push(format!("Default: `{d}`."));
    }
    if let Some(d) = &p.send_default {
        lines.push(format!(
            "Sent as `{}` when unset, by our fix `{}`: {}",
            d.value, d.fix, d.reason
        ));
    }
    match &a.allowed {
        Some(Allowed::List { values }) => {
            lines.push(format!("Allowed values: {}.", code_list(values)));
        }
        Some(Allowed::Range { min, max }) => {
            let b = |v: &Option<serde_json::Value>| {
                v.as_ref()
                    .map_or_else(|| "none".to_string(), |v| v.to_string())
            };
            lines.push(format!("Range: min {}, max {}.", b(min), b(max)));
        }
        None => {}
    }
    match p.location {
        ParamLocation::Body(BodyShape::AttributeList) => lines.push(format!(
            "Sent as the JSON body `{{\"{}\": [{{\"attribute\": …, \"value\": …}}, …]}}`.",
            a.name
        )),
        ParamLocation::Body(BodyShape::Object) => lines.push(format!(
            "Sent as the JSON body `{{\"{}\": {{…}}}}`.",
            a.name
        )),
        ParamLocation::Body(BodyShape::Whole) => lines.push("Sent as the whole JSON body.".into()),
        ParamLocation::Path | ParamLocation::Query | ParamLocation::Header => {}
    }
    if p.releases.len() != op.releases.len() {
        let have: Vec<&str> = p.releases.iter().map(|s| s.as_str()).collect();
        lines.push(format!("Releases: {}.", releases_doc(&have, all)));
    }
    lines
}

/// Rust spelling of a response class, and how to decode it.
fn response(kind: &ResponseKind) -> (TokenStream, TokenStream) {
    let model_ty = |rust: &str| -> TokenStream {
        let r = ident(rust);
        quote!(crate::ari::models::#r)
    };
    let json = quote!(::asterisk_sdk_runtime::ari::call::json(
        Self::OPERATION,
        response
    ));
    match kind {
        ResponseKind::Empty => (
            quote!(()),
            quote!(::asterisk_sdk_runtime::ari::call::unit(response)),
        ),
        ResponseKind::Binary => (
            quote!(::std::vec::Vec<u8>),
            quote!(::asterisk_sdk_runtime::ari::call::bytes(response)),
        ),
        ResponseKind::Model(r) => (model_ty(r), json),
        ResponseKind::ModelList(r) => {
            let t = model_ty(r);
            (quote!(::std::vec::Vec<#t>), json)
        }
        ResponseKind::Json => (quote!(::serde_json::Value), json),
        ResponseKind::JsonList => (quote!(::std::vec::Vec<::serde_json::Value>), json),
    }
}

fn op_doc_lines(op: &Operation, all: &[String]) -> Vec<String> {
    let mut lines = vec![format!(
        "`{} {}` (ARI `{}`).",
        op.op.method,
        op.op.path,
        op.full_name()
    )];
    if op.websocket() {
        lines.push(format!(
            "WebSocket upgrade (sub-protocol `{}`): this builder only describes the request; the events WebSocket client connects with it.",
            op.op.websocket_protocol.as_deref().unwrap_or("")
        ));
    }
    let args = op.args();
    if !args.is_empty() {
        let mut block = String::from("Arguments:");
        for p in args {
            block.push_str(&format!(
                "\n- `{}`: {}",
                p.rust,
                param_doc(p, op, all).join(" ")
            ));
        }
        lines.push(block);
    }
    let opt: Vec<String> = op
        .optional()
        .iter()
        .map(|p| format!("`{}`", p.param.name))
        .collect();
    if !opt.is_empty() {
        lines.push(format!("Optional (setters): {}.", opt.join(", ")));
    }
    lines.push(format!("Response: `{}`.", op.op.response));
    if !op.errors.is_empty() {
        let e: Vec<String> = op
            .errors
            .iter()
            .map(|c| format!("{c} (`{}`)", kind_name(*c)))
            .collect();
        lines.push(format!("Documented errors: {}.", e.join(", ")));
    }
    if !op.op.since.is_empty() {
        lines.push(format!("Since: {}.", op.op.since.join(", ")));
    }
    let have: Vec<&str> = op.releases.iter().map(|s| s.as_str()).collect();
    lines.push(format!("Releases: {}.", releases_doc(&have, all)));
    lines.push(docs_link(&op.op.resource));
    lines
}

/// The builder struct of one operation and its impls.
fn emit_builder(op: &Operation, all: &[String]) -> TokenStream {
    let name = ident(&op.builder);
    let ws = op.websocket();
    let mut sdoc = op_doc_lines(op, all);
    if !ws {
        sdoc.push("Send with `.send().await`, or `.await` the builder directly.".into());
    }
    let sdoc = doc(&sdoc);
    let args = op.args();
    let mut fields = Vec::new();
    let mut ctor_params = Vec::new();
    let mut ctor_inits = Vec::new();
    for p in &op.params {
        let f = ident(&p.rust);
        let ty = field_type(p);
        let fdoc = format!(" `{}`.", p.param.name);
        if p.required {
            fields.push(quote!(#[doc = #fdoc] #f: #ty,));
        } else {
            fields.push(quote!(#[doc = #fdoc] #f: ::std::option::Option<#ty>,));
            ctor_inits.push(quote!(#f: None,));
        }
    }
    for p in &args {
        let f = ident(&p.rust);
        let ty = field_type(p);
        ctor_params.push(quote!(#f: #ty));
        ctor_inits.push(quote!(#f,));
    }

    let mut setters = Vec::new();
    for p in op.optional() {
        let f = ident(&p.rust);
        let lines = param_doc(p, op, all);
        let d = doc(&lines);
        let (aty, conv) = arg_type(p, &f);
        setters.push(quote! {
            #d
            pub fn #f(mut self, #f: #aty) -> Self {
                self.#f = Some(#conv);
                self
            }
        });
        if let Some(setter) = &p.entry_setter {
            let d = doc(&[format!(
                "Add one entry to `{}` (a string, or a JSON object such as `{{\"value\": …, \"report_events\": true}}`).",
                p.param.name
            )]);
            let setter = ident(setter);
            setters.push(quote! {
                #d
                pub fn #setter(mut self, name: impl ::std::convert::Into<::std::string::String>, value: impl ::std::convert::Into<::serde_json::Value>) -> Self {
                    let map = self.#f.get_or_insert_with(|| ::serde_json::Value::Object(::serde_json::Map::new()));
                    if let ::serde_json::Value::Object(m) = map {
                        m.insert(name.into(), value.into());
                    }
                    self
                }
            });
        }
        if matches!(
            p.location,
            ParamLocation::Body(BodyShape::Object | BodyShape::AttributeList)
        ) {
            let raw = ident(&format!("{}_json", p.rust));
            let d = doc(&[format!(
                "Set `{}` to a JSON value as is (sent as `{{\"{}\": value}}`).",
                p.param.name, p.param.name
            )]);
            setters.push(quote! {
                #d
                pub fn #raw(mut self, value: ::serde_json::Value) -> Self {
                    self.#f = Some(value);
                    self
                }
            });
        }
    }

    // The request.
    let mut fmt = op.op.path.clone();
    let mut path_args = Vec::new();
    for n in path_params(&op.op.path) {
        fmt = fmt.replacen(&format!("{{{n}}}"), "{}", 1);
        if let Some(p) = op.params.iter().find(|p| p.param.name == n) {
            let f = ident(&p.rust);
            path_args.push(quote!(::asterisk_sdk_runtime::ari::encode::path_segment(&self.#f)));
        }
    }
    let path = if path_args.is_empty() {
        quote!(::std::string::String::from(#fmt))
    } else {
        quote!(format!(#fmt, #(#path_args),*))
    };
    let method = op.op.method.as_str();
    let mut query = Vec::new();
    let mut body = quote!(None);
    for p in &op.params {
        let f = ident(&p.rust);
        let wire = p.param.name.as_str();
        match p.location {
            ParamLocation::Path => {}
            ParamLocation::Body(shape) => {
                let wrapped = shape != BodyShape::Whole;
                let value = if wrapped {
                    quote!(::asterisk_sdk_runtime::ari::encode::wrap(#wire, v))
                } else {
                    quote!(v.clone())
                };
                body = match (p.required, wrapped) {
                    (true, _) => quote!({ let v = &self.#f; Some(#value) }),
                    (false, true) => quote!(self.#f.as_ref().map(|v| #value)),
                    (false, false) => quote!(self.#f.clone()),
                };
            }
            ParamLocation::Query | ParamLocation::Header => {
                let value = query_value(p);
                if p.required {
                    query.push(quote! {
                        let v = &self.#f;
                        query.push((::std::string::String::from(#wire), #value));
                    });
                } else if let Some(d) = &p.send_default {
                    let default = &d.value;
                    query.push(quote! {
                        match &self.#f {
                            Some(v) => query.push((::std::string::String::from(#wire), #value)),
                            None => query.push((::std::string::String::from(#wire), ::std::string::String::from(#default))),
                        }
                    });
                } else {
                    query.push(quote! {
                        if let Some(v) = &self.#f {
                            query.push((::std::string::String::from(#wire), #value));
                        }
                    });
                }
            }
        }
    }
    let query_decl = if query.is_empty() {
        quote!(let query = ::std::vec::Vec::new();)
    } else {
        quote!(let mut query = ::std::vec::Vec::new(); #(#query)*)
    };
    let request_fn = quote! {
        /// The transport-neutral request this builder sends (path segments
        /// percent-encoded, query values not yet encoded).
        pub fn request(&self) -> ::asterisk_sdk_runtime::ari::AriRequest {
            #query_decl
            ::asterisk_sdk_runtime::ari::AriRequest {
                method: #method,
                path: #path,
                query,
                body: #body,
            }
        }
    };

    let full = op.full_name();
    let errors = op
        .errors
        .iter()
        .map(|c| proc_macro2::Literal::u16_unsuffixed(*c));
    if ws {
        return quote! {
            #sdoc
            #[derive(Debug, Clone, PartialEq)]
            #[must_use]
            pub struct #name {
                #(#fields)*
            }

            impl #name {
                /// Start with the required parameters.
                pub(crate) fn new(#(#ctor_params),*) -> Self {
                    Self { #(#ctor_inits)* }
                }

                #(#setters)*

                #request_fn
            }
        };
    }
    let (rty, decode) = response(&op.response);
    let admit = admit(op, all);
    quote! {
        #sdoc
        #[derive(Debug, Clone)]
        #[must_use = "an ARI request does nothing until sent with `.send().await` or `.await`"]
        pub struct #name<'a> {
            client: &'a AriClient,
            #(#fields)*
        }

        impl<'a> #name<'a> {
            /// The ARI operation name, `resource.nickname`.
            pub const OPERATION: &'static str = #full;
            /// Status codes the documentation lists for this operation.
            pub const DOCUMENTED_ERRORS: &'static [u16] = &[#(#errors),*];

            /// Start with the required parameters.
            pub(crate) fn new(client: &'a AriClient, #(#ctor_params),*) -> Self {
                Self { client, #(#ctor_inits)* }
            }

            #(#setters)*

            #request_fn

            /// Send the request and decode the response.
            pub async fn send(self) -> ::std::result::Result<#rty, ::asterisk_sdk_runtime::ari::AriError> {
                #admit
                let response = ::asterisk_sdk_runtime::ari::call::send(
                    self.client.transport(),
                    Self::OPERATION,
                    Self::DOCUMENTED_ERRORS,
                    self.request(),
                )
                .await?;
                #decode
            }
        }

        impl<'a> ::std::future::IntoFuture for #name<'a> {
            type Output = ::std::result::Result<#rty, ::asterisk_sdk_runtime::ari::AriError>;
            type IntoFuture = ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + ::std::marker::Send + 'a>>;

            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }
    }
}

/// The version check before sending an operation some generated release lacks
/// (none for one every release has: it is always sent).
fn admit(op: &Operation, all: &[String]) -> TokenStream {
    if op.releases.len() == all.len() {
        return quote!();
    }
    let releases = &op.releases;
    quote! {
        ::asterisk_sdk_runtime::ari::call::admit(
            self.client.transport(),
            self.client.version_gate(),
            Self::OPERATION,
            &::asterisk_sdk_runtime::version::Availability::new(
                &[#(#releases),*],
                crate::ari::catalog::RELEASES,
            ),
        )
        .await?;
    }
}

/// The accessor (or handle) method that starts a builder. `fixed` names the
/// parameter filled from the handle's id.
fn emit_method(op: &Operation, all: &[String], fixed: Option<&str>) -> TokenStream {
    let m = ident(&op.method);
    let b = ident(&op.builder);
    let mut lines = op_doc_lines(op, all);
    if let Some(id) = fixed {
        lines.push(format!("`{id}` is this handle's id."));
    }
    if !op.optional().is_empty() {
        lines.push(format!(
            "Optional parameters are setters of [`{}`].",
            op.builder
        ));
    }
    let d = doc(&lines);
    let mut sig = Vec::new();
    let mut call = Vec::new();
    for p in op.args() {
        let f = ident(&p.rust);
        if Some(p.param.name.as_str()) == fixed {
            call.push(quote!(self.id.clone()));
            continue;
        }
        let (aty, conv) = arg_type(p, &f);
        sig.push(quote!(#f: #aty));
        call.push(conv);
    }
    if op.websocket() {
        quote! {
            #d
            pub fn #m(&self, #(#sig),*) -> #b {
                #b::new(#(#call),*)
            }
        }
    } else {
        if fixed.is_some() {
            quote! {
                #d
                pub fn #m(&self, #(#sig),*) -> #b<'_> {
                    #b::new(&self.client, #(#call),*)
                }
            }
        } else {
            quote! {
                #d
                pub fn #m(&self, #(#sig),*) -> #b<'a> {
                    #b::new(self.client, #(#call),*)
                }
            }
        }
    }
}

fn accessor_name(resource: &str) -> String {
    type_name(resource)
}

fn emit_resource(model: &Model, resource: &str, ops: &[&Operation]) -> Result<GeneratedFile> {
    let all = &model.tags;
    let acc = ident(&accessor_name(resource));
    let methods = ops.iter().map(|o| emit_method(o, all, None));
    let builders = ops.iter().map(|o| emit_builder(o, all));
    let acc_doc = doc(&[
        format!(
            "The `{resource}` resource: one method per operation of any generated release. Get it with `AriClient::{}()`.",
            field_name(resource)
        ),
        docs_link(resource),
    ]);
    let mut handles = Vec::new();
    for h in model.handles.iter().filter(|h| h.resource == resource) {
        let hn = ident(&h.name);
        let mine: Vec<&&Operation> = ops.iter().filter(|o| h.covers(o)).collect();
        let hm = mine.iter().map(|o| emit_method(o, all, Some(&h.id_param)));
        let hdoc = doc(&[
            format!(
                "A `{}` by its `{}`, with a client: the operations under `{}` as methods.",
                h.model, h.id_param, h.prefix
            ),
            format!(
                "Get one with `AriClient::{}(id)` or `{}::handle(&client)`.",
                h.client_method, h.model
            ),
            docs_link(resource),
        ]);
        handles.push(quote! {
            #hdoc
            #[derive(Debug, Clone)]
            pub struct #hn {
                client: AriClient,
                id: ::std::string::String,
            }

            impl #hn {
                /// A handle for `id` over `client`.
                pub fn new(client: AriClient, id: impl ::std::convert::Into<::std::string::String>) -> Self {
                    Self { client, id: id.into() }
                }

                /// The id this handle addresses.
                pub fn id(&self) -> &str {
                    &self.id
                }

                /// The client this handle sends with.
                pub fn client(&self) -> &AriClient {
                    &self.client
                }

                #(#hm)*
            }
        });
    }
    let head_line = format!("ARI `{resource}` resource: its accessor, builders and handles.");
    let head = inner_doc(&[head_line.as_str()]);
    let tokens = quote! {
        #head

        use crate::ari::client::AriClient;

        #acc_doc
        #[derive(Debug, Clone, Copy)]
        pub struct #acc<'a> {
            client: &'a AriClient,
        }

        impl<'a> #acc<'a> {
            /// The accessor over `client`.
            pub(crate) fn new(client: &'a AriClient) -> Self {
                Self { client }
            }

            /// The client this accessor sends with.
            pub fn client(&self) -> &'a AriClient {
                self.client
            }

            #(#methods)*
        }

        #(#handles)*

        #(#builders)*
    };
    render(
        &format!("ari/resources/{}.rs", field_name(resource)),
        tokens,
    )
}

fn emit_resources_mod(resources: &[String]) -> Result<GeneratedFile> {
    let mods = resources.iter().map(|r| {
        let m = ident(&field_name(r));
        let d = format!(" The `{r}` resource.");
        quote!(#[doc = #d] pub mod #m;)
    });
    let head = inner_doc(&[
        "ARI resources: one module per Swagger resource file, each with an accessor",
        "(`AriClient::channels()`, …), one builder per operation and, for channels,",
        "bridges, playbacks and recordings, handles.",
    ]);
    render(
        "ari/resources/mod.rs",
        quote! {
            #head
            #(#mods)*
        },
    )
}

fn emit_client(model: &Model, resources: &[String]) -> Result<GeneratedFile> {
    let accessors = resources.iter().map(|r| {
        let m = ident(&accessor_method(r));
        let a = ident(&accessor_name(r));
        let d = doc(&[format!("The `{r}` resource."), docs_link(r)]);
        quote! {
            #d
            pub fn #m(&self) -> crate::ari::resources::#m::#a<'_> {
                crate::ari::resources::#m::#a::new(self)
            }
        }
    });
    let mut handle_fns = Vec::new();
    let mut model_impls = Vec::new();
    for h in &model.handles {
        let m = ident(&h.client_method);
        let module = ident(&field_name(&h.resource));
        let hn = ident(&h.name);
        let model = ident(&type_name(&h.model));
        let field = ident(&h.model_id);
        let d = format!(
            " A [`{}`](crate::ari::resources::{module}::{}) for `{}` `id`.",
            h.name, h.name, h.model
        );
        handle_fns.push(quote! {
            #[doc = #d]
            pub fn #m(&self, id: impl ::std::convert::Into<::std::string::String>) -> crate::ari::resources::#module::#hn {
                crate::ari::resources::#module::#hn::new(self.clone(), id)
            }
        });
        let d = format!(
            " A handle on this `{}` (by `{}`) over `client`.",
            h.model, h.model_id
        );
        model_impls.push(quote! {
            impl crate::ari::models::#model {
                #[doc = #d]
                pub fn handle(&self, client: &AriClient) -> crate::ari::resources::#module::#hn {
                    crate::ari::resources::#module::#hn::new(client.clone(), self.#field.clone())
                }
            }
        });
    }
    let head = inner_doc(&["The ARI client: a shared transport and one accessor per resource."]);
    let tokens = quote! {
        #head

        use ::asterisk_sdk_runtime::ari::{AriError, AriHttp, AriTransport, TransportError};
        use ::asterisk_sdk_runtime::version::{ServerVersion, VersionGate};
        use ::std::sync::Arc;

        /// An ARI client over any [`AriTransport`] (HTTP with [`AriClient::http`], or
        /// REST over the events WebSocket). Cheap to clone: clones share the
        /// transport and the server version learned.
        ///
        /// Every operation of every generated release is a method of a resource
        /// accessor (`client.channels().originate("Local/100@default")`), returning a
        /// builder: optional parameters are setters, then `.send().await` or `.await`.
        ///
        /// An operation that some generated release lacks is checked against the
        /// server's release line before it is sent (the server's version is asked
        /// once, with `GET /asterisk/info`, on the first such call): one the line
        /// lacks fails with [`AriError::Unsupported`]. The rules are in
        /// [`asterisk_sdk_runtime::version`]; [`AriClient::version_check`] turns
        /// the check off.
        #[derive(Clone)]
        pub struct AriClient {
            transport: Arc<dyn AriTransport>,
            version: Arc<VersionGate>,
        }

        impl ::std::fmt::Debug for AriClient {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("AriClient").finish_non_exhaustive()
            }
        }

        impl AriClient {
            /// A client over `transport`.
            pub fn new(transport: impl AriTransport + 'static) -> Self {
                Self::from_shared(Arc::new(transport))
            }

            /// A client over an already shared transport.
            pub fn from_shared(transport: Arc<dyn AriTransport>) -> Self {
                Self { transport, version: Arc::new(VersionGate::new(true)) }
            }

            /// Check operations against the server's release line (default
            /// true); `false` sends every operation as is and never asks the
            /// version. Applies to this client and its clones.
            pub fn version_check(self, on: bool) -> Self {
                self.version.set_enabled(on);
                self
            }

            /// The server's Asterisk version (`system.version` of
            /// `GET /asterisk/info`), asked when first needed and kept for
            /// [`asterisk_sdk_runtime::ari::call::VERSION_MAX_AGE`] or until
            /// [`AriClient::forget_server_version`]; `None` when Asterisk did
            /// not say.
            pub async fn server_version(&self) -> ::std::result::Result<::std::option::Option<ServerVersion>, AriError> {
                ::asterisk_sdk_runtime::ari::call::server_version(self.transport(), &self.version).await
            }

            /// Forget the server version learned, for this client and its
            /// clones: the next checked operation asks again. Call it when
            /// Asterisk may have been restarted or upgraded, e.g. when the
            /// events WebSocket reconnects.
            pub fn forget_server_version(&self) {
                self.version.forget();
            }

            /// The version check shared by the builders of this client.
            pub(crate) fn version_gate(&self) -> &VersionGate {
                &self.version
            }

            /// A client over HTTP: `base` like `http://127.0.0.1:8088` (`/ari` is
            /// added), Basic authentication with an `ari.conf` user, default timeouts
            /// (use [`AriHttp::builder`] and [`AriClient::new`] to change them).
            pub fn http(
                base: impl ::std::convert::Into<::std::string::String>,
                username: impl ::std::convert::Into<::std::string::String>,
                password: impl ::std::convert::Into<::std::string::String>,
            ) -> ::std::result::Result<Self, TransportError> {
                Ok(Self::new(AriHttp::new(base, username, password)?))
            }

            /// The transport requests go through.
            pub fn transport(&self) -> &dyn AriTransport {
                self.transport.as_ref()
            }

            #(#accessors)*

            #(#handle_fns)*
        }

        #(#model_impls)*
    };
    render("ari/client.rs", tokens)
}

/// Emit `ari/client.rs`, `ari/resources/mod.rs`, `ari/params.rs`,
/// `ari/catalog.rs` and one `ari/resources/<name>.rs` per resource.
pub(super) fn emit(model: &Model) -> Result<Vec<GeneratedFile>> {
    let by_resource = model.by_resource();
    let resources: Vec<String> = by_resource.keys().cloned().collect();
    let mut files = vec![
        emit_client(model, &resources)?,
        emit_resources_mod(&resources)?,
        emit_params(model)?,
        super::catalog::emit_catalog(&model.operations, &model.tags)?,
    ];
    for (r, ops) in &by_resource {
        files.push(emit_resource(model, r, ops)?);
    }
    Ok(files)
}
