//! The committed generated crate can grow without breaking its users: every public
//! enum and every struct with public fields is `#[non_exhaustive]`, and wire names
//! that differ from Rust names are searchable aliases. No generated file is longer
//! than a reader (or a review tool) can take in: large modules are split in parts.

use std::path::{Path, PathBuf};

fn generated_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/src")
}

/// Every generated file (the generator's header on the first line), parsed.
fn generated_files() -> Vec<(String, syn::File)> {
    let mut out = Vec::new();
    let mut dirs = vec![generated_src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("generated/src readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("generated file readable");
            if !text.starts_with(asterisk_codegen::emit::HEADER_MARK) {
                continue; // hand-written (lib.rs, ari_ws.rs)
            }
            let file = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
            out.push((path.display().to_string(), file));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn is_pub(v: &syn::Visibility) -> bool {
    matches!(v, syn::Visibility::Public(_))
}

fn non_exhaustive(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
}

/// Types that implement the AGI `Command` trait: the command's positional
/// arguments as fields, built by users like a function call (exempt).
fn agi_commands(file: &syn::File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Impl(imp) => {
                let (_, trait_path, _) = imp.trait_.as_ref()?;
                if !trait_path.is_ident("Command") {
                    return None;
                }
                match imp.self_ty.as_ref() {
                    syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

#[test]
fn every_public_enum_and_public_field_struct_is_non_exhaustive() {
    let files = generated_files();
    assert!(
        files.len() > 20,
        "only {} generated files found",
        files.len()
    );
    let mut missing = Vec::new();
    let (mut enums, mut structs) = (0, 0);
    for (path, file) in &files {
        let exempt = agi_commands(file);
        for item in &file.items {
            match item {
                syn::Item::Enum(e) if is_pub(&e.vis) => {
                    enums += 1;
                    if !non_exhaustive(&e.attrs) {
                        missing.push(format!("{path}: enum {}", e.ident));
                    }
                }
                syn::Item::Struct(s) if is_pub(&s.vis) => {
                    let has_pub_field = s.fields.iter().any(|f| is_pub(&f.vis));
                    if !has_pub_field || exempt.contains(&s.ident.to_string()) {
                        continue;
                    }
                    structs += 1;
                    if !non_exhaustive(&s.attrs) {
                        missing.push(format!("{path}: struct {}", s.ident));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not #[non_exhaustive]:\n{}",
        missing.join("\n")
    );
    // The scan must have seen the surface it guards (AMI events, ARI models, enums).
    assert!(enums > 50, "only {enums} public enums seen");
    assert!(structs > 300, "only {structs} public-field structs seen");
}

/// The `#[doc(alias = "…")]` values of a struct named `name` in `file`.
fn aliases_of(file: &syn::File, name: &str) -> Vec<String> {
    file.items
        .iter()
        .find_map(|i| match i {
            syn::Item::Struct(s) if s.ident == name => Some(&s.attrs),
            _ => None,
        })
        .map(|attrs| {
            attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .filter_map(|a| {
                    let mut found = None;
                    let _ = a.parse_nested_meta(|m| {
                        if m.path.is_ident("alias") {
                            let lit: syn::LitStr = m.value()?.parse()?;
                            found = Some(lit.value());
                        }
                        Ok(())
                    });
                    found
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn wire_names_and_listed_spellings_are_aliases() {
    let files = generated_files();
    // A module's items, whether it is one file or a folder of parts (each module
    // is taken once, out of the parsed files).
    let mut files = files;
    let mut module = |name: &str| {
        let single = format!("/{name}.rs");
        let folder = format!("/{name}/");
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut files)
            .into_iter()
            .partition(|(p, _)| p.ends_with(&single) || p.contains(&folder));
        files = rest;
        let items: Vec<syn::Item> = mine.into_iter().flat_map(|(_, f)| f.items).collect();
        assert!(!items.is_empty(), "no generated {name}");
        syn::File {
            shebang: None,
            attrs: Vec::new(),
            items,
        }
    };
    let actions = &module("ami/actions");
    assert_eq!(aliases_of(actions, "PjsipHangup"), ["PJSIPHangup"]);
    assert_eq!(aliases_of(actions, "Getvar"), ["GetVar", "GetVariable"]);
    assert!(aliases_of(actions, "Originate").is_empty());
    assert_eq!(aliases_of(&module("ami/events"), "DtmfEnd"), ["DTMFEnd"]);
    assert_eq!(
        aliases_of(&module("agi/commands"), "DatabaseGet"),
        ["DATABASE GET"]
    );
}

/// Every `open_enum!` invocation of the generated files whose path contains
/// `part`: (file, type name, wire values in order).
fn open_enums(part: &str) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for (path, file) in generated_files() {
        if !path.contains(part) {
            continue;
        }
        for item in &file.items {
            let syn::Item::Macro(m) = item else { continue };
            if m.mac
                .path
                .segments
                .last()
                .is_none_or(|s| s.ident != "open_enum")
            {
                continue;
            }
            let mut tokens = m.mac.tokens.clone().into_iter();
            let Some(proc_macro2::TokenTree::Ident(name)) = tokens.next() else {
                panic!("{path}: open_enum! without a type name");
            };
            let Some(proc_macro2::TokenTree::Group(table)) = tokens.last() else {
                panic!("{path}: open_enum! {name} without a table");
            };
            let wires = table
                .stream()
                .into_iter()
                .filter_map(|t| match t {
                    proc_macro2::TokenTree::Literal(l) => {
                        let lit: syn::LitStr = syn::parse_str(&l.to_string()).expect("string");
                        Some(lit.value())
                    }
                    _ => None,
                })
                .collect();
            out.push((path.clone(), name.to_string(), wires));
        }
    }
    out
}

#[test]
fn ami_enum_lists_fold_into_few_distinct_types() {
    let enums = open_enums("/ami/");
    // Bools, domain enums and shared types leave at most 60 of the 102 lists.
    assert!(
        (20..=60).contains(&enums.len()),
        "{} AMI open enums",
        enums.len()
    );
    let mut seen: std::collections::BTreeMap<Vec<String>, &str> = Default::default();
    for (_, name, wires) in &enums {
        let mut set = wires.clone();
        set.sort();
        assert!(
            !is_yes_no(&set),
            "{name} is a yes/no list: should be `bool`"
        );
        if let Some(other) = seen.insert(set, name) {
            panic!("{other} and {name} have the same values: {wires:?}");
        }
    }
}

/// Whether sorted `values` are one of the yes/no pairs typed `bool`.
fn is_yes_no(values: &[String]) -> bool {
    let lower: Vec<String> = values.iter().map(|v| v.to_ascii_lowercase()).collect();
    [["no", "yes"], ["false", "true"], ["off", "on"], ["0", "1"]]
        .iter()
        .any(|pair| lower == pair)
}

#[test]
fn every_open_enum_has_one_shape_with_other_as_catch_all() {
    let tables = open_enums("");
    let files = generated_files();
    let mut enums = std::collections::BTreeMap::new();
    for (path, file) in &files {
        for item in &file.items {
            if let syn::Item::Enum(e) = item {
                enums.insert((path.clone(), e.ident.to_string()), e);
            }
        }
    }
    for part in ["domain.rs", "/ami/", "/ari/"] {
        assert!(
            open_enums(part).len() >= 5,
            "few open enums in {part}: the emitter is not used there"
        );
    }
    for (path, name, wires) in &tables {
        let e = enums[&(path.clone(), name.clone())];
        assert!(non_exhaustive(&e.attrs), "{name} is exhaustive");
        let variants: Vec<&syn::Variant> = e.variants.iter().collect();
        let (last, known) = variants.split_last().expect("variants");
        assert_eq!(last.ident, "Other", "{name}: catch-all is {}", last.ident);
        assert_eq!(last.fields.len(), 1, "{name}: Other holds the raw value");
        assert_eq!(
            known.len(),
            wires.len(),
            "{name}: one variant per wire value"
        );
        assert!(
            known
                .iter()
                .all(|v| v.fields.is_empty() && v.ident != "Other"),
            "{name}: known values are unit variants"
        );
    }
    // No enum keeps the old catch-all: an `Unknown` variant holding a string
    // (the event enums keep `Unknown` for an event they do not know).
    for ((_, name), e) in &enums {
        let old = e.variants.iter().any(|v| {
            v.ident == "Unknown"
                && matches!(&v.fields, syn::Fields::Unnamed(f) if f.unnamed.len() == 1)
                && !matches!(name.as_str(), "Event" | "AriEvent" | "MediaEvent")
        });
        assert!(!old, "{name} still has `Unknown(…)`");
    }
}

/// The longest a generated file may be, in lines.
const MAX_LINES: usize = 6_000;

#[test]
fn no_generated_file_exceeds_the_line_limit() {
    let mut dirs = vec![generated_src()];
    let mut checked = 0;
    let mut too_long = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("generated/src readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("generated file readable");
            if !text.starts_with(asterisk_codegen::emit::HEADER_MARK) {
                continue;
            }
            checked += 1;
            let lines = text.lines().count();
            if lines > MAX_LINES {
                too_long.push(format!("{} ({lines} lines)", path.display()));
            }
        }
    }
    assert!(checked > 50, "only {checked} generated files found");
    assert!(
        too_long.is_empty(),
        "generated files over {MAX_LINES} lines (split them, see codegen/src/emit/split.rs): {too_long:?}"
    );
}
