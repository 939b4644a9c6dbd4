//! Splitting one large generated module into a folder of parts, by the initial of
//! each item's name, so that no generated file grows past a few thousand lines.
//!
//! `dir/mod.rs` keeps the module's doc and its `use` lines, declares one private
//! part per initial (`dir/a.rs`, `dir/b.rs`, …) and re-exports each part whole, so
//! the public paths stay those of the single file (`ami::events::Hangup`). Every
//! part starts with `use super::*;`, which gives it the module's imports and the
//! items of the other parts, so items still name each other as before.

use super::{GeneratedFile, HEADER};
use crate::{Error, Result};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// The name an item is filed under: its own name, or for an `impl` the type it
/// is for, or for a macro call (`open_enum!(Name { … })`) the name it starts
/// with, so impls and macro calls land beside their type.
fn owner(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Macro(x) => match x.mac.tokens.clone().into_iter().next()? {
            proc_macro2::TokenTree::Ident(ident) => return Some(ident.to_string()),
            _ => return None,
        },
        syn::Item::Struct(x) => &x.ident,
        syn::Item::Enum(x) => &x.ident,
        syn::Item::Type(x) => &x.ident,
        syn::Item::Fn(x) => &x.sig.ident,
        syn::Item::Const(x) => &x.ident,
        syn::Item::Static(x) => &x.ident,
        syn::Item::Trait(x) => &x.ident,
        syn::Item::Mod(x) => &x.ident,
        syn::Item::Impl(x) => match &*x.self_ty {
            syn::Type::Path(p) => &p.path.segments.last()?.ident,
            _ => return None,
        },
        _ => return None,
    };
    Some(ident.to_string().trim_start_matches("r#").to_string())
}

/// The part an item goes to: the lower-cased ASCII initial of its name, or
/// `other` for a name that starts otherwise (or an item without a name).
fn part_of(item: &syn::Item) -> String {
    match owner(item).and_then(|n| n.chars().next()) {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_lowercase().to_string(),
        _ => "other".to_string(),
    }
}

fn emit_error(file: &str, message: impl ToString) -> Error {
    Error::Emit {
        file: file.to_string(),
        message: message.to_string(),
    }
}

fn file(path: String, parsed: &syn::File) -> GeneratedFile {
    let mut contents = String::from(HEADER);
    contents.push_str(&prettyplease::unparse(parsed));
    GeneratedFile { path, contents }
}

/// Split the module `tokens` (what would be `dir.rs`) into `dir/mod.rs` and one
/// part per initial. `what` names the items for the parts' doc lines ("AMI
/// events" gives "AMI events whose names start with `A`.").
pub fn by_initial(dir: &str, what: &str, tokens: TokenStream) -> Result<Vec<GeneratedFile>> {
    let root_path = format!("{dir}/mod.rs");
    let parsed: syn::File = syn::parse2(tokens).map_err(|e| emit_error(&root_path, e))?;
    let mut prelude = Vec::new();
    let mut parts: BTreeMap<String, Vec<syn::Item>> = BTreeMap::new();
    for item in parsed.items {
        if let syn::Item::Use(_) = item {
            prelude.push(item);
        } else {
            parts.entry(part_of(&item)).or_default().push(item);
        }
    }
    let mut files = Vec::new();
    let mut decls = Vec::new();
    for (name, items) in parts {
        let m = format_ident!("{}", name);
        decls.push(quote! {
            mod #m;
            pub use #m::*;
        });
        let head = if name == "other" {
            format!(" {what} whose names do not start with a letter.")
        } else {
            format!(
                " {what} whose names start with `{}`.",
                name.to_ascii_uppercase()
            )
        };
        let part_path = format!("{dir}/{name}.rs");
        let part: syn::File = syn::parse2(quote! {
            #![doc = #head]
            #[allow(unused_imports)]
            use super::*;
            #(#items)*
        })
        .map_err(|e| emit_error(&part_path, e))?;
        files.push(file(part_path, &part));
    }
    let attrs = &parsed.attrs;
    let root: syn::File = syn::parse2(quote! {
        #(#attrs)*
        #(#prelude)*
        #(#decls)*
    })
    .map_err(|e| emit_error(&root_path, e))?;
    files.push(file(root_path, &root));
    Ok(files)
}

/// The text of the generated module `module` (a path without `.rs`, such as
/// `ami/events`), whether it is one file or a folder of parts: the parts
/// concatenated in path order. `None` when no file belongs to it.
pub fn module_text(files: &[GeneratedFile], module: &str) -> Option<String> {
    let single = format!("{module}.rs");
    let folder = format!("{module}/");
    let mut parts: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| f.path == single || f.path.starts_with(&folder))
        .collect();
    parts.sort_by(|a, b| a.path.cmp(&b.path));
    (!parts.is_empty()).then(|| parts.iter().map(|f| f.contents.as_str()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
        &files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} not emitted"))
            .contents
    }

    #[test]
    fn items_go_to_the_part_of_their_initial_and_impls_follow_their_type() {
        let files = by_initial(
            "x/things",
            "Things",
            quote! {
                //! Things.
                use std::fmt;
                pub struct Apple;
                impl fmt::Debug for Apple {
                    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str("a") }
                }
                pub struct Banana(pub Apple);
                pub enum avocado {}
                pub const _HIDDEN: u8 = 0;
            },
        )
        .expect("splits");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "x/things/a.rs",
                "x/things/b.rs",
                "x/things/other.rs",
                "x/things/mod.rs"
            ]
        );
        let root = text(&files, "x/things/mod.rs");
        assert!(
            root.contains("//! Things.") && root.contains("use std::fmt;"),
            "{root}"
        );
        assert!(root.contains("mod a;\npub use a::*;"), "{root}");
        let a = text(&files, "x/things/a.rs");
        assert!(a.contains("//! Things whose names start with `A`."), "{a}");
        assert!(a.contains("use super::*;"), "{a}");
        assert!(a.contains("pub struct Apple;") && a.contains("impl fmt::Debug for Apple"));
        assert!(a.contains("pub enum avocado"), "{a}");
        assert!(!a.contains("Banana"), "{a}");
        assert!(text(&files, "x/things/b.rs").contains("pub struct Banana(pub Apple);"));
        assert!(text(&files, "x/things/other.rs").contains("_HIDDEN"));
        assert!(files.iter().all(|f| f.contents.starts_with(HEADER)));
        let whole = module_text(&files, "x/things").expect("module found");
        for part in &files {
            assert!(whole.contains(&part.contents), "{}", part.path);
        }
        assert_eq!(module_text(&files, "x/thing"), None);
        assert_eq!(module_text(&files, "x"), Some(whole));
    }
}
