//! Fixes that name nothing are errors, not silent no-ops: an answer time, unit or
//! alias whose action, event or header the releases do not have stops generation.

use asterisk_codegen::emit::{Options, ami};
use asterisk_codegen::fixes::Fixes;
use asterisk_codegen::project::Project;
use asterisk_codegen::surface::Releases;
use std::path::Path;

fn project() -> Project {
    Project::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

fn inputs() -> (Releases, Fixes) {
    let p = project();
    let fixes = Fixes::load(&p.fixes_dir()).expect("fixes load");
    let mut releases = p.load_releases().expect("committed manifests load");
    for m in releases.manifests.iter_mut() {
        fixes.corrections.apply(m);
    }
    (releases, fixes)
}

/// The error message of emitting the AMI module with `fixes`.
fn ami_error(releases: &Releases, fixes: &Fixes) -> String {
    match ami::emit(releases, fixes, &Options::default()) {
        Ok(_) => panic!("a fix naming nothing was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn committed_fixes_all_match() {
    let (releases, fixes) = inputs();
    let files = ami::emit(&releases, &fixes, &Options::default()).expect("emits");
    let actions =
        asterisk_codegen::emit::split::module_text(&files, "ami/actions").expect("actions emitted");
    assert!(actions.contains("fn answer_within(&self)"));
    assert!(actions.contains("/// Set `Timeout` (milliseconds; default `30000`)."));
}

#[test]
fn answer_time_for_an_unknown_action_or_header_is_an_error() {
    let (releases, fixes) = inputs();
    let mut bad = fixes.clone();
    bad.answer_times.answer_time[0].action = "Originat".into();
    let e = ami_error(&releases, &bad);
    assert!(
        e.contains("originate-sync-timeout") && e.contains("answer_times.toml"),
        "{e}"
    );
    let mut bad = fixes.clone();
    bad.answer_times.answer_time[0].unless_true = Some("Asynchronous".into());
    assert!(ami_error(&releases, &bad).contains("originate-sync-timeout"));
}

#[test]
fn unit_or_alias_for_an_unknown_item_is_an_error() {
    let (releases, fixes) = inputs();
    let mut bad = fixes.clone();
    bad.units.unit[0].header = "Timeot".into();
    let e = ami_error(&releases, &bad);
    assert!(e.contains("units.toml") && e.contains("Timeot"), "{e}");
    let mut bad = fixes.clone();
    bad.aliases.alias[0].item = "GetVarr".into();
    let e = ami_error(&releases, &bad);
    assert!(e.contains("aliases.toml") && e.contains("GetVarr"), "{e}");
}
