//! `ami/catalog/`: every action and event as plain static data. The event
//! entries are constants in `ami/catalog/events/` (split by initial), which the
//! `EVENTS` table lists.

use crate::Result;
use crate::emit::{GeneratedFile, render, split};
use crate::fixes::ami_types::HeaderType;
use crate::fixes::enums::EnumFixes;
use crate::model::ami::FieldModel;
use crate::model::ami::Model;
use crate::names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn strs(v: &[String]) -> TokenStream {
    quote!(&[#(#v),*])
}

/// `("<prefix><header>", &[known wire values])` when `f` has an enum type.
fn enum_entry(prefix: &str, f: &FieldModel, enums: &EnumFixes) -> Option<TokenStream> {
    let values: Vec<String> = match &f.ty {
        HeaderType::Enum if f.enum_type.is_some() => f.enum_values.clone(),
        HeaderType::Domain(d) => enums
            .enums
            .iter()
            .find(|e| &e.name == d)
            .map(|e| e.values.iter().map(|v| v.wire.clone()).collect())?,
        _ => return None,
    };
    let header = format!("{prefix}{}", f.header);
    let values = strs(&values);
    Some(quote!((#header, #values)))
}

/// `ami/catalog/mod.rs` and the event constants of `ami/catalog/events/`.
pub fn emit_catalog(m: &Model, enums: &EnumFixes) -> Result<Vec<GeneratedFile>> {
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
        let (mut rf, mut rt, mut rx) = (Vec::new(), Vec::new(), Vec::new());
        for f in a.response.iter().flat_map(|r| &r.fields) {
            rf.push(f.header.clone());
            rt.push(f.ty.label());
            rx.push(f.example.clone());
        }
        let (rf, rt, rx) = (strs(&rf), strs(&rt), strs(&rx));
        let unkeyed = a.unkeyed_items.is_some();
        let no_response = a.no_response.is_some();
        quote! {
            ActionInfo {
                name: #name,
                params: #params,
                required: #required,
                list_items: #items,
                list_complete: #complete,
                privileges: #privs,
                releases: #rel,
                response_fields: #rf,
                response_types: #rt,
                response_examples: #rx,
                unkeyed_list_items: #unkeyed,
                no_response: #no_response,
            }
        }
    });
    let events = m.events.iter().map(|e| {
        let name = &e.name;
        let wire = &e.wire;
        let mut fields: Vec<String> = Vec::new();
        let mut types: Vec<String> = Vec::new();
        let mut known: Vec<TokenStream> = Vec::new();
        for s in &e.snapshots {
            let base = if s.kind == crate::model::ami::SnapshotKind::Bridge {
                &m.bridge_fields
            } else {
                &m.channel_fields
            };
            for f in base {
                fields.push(format!("{}{}", s.prefix, f.header));
                types.push(f.ty.label());
                known.extend(enum_entry(&s.prefix, f, enums));
            }
        }
        for f in &e.fields {
            fields.push(f.header.clone());
            types.push(f.ty.label());
            known.extend(enum_entry("", f, enums));
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
                enum_values: &[#(#known),*],
                releases: #rel,
            };
        }
    });
    let tags = &m.tags;
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

            /// Every release the SDK was generated from, oldest first.
            pub const RELEASES: &[&str] = &[#(#tags),*];

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
