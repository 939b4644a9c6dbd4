//! Golden tests, progenitor-style: small synthetic manifests of two releases
//! (`tests/golden/specs/api`) with one fix of every kind (`tests/golden/specs/fixes`)
//! are generated into a crate under the workspace's `target/golden/`, which is
//! then compiled with `#![deny(warnings, missing_docs)]` and its own tests run
//! (`tests/golden/behaviour.rs`). The synthetic input reaches template branches
//! the four real releases never hit: body parameters of every shape, required
//! whole-JSON bodies, non-model responses, models without fields, list actions
//! without items or completion, enum values spelt like the catch-all, operations
//! and parameters of one release only, every AGI result kind and parameter type,
//! media events of every plain-text form and field type, a JSON-only command.

use asterisk_codegen::emit::Options;
use asterisk_codegen::project::{Project, write_file};
use std::path::{Path, PathBuf};
use std::process::Command;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace root")
}

/// The workspace's target dir (where cargo builds this test).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

const LIB_RS: &str = "//! Code generated from the golden test's synthetic manifests.
#![deny(warnings, missing_docs)]

pub use asterisk_sdk_runtime as runtime;

#[rustfmt::skip]
pub mod domain;
#[rustfmt::skip]
pub mod ami;
#[rustfmt::skip]
pub mod agi;
#[rustfmt::skip]
pub mod ari;
#[rustfmt::skip]
pub mod media;
";

fn cargo_toml(runtime: &Path) -> String {
    format!(
        r#"[package]
name = "asterisk-sdk-golden"
version = "0.0.0"
edition = "2024"
publish = false

# Not a member of the asterisk-sdk workspace.
[workspace]

[features]
default = ["ami", "agi", "ari", "serde"]
ami = []
agi = []
ari = []
serde = ["asterisk-sdk-runtime/serde"]

[dependencies]
asterisk-sdk-runtime = {{ path = {runtime:?}, features = ["ami", "agi", "ari"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = {{ version = "1", features = ["float_roundtrip"] }}

# Smaller and faster to build: nobody debugs this crate.
[profile.dev]
debug = false
"#,
        runtime = runtime.display().to_string()
    )
}

#[test]
fn synthetic_manifests_generate_a_crate_that_compiles_and_behaves() {
    let project = Project::new(golden_dir());
    let files = project
        .generate_in_memory(&Options::default())
        .unwrap_or_else(|e| panic!("generation failed: {e}"));
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert!(paths.contains(&"ari/resources/things.rs"), "{paths:?}");

    let root = target_dir().join("golden");
    let krate = root.join("crate");
    // Start from a clean source tree: no file of an older run survives.
    if krate.exists() {
        std::fs::remove_dir_all(&krate).expect("remove the old golden crate");
    }
    for f in &files {
        write_file(&krate.join("src").join(&f.path), &f.contents).expect("write generated");
    }
    write_file(&krate.join("src/lib.rs"), LIB_RS).expect("write lib.rs");
    write_file(
        &krate.join("Cargo.toml"),
        &cargo_toml(&workspace().join("runtime")),
    )
    .expect("write Cargo.toml");
    let behaviour = std::fs::read_to_string(golden_dir().join("behaviour.rs")).expect("behaviour");
    write_file(&krate.join("tests/behaviour.rs"), &behaviour).expect("write tests");
    // The workspace's lock file: the same dependency versions, no registry lookup.
    std::fs::copy(workspace().join("Cargo.lock"), krate.join("Cargo.lock")).expect("lock");

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["test", "--offline", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "the golden crate does not compile or its tests fail:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("test result: ok"), "{stdout}");
}
