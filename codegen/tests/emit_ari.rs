//! The ARI emitter over the four raw releases: deterministic, prose-free output,
//! written to `generated/src/ari/` when `ASTERISK_SDK_REGEN=1`, otherwise compared
//! with the files there.

use asterisk_codegen::emit::{GeneratedFile, Options, ari as ari_emit};
use asterisk_codegen::manifest::Manifest;
use asterisk_codegen::surface::Releases;
use asterisk_codegen::upstream::ari;
use std::path::{Path, PathBuf};

const TAGS: [&str; 4] = ["20.20.1", "21.12.3", "22.10.1", "23.4.1"];

fn releases() -> Releases {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/asterisk");
    let mut manifests = Vec::new();
    for tag in TAGS {
        let dir = shared.join(tag).join("ari");
        assert!(
            dir.join("resources.json").is_file(),
            "raw ARI specs missing: {}",
            dir.display()
        );
        let ari = ari::read(&dir).unwrap_or_else(|e| panic!("{tag}: {e}"));
        manifests.push(Manifest {
            tag: tag.to_string(),
            ami: Default::default(),
            agi: Default::default(),
            ari,
        });
    }
    Releases::new(manifests)
}

fn emit_all() -> Vec<GeneratedFile> {
    ari_emit::emit(&releases(), &Options::default()).unwrap_or_else(|e| panic!("emit: {e}"))
}

fn file<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .contents
}

#[test]
fn output_is_deterministic_and_complete() {
    let a = emit_all();
    let b = emit_all();
    assert_eq!(a, b);
    let paths: Vec<&str> = a.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["ari/events.rs", "ari/mod.rs", "ari/models.rs"]);
    for f in &a {
        assert!(
            f.contents.starts_with(asterisk_codegen::emit::HEADER),
            "{}",
            f.path
        );
    }
    let models = file(&a, "ari/models.rs");
    // 85 models of 23.4.1 plus the three only 20.20.1/22.10.1/23.4.1 lack or have.
    assert_eq!(models.matches("\npub struct ").count(), 85);
    assert!(models.contains("pub struct ChannelToneDetected"));
    assert!(models.contains("pub struct CallBroadcast"));
    assert!(models.contains("pub local_ssrc: u32"));
    assert!(models.contains("pub remote_ssrc: u32"));
    assert!(models.contains("pub enum ChannelState"));
    assert!(models.contains("UnknownValue"));
    assert!(models.contains("Devicestates_REST_API"));
    let events = file(&a, "ari/events.rs");
    // 45 Event subtypes (union) + MissingParams.
    assert_eq!(events.matches("\n    /// `type` = ").count(), 46);
}

#[test]
fn no_upstream_prose() {
    let files = emit_all();
    for f in &files {
        for prose in [
            "Notification that a channel",
            "Base type for errors and events",
            "Integer representation of the cause",
            "Arguments to the application",
            "Info about how Asterisk was built",
        ] {
            assert!(!f.contents.contains(prose), "{} contains {prose:?}", f.path);
        }
    }
}

#[test]
fn generated_files_are_current() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/src");
    let regen = std::env::var("ASTERISK_SDK_REGEN").is_ok_and(|v| v == "1");
    for f in emit_all() {
        let path = out.join(&f.path);
        if regen {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            }
            std::fs::write(&path, &f.contents)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        } else {
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                on_disk == f.contents,
                "{} is stale: run with ASTERISK_SDK_REGEN=1",
                path.display()
            );
        }
    }
}
