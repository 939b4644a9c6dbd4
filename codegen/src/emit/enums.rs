//! Domain enums (HangupCause, ChannelState, …) from `specs/fixes/enums.toml`,
//! written to `domain.rs` as open enums (see [`super::open_enum`]), with their
//! other forms (`label`), numeric codes and AMI header decoding.

use super::docs::{code, doc_lines};
use super::open_enum::{self, CATCH_ALL, Json, KnownValue, OpenEnum};
use super::{GeneratedFile, Options};
use crate::Result;
use crate::fixes::Fixes;
use crate::fixes::enums::{DomainEnum, Repr};
use crate::surface::Releases;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Emit `domain.rs`.
pub fn emit(releases: &Releases, fixes: &Fixes, _options: &Options) -> Result<Vec<GeneratedFile>> {
    let tags = releases.tags().join(", ");
    let enums = fixes
        .enums
        .enums
        .iter()
        .map(emit_enum)
        .collect::<Result<Vec<_>>>()?;
    let module_doc = format!(
        " Domain enums with their wire values (from `specs/fixes/enums.toml`), shared by AMI, AGI and ARI. Generated for releases {tags}."
    );
    let tokens = quote! {
        #![doc = #module_doc]
        #(#enums)*
    };
    Ok(vec![super::render("domain.rs", tokens)?])
}

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

fn emit_enum(e: &DomainEnum) -> Result<TokenStream> {
    let name = ident(&e.name);
    let repr = match e.repr {
        Repr::Int => "a decimal integer",
        Repr::String => "text",
    };
    let mut doc = vec![
        format!("{} (open enum; the wire form is {repr}).", e.name),
        String::new(),
        format!("Source: {}", e.reason),
        String::new(),
        format!(
            "A value this SDK does not know decodes to `{CATCH_ALL}`, keeping the raw wire form."
        ),
    ];
    doc.push(String::new());
    doc.push("| wire | variant |".into());
    doc.push("|---|---|".into());
    for v in &e.values {
        let label = v
            .label
            .as_ref()
            .map(|l| format!(" (also sent as {})", code(l)))
            .unwrap_or_default();
        doc.push(format!("| {}{label} | `{}` |", code(&v.wire), v.variant));
    }
    let open = OpenEnum {
        name: e.name.clone(),
        doc: doc_lines(&doc),
        values: e
            .values
            .iter()
            .map(|v| KnownValue {
                wire: v.wire.clone(),
                variant: v.variant.clone(),
                doc: doc_lines(&[format!("Wire value {}.", code(&v.wire))]),
            })
            .collect(),
        json: match e.repr {
            Repr::Int => Json::Int,
            Repr::String => Json::Text,
        },
    };
    let open = open_enum::emit(&open)?;

    let has_labels = e.values.iter().any(|v| v.label.is_some());
    let labels = if has_labels {
        let label_arms = e.values.iter().filter_map(|v| {
            let var = ident(&v.variant);
            v.label
                .as_ref()
                .map(|l| quote! { #name::#var => Some(#l), })
        });
        let from_label_arms = e.values.iter().filter_map(|v| {
            let var = ident(&v.variant);
            v.label
                .as_ref()
                .map(|l| quote! { #l => Some(#name::#var), })
        });
        quote! {
            /// The other form Asterisk also sends for this value (the text of
            /// `ChannelStateDesc`, the number of a queue member's `Status`).
            pub fn label(&self) -> Option<&'static str> {
                match self {
                    #(#label_arms)*
                    _ => None,
                }
            }
            /// The value whose other form is `label`, if known.
            pub fn from_label(label: &str) -> Option<Self> {
                match label {
                    #(#from_label_arms)*
                    _ => None,
                }
            }
        }
    } else {
        quote! {}
    };
    let int_methods = if e.repr == Repr::Int {
        quote! {
            /// The numeric value, when the wire form is a number.
            pub fn code(&self) -> Option<i64> {
                self.as_str().parse().ok()
            }

            /// The value for a numeric code.
            pub fn from_code(code: i64) -> Self {
                #name::from(code.to_string())
            }
        }
    } else {
        quote! {}
    };
    let inherent = if has_labels || e.repr == Repr::Int {
        quote! {
            impl #name {
                #labels
                #int_methods
            }
        }
    } else {
        quote! {}
    };

    // A header value: the wire form, else the other form, else (for integers)
    // the number however it is written (`06` is `6`).
    let label_fallback = if has_labels {
        quote! {
            if let Some(v) = #name::from_label(v) {
                return Some(v);
            }
        }
    } else {
        quote! {}
    };
    let rest = if e.repr == Repr::Int {
        quote! {
            match v.parse::<i64>() {
                Ok(code) => Some(#name::from_code(code)),
                Err(_) => Some(#name::Other(v.to_string())),
            }
        }
    } else {
        quote!(Some(#name::Other(v.to_string())))
    };
    Ok(quote! {
        #open
        #inherent

        #[cfg(feature = "ami")]
        impl asterisk_sdk_runtime::ami::FromHeader for #name {
            fn from_header(value: &str) -> Option<Self> {
                let v = value.trim();
                if v.is_empty() {
                    return None;
                }
                if let Some(known) = <#name as asterisk_sdk_runtime::open_enum::OpenEnum>::known(v) {
                    return Some(known);
                }
                #label_fallback
                #rest
            }
        }
    })
}
