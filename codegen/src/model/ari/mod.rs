//! The ARI union model: models, messages and operations of every release merged,
//! with each property's and parameter's Rust type decided and every ARI fix
//! (property types, handles, body shapes, documented defaults) applied.
//!
//! [`structs`] merges the models (properties, inheritance, Rust types);
//! [`operations`] merges the operations (parameters, responses, handles).

use crate::Result;
use crate::fixes::Fixes;
use crate::surface::Releases;
use std::collections::BTreeMap;

pub mod operations;
pub mod structs;

pub use operations::{
    BodyShape, Handle, Operation, Param, ParamEnum, ParamLocation, ResponseKind, SentDefault,
    path_params,
};
pub use structs::{Field, FieldType, StructModel};

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

impl Model {
    /// Build the model of every release with the fixes applied; a fix that
    /// applies to nothing is an error naming it.
    pub fn build(releases: &Releases, fixes: &Fixes) -> Result<Model> {
        structs::check_property_types(releases, &fixes.corrections)?;
        let mut structs = structs::plan_models(releases, &fixes.corrections);
        structs::resolve_types(&mut structs, &fixes.corrections);
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
        let operations = operations::plan_operations(releases, &rust_names, ops_fixes);
        operations::check_operation_fixes(ops_fixes, &operations, &structs)?;
        let handles = ops_fixes.handle.iter().map(Handle::from).collect();
        Ok(Model {
            tags: releases.tags(),
            param_enums: operations::param_enums(&operations),
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

/// An error for a fix that applies to nothing (or is malformed), naming the
/// file and the fix.
pub fn fix_error(file: &str, name: &str, message: impl std::fmt::Display) -> crate::Error {
    crate::input_err(
        format!("specs/fixes/{file}"),
        format!("fix `{name}`: {message}"),
    )
}
