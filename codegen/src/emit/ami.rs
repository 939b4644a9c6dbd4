//! The AMI emitter: `generated/src/ami/` from the union of every release's actions
//! and events, typed with `specs/fixes/ami_types.toml`.
//!
//! Files: `ami/mod.rs` (module root), `ami/actions/` (one builder per action,
//! split by initial), `ami/events/` (one struct per event, split by initial),
//! `ami/event.rs` (the `Event` enum), `ami/responses.rs` (typed success
//! responses), `ami/snapshot.rs` (channel and bridge
//! snapshot blocks), `ami/enums.rs` (open enums of documented enum lists) and
//! `ami/catalog/` (plain data for the mock server).

use super::{GeneratedFile, Options, split};
use crate::Result;
use crate::fixes::Fixes;
use crate::model::ami as model;
use crate::surface::Releases;
use proc_macro2::TokenStream;
use quote::quote;

pub mod actions;
pub mod catalog;
pub mod events;
pub mod responses;
pub mod root;

/// Emit every file of `generated/src/ami/`.
pub fn emit(releases: &Releases, fixes: &Fixes, options: &Options) -> Result<Vec<GeneratedFile>> {
    let _ = options;
    let mut model = model::Model::build(releases, &fixes.ami_types);
    model.apply_fixes(fixes)?;

    let mut files = vec![
        super::render("ami/mod.rs", root::emit_root(&model))?,
        super::render("ami/event.rs", events::emit_event_enum(&model))?,
        super::render("ami/snapshot.rs", events::emit_snapshots(&model))?,
        super::render("ami/enums.rs", events::emit_enums(&model)?)?,
        super::render("ami/responses.rs", responses::emit_responses(&model))?,
    ];
    files.extend(split::by_initial(
        "ami/actions",
        "AMI actions",
        actions::emit_actions(&model),
    )?);
    files.extend(split::by_initial(
        "ami/events",
        "AMI events",
        events::emit_events(&model),
    )?);
    files.extend(catalog::emit_catalog(&model, &fixes.enums)?);
    Ok(files)
}

/// `#[doc = "…"]` attributes, one per line (a leading space added to non-empty lines).
pub(crate) fn doc(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    quote!(#(#attrs)*)
}

/// `` `a`, `b` `` for docs.
pub(crate) fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Rust path or identifier from a string known to be valid.
pub(crate) fn tokens(s: &str) -> TokenStream {
    s.parse().unwrap_or_default()
}
