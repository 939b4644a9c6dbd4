//! Census checks of the AMI/AGI reader and the supplement merge against the four
//! releases' raw specs (the exact counts of `specs/NOTES.md` §3). Ignored by
//! default (they need `../shared`); `.ci/run` runs them with `--include-ignored`.

use asterisk_codegen::manifest::{Agi, Ami, AmiEvent, Manifest, Snapshot, WireFix};
use asterisk_codegen::upstream::{amixml, supplement};
use std::path::PathBuf;

const TAGS: [&str; 4] = ["20.20.1", "21.12.3", "22.10.1", "23.4.1"];

fn specs_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/asterisk");
    assert!(
        dir.is_dir(),
        "raw specs folder {} is missing: these tests need /work/shared/specs/asterisk",
        dir.display()
    );
    dir
}

/// The AMI/AGI part of a release with the supplement applied (ARI left empty).
fn load(tag: &str) -> (Ami, Agi) {
    let dir = specs_dir().join(tag);
    let (ami, agi) =
        amixml::read(&dir.join("core-en_US.xml")).unwrap_or_else(|e| panic!("{tag}: {e}"));
    let mut m = Manifest {
        tag: tag.to_string(),
        ami,
        agi,
        ari: Default::default(),
    };
    let sp = dir.join("supplement.json");
    assert!(sp.is_file(), "{} is missing", sp.display());
    let s = supplement::Supplement::load(&sp).unwrap_or_else(|e| panic!("{tag}: {e}"));
    supplement::apply(&s, &mut m);
    (m.ami, m.agi)
}

fn event<'a>(ami: &'a Ami, name: &str) -> &'a AmiEvent {
    ami.events
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("event {name} missing"))
}

fn snap(kind: &str, prefix: &str) -> Snapshot {
    Snapshot {
        kind: kind.to_string(),
        prefix: prefix.to_string(),
    }
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn census_counts_match_notes() {
    let actions = [169, 152, 154, 154];
    let documented = [185, 180, 181, 181];
    let params = [483, 446, 451, 451];
    let fields = [2928, 2879, 2884, 2884];
    for (i, tag) in TAGS.iter().enumerate() {
        let (ami, agi) = load(tag);
        assert_eq!(ami.actions.len(), actions[i], "{tag}: actions");
        let mut names: Vec<_> = ami.actions.iter().map(|a| a.name.clone()).collect();
        names.dedup();
        assert_eq!(names.len(), actions[i], "{tag}: distinct action names");
        let doc: Vec<&AmiEvent> = ami.events.iter().filter(|e| e.documented()).collect();
        assert_eq!(doc.len(), documented[i], "{tag}: documented events");
        let inline = doc.iter().filter(|e| e.origin == "inline").count();
        assert_eq!(inline, 10, "{tag}: inline-only events");
        assert_eq!(agi.commands.len(), 47, "{tag}: AGI commands");
        let p: usize = ami.actions.iter().map(|a| a.params.len()).sum();
        assert_eq!(p, params[i], "{tag}: action params");
        let f: usize = doc.iter().map(|e| e.expanded_field_names().len()).sum();
        assert_eq!(f, fields[i], "{tag}: event fields");
        let ap: usize = agi.commands.iter().map(|c| c.params.len()).sum();
        assert_eq!(ap, 88, "{tag}: AGI params");
        // Sorted by plain byte order.
        assert!(ami.actions.windows(2).all(|w| w[0].name < w[1].name));
        assert!(ami.events.windows(2).all(|w| w[0].name < w[1].name));
        assert!(agi.commands.windows(2).all(|w| w[0].name < w[1].name));
        // Every action has privileges from the supplement.
        assert!(
            ami.actions.iter().all(|a| a.privileges.is_some()),
            "{tag}: privileges"
        );
    }
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn spot_checks() {
    for tag in TAGS {
        let (ami, _) = load(tag);
        let originate = ami
            .actions
            .iter()
            .find(|a| a.name == "Originate")
            .unwrap_or_else(|| panic!("{tag}: Originate missing"));
        let first: Vec<_> = originate
            .params
            .iter()
            .take(8)
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            first,
            [
                "ActionID",
                "Channel",
                "Exten",
                "Context",
                "Priority",
                "Application",
                "Data",
                "Timeout"
            ],
            "{tag}: Originate params"
        );
        assert!(
            originate.params[1].required,
            "{tag}: Originate Channel required"
        );
        assert_eq!(originate.params[7].default.as_deref(), Some("30000"));

        let hangup = event(&ami, "Hangup");
        assert_eq!(hangup.snapshots, vec![snap("channel", "")], "{tag}");
        let hf: Vec<_> = hangup.fields.iter().map(|f| f.name.as_str()).collect();
        if tag == "21.12.3" {
            assert_eq!(hf, ["Cause", "Cause-txt"], "{tag}: Hangup fields");
        } else {
            assert_eq!(
                hf,
                ["Cause", "Cause-txt", "TechCause"],
                "{tag}: Hangup fields"
            );
        }
        assert_eq!(hangup.classes, ["call"]);

        let parked = event(&ami, "ParkedCall");
        let timeout = event(&ami, "ParkedCallTimeOut");
        assert_eq!(
            timeout.snapshots,
            vec![snap("channel", "Parkee"), snap("channel", "Parker")],
            "{tag}: ParkedCallTimeOut snapshots"
        );
        assert_eq!(
            timeout.fields, parked.fields,
            "{tag}: ParkedCallTimeOut fields"
        );
        assert!(!parked.fields.is_empty());

        let rtcp = event(&ami, "RTCPReceived");
        let reports: Vec<_> = rtcp
            .fields
            .iter()
            .filter(|f| f.name.starts_with("ReportX"))
            .collect();
        assert_eq!(reports.len(), 8, "{tag}: RTCPReceived ReportX fields");

        let at = event(&ami, "AttendedTransfer");
        assert!(
            at.fields.iter().any(|f| f.name == "Result"),
            "{tag}: AttendedTransfer lacks BlindTransfer's Result"
        );

        let varset = event(&ami, "VarSet");
        if tag == "21.12.3" {
            assert!(varset.modules.is_empty(), "{tag}: no module attributes");
        } else {
            assert_eq!(varset.modules.len(), 3, "{tag}: VarSet modules");
        }

        let qs = ami
            .actions
            .iter()
            .find(|a| a.name == "QueueStatus")
            .and_then(|a| a.list.as_ref())
            .unwrap_or_else(|| panic!("{tag}: QueueStatus list missing"));
        assert_eq!(qs.items, ["QueueParams", "QueueMember", "QueueEntry"]);
        assert_eq!(qs.complete.as_deref(), Some("QueueStatusComplete"));
        assert_eq!(qs.source, "supplement");
        assert_eq!(qs.ack.as_deref(), Some("EventList: start"));

        let csc = ami
            .actions
            .iter()
            .find(|a| a.name == "CoreShowChannels")
            .and_then(|a| a.list.as_ref())
            .unwrap_or_else(|| panic!("{tag}: CoreShowChannels list missing"));
        assert_eq!(csc.items, ["CoreShowChannel"]);
        assert_eq!(csc.complete.as_deref(), Some("CoreShowChannelsComplete"));
        assert_eq!(csc.source, "xml");
        assert!(csc.ack.is_some(), "{tag}: CoreShowChannels ack");

        let ne = event(&ami, "NewExten");
        assert_eq!(ne.wire_name.as_deref(), Some("Newexten"));
        assert!(!ami.events.iter().any(|e| e.name == "Newexten"), "{tag}");

        let exec = event(&ami, "AsyncAGIExec");
        assert!(exec.wire_fixes.contains(&WireFix {
            documented: "CommandID".into(),
            wire: "CommandId".into()
        }));

        let parked_extra = &event(&ami, "ParkedCall").extra_snapshots;
        assert_eq!(parked_extra, &vec![snap("channel", "Retriever")], "{tag}");
        assert!(ami.broadcast_headers.contains(&"Privilege".to_string()));
        assert_eq!(
            ami.channel_snapshot_extra_headers,
            ["Tenantid", "ChanVariable"],
            "{tag}"
        );
    }
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn undocumented_events_merge() {
    let (ami, _) = load("23.4.1");
    let und: Vec<&AmiEvent> = ami.events.iter().filter(|e| !e.documented()).collect();
    assert_eq!(und.len(), 60);
    let bli = event(&ami, "BridgeListItem");
    assert_eq!(bli.origin, "supplement");
    assert_eq!(bli.kind.as_deref(), Some("list-item"));
    assert_eq!(bli.snapshots, vec![snap("bridge", "")]);
    assert_eq!(bli.fields.len(), 1);
    assert!(bli.classes.is_empty());
    let cc = event(&ami, "CCAvailable");
    assert_eq!(cc.classes, ["cc"]);
    assert!(
        event(&ami, "QueueMember")
            .fields
            .iter()
            .any(|f| f.name == "Location")
    );
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn inline_events_and_classes() {
    let (ami, _) = load("23.4.1");
    for name in [
        "AorListComplete",
        "AuthListComplete",
        "BridgeInfoChannel",
        "BridgeInfoComplete",
        "ContactListComplete",
        "DeviceStateListComplete",
        "EndpointDetailComplete",
        "EndpointListComplete",
        "ExtensionStateListComplete",
        "PresenceStateListComplete",
    ] {
        assert_eq!(event(&ami, name).origin, "inline", "{name}");
    }
    let bic = event(&ami, "BridgeInfoChannel");
    assert_eq!(bic.snapshots, vec![snap("channel", "")]);
    assert_eq!(bic.classes, ["command"]);
    let lc = event(&ami, "LogChannel");
    assert_eq!(lc.classes, ["system"]);
    assert_eq!(event(&ami, "Status").origin, "top");
    let rename = event(&ami, "Rename");
    assert!(rename.fields.is_empty());
    assert_eq!(rename.extra_headers[0], "Channel");
}
