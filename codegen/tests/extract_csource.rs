//! `extract` over the committed synthetic C tree `tests/fixtures/csource`: every
//! rule of the C scanner and the emit walker shows in `supplement.json`; and a
//! release folder without `supplement.json` still gives a manifest, a warning
//! and generated code.

use asterisk_codegen::extract::extract;
use asterisk_codegen::manifest::supplement_warning;
use asterisk_codegen::project::Project;
use asterisk_codegen::upstream::read_release;
use asterisk_codegen::upstream::supplement::Supplement;
use std::path::{Path, PathBuf};

const TAG: &str = "99.1.0";

/// A fresh, unique scratch folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(label: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "asterisk-codegen-{label}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csource")
}

fn extracted(scratch: &Scratch) -> (PathBuf, Supplement) {
    let out = scratch.0.join("out");
    extract(&fixture(), TAG, &out).unwrap_or_else(|e| panic!("extract: {e}"));
    let dir = out.join(TAG);
    let s = Supplement::load(&dir.join("supplement.json"))
        .unwrap_or_else(|e| panic!("supplement.json: {e}"));
    (dir, s)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn privileges_come_from_registrations_and_the_perms_table() {
    let scratch = Scratch::new("csource-priv");
    let (_, s) = extracted(&scratch);
    assert_eq!(s.tag, TAG);
    let p = &s.action_privileges;
    // #define, static array and header constants name actions; 0 is [].
    assert_eq!(p["Ping"], Vec::<String>::new());
    assert_eq!(p["Status"], strings(&["system", "call", "all"]));
    assert_eq!(p["DemoShow"], strings(&["call", "all"]));
    assert_eq!(p["DemoList"], Vec::<String>::new());
    assert_eq!(p["DemoHeaderAction"], strings(&["user", "all"]));
    assert_eq!(p.len(), 8, "{p:?}");
    // Registered but not in the XML.
    let undocumented: Vec<_> = s.undocumented_actions.keys().collect();
    assert_eq!(undocumented, ["DemoHeaderAction"]);
}

#[test]
fn list_actions_have_items_completion_and_ack() {
    let scratch = Scratch::new("csource-lists");
    let (_, s) = extracted(&scratch);
    let names: Vec<_> = s.list_actions.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "DemoList",
            "DemoParked",
            "DemoShow",
            "DemoStates",
            "HangupAll",
            "Status"
        ]
    );
    let states = &s.list_actions["DemoStates"];
    assert_eq!(states.item_events, ["DemoState"]);
    assert_eq!(states.complete_event.as_deref(), Some("DemoStatesComplete"));
    let status = &s.list_actions["Status"];
    assert_eq!(status.item_events, ["Status"]);
    assert_eq!(status.complete_event.as_deref(), Some("StatusComplete"));
    assert_eq!(status.ack.as_deref(), Some("EventList: start"));
    let show = &s.list_actions["DemoShow"];
    assert_eq!(show.item_events, ["DemoDetail"]);
    assert_eq!(show.complete_event.as_deref(), Some("DemoDetailComplete"));
    let list = &s.list_actions["DemoList"];
    assert_eq!(list.item_events, ["DemoEntry"]);
    assert_eq!(list.ack.as_deref(), Some("other: EventList: Start"));
    let hangup = &s.list_actions["HangupAll"];
    assert_eq!(hangup.item_events, ["ChannelHungup"]);
    assert_eq!(
        hangup.complete_event.as_deref(),
        Some("ChannelsHungupComplete")
    );
    assert_eq!(
        hangup.ack.as_deref(),
        Some("other: no EventList acknowledgement")
    );
}

#[test]
fn undocumented_events_have_fields_in_emit_order() {
    let scratch = Scratch::new("csource-events");
    let (_, s) = extracted(&scratch);
    let names: Vec<_> = s.undocumented_events.keys().map(String::as_str).collect();
    // Not: comments, TEST_FRAMEWORK code, #else branches' events are kept only
    // when the #if is false; shutdown events; events named by ambiguous locals.
    assert_eq!(
        names,
        [
            "ChannelHungup",
            "ChannelsHungupComplete",
            "DemoDetail",
            "DemoDetailComplete",
            "DemoDown",
            "DemoEntry",
            "DemoEntryComplete",
            "DemoParked",
            "DemoParkedComplete",
            "DemoRename",
            "DemoStatesComplete",
            "DemoStatus",
            "DemoUp",
            "Newexten",
            "NotTest",
            "StatusComplete",
        ]
    );
    let ev = |n: &str| &s.undocumented_events[n];
    assert_eq!(ev("DemoDetail").fields, ["ActionID", "Name", "ImapUser"]);
    assert_eq!(ev("DemoDetail").kind.as_deref(), Some("list-item"));
    assert_eq!(ev("DemoDetail").source.as_deref(), Some("apps/app_demo.c"));
    assert_eq!(
        ev("DemoEntry").fields,
        ["ActionID", "Channel", "State", "Description"]
    );
    assert_eq!(
        ev("StatusComplete").fields,
        ["ActionID", "EventList", "ListItems", "Items"]
    );
    assert_eq!(ev("StatusComplete").kind.as_deref(), Some("list-complete"));
    assert_eq!(ev("StatusComplete").class, None);
    assert_eq!(
        ev("ChannelsHungupComplete").fields,
        ["ActionID", "EventList", "ListItems"]
    );
    assert_eq!(ev("ChannelHungup").fields, ["Channel", "ActionID"]);
    assert_eq!(
        ev("DemoStatus").fields,
        ["Account", "JID", "Resource", "Status"]
    );
    assert_eq!(ev("DemoStatus").kind.as_deref(), Some("broadcast"));
    assert_eq!(ev("DemoStatus").class.as_deref(), Some("user"));
    assert_eq!(
        ev("Newexten").fields,
        ["<channel_snapshot prefix=''>", "Extension", "Application"]
    );
    assert_eq!(ev("Newexten").class.as_deref(), Some("dialplan"));
    assert_eq!(ev("DemoUp").fields, ["Level"]);
    assert_eq!(
        ev("DemoParked").fields,
        ["<channel_snapshot prefix='Retriever'>", "Space"]
    );
    assert_eq!(
        ev("DemoRename").fields,
        ["Newname", "ChanVariable(<channel>)"]
    );
    assert_eq!(ev("DemoDown").fields, ["Level"]);
    assert_eq!(
        ev("Newexten").source.as_deref(),
        Some("main/manager_channels.c")
    );
}

#[test]
fn documented_events_get_extra_headers_and_wire_fixes() {
    let scratch = Scratch::new("csource-extra");
    let (_, s) = extracted(&scratch);
    let h = &s.documented_event_extra_headers;
    assert_eq!(
        h["*all_broadcast_events*"],
        ["Privilege", "Timestamp", "SystemName"]
    );
    assert_eq!(h["*channel_snapshot*"], ["<prefix>Tenantid"]);
    // The list form writes Privilege itself; ActionID is undocumented.
    assert_eq!(h["Status"], ["Privilege", "ActionID"]);
    // Items of DemoStates, named only by the action's documentation.
    assert_eq!(h["DemoState"], ["ActionID"]);
    assert_eq!(h.len(), 4, "{h:?}");
    assert_eq!(s.wire_name_fixes.len(), 1);
    assert_eq!(s.wire_name_fixes["NewExten"], "Newexten");
}

#[test]
fn agi_results_come_from_the_command_table() {
    let scratch = Scratch::new("csource-agi");
    let (_, s) = extracted(&scratch);
    let names: Vec<_> = s.agi_results.keys().map(String::as_str).collect();
    assert_eq!(names, ["answer", "database del", "get data"]);
    assert!(s.agi_results["answer"].result.contains("200 result=%d"));
    let get_data = &s.agi_results["get data"];
    assert!(
        get_data
            .result
            .contains("200 result=%s (timeout) endpos=%ld")
    );
    assert_eq!(get_data.extra, ["endpos="]);
    assert!(!get_data.data.is_empty());
    assert_eq!(s.agi_special_lines.len(), 1);
    assert!(s.agi_special_lines[0].ends_with("Dead-safe: database del."));
}

#[test]
fn extraction_is_deterministic_and_read_back_by_the_manifest_reader() {
    let scratch = Scratch::new("csource-det");
    let (dir, _) = extracted(&scratch);
    let first = std::fs::read(dir.join("supplement.json")).unwrap_or_default();
    let out2 = scratch.0.join("out2");
    extract(&fixture(), TAG, &out2).unwrap_or_else(|e| panic!("extract: {e}"));
    let second = std::fs::read(out2.join(TAG).join("supplement.json")).unwrap_or_default();
    assert!(!first.is_empty());
    assert_eq!(first, second);

    let m = read_release(&dir, TAG).unwrap_or_else(|e| panic!("read_release: {e}"));
    let status = m.ami.actions.iter().find(|a| a.name == "Status");
    assert_eq!(
        status.and_then(|a| a.privileges.clone()),
        Some(strings(&["system", "call", "all"]))
    );
    assert!(m.ami.events.iter().any(|e| e.name == "DemoEntry"));
    assert!(supplement_warning(&dir).is_none());
}

#[test]
fn a_release_without_supplement_warns_and_still_generates() {
    let scratch = Scratch::new("csource-nosupp");
    let (dir, _) = extracted(&scratch);
    std::fs::remove_file(dir.join("supplement.json"))
        .unwrap_or_else(|e| panic!("remove supplement.json: {e}"));

    let warning = supplement_warning(&dir).unwrap_or_default();
    for missing in [
        "undocumented events",
        "list",
        "privileges",
        "extra headers",
        "wire-name fixes",
        "AGI",
    ] {
        assert!(warning.contains(missing), "{missing}: {warning}");
    }
    assert!(warning.contains(TAG), "{warning}");

    let m = read_release(&dir, TAG).unwrap_or_else(|e| panic!("read_release: {e}"));
    assert!(m.ami.actions.iter().all(|a| a.privileges.is_none()));
    assert!(!m.ami.events.iter().any(|e| e.name == "DemoEntry"));

    // Generation with that manifest as the newest release beside the committed
    // ones, with the project's fixes.
    let project_dir = scratch.0.join("project");
    let project = Project::new(&project_dir);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    copy_dir(&repo.join("specs/api"), &project.manifest_dir());
    copy_dir(&repo.join("specs/fixes"), &project.fixes_dir());
    project
        .write_manifests(std::slice::from_ref(&m))
        .unwrap_or_else(|e| panic!("write manifest: {e}"));
    let files = project
        .generate_in_memory(&asterisk_codegen::emit::Options::default())
        .unwrap_or_else(|e| panic!("generate: {e}"));
    let actions = files
        .iter()
        .find(|f| f.path.contains("ami") && f.contents.contains("HangupAll"));
    assert!(actions.is_some(), "no generated AMI file names HangupAll");
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap_or_else(|e| panic!("{}: {e}", dst.display()));
    let entries = std::fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    for e in entries.flatten() {
        let p = e.path();
        if p.is_file() {
            std::fs::copy(&p, dst.join(e.file_name()))
                .unwrap_or_else(|err| panic!("{}: {err}", p.display()));
        }
    }
}
