//! Domain enums (HangupCause, ChannelState, …) from `specs/fixes/enums.toml`,
//! written to `domain.rs` as open enums.

use super::docs::{code, doc_lines};
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
    let enums = fixes.enums.enums.iter().map(emit_enum);
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

fn emit_enum(e: &DomainEnum) -> TokenStream {
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
        "A value this SDK does not know decodes to `Unknown`, keeping the raw wire form."
            .to_string(),
    ];
    doc.push(String::new());
    doc.push("| wire | variant |".into());
    doc.push("|---|---|".into());
    for v in &e.values {
        let label = v
            .label
            .as_ref()
            .map(|l| format!(" (text form {})", code(l)))
            .unwrap_or_default();
        doc.push(format!("| {}{label} | `{}` |", code(&v.wire), v.variant));
    }
    let doc = doc_lines(&doc);

    let variants = e.values.iter().map(|v| {
        let var = ident(&v.variant);
        let d = format!(" Wire value {}.", code(&v.wire));
        quote! { #[doc = #d] #var, }
    });
    let as_wire_arms = e.values.iter().map(|v| {
        let var = ident(&v.variant);
        let w = &v.wire;
        quote! { #name::#var => #w, }
    });
    let from_wire_arms = e.values.iter().map(|v| {
        let var = ident(&v.variant);
        let w = &v.wire;
        quote! { #w => #name::#var, }
    });
    let all = e.values.iter().map(|v| {
        let var = ident(&v.variant);
        quote! { #name::#var }
    });
    let count = e.values.len();

    let labels = if e.values.iter().any(|v| v.label.is_some()) {
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
            /// The text form Asterisk also sends for this value (e.g. in `ChannelStateDesc`).
            pub fn label(&self) -> Option<&'static str> {
                match self {
                    #(#label_arms)*
                    _ => None,
                }
            }
            /// The value whose text form is `label`, if known.
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

    let (int_methods, serde_impl, header_parse) = match e.repr {
        Repr::Int => int_parts(&name, !labels.is_empty()),
        Repr::String => string_parts(&name),
    };

    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this SDK does not know: the raw wire form.
            Unknown(String),
        }

        impl #name {
            /// Every known value, in the order of the fixes file.
            pub const KNOWN: [#name; #count] = [#(#all),*];

            /// The wire form.
            pub fn as_wire(&self) -> &str {
                match self {
                    #(#as_wire_arms)*
                    #name::Unknown(raw) => raw.as_str(),
                }
            }

            /// Parse the wire form (exact match); anything else is `Unknown`.
            pub fn from_wire(wire: &str) -> Self {
                match wire {
                    #(#from_wire_arms)*
                    other => #name::Unknown(other.to_string()),
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, #name::Unknown(_))
            }

            #labels
            #int_methods
        }

        impl From<&str> for #name {
            fn from(wire: &str) -> Self {
                #name::from_wire(wire)
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(#name::from_wire(s))
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_wire())
            }
        }

        impl asterisk_sdk_runtime::open_enum::OpenEnum for #name {
            fn as_wire(&self) -> &str {
                #name::as_wire(self)
            }
            fn from_wire(wire: &str) -> Self {
                #name::from_wire(wire)
            }
            fn is_unknown(&self) -> bool {
                #name::is_unknown(self)
            }
        }

        #[cfg(feature = "ami")]
        impl asterisk_sdk_runtime::ami::FromHeader for #name {
            fn from_header(value: &str) -> Option<Self> {
                #header_parse
            }
        }

        #serde_impl
    }
}

/// Methods and impls of an enum whose wire form is an integer.
fn int_parts(name: &Ident, has_labels: bool) -> (TokenStream, TokenStream, TokenStream) {
    let methods = quote! {
        /// The numeric value, when the wire form is a number.
        pub fn code(&self) -> Option<i64> {
            self.as_wire().parse().ok()
        }

        /// The value for a numeric code.
        pub fn from_code(code: i64) -> Self {
            #name::from_wire(&code.to_string())
        }
    };
    let serde_impl = quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                // A number only when that reads back as this very value (see
                // `canonical_code`); `Unknown("016")` stays the text `"016"`.
                match asterisk_sdk_runtime::open_enum::canonical_code(self.as_wire()) {
                    Some(c) => s.serialize_i64(c),
                    None => s.serialize_str(self.as_wire()),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                match asterisk_sdk_runtime::open_enum::IntOrString::deserialize(d)? {
                    asterisk_sdk_runtime::open_enum::IntOrString::Int(i) => Ok(#name::from_code(i)),
                    asterisk_sdk_runtime::open_enum::IntOrString::String(s) => Ok(#name::from_wire(&s)),
                }
            }
        }
    };
    let label_fallback = if has_labels {
        quote! {
            if let Some(v) = #name::from_label(v) {
                return Some(v);
            }
        }
    } else {
        quote! {}
    };
    let header = quote! {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        #label_fallback
        match v.parse::<i64>() {
            Ok(code) => Some(#name::from_code(code)),
            Err(_) => Some(#name::Unknown(v.to_string())),
        }
    };
    (methods, serde_impl, header)
}

/// Impls of an enum whose wire form is text.
fn string_parts(name: &Ident) -> (TokenStream, TokenStream, TokenStream) {
    let serde_impl = quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_wire())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
                Ok(#name::from_wire(&s))
            }
        }
    };
    let header = quote! {
        let v = value.trim();
        if v.is_empty() {
            None
        } else {
            Some(#name::from_wire(v))
        }
    };
    (quote! {}, serde_impl, header)
}
