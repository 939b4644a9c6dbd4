//! `ami/catalog.rs`: every action and event as plain static data.

use crate::model::ami::Model;
use proc_macro2::TokenStream;
use quote::quote;

fn strs(v: &[String]) -> TokenStream {
    quote!(&[#(#v),*])
}

/// `ami/catalog.rs`.
pub fn emit_catalog(m: &Model) -> TokenStream {
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
            let base = if s.kind == "bridge" {
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
        quote! {
            EventInfo {
                name: #name,
                wire_name: #wire,
                fields: #fields,
                types: #types,
                releases: #rel,
            }
        }
    });
    let tags = &m.tags;
    quote! {
        //! Every generated AMI action and event as plain data, sorted by name (for the
        //! mock server and tools).
        use asterisk_sdk_runtime::ami::{ActionInfo, EventInfo};

        /// Every release the SDK was generated from, oldest first.
        pub const RELEASES: &[&str] = &[#(#tags),*];

        /// Every action of the generated releases, sorted by name.
        pub static ACTIONS: &[ActionInfo] = &[#(#actions),*];

        /// Every event of the generated releases, sorted by documented name.
        pub static EVENTS: &[EventInfo] = &[#(#events),*];
    }
}
