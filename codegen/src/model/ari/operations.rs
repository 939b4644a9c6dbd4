//! ARI operations merged over releases: parameters with their location and
//! Rust names, responses, the open enums of query parameters, and the fixes of
//! `ari_operations.toml` (handles, body shapes, defaults sent when unset).
//!
//! A parameter is an argument of its call only when it is a path parameter, or
//! every release that has the operation has it and marks it required.

use super::structs::list_inner;
use super::{StructModel, fix_error};
use crate::Result;
use crate::fixes::ari_operations::{AriOperationFixes, BodyEncoding, HandleFix};
use crate::manifest::{Allowed, AriOperation, AriParam};
use crate::names::{dedupe, field_name, type_name};
use crate::surface::{Releases, union_by, union_ordered};
use std::collections::BTreeMap;

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

/// Every handle, body and send-default fix applies to some operation of some
/// release.
pub(super) fn check_operation_fixes(
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

pub(super) fn param_enums(plans: &[Operation]) -> Vec<ParamEnum> {
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

pub(super) fn plan_operations(
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
            method: operation_method(&t.item.nickname),
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

/// The `AriClient` method that returns a resource's accessor (`device_states`).
pub fn accessor_method(resource: &str) -> String {
    field_name(resource)
}

/// The accessor method of an operation (`claim_channel` for `claimChannel`).
pub fn operation_method(nickname: &str) -> String {
    field_name(nickname)
}

/// How a user calls an operation on an `AriClient`: `events().claim_channel()`
/// for resource `events`, nickname `claimChannel` (what `diff` shows).
pub fn rust_call(resource: &str, nickname: &str) -> String {
    format!(
        "{}().{}()",
        accessor_method(resource),
        operation_method(nickname)
    )
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
