//! The ARI union model: models, messages and operations of every release merged,
//! with each property's and parameter's Rust type decided and every ARI fix
//! (property types, handles, body shapes, documented defaults) applied.
//!
//! Rules: a property is a plain field only when every release that has the model
//! has the property and marks it required; otherwise it is an `Option`. Subtypes
//! carry the properties of their ancestors (`Message` → `Event` → `StasisStart`)
//! as ordinary fields. A parameter is an argument of its call only when it is a
//! path parameter, or every release that has the operation has it and marks it
//! required.

use crate::Result;
use crate::fixes::Fixes;
use crate::fixes::ari_operations::{AriOperationFixes, BodyEncoding, HandleFix};
use crate::fixes::corrections::{AriPropertyType, Corrections};
use crate::manifest::{Allowed, Ari, AriModel, AriOperation, AriParam, AriProperty};
use crate::names::{dedupe, field_name, type_name};
use crate::surface::{Releases, union_by, union_ordered};
use std::collections::{BTreeMap, BTreeSet};

/// The root of every WebSocket message.
pub const MESSAGE_ROOT: &str = "Message";

/// The ARI surface of every release, resolved.
#[derive(Debug, Clone)]
pub struct Model {
    /// Release tags, oldest first.
    pub tags: Vec<String>,
    /// One struct per model of any release, in union order.
    pub structs: Vec<StructModel>,
    /// Models derived from `Message`, with the releases that have them.
    pub messages: BTreeMap<String, Vec<String>>,
    /// Operations of any release, in union order.
    pub operations: Vec<Operation>,
    /// Open enums of query parameters with allowed values.
    pub param_enums: Vec<ParamEnum>,
    /// Handles (an instance addressed by one path parameter), in fix order.
    pub handles: Vec<Handle>,
}

/// One generated model struct.
#[derive(Debug, Clone)]
pub struct StructModel {
    /// Swagger name.
    pub name: String,
    /// Rust type name.
    pub rust: String,
    /// The Swagger file (resource) that declares it.
    pub resource: String,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Ancestors, root first.
    pub ancestors: Vec<String>,
    /// Subtypes over releases, newest release's first.
    pub subtypes: Vec<String>,
    /// Discriminator property (newest release).
    pub discriminator: Option<String>,
    /// Fields, ancestors' properties first.
    pub fields: Vec<Field>,
}

impl StructModel {
    /// Whether it is a concrete WebSocket message (an `AriEvent` variant).
    pub fn is_event(&self, model: &Model) -> bool {
        model.messages.contains_key(&self.name) && self.subtypes.is_empty()
    }
}

/// One generated field.
#[derive(Debug, Clone)]
pub struct Field {
    /// JSON key.
    pub json: String,
    /// Rust field name.
    pub rust: String,
    /// Swagger type (newest release), or `object` when releases disagree.
    pub data_type: String,
    /// Distinct Swagger types over releases when they disagree.
    pub conflicting_types: Vec<String>,
    /// A plain field (else `Option`).
    pub required: bool,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Releases that mark it required.
    pub required_in: Vec<String>,
    /// Releases of the model that lack it.
    pub missing_in: Vec<String>,
    /// Union of LIST values, newest release's order first, with their releases.
    pub values: Vec<(String, Vec<String>)>,
    /// A RANGE of allowed values (newest release that has one).
    pub range: Option<(Option<serde_json::Value>, Option<serde_json::Value>)>,
    /// The model that declares the property.
    pub declared_in: String,
    /// Rust name of its open enum, for a string with allowed values.
    pub enum_name: Option<String>,
    /// The Rust type.
    pub ty: FieldType,
    /// The fix that decided the type, if any.
    pub type_fix: Option<AriPropertyType>,
}

/// The Rust type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// `String`.
    Text,
    /// A generated open enum, by Rust name.
    OpenEnum(String),
    /// `i32`.
    I32,
    /// `u32` (a fix).
    U32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// `bool`.
    Bool,
    /// The runtime's `Timestamp`.
    Timestamp,
    /// A map of strings (`containers`).
    StringMap,
    /// Another model, by Rust name; boxed when it can contain this one.
    Model {
        /// Rust type name.
        rust: String,
        /// Behind a `Box` (the models are recursive).
        boxed: bool,
    },
    /// A list.
    List(Box<FieldType>),
    /// Anything else: raw JSON.
    Json,
}

impl FieldType {
    /// Whether the field holds free-form JSON (a raw value or a map of strings),
    /// anywhere inside.
    pub fn is_free_form(&self) -> bool {
        match self {
            FieldType::Json | FieldType::StringMap => true,
            FieldType::List(inner) => inner.is_free_form(),
            _ => false,
        }
    }
}

/// Where a parameter goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `{placeholder}` of the path.
    Path,
    /// The query string.
    Query,
    /// The JSON body.
    Body(BodyShape),
    /// A request header.
    Header,
}

/// How a body parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyShape {
    /// The value is the whole JSON body.
    Whole,
    /// `{"name": {key: value, …}}` (Swagger `containers`).
    Object,
    /// `{"name": [{"attribute": key, "value": value}, …]}` (a fix).
    AttributeList,
}

impl ParamLocation {
    /// The location of a Swagger parameter; `fixes` decides container bodies.
    fn of(p: &AriParam, fixes: &AriOperationFixes) -> ParamLocation {
        match p.location.as_str() {
            "path" => ParamLocation::Path,
            "header" => ParamLocation::Header,
            "body" if p.data_type == "containers" => {
                match fixes.body(&p.name).and_then(|b| b.encoding) {
                    Some(BodyEncoding::AttributeList) => {
                        ParamLocation::Body(BodyShape::AttributeList)
                    }
                    None => ParamLocation::Body(BodyShape::Object),
                }
            }
            "body" => ParamLocation::Body(BodyShape::Whole),
            _ => ParamLocation::Query,
        }
    }

    /// Whether it goes in the body, of any shape.
    pub fn is_body(self) -> bool {
        matches!(self, ParamLocation::Body(_))
    }
}

/// What a successful response holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseKind {
    /// Nothing (`void`).
    Empty,
    /// Raw bytes (`binary`).
    Binary,
    /// One model, by Rust name.
    Model(String),
    /// A list of a model, by Rust name.
    ModelList(String),
    /// JSON of a type that is not a model.
    Json,
    /// A list of JSON values of a type that is not a model.
    JsonList,
}

impl ResponseKind {
    fn of(response: &str, models: &BTreeMap<String, String>) -> ResponseKind {
        match response {
            "void" => ResponseKind::Empty,
            "binary" => ResponseKind::Binary,
            other => match list_inner(other) {
                Some(inner) => match models.get(inner) {
                    Some(r) => ResponseKind::ModelList(r.clone()),
                    None => ResponseKind::JsonList,
                },
                None => match models.get(other) {
                    Some(r) => ResponseKind::Model(r.clone()),
                    None => ResponseKind::Json,
                },
            },
        }
    }
}

/// One parameter merged over releases.
#[derive(Debug, Clone)]
pub struct Param {
    /// The parameter of the newest release that has it.
    pub param: AriParam,
    /// Where it goes.
    pub location: ParamLocation,
    /// Rust name.
    pub rust: String,
    /// An argument of the call (path, or required everywhere).
    pub required: bool,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Rust name of its open enum in `ari/params.rs`, for a query string with
    /// allowed values.
    pub enum_ty: Option<String>,
    /// A setter adding one entry (a body fix), by method name.
    pub entry_setter: Option<String>,
    /// The value sent when the caller leaves it unset (a fix), with the fix's
    /// name and reason.
    pub send_default: Option<SentDefault>,
}

/// A documented default the request sends itself, because the server requires
/// the parameter although the documentation gives it a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentDefault {
    /// The value sent.
    pub value: String,
    /// The fix's name.
    pub fix: String,
    /// The fix's reason.
    pub reason: String,
}

/// One operation merged over releases.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operation of the newest release that has it.
    pub op: AriOperation,
    /// Builder type name.
    pub builder: String,
    /// Accessor method name.
    pub method: String,
    /// Releases that have it.
    pub releases: Vec<String>,
    /// Documented error codes over releases, sorted.
    pub errors: Vec<u16>,
    /// Parameters in union order.
    pub params: Vec<Param>,
    /// What the response holds.
    pub response: ResponseKind,
}

impl Operation {
    /// Whether it is the WebSocket upgrade (no REST call).
    pub fn websocket(&self) -> bool {
        self.op.websocket_protocol.is_some()
    }

    /// `resource.nickname`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.op.resource, self.op.nickname)
    }

    /// Arguments in call order: path parameters in path order, then the others.
    pub fn args(&self) -> Vec<&Param> {
        let mut out: Vec<&Param> = path_params(&self.op.path)
            .iter()
            .filter_map(|n| self.params.iter().find(|p| &p.param.name == n))
            .collect();
        for p in &self.params {
            if p.required && p.location != ParamLocation::Path {
                out.push(p);
            }
        }
        out
    }

    /// Parameters set with setters.
    pub fn optional(&self) -> Vec<&Param> {
        self.params.iter().filter(|p| !p.required).collect()
    }
}

/// One open enum of `ari/params.rs`: the values of every parameter of that
/// name (first seen first) and the operations that take it.
#[derive(Debug, Clone)]
pub struct ParamEnum {
    /// Rust type name.
    pub name: String,
    /// Parameter name.
    pub param: String,
    /// Allowed values.
    pub values: Vec<String>,
    /// `resource.nickname` of the operations taking it.
    pub operations: Vec<String>,
}

/// A handle: a resource instance addressed by one path parameter, with the
/// operations under its path prefix as methods.
#[derive(Debug, Clone)]
pub struct Handle {
    /// The resource whose operations it carries.
    pub resource: String,
    /// The path prefix (`/channels/{channelId}`).
    pub prefix: String,
    /// Rust type name.
    pub name: String,
    /// The path parameter it fills.
    pub id_param: String,
    /// The `AriClient` method returning one.
    pub client_method: String,
    /// The model it stands for.
    pub model: String,
    /// The model's id property.
    pub model_id: String,
}

impl From<&HandleFix> for Handle {
    fn from(h: &HandleFix) -> Handle {
        Handle {
            resource: h.resource.clone(),
            prefix: h.prefix.clone(),
            name: h.handle.clone(),
            id_param: h.id_param.clone(),
            client_method: h.client_method.clone(),
            model: h.model.clone(),
            model_id: h.model_id.clone(),
        }
    }
}

impl Handle {
    /// Whether `op` is under this handle's prefix.
    pub fn covers(&self, op: &Operation) -> bool {
        op.op.path == self.prefix || op.op.path.starts_with(&format!("{}/", self.prefix))
    }
}

impl Model {
    /// Build the model of every release with the fixes applied; a fix that
    /// applies to nothing is an error naming it.
    pub fn build(releases: &Releases, fixes: &Fixes) -> Result<Model> {
        check_property_types(releases, &fixes.corrections)?;
        let mut structs = plan_models(releases, &fixes.corrections);
        resolve_types(&mut structs, &fixes.corrections);
        let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in &releases.manifests {
            for d in m.ari.descendants(MESSAGE_ROOT) {
                messages.entry(d).or_default().push(m.tag.clone());
            }
        }
        let rust_names: BTreeMap<String, String> = structs
            .iter()
            .map(|p| (p.name.clone(), p.rust.clone()))
            .collect();
        let ops_fixes = &fixes.ari_operations;
        let operations = plan_operations(releases, &rust_names, ops_fixes);
        check_operation_fixes(ops_fixes, &operations, &structs)?;
        let handles = ops_fixes.handle.iter().map(Handle::from).collect();
        Ok(Model {
            tags: releases.tags(),
            param_enums: param_enums(&operations),
            structs,
            messages,
            operations,
            handles,
        })
    }

    /// Operations by resource, in union order within each.
    pub fn by_resource(&self) -> BTreeMap<String, Vec<&Operation>> {
        let mut out: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
        for p in &self.operations {
            out.entry(p.op.resource.clone()).or_default().push(p);
        }
        out
    }
}

/// One property of one release's model, with the model that declares it.
#[derive(Debug, Clone)]
struct EffProp {
    prop: AriProperty,
    declared_in: String,
}

/// One release's model with its inherited properties resolved.
#[derive(Debug, Clone)]
struct EffModel {
    model: AriModel,
    /// Ancestors, root first.
    ancestors: Vec<String>,
    /// Ancestors' properties, then its own (a redefinition replaces the inherited one).
    props: Vec<EffProp>,
}

/// Ancestors (root first) and the properties they contribute, for every model.
fn effective(ari: &Ari) -> Vec<EffModel> {
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    for m in &ari.models {
        for s in &m.subtypes {
            parent.insert(s.as_str(), m.name.as_str());
        }
    }
    let mut out = Vec::with_capacity(ari.models.len());
    for m in &ari.models {
        let mut ancestors: Vec<String> = Vec::new();
        let mut cur = m.name.as_str();
        while let Some(p) = parent.get(cur) {
            if *p == m.name || ancestors.iter().any(|a| a == p) {
                break; // a cycle in subTypes: stop rather than loop
            }
            ancestors.push((*p).to_string());
            cur = p;
        }
        ancestors.reverse();
        let mut props: Vec<EffProp> = Vec::new();
        for owner in ancestors.iter().chain(std::iter::once(&m.name)) {
            let Some(om) = ari.model(owner) else { continue };
            for p in &om.properties {
                let e = EffProp {
                    prop: p.clone(),
                    declared_in: om.name.clone(),
                };
                match props.iter_mut().find(|x| x.prop.name == p.name) {
                    Some(slot) => *slot = e,
                    None => props.push(e),
                }
            }
        }
        out.push(EffModel {
            model: m.clone(),
            ancestors,
            props,
        });
    }
    out
}

fn plan_models(releases: &Releases, corrections: &Corrections) -> Vec<StructModel> {
    let per_release: Vec<(String, Vec<EffModel>)> = releases
        .manifests
        .iter()
        .map(|m| (m.tag.clone(), effective(&m.ari)))
        .collect();
    let lists: Vec<(&str, &[EffModel])> = per_release
        .iter()
        .map(|(t, v)| (t.as_str(), &v[..]))
        .collect();
    let union = union_by(&lists, |m: &EffModel| m.model.name.clone());

    let mut taken: BTreeSet<String> = union
        .iter()
        .map(|t| type_name(&t.item.model.name))
        .collect();
    taken.insert("AriEvent".into());

    let mut plans = Vec::with_capacity(union.len());
    for t in &union {
        let newest = &t.item;
        let model_tags: Vec<String> = t.releases().iter().map(|s| s.to_string()).collect();
        let prop_lists: Vec<(&str, &[EffProp])> = t
            .versions
            .iter()
            .map(|(tag, m)| (tag.as_str(), &m.props[..]))
            .collect();
        let props = union_ordered(&prop_lists, |p: &EffProp| p.prop.name.clone());

        let mut rust_names = vec!["extra".to_string()];
        for p in &props {
            rust_names.push(field_name(&p.item.prop.name));
        }
        let rust_names = dedupe(rust_names);

        let mut fields = Vec::with_capacity(props.len());
        for (i, pt) in props.iter().enumerate() {
            let p = &pt.item.prop;
            let tags: Vec<String> = pt.releases().iter().map(|s| s.to_string()).collect();
            let required_in: Vec<String> = pt
                .versions
                .iter()
                .filter(|(_, e)| e.prop.required)
                .map(|(tag, _)| tag.clone())
                .collect();
            let missing_in: Vec<String> = model_tags
                .iter()
                .filter(|tag| !tags.contains(tag))
                .cloned()
                .collect();
            let required = missing_in.is_empty() && required_in.len() == pt.versions.len();

            let mut types: Vec<String> = Vec::new();
            for (_, e) in &pt.versions {
                if !types.contains(&e.prop.data_type) {
                    types.push(e.prop.data_type.clone());
                }
            }
            let (data_type, conflicting_types) = if types.len() > 1 {
                ("object".to_string(), types)
            } else {
                (p.data_type.clone(), Vec::new())
            };

            let mut values: Vec<(String, Vec<String>)> = Vec::new();
            let mut range = None;
            for (tag, e) in pt.versions.iter().rev() {
                match &e.prop.allowed {
                    Some(Allowed::List { values: vs }) => {
                        for v in vs {
                            match values.iter_mut().find(|(x, _)| x == v) {
                                Some((_, tags)) => tags.insert(0, tag.clone()),
                                None => values.push((v.clone(), vec![tag.clone()])),
                            }
                        }
                    }
                    Some(Allowed::Range { min, max }) if range.is_none() => {
                        range = Some((min.clone(), max.clone()));
                    }
                    Some(Allowed::Range { .. }) | None => {}
                }
            }

            let enum_name = if !values.is_empty() && data_type == "string" {
                let mut n = format!("{}{}", type_name(&newest.model.name), type_name(&p.name));
                while taken.contains(&n) {
                    n.push_str("Value");
                }
                taken.insert(n.clone());
                Some(n)
            } else {
                None
            };
            let type_fix = corrections
                .ari_property_type
                .iter()
                .find(|fx| fx.model == newest.model.name && fx.properties.contains(&p.name))
                .cloned();

            fields.push(Field {
                json: p.name.clone(),
                rust: rust_names[i + 1].clone(),
                data_type,
                conflicting_types,
                required,
                releases: tags,
                required_in,
                missing_in,
                values,
                range,
                declared_in: pt.item.declared_in.clone(),
                enum_name,
                ty: FieldType::Json,
                type_fix,
            });
        }

        let mut subtypes: Vec<String> = Vec::new();
        for (_, m) in t.versions.iter().rev() {
            for s in &m.model.subtypes {
                if !subtypes.contains(s) {
                    subtypes.push(s.clone());
                }
            }
        }
        plans.push(StructModel {
            name: newest.model.name.clone(),
            rust: type_name(&newest.model.name),
            resource: newest.model.resource.clone(),
            releases: model_tags,
            ancestors: newest.ancestors.clone(),
            subtypes,
            discriminator: newest.model.discriminator.clone(),
            fields,
        });
    }
    plans
}

/// `List[X]` → `X`.
pub fn list_inner(ty: &str) -> Option<&str> {
    ty.strip_prefix("List[").and_then(|s| s.strip_suffix(']'))
}

/// The model a Swagger type refers to, directly or through `List[…]`.
fn referenced(ty: &str, models: &BTreeSet<&str>) -> Option<String> {
    match list_inner(ty) {
        Some(inner) => referenced(inner, models),
        None if models.contains(ty) => Some(ty.to_string()),
        None => None,
    }
}

/// Whether `from` can reach `to` through model references.
fn reaches(from: &str, to: &str, graph: &BTreeMap<String, BTreeSet<String>>) -> bool {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if !seen.insert(n) {
            continue;
        }
        if let Some(next) = graph.get(n) {
            stack.extend(next.iter().map(|s| s.as_str()));
        }
    }
    false
}

/// What deciding a field's Rust type needs: the property type fixes, the Rust
/// names of the models and which model refers to which.
struct TypeCtx<'a> {
    corrections: &'a Corrections,
    rust_names: BTreeMap<String, String>,
    graph: BTreeMap<String, BTreeSet<String>>,
}

impl TypeCtx<'_> {
    fn field_type(&self, model: &str, field: &Field, ty: &str, in_list: bool) -> FieldType {
        if let Some(inner) = list_inner(ty) {
            return FieldType::List(Box::new(self.field_type(model, field, inner, true)));
        }
        let fixed =
            |rust: &str| self.corrections.ari_property_type(model, &field.json) == Some(rust);
        match ty {
            "string" => match &field.enum_name {
                Some(e) if !in_list => FieldType::OpenEnum(e.clone()),
                _ => FieldType::Text,
            },
            "int" if fixed("u32") => FieldType::U32,
            "int" if fixed("i64") => FieldType::I64,
            "int" => FieldType::I32,
            "long" => FieldType::I64,
            "double" | "float" => FieldType::F64,
            "boolean" => FieldType::Bool,
            "Date" => FieldType::Timestamp,
            "containers" => FieldType::StringMap,
            other => match self.rust_names.get(other) {
                Some(r) => FieldType::Model {
                    rust: r.clone(),
                    boxed: !in_list && reaches(other, model, &self.graph),
                },
                None => FieldType::Json,
            },
        }
    }
}

/// Decide every field's Rust type.
fn resolve_types(plans: &mut [StructModel], corrections: &Corrections) {
    let models: BTreeSet<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in plans.iter() {
        let refs = graph.entry(p.name.clone()).or_default();
        for f in &p.fields {
            if let Some(target) = referenced(&f.data_type, &models) {
                refs.insert(target);
            }
        }
    }
    let ctx = TypeCtx {
        corrections,
        rust_names: plans
            .iter()
            .map(|p| (p.name.clone(), p.rust.clone()))
            .collect(),
        graph,
    };
    for p in plans.iter_mut() {
        for i in 0..p.fields.len() {
            let ty = ctx.field_type(&p.name, &p.fields[i], &p.fields[i].data_type, false);
            p.fields[i].ty = ty;
        }
    }
}

/// Every property type fix names a model of some release, and each of its
/// properties is an `int` of that model there.
fn check_property_types(releases: &Releases, corrections: &Corrections) -> Result<()> {
    for fix in &corrections.ari_property_type {
        if !matches!(fix.rust_type.as_str(), "u32" | "i64") {
            return Err(fix_error(
                "corrections.toml",
                &fix.name,
                format!("rust_type `{}` is not u32 or i64", fix.rust_type),
            ));
        }
        for prop in &fix.properties {
            let found = releases.manifests.iter().any(|m| {
                m.ari.model(&fix.model).is_some_and(|model| {
                    model
                        .properties
                        .iter()
                        .any(|p| &p.name == prop && p.data_type == "int")
                })
            });
            if !found {
                return Err(fix_error(
                    "corrections.toml",
                    &fix.name,
                    format!(
                        "no `int` property `{prop}` of ARI model `{}` in any release",
                        fix.model
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// An error for a fix that applies to nothing (or is malformed), naming the
/// file and the fix.
pub fn fix_error(file: &str, name: &str, message: impl std::fmt::Display) -> crate::Error {
    crate::input_err(
        format!("specs/fixes/{file}"),
        format!("fix `{name}`: {message}"),
    )
}

/// Every handle, body and send-default fix applies to some operation of some
/// release.
fn check_operation_fixes(
    fixes: &AriOperationFixes,
    operations: &[Operation],
    structs: &[StructModel],
) -> Result<()> {
    const FILE: &str = "ari_operations.toml";
    for h in &fixes.handle {
        if !path_params(&h.prefix).contains(&h.id_param) {
            return Err(fix_error(
                FILE,
                &h.name,
                format!("`{}` is not a placeholder of `{}`", h.id_param, h.prefix),
            ));
        }
        let handle = Handle::from(h);
        if !operations
            .iter()
            .any(|o| o.op.resource == h.resource && handle.covers(o))
        {
            return Err(fix_error(
                FILE,
                &h.name,
                format!(
                    "no operation of resource `{}` under `{}` in any release",
                    h.resource, h.prefix
                ),
            ));
        }
        let has_id = structs
            .iter()
            .find(|s| s.name == h.model)
            .is_some_and(|s| s.fields.iter().any(|f| f.json == h.model_id));
        if !has_id {
            return Err(fix_error(
                FILE,
                &h.name,
                format!("no ARI model `{}` with property `{}`", h.model, h.model_id),
            ));
        }
    }
    for b in &fixes.body {
        let found = operations.iter().flat_map(|o| &o.params).any(|p| {
            p.param.name == b.param && p.location.is_body() && p.param.data_type == "containers"
        });
        if !found {
            return Err(fix_error(
                FILE,
                &b.name,
                format!(
                    "no `containers` body parameter `{}` in any operation of any release",
                    b.param
                ),
            ));
        }
    }
    for s in &fixes.send_default {
        for name in &s.operations {
            let param = operations
                .iter()
                .find(|o| &o.full_name() == name)
                .and_then(|o| o.params.iter().find(|p| p.param.name == s.param));
            match param {
                None => {
                    return Err(fix_error(
                        FILE,
                        &s.name,
                        format!("no operation `{name}` with parameter `{}`", s.param),
                    ));
                }
                Some(p) if p.required || p.send_default.is_none() => {
                    return Err(fix_error(
                        FILE,
                        &s.name,
                        format!(
                            "`{}` of `{name}` is not optional with a documented default",
                            s.param
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// The allowed values of a query parameter that gets an open enum.
fn enum_values(p: &AriParam) -> Option<&[String]> {
    match (
        &p.allowed,
        p.location.as_str(),
        p.data_type.as_str(),
        p.multiple,
    ) {
        (Some(Allowed::List { values }), "query", "string", false) => Some(values),
        _ => None,
    }
}

fn param_enums(plans: &[Operation]) -> Vec<ParamEnum> {
    let mut out: Vec<ParamEnum> = Vec::new();
    for op in plans {
        for p in &op.params {
            let Some(values) = enum_values(&p.param) else {
                continue;
            };
            let name = type_name(&p.param.name);
            let i = match out.iter().position(|e| e.name == name) {
                Some(i) => i,
                None => {
                    out.push(ParamEnum {
                        name,
                        param: p.param.name.clone(),
                        values: Vec::new(),
                        operations: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let e = &mut out[i];
            for v in values {
                if !e.values.contains(v) {
                    e.values.push(v.clone());
                }
            }
            e.operations.push(op.full_name());
        }
    }
    out
}

/// `{name}` placeholders of a path template, in order.
pub fn path_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

fn plan_operations(
    releases: &Releases,
    models: &BTreeMap<String, String>,
    fixes: &AriOperationFixes,
) -> Vec<Operation> {
    let lists = releases.lists(|m| &m.ari.operations[..]);
    let union = union_by(&lists, |o: &AriOperation| {
        (o.resource.clone(), o.path.clone(), o.method.clone())
    });
    let mut plans = Vec::with_capacity(union.len());
    for t in union {
        let op_tags: Vec<String> = t.releases().iter().map(|s| s.to_string()).collect();
        let param_lists: Vec<(&str, &[AriParam])> = t
            .versions
            .iter()
            .map(|(tag, o)| (tag.as_str(), &o.params[..]))
            .collect();
        let merged = union_ordered(&param_lists, |p: &AriParam| p.name.clone());
        let mut names = vec!["client".to_string()];
        names.extend(merged.iter().map(|p| field_name(&p.item.name)));
        let names = dedupe(names);
        let full_name = format!("{}.{}", t.item.resource, t.item.nickname);
        let params = merged
            .iter()
            .enumerate()
            .map(|(i, pt)| {
                let everywhere = pt.versions.len() == t.versions.len();
                let location = ParamLocation::of(&pt.item, fixes);
                let required = location == ParamLocation::Path
                    || (everywhere && pt.versions.iter().all(|(_, p)| p.required));
                let send_default = fixes.send_default(&full_name, &pt.item.name).and_then(|f| {
                    Some(SentDefault {
                        value: default_text(pt.item.default.as_ref()?),
                        fix: f.name.clone(),
                        reason: f.reason.clone(),
                    })
                });
                Param {
                    location,
                    rust: names[i + 1].clone(),
                    required,
                    releases: pt.releases().iter().map(|s| s.to_string()).collect(),
                    enum_ty: enum_values(&pt.item).map(|_| type_name(&pt.item.name)),
                    entry_setter: match location {
                        ParamLocation::Body(_) => fixes
                            .body(&pt.item.name)
                            .and_then(|b| b.entry_setter.clone()),
                        _ => None,
                    },
                    send_default,
                    param: pt.item.clone(),
                }
            })
            .collect();
        let mut errors: Vec<u16> = t
            .versions
            .iter()
            .flat_map(|(_, o)| o.errors.iter().copied())
            .collect();
        errors.sort_unstable();
        errors.dedup();
        plans.push(Operation {
            builder: type_name(&t.item.nickname),
            method: field_name(&t.item.nickname),
            response: ResponseKind::of(&t.item.response, models),
            op: t.item.clone(),
            releases: op_tags,
            errors,
            params,
        });
    }
    plans
}

/// A documented default as the query string writes it.
pub fn default_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_placeholders_in_order() {
        assert_eq!(
            path_params("/channels/{channelId}/play/{playbackId}"),
            ["channelId", "playbackId"]
        );
        assert!(path_params("/channels").is_empty());
    }

    #[test]
    fn responses_by_kind() {
        let models: BTreeMap<String, String> = [("Channel".to_string(), "Channel".to_string())]
            .into_iter()
            .collect();
        assert_eq!(ResponseKind::of("void", &models), ResponseKind::Empty);
        assert_eq!(ResponseKind::of("binary", &models), ResponseKind::Binary);
        assert_eq!(
            ResponseKind::of("List[Channel]", &models),
            ResponseKind::ModelList("Channel".into())
        );
        assert_eq!(
            ResponseKind::of("List[string]", &models),
            ResponseKind::JsonList
        );
        assert_eq!(ResponseKind::of("string", &models), ResponseKind::Json);
    }
}
