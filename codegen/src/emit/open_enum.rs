//! The one open-enum emitter of the generator: domain enums, AMI enum lists and
//! ARI allowed values all become the same shape.
//!
//! An open enum is `#[non_exhaustive]`, has one unit variant per known wire value
//! and a last variant `Other(String)` holding any other value as received. Its
//! API (`KNOWN`, `as_str`, `is_known`, `Display`, `FromStr`, `From<&str>`,
//! `From<String>`, `From<&String>`, serde, the `OpenEnum` trait) comes from the
//! runtime's hand-written `open_enum!` macro; this module writes only the enum and
//! the macro's table. [`variant_names`] is the one rule from wire values to
//! variant names.

use crate::Result;
use crate::names::type_name;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The name of the catch-all variant of every open enum.
pub const CATCH_ALL: &str = "Other";

/// One known value of an open enum.
#[derive(Debug, Clone)]
pub struct KnownValue {
    /// Exactly as sent on the wire.
    pub wire: String,
    /// The Rust variant name.
    pub variant: String,
    /// The variant's doc attributes.
    pub doc: TokenStream,
}

/// How an open enum's values are written in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Json {
    /// Always the wire string.
    Text,
    /// A JSON number when the wire form is a canonical integer; reads both.
    Int,
}

/// Everything the emitter needs for one open enum.
#[derive(Debug, Clone)]
pub struct OpenEnum {
    /// The Rust type name.
    pub name: String,
    /// The enum's doc attributes.
    pub doc: TokenStream,
    /// The known values, in documented order.
    pub values: Vec<KnownValue>,
    /// The JSON form.
    pub json: Json,
}

impl OpenEnum {
    /// An open enum whose variant names follow [`variant_names`] and whose
    /// variants are documented by `value_doc(wire)`.
    pub fn from_wires(
        name: &str,
        doc: TokenStream,
        wires: &[String],
        value_doc: impl Fn(usize, &str) -> TokenStream,
    ) -> OpenEnum {
        let values = wires
            .iter()
            .zip(variant_names(wires))
            .enumerate()
            .map(|(i, (wire, variant))| KnownValue {
                doc: value_doc(i, wire),
                wire: wire.clone(),
                variant,
            })
            .collect();
        OpenEnum {
            name: name.to_string(),
            doc,
            values,
            json: Json::Text,
        }
    }
}

/// Variant names for wire values, in order: UpperCamelCase of the value (`*` is
/// `Star` and `#` is `Pound`, having no letters to name them by); a name already
/// taken gets `2`, `3`, … appended (`Unknown`, `UNKNOWN` → `Unknown`, `Unknown2`).
pub fn variant_names(wires: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(wires.len());
    for wire in wires {
        let base = match wire.as_str() {
            "*" => "Star".to_string(),
            "#" => "Pound".to_string(),
            _ => type_name(wire),
        };
        let mut name = base.clone();
        let mut i = 2;
        while out.contains(&name) {
            name = format!("{base}{i}");
            i += 1;
        }
        out.push(name);
    }
    out
}

/// Refuse an enum whose variants cannot all exist: a known value named like the
/// catch-all, two values with one variant name or one wire value twice.
fn check(e: &OpenEnum) -> Result<()> {
    let fail = |message: String| Err(crate::input_err(format!("open enum {}", e.name), message));
    for (i, v) in e.values.iter().enumerate() {
        if v.variant == CATCH_ALL {
            return fail(format!(
                "known value {:?} would be named `{CATCH_ALL}`, the catch-all variant",
                v.wire
            ));
        }
        if let Some(w) = e.values[..i].iter().find(|w| w.variant == v.variant) {
            return fail(format!(
                "values {:?} and {:?} are both named `{}`",
                w.wire, v.wire, v.variant
            ));
        }
        if e.values[..i].iter().any(|w| w.wire == v.wire) {
            return fail(format!("wire value {:?} twice", v.wire));
        }
    }
    Ok(())
}

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// The enum and its `open_enum!` invocation; an error names the enum when its
/// variants cannot all exist (a value named like the catch-all, a repeated
/// variant name or wire value).
pub fn emit(e: &OpenEnum) -> Result<TokenStream> {
    check(e)?;
    let name = ident(&e.name);
    let doc = &e.doc;
    let catch_all = ident(CATCH_ALL);
    let variants = e.values.iter().map(|v| {
        let d = &v.doc;
        let var = ident(&v.variant);
        quote!(#d #var,)
    });
    let table = e.values.iter().map(|v| {
        let var = ident(&v.variant);
        let wire = &v.wire;
        quote!(#var => #wire,)
    });
    let int = match e.json {
        Json::Text => quote!(),
        Json::Int => quote!(as int),
    };
    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this SDK does not know, kept as received.
            #catch_all(::std::string::String),
        }
        ::asterisk_sdk_runtime::open_enum!(#name #int { #(#table)* });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wires(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn variant_names_are_camel_case_and_unique() {
        assert_eq!(
            variant_names(&wires(&[
                "Unknown",
                "UNKNOWN",
                "Dialing Offhook",
                "*",
                "#",
                "1/10"
            ])),
            [
                "Unknown",
                "Unknown2",
                "DialingOffhook",
                "Star",
                "Pound",
                "V110"
            ]
        );
    }

    #[test]
    fn a_value_named_like_the_catch_all_fails_naming_the_enum() {
        let e = OpenEnum::from_wires(
            "Colour",
            quote!(),
            &wires(&["red", "other"]),
            |_, _| quote!(),
        );
        let err = emit(&e).expect_err("`other` collides with the catch-all");
        let text = err.to_string();
        assert!(text.contains("Colour"), "{text}");
        assert!(text.contains("\"other\""), "{text}");
    }

    #[test]
    fn repeated_wire_values_and_variant_names_fail() {
        let e = OpenEnum::from_wires("Twice", quote!(), &wires(&["a", "a"]), |_, _| quote!());
        assert!(emit(&e).is_err());
        let mut e = OpenEnum::from_wires("Named", quote!(), &wires(&["a", "b"]), |_, _| quote!());
        e.values[1].variant = "A".into();
        let err = emit(&e).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("both named `A`"), "{err}");
    }

    #[test]
    fn emits_the_enum_and_the_runtime_table() {
        let e = OpenEnum::from_wires(
            "Colour",
            quote!(),
            &wires(&["red", "dark blue"]),
            |_, _| quote!(),
        );
        let text = emit(&e).expect("valid").to_string();
        assert!(
            text.contains("Other (:: std :: string :: String)"),
            "{text}"
        );
        assert!(
            text.contains("open_enum ! (Colour { Red => \"red\" , DarkBlue => \"dark blue\" , })"),
            "{text}"
        );
    }
}
