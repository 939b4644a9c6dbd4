//! Fixes check themselves: a fix that applies to nothing in any release stops
//! generation with an error naming its file and the fix, and a key a fix file
//! does not know is an error too.

use asterisk_codegen::emit::{Options, agi, ami, ari};
use asterisk_codegen::fixes::Fixes;
use asterisk_codegen::fixes::agi_results::{ParamFix, ResultFix, ResultKind};
use asterisk_codegen::project::Project;
use asterisk_codegen::surface::Releases;
use std::path::Path;

fn project() -> Project {
    Project::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

/// The committed manifests, corrected, and the committed fixes.
fn inputs() -> (Releases, Fixes) {
    let p = project();
    let fixes = Fixes::load(&p.fixes_dir()).expect("fixes load");
    let mut releases = p.load_releases().expect("committed manifests load");
    fixes
        .corrections
        .apply_all(&mut releases.manifests)
        .expect("committed corrections apply");
    (releases, fixes)
}

/// The error message of emitting the AMI module with `fixes`.
fn ami_error(releases: &Releases, fixes: &Fixes) -> String {
    match ami::emit(releases, fixes, &Options::default()) {
        Ok(_) => panic!("a fix naming nothing was accepted"),
        Err(e) => e.to_string(),
    }
}

fn ari_error(releases: &Releases, fixes: &Fixes) -> String {
    match ari::emit(releases, fixes, &Options::default()) {
        Ok(_) => panic!("an ARI fix naming nothing was accepted"),
        Err(e) => e.to_string(),
    }
}

fn agi_error(releases: &Releases, fixes: &Fixes) -> String {
    match agi::emit(releases, &fixes.agi_results, &Options::default()) {
        Ok(_) => panic!("an AGI fix naming nothing was accepted"),
        Err(e) => e.to_string(),
    }
}

/// `e` names the file and the fix.
fn names(e: &str, file: &str, fix: &str) {
    assert!(
        e.contains(&format!("specs/fixes/{file}")) && e.contains(&format!("`{fix}`")),
        "expected {file} and `{fix}` in: {e}"
    );
}

#[test]
fn committed_fixes_all_match() {
    let (releases, fixes) = inputs();
    let files = ami::emit(&releases, &fixes, &Options::default()).expect("emits");
    let actions =
        asterisk_codegen::emit::split::module_text(&files, "ami/actions").expect("actions emitted");
    assert!(actions.contains("fn answer_within(&self)"));
    assert!(actions.contains("/// Set `Timeout` (milliseconds; default `30000`)."));
    ari::emit(&releases, &fixes, &Options::default()).expect("ARI emits");
    agi::emit(&releases, &fixes.agi_results, &Options::default()).expect("AGI emits");
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

#[test]
fn corrections_that_apply_to_nothing_are_errors() {
    let p = project();
    let fixes = Fixes::load(&p.fixes_dir()).expect("fixes load");
    let releases = p.load_releases().expect("manifests");
    let check = |c: &asterisk_codegen::fixes::corrections::Corrections| {
        let mut manifests = releases.manifests.clone();
        c.apply_all(&mut manifests)
            .expect_err("a correction naming nothing was accepted")
            .to_string()
    };
    let mut bad = fixes.corrections.clone();
    bad.event_wire_name[0].event = "NoSuchEvent".into();
    names(
        &check(&bad),
        "corrections.toml",
        &bad.event_wire_name[0].name,
    );
    let mut bad = fixes.corrections.clone();
    bad.event_header_wire_name[0].documented = "NoSuchHeader".into();
    names(
        &check(&bad),
        "corrections.toml",
        &bad.event_header_wire_name[0].name,
    );
    let mut bad = fixes.corrections.clone();
    bad.event_class[0].documented = "nosuchclass".into();
    names(&check(&bad), "corrections.toml", &bad.event_class[0].name);

    let (releases, fixes) = inputs();
    let mut bad = fixes.clone();
    bad.corrections.ari_property_type[0]
        .properties
        .push("no_such_property".into());
    let e = ari_error(&releases, &bad);
    names(
        &e,
        "corrections.toml",
        &bad.corrections.ari_property_type[0].name,
    );
    assert!(e.contains("no_such_property"), "{e}");
}

#[test]
fn type_fixes_that_decide_nothing_are_errors() {
    let (releases, fixes) = inputs();
    // A rule whose headers no release has.
    let mut bad = fixes.clone();
    bad.ami_types.rules[0].names = vec!["NoSuchHeader".into()];
    bad.ami_types.rules[0].suffixes.clear();
    let name = bad.ami_types.rules[0].name.clone();
    names(&ami_error(&releases, &bad), "ami_types.toml", &name);
    // A rule every header of which an earlier rule already decides.
    let mut bad = fixes.clone();
    let mut shadowed = bad.ami_types.rules[0].clone();
    shadowed.name = "shadowed-copy".into();
    bad.ami_types.rules.push(shadowed);
    names(
        &ami_error(&releases, &bad),
        "ami_types.toml",
        "shadowed-copy",
    );
    // A per-header type for a header the event lacks.
    let mut bad = fixes.clone();
    bad.ami_types.fields[0].header = "NoSuchHeader".into();
    let name = bad.ami_types.fields[0].name.clone();
    names(&ami_error(&releases, &bad), "ami_types.toml", &name);
    // Repeated and numbered parameters of actions that do not exist.
    let mut bad = fixes.clone();
    bad.ami_types.pairs[0].actions.push("NoSuchAction".into());
    let name = bad.ami_types.pairs[0].name.clone();
    names(&ami_error(&releases, &bad), "ami_types.toml", &name);
    let mut bad = fixes.clone();
    bad.ami_types.families[0].action = "Ping".into();
    let name = bad.ami_types.families[0].name.clone();
    names(&ami_error(&releases, &bad), "ami_types.toml", &name);
}

#[test]
fn agi_results_for_unknown_commands_or_parameters_are_errors() {
    let (releases, fixes) = inputs();
    let mut bad = fixes.clone();
    bad.agi_results.command.push(ResultFix {
        name: "no such command".into(),
        result: ResultKind::Unit,
        reason: "r".into(),
        params: Default::default(),
    });
    names(
        &agi_error(&releases, &bad),
        "agi_results.toml",
        "no such command",
    );
    let mut bad = fixes.clone();
    bad.agi_results.command[0]
        .params
        .insert("nosuchparam".into(), ParamFix::default());
    let e = agi_error(&releases, &bad);
    names(&e, "agi_results.toml", &bad.agi_results.command[0].name);
    assert!(e.contains("nosuchparam"), "{e}");
}

#[test]
fn ari_operation_fixes_that_apply_to_nothing_are_errors() {
    let (releases, fixes) = inputs();
    let ops = &fixes.ari_operations;
    let mut bad = fixes.clone();
    bad.ari_operations.handle[0].prefix = "/channels/{channelId}/nothing".into();
    names(
        &ari_error(&releases, &bad),
        "ari_operations.toml",
        &ops.handle[0].name,
    );
    let mut bad = fixes.clone();
    bad.ari_operations.handle[0].model_id = "no_such_id".into();
    names(
        &ari_error(&releases, &bad),
        "ari_operations.toml",
        &ops.handle[0].name,
    );
    let mut bad = fixes.clone();
    bad.ari_operations.body[0].param = "no_such_body".into();
    names(
        &ari_error(&releases, &bad),
        "ari_operations.toml",
        &ops.body[0].name,
    );
    let mut bad = fixes.clone();
    bad.ari_operations.send_default[0]
        .operations
        .push("channels.answer".into());
    names(
        &ari_error(&releases, &bad),
        "ari_operations.toml",
        &ops.send_default[0].name,
    );
}

#[test]
fn unknown_keys_in_any_fix_file_are_errors() {
    let src = project().fixes_dir();
    let dir = std::env::temp_dir().join(format!("asterisk-fixes-keys-{}", std::process::id()));
    let mut files: Vec<String> = std::fs::read_dir(&src)
        .expect("fixes dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 10, "{files:?}");
    for file in &files {
        std::fs::create_dir_all(&dir).expect("temp dir");
        for other in &files {
            std::fs::copy(src.join(other), dir.join(other)).expect("copy");
        }
        // A misspelt key in the first entry of `file`.
        let text = std::fs::read_to_string(src.join(file)).expect("read");
        let at = text.find("\n[[").expect("an entry") + 1;
        let line_end = at + text[at..].find('\n').expect("entry header line");
        let broken = format!(
            "{}\nreasn = \"typo\"{}",
            &text[..line_end],
            &text[line_end..]
        );
        std::fs::write(dir.join(file), broken).expect("write");
        let e = Fixes::load(&dir)
            .expect_err("an unknown key was accepted")
            .to_string();
        assert!(
            e.contains(file.as_str()) && e.contains("reasn"),
            "{file}: {e}"
        );
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}
