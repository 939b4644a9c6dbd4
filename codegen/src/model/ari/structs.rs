//! ARI models merged over releases: one struct per model, the ancestors'
//! properties as fields, each field's Rust type decided (property type fixes
//! of `corrections.toml` applied).
//!
//! A property is a plain field only when every release that has the model has
//! the property and marks it required; otherwise it is an `Option`. Subtypes
//! carry the properties of their ancestors (`Message` → `Event` → `StasisStart`).

use super::{Model, fix_error};
use crate::Result;
use crate::fixes::corrections::{AriPropertyType, Corrections};
use crate::manifest::{Allowed, Ari, AriModel, AriProperty};
use crate::names::{dedupe, field_name, type_name};
use crate::surface::{Releases, union_by, union_ordered};
use std::collections::{BTreeMap, BTreeSet};

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

pub(super) fn plan_models(releases: &Releases, corrections: &Corrections) -> Vec<StructModel> {
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
pub(super) fn resolve_types(plans: &mut [StructModel], corrections: &Corrections) {
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
pub(super) fn check_property_types(releases: &Releases, corrections: &Corrections) -> Result<()> {
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
