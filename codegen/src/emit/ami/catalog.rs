//! `ami/catalog/`: every action and event as plain static data. The event
//! entries are constants in `ami/catalog/events/` (split by initial), which the
//! `EVENTS` table lists.

use crate::Result;
use crate::emit::{GeneratedFile, render, split};
use crate::model::ami::Model;
use crate::names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn strs(v: &[String]) -> TokenStream {
    quote!(&[#(#v),*])
}

/// `ami/catalog/mod.rs` and the event constants of `ami/catalog/events/`.
pub fn emit_catalog(m: &Model) -> Result<Vec<GeneratedFile>> {
    let actions = m.actions.iter().map(|a| {
        let name = &a.name;
        let params = strs(&a.all_params);
        let required: Vec<String> = a
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.clone())
            .collect();
        let required = strs(&required);
        let (items, complete) = match &a.list {
            Some(l) => (l.items.clone(), l.complete.clone()),
            None => (Vec::new(), None),
        };
        let items = strs(&items);
        let complete = match complete {
            Some(c) => quote!(Some(#c)),
            None => quote!(None),
        };
        let privs = strs(&a.privileges.clone().unwrap_or_default());
        let rel = strs(&a.releases);
        quote! {
            ActionInfo {
                name: #name,
                params: #params,
                required: #required,
                list_items: #items,
                list_complete: #complete,
                privileges: #privs,
                releases: #rel,
            }
        }
    });
    let events = m.events.iter().map(|e| {
        let name = &e.name;
        let wire = &e.wire;
        let mut fields: Vec<String> = Vec::new();
        let mut types: Vec<String> = Vec::new();
        for s in &e.snapshots {
            let base = if s.kind == crate::model::ami::SnapshotKind::Bridge {
                &m.bridge_fields
            } else {
                &m.channel_fields
            };
            for f in base {
                fields.push(format!("{}{}", s.prefix, f.header));
                types.push(f.ty.label());
            }
        }
        for f in &e.fields {
            fields.push(f.header.clone());
            types.push(f.ty.label());
        }
        let fields = strs(&fields);
        let types = strs(&types);
        let rel = strs(&e.releases);
        let c = event_const(&e.ty);
        let d = format!(" The catalog entry of `{}`.", e.wire);
        quote! {
            #[doc = #d]
            pub const #c: EventInfo = EventInfo {
                name: #name,
                wire_name: #wire,
                fields: #fields,
                types: #types,
                releases: #rel,
            };
        }
    });
    let event_consts = m.events.iter().map(|e| event_const(&e.ty));
    let mut files = split::by_initial(
        "ami/catalog/events",
        "Catalog entries of AMI events",
        quote! {
            //! The catalog entry of every AMI event, one constant per event, listed
            //! by [`EVENTS`](super::EVENTS).
            use asterisk_sdk_runtime::ami::EventInfo;
            #(#events)*
        },
    )?;
    files.push(render(
        "ami/catalog/mod.rs",
        quote! {
            //! Every generated AMI action and event as plain data, sorted by name (for the
            //! mock server and tools).
            use asterisk_sdk_runtime::ami::{ActionInfo, EventInfo};

            mod events;

            /// Every action of the generated releases, sorted by name.
            pub static ACTIONS: &[ActionInfo] = &[#(#actions),*];

            /// Every event of the generated releases, sorted by documented name.
            pub static EVENTS: &[EventInfo] = &[#(events::#event_consts),*];
        },
    )?);
    Ok(files)
}

/// The constant holding an event's catalog entry: its type name in upper snake
/// case (`AgiExecEnd` gives `AGI_EXEC_END`).
fn event_const(ty: &str) -> proc_macro2::Ident {
    format_ident!(
        "{}",
        names::field_name(ty)
            .trim_end_matches('_')
            .to_ascii_uppercase()
    )
}
