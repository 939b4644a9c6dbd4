//! `ari/catalog.rs`: every ARI operation of the union as plain static data
//! (method, path template, parameters, releases), for the mock server's routes
//! and tools that need the surface without the typed API.

use crate::Result;
use crate::emit::{GeneratedFile, render};
use crate::model::ari::{Operation, Param, ParamLocation};
use proc_macro2::TokenStream;
use quote::quote;

fn strs(v: &[String]) -> TokenStream {
    quote!(&[#(#v),*])
}

fn param(p: &Param) -> TokenStream {
    let name = &p.param.name;
    let location = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Body(_) => "body",
        ParamLocation::Header => "header",
    };
    let required = p.required;
    let releases = strs(&p.releases);
    quote! {
        ParamInfo {
            name: #name,
            location: #location,
            required: #required,
            releases: #releases,
        }
    }
}

/// `ari/catalog.rs` from the merged operations, sorted by resource, path and method.
pub(super) fn emit_catalog(plans: &[Operation], all: &[String]) -> Result<GeneratedFile> {
    let mut sorted: Vec<&Operation> = plans.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.op.resource, &a.op.path, &a.op.method).cmp(&(&b.op.resource, &b.op.path, &b.op.method))
    });
    let operations = sorted.iter().map(|p| {
        let resource = &p.op.resource;
        let nickname = &p.op.nickname;
        let method = &p.op.method;
        let path = &p.op.path;
        let params = p.params.iter().map(param);
        let releases = strs(&p.releases);
        quote! {
            OperationInfo {
                resource: #resource,
                nickname: #nickname,
                method: #method,
                path: #path,
                params: &[#(#params),*],
                releases: #releases,
            }
        }
    });
    let tokens = quote! {
        //! Every generated ARI operation as plain data, sorted by resource, path and
        //! method (for the mock server and tools).
        use asterisk_sdk_runtime::ari::{OperationInfo, ParamInfo};

        /// Every release the SDK was generated from, oldest first.
        pub const RELEASES: &[&str] = &[#(#all),*];

        /// Every operation of the generated releases, sorted by resource, path and method.
        pub static OPERATIONS: &[OperationInfo] = &[#(#operations),*];
    };
    render("ari/catalog.rs", tokens)
}
