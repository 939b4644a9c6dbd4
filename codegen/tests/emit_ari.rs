//! The ARI emitter over the four committed manifests: deterministic, prose-free,
//! complete output (models, events, every operation). Writes
//! `generated/src/ari/` when `ASTERISK_SDK_REGEN=1`, otherwise compares with it.

use asterisk_codegen::emit::{GeneratedFile, Options, ari as ari_emit};
use asterisk_codegen::fixes::Fixes;
use asterisk_codegen::project::Project;
use asterisk_codegen::surface::Releases;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn releases() -> Releases {
    Project::new(root())
        .load_releases()
        .unwrap_or_else(|e| panic!("manifests: {e}"))
}

fn emit_all() -> Vec<GeneratedFile> {
    let fixes = Fixes::load(&root().join("specs/fixes")).unwrap_or_else(|e| panic!("fixes: {e}"));
    ari_emit::emit(&releases(), &fixes, &Options::default()).unwrap_or_else(|e| panic!("emit: {e}"))
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
    assert_eq!(
        paths,
        [
            "ari/catalog.rs",
            "ari/client.rs",
            "ari/events.rs",
            "ari/mod.rs",
            "ari/models/a.rs",
            "ari/models/b.rs",
            "ari/models/c.rs",
            "ari/models/d.rs",
            "ari/models/e.rs",
            "ari/models/f.rs",
            "ari/models/l.rs",
            "ari/models/m.rs",
            "ari/models/mod.rs",
            "ari/models/p.rs",
            "ari/models/r.rs",
            "ari/models/s.rs",
            "ari/models/t.rs",
            "ari/models/v.rs",
            "ari/params.rs",
            "ari/resources/applications.rs",
            "ari/resources/asterisk.rs",
            "ari/resources/bridges.rs",
            "ari/resources/channels.rs",
            "ari/resources/device_states.rs",
            "ari/resources/endpoints.rs",
            "ari/resources/events.rs",
            "ari/resources/mailboxes.rs",
            "ari/resources/mod.rs",
            "ari/resources/playbacks.rs",
            "ari/resources/recordings.rs",
            "ari/resources/sounds.rs",
        ]
    );
    for f in &a {
        assert!(
            f.contents.starts_with(asterisk_codegen::emit::HEADER),
            "{}",
            f.path
        );
    }
    let models =
        asterisk_codegen::emit::split::module_text(&a, "ari/models").expect("models emitted");
    let models = models.as_str();
    assert_eq!(models.matches("\npub struct ").count(), 85);
    assert!(models.contains("pub struct ChannelToneDetected"));
    assert!(models.contains("pub struct CallBroadcast"));
    assert!(models.contains("pub local_ssrc: u32"));
    assert!(models.contains("pub enum ChannelState"));
    assert!(models.contains("Devicestates_REST_API"));
    let events = file(&a, "ari/events.rs");
    assert_eq!(events.matches("\n    /// `type` = ").count(), 46);
    // Only the widest payloads are boxed: the transfers and `Dial`.
    assert_eq!(events.matches("(::std::boxed::Box<").count(), 4);
    assert!(events.contains("    Dial(::std::boxed::Box<Dial>),"));
    assert!(events.contains("    StasisStart(StasisStart),"));

    // 109 operations: 108 REST builders (with `send`) plus the events WebSocket.
    let fixes = Fixes::load(&root().join("specs/fixes")).unwrap_or_else(|e| panic!("fixes: {e}"));
    let model = asterisk_codegen::model::ari::Model::build(&releases(), &fixes)
        .unwrap_or_else(|e| panic!("model: {e}"));
    assert_eq!(model.operations.len(), 109);
    let resources: String = a
        .iter()
        .filter(|f| f.path.starts_with("ari/resources/"))
        .map(|f| f.contents.as_str())
        .collect();
    assert_eq!(
        resources
            .matches("pub const OPERATION: &'static str")
            .count(),
        108
    );
    assert_eq!(resources.matches("pub async fn send(").count(), 108);
    let channels = file(&a, "ari/resources/channels.rs");
    assert!(channels.contains("pub struct ChannelHandle"));
    assert!(channels.contains("`POST /channels/{channelId}/answer` (ARI `channels.answer`)."));
    assert!(channels.contains(
        "Documented errors: 404 (`NotFound`), 409 (`Conflict`), 412 (`PreconditionFailed`)."
    ));
    assert!(channels.contains("Channels_REST_API"));
    // Operations some releases lack say so.
    assert!(channels.contains("Releases: 20.20.1, 22.10.1, 23.4.1 (not in 21.12.3)."));
    // Query parameters with allowed values take open enums (or any string).
    let params = file(&a, "ari/params.rs");
    assert_eq!(params.matches("\npub enum ").count(), 11);
    assert!(params.contains("pub enum IfExists {"));
    assert!(params.contains("    Star,\n"));
    assert!(
        channels.contains("if_exists: impl ::std::convert::Into<crate::ari::params::IfExists>,")
    );
    let events_res = file(&a, "ari/resources/events.rs");
    assert!(events_res.contains("pub struct EventWebsocket {"));
    assert!(events_res.contains("sub-protocol `ari`"));
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
            "Create a new channel (originate)",
            "Answer a channel",
            "The \\\"variables\\\" key in the body object",
            "Channel not found",
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
                "{} is stale: run `asterisk-codegen generate` (or this test with ASTERISK_SDK_REGEN=1)",
                path.display()
            );
        }
    }
}
