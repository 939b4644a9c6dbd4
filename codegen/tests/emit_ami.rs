//! The AMI emitter over the four committed releases: what the generated module
//! offers, and (with `ASTERISK_CODEGEN_WRITE_AMI=1`) writing it to
//! `generated/src/ami/` until `generate` runs it.

use asterisk_codegen::emit::{Options, ami};
use asterisk_codegen::fixes::Fixes;
use asterisk_codegen::project::Project;
use asterisk_codegen::surface::Releases;
use std::path::Path;

fn releases() -> Releases {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let releases = Project::new(root)
        .load_releases()
        .unwrap_or_else(|e| panic!("manifests: {e}"));
    assert_eq!(releases.tags(), ["20.20.1", "21.12.3", "22.10.1", "23.4.1"]);
    releases
}

#[test]
fn emits_typed_ami_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let fixes = Fixes::load(&root.join("specs/fixes")).expect("fixes load");
    let files = ami::emit(&releases(), &fixes, &Options::default()).expect("emits");
    let get = |p: &str| {
        &files
            .iter()
            .find(|f| f.path == p)
            .unwrap_or_else(|| panic!("{p} emitted"))
            .contents
    };
    let module = |m: &str| {
        asterisk_codegen::emit::split::module_text(&files, m)
            .unwrap_or_else(|| panic!("{m} emitted"))
    };
    let actions = module("ami/actions");
    assert!(actions.contains("pub struct Originate {"));
    assert!(actions.contains("pub fn variable("));
    assert!(actions.contains("pub struct ConfigChange"));
    assert!(actions.contains("pub struct AocUnit"));
    assert!(actions.contains("pub enum QueueStatusItem"));
    let events = module("ami/events");
    assert!(events.contains("pub struct NewExten {"));
    assert!(
        events.contains(
            "impl TypedEvent for NewExten {\n    const NAME: &'static str = \"Newexten\";"
        )
    );
    assert!(
        events.contains("b\"commandid\""),
        "AsyncAGIExec decodes CommandId"
    );
    let event = get("ami/event.rs");
    assert!(event.contains("b\"newexten\" => Event::NewExten("));
    let again = ami::emit(&releases(), &fixes, &Options::default()).expect("emits");
    assert_eq!(files, again, "deterministic");
    if std::env::var_os("ASTERISK_CODEGEN_WRITE_AMI").is_some() {
        let out = root.join("generated/src");
        for f in &files {
            let p = out.join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &f.contents).unwrap();
        }
    }
}
