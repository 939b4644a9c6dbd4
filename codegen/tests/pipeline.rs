//! The spec pipeline end to end: the committed manifests give the census of every
//! release, `diff` reproduces NOTES.md §7, and `check` catches hand edits.
//! The tests that read the raw specs in `../shared` are `#[ignore]`d by default;
//! `.ci/run` runs them with `--include-ignored`.

use asterisk_codegen::diff::{self, Format};
use asterisk_codegen::emit;
use asterisk_codegen::project::Project;
use asterisk_codegen::stats::{self, Stats};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn upstream() -> PathBuf {
    let p = root().join("../shared/specs/asterisk");
    assert!(
        p.join("23.4.1").join("core-en_US.xml").exists(),
        "raw specs missing at {}: the pipeline tests need ../shared beside the project",
        p.display()
    );
    p
}

fn expected(tag: &str) -> (usize, usize, usize, usize, usize, usize) {
    // ami_actions, ami_events, agi_commands, ari_operations, ari_models, ari_events
    match tag {
        "20.20.1" => (169, 185, 47, 109, 84, 44),
        "21.12.3" => (152, 180, 47, 102, 81, 42),
        "22.10.1" => (154, 181, 47, 109, 85, 45),
        "23.4.1" => (154, 181, 47, 109, 85, 45),
        other => panic!("unexpected tag {other}"),
    }
}

fn census(s: &Stats) -> (usize, usize, usize, usize, usize, usize) {
    (
        s.ami_actions,
        s.ami_events,
        s.agi_commands,
        s.ari_operations,
        s.ari_models,
        s.ari_events,
    )
}

#[test]
fn committed_manifests_match_the_census() {
    let project = Project::new(root());
    let tags: Vec<String> = project
        .manifest_files()
        .unwrap()
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    assert_eq!(tags, ["20.20.1", "21.12.3", "22.10.1", "23.4.1"]);
    for tag in &tags {
        let m = project.load_manifest(tag).unwrap();
        assert_eq!(census(&stats::stats(&m)), expected(tag), "release {tag}");
    }
}

#[test]
fn stats_json_has_every_key_in_order() {
    let m = Project::new(root()).load_manifest("23.4.1").unwrap();
    let json = stats::stats(&m).to_json();
    assert!(
        json.starts_with(r#"{"ami_actions":154,"ami_events":181,"ami_events_undocumented":"#),
        "{json}"
    );
    assert!(
        json.ends_with(
            r#","agi_commands":47,"ari_operations":109,"ari_models":85,"ari_events":45}"#
        ),
        "{json}"
    );
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn raw_specs_give_the_census_too() {
    let up = upstream();
    let project = Project::new(root());
    for m in project.manifests_from_upstream(&up).unwrap() {
        assert_eq!(
            census(&stats::stats(&m)),
            expected(&m.tag),
            "release {}",
            m.tag
        );
    }
}

#[test]
fn diff_21_to_22_reproduces_the_notes() {
    let project = Project::new(root());
    let a = project.load_manifest("21.12.3").unwrap();
    let b = project.load_manifest("22.10.1").unwrap();
    let d = diff::diff(&a, &b);

    let actions = d.section("AMI actions").unwrap();
    assert_eq!(
        actions.added,
        ["PJSIPSetMaintenance", "PJSIPShowMaintenance"]
    );
    assert!(actions.removed.is_empty() && actions.changed.is_empty());

    let events = d.section("AMI events").unwrap();
    assert_eq!(events.added, ["PJSIPMaintenanceStatus"]);
    assert!(events.removed.is_empty());
    let changed: Vec<&str> = events.changed.iter().map(|c| c.item.as_str()).collect();
    assert_eq!(changed, ["EndpointDetail", "Hangup"]);
    let hangup = events.changed.iter().find(|c| c.item == "Hangup").unwrap();
    assert_eq!(hangup.details, ["+field TechCause"]);

    let agi = d.section("AGI commands").unwrap();
    assert!(agi.is_empty());

    let ops = d.section("ARI operations").unwrap();
    assert_eq!(
        (ops.added.len(), ops.removed.len(), ops.changed.len()),
        (7, 0, 7)
    );
    assert!(
        ops.added
            .contains(&"POST /events/claim (claimChannel → events().claim_channel())".to_string())
    );

    let models = d.section("ARI models").unwrap();
    assert_eq!(
        models.added,
        [
            "CallBroadcast",
            "CallClaimed",
            "ChannelToneDetected",
            "Variables"
        ]
    );
    assert_eq!(models.changed.len(), 3);

    let ari_events = d.section("ARI events").unwrap();
    assert_eq!(
        ari_events.added,
        ["CallBroadcast", "CallClaimed", "ChannelToneDetected"]
    );

    let text = diff::render(&d, Format::Text);
    assert!(text.contains("+ PJSIPSetMaintenance"), "{text}");
    let md = diff::render(&d, Format::Markdown);
    assert!(md.contains("| AMI actions | 2 | 0 | 0 | 0 |"), "{md}");
    assert!(
        text.contains("Summary: 18 added, 0 removed, 0 renamed, 12 changed"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&diff::render(&d, Format::Json)).unwrap();
    assert_eq!(json["from"], "21.12.3");
}

#[test]
fn diff_20_to_21_and_22_to_23_reproduce_the_notes() {
    let project = Project::new(root());
    let m20 = project.load_manifest("20.20.1").unwrap();
    let m21 = project.load_manifest("21.12.3").unwrap();
    let m22 = project.load_manifest("22.10.1").unwrap();
    let m23 = project.load_manifest("23.4.1").unwrap();

    let d = diff::diff(&m20, &m21);
    let counts = |title: &str| {
        let s = d.section(title).unwrap();
        (s.added.len(), s.removed.len(), s.changed.len())
    };
    assert_eq!(counts("AMI actions"), (0, 17, 0));
    assert_eq!(counts("AMI events"), (0, 5, 3));
    assert_eq!(counts("AGI commands"), (0, 0, 0));
    assert_eq!(counts("ARI operations"), (0, 7, 7));
    assert_eq!(counts("ARI models"), (0, 3, 3));
    assert_eq!(counts("ARI events"), (0, 2, 0));
    let ev = d.section("AMI events").unwrap();
    let outbound = ev
        .changed
        .iter()
        .find(|c| c.item == "OutboundRegistrationDetail")
        .unwrap();
    assert_eq!(outbound.details, ["+field UserAgent"]);

    let same = diff::diff(&m22, &m23);
    for title in [
        "AMI actions",
        "AMI events",
        "AGI commands",
        "ARI operations",
        "ARI models",
        "ARI events",
    ] {
        assert!(
            same.section(title).unwrap().is_empty(),
            "{title} differs 22.10.1 -> 23.4.1"
        );
    }
}

/// Copy what the generator reads and writes into a fresh folder.
fn scratch_copy(name: &str) -> PathBuf {
    let dst = std::env::temp_dir().join(format!("asterisk-codegen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    for sub in ["specs/api", "specs/fixes", "generated/src"] {
        copy_dir(&root().join(sub), &dst.join(sub));
    }
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &dst.join(e.file_name()));
        } else {
            std::fs::copy(&p, dst.join(e.file_name())).unwrap();
        }
    }
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn check_passes_on_the_committed_tree_and_fails_on_hand_edits() {
    let dir = scratch_copy("check");
    let project = Project::new(&dir);
    let up = upstream();

    let clean = asterisk_codegen::check::check(&project, Some(&up)).unwrap();
    assert!(clean.is_empty(), "committed tree drifts: {clean:?}");

    // A hand edit to a generated file.
    let domain = dir.join("generated/src/domain.rs");
    let text = std::fs::read_to_string(&domain).unwrap();
    std::fs::write(
        &domain,
        text.replace("NormalClearing", "NormalClearingEdited"),
    )
    .unwrap();
    let drift = asterisk_codegen::check::check(&project, None).unwrap();
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0].path, "generated/src/domain.rs");
    assert_eq!(drift[0].kind, "differs");

    // Regenerating repairs it.
    let files = project
        .generate_in_memory(&emit::Options::default())
        .unwrap();
    project.write_generated(&files).unwrap();
    assert!(
        asterisk_codegen::check::check(&project, None)
            .unwrap()
            .is_empty()
    );

    // A hand edit to a manifest: caught when the raw specs are given.
    let manifest = dir.join("specs/api/23.4.1.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen("\"Originate\"", "\"Originate2\"", 1),
    )
    .unwrap();
    let drift = asterisk_codegen::check::check(&project, Some(&up)).unwrap();
    assert!(
        drift
            .iter()
            .any(|d| d.path == "specs/api/23.4.1.json" && d.kind == "differs"),
        "{drift:?}"
    );

    // A stray generated file is stale.
    std::fs::write(
        dir.join("generated/src/stray.rs"),
        format!("{}\n", emit::HEADER_MARK),
    )
    .unwrap();
    let drift = asterisk_codegen::check::check(&project, None).unwrap();
    assert!(
        drift
            .iter()
            .any(|d| d.path == "generated/src/stray.rs" && d.kind == "stale")
    );

    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generation_is_deterministic() {
    let project = Project::new(root());
    let a = project
        .generate_in_memory(&emit::Options::default())
        .unwrap();
    let b = project
        .generate_in_memory(&emit::Options::default())
        .unwrap();
    assert_eq!(a, b);
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn reading_the_raw_specs_is_deterministic() {
    let project = Project::new(root());
    let up = upstream();
    let m1 = project.manifests_from_upstream(&up).unwrap();
    let m2 = project.manifests_from_upstream(&up).unwrap();
    for (x, y) in m1.iter().zip(&m2) {
        assert_eq!(x.to_json(), y.to_json());
    }
}

#[test]
fn generate_without_a_release_leaves_it_out_of_the_crate() {
    let project = Project::new(root());
    let files = project
        .generate_without(&emit::Options::default(), &["23.4.1".to_string()])
        .unwrap();
    let catalog = files
        .iter()
        .find(|f| f.path == "ami/catalog/mod.rs")
        .expect("ami/catalog/mod.rs");
    assert!(
        catalog
            .contents
            .contains(r#"pub const RELEASES: &[&str] = &["20.20.1", "21.12.3", "22.10.1"];"#),
        "{}",
        &catalog.contents[..400]
    );
    let err = project
        .generate_without(&emit::Options::default(), &["9.9.9".to_string()])
        .expect_err("no such release");
    assert!(err.to_string().contains("9.9.9"), "{err}");
}
