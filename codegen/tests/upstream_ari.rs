//! The ARI reader against the four raw releases in `../shared/specs/asterisk/`.
//!
//! The raw specs are required: the tests are `#[ignore]`d so that a clone without
//! `../shared` reports them as ignored; `.ci/run` runs them with
//! `--include-ignored`, and a missing folder fails them with its path.

use asterisk_codegen::manifest::{Allowed, Ari};
use asterisk_codegen::upstream::ari;
use std::path::PathBuf;

/// (tag, operations, models, Event subtypes, Message-derived, apiVersion)
const CENSUS: [(&str, usize, usize, usize, usize, &str); 4] = [
    ("20.20.1", 109, 84, 44, 46, "8.0.0"),
    ("21.12.3", 102, 81, 42, 44, "9.0.0"),
    ("22.10.1", 109, 85, 45, 47, "10.0.0"),
    ("23.4.1", 109, 85, 45, 47, "11.0.0"),
];

fn ari_dir(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/asterisk")
        .join(tag)
        .join("ari");
    assert!(
        dir.join("resources.json").is_file(),
        "raw ARI specs missing: {} (the shared specs folder must be present for this test)",
        dir.display()
    );
    dir
}

fn load(tag: &str) -> Ari {
    let dir = ari_dir(tag);
    match ari::read(&dir) {
        Ok(a) => a,
        Err(e) => panic!("reading {}: {e}", dir.display()),
    }
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn census_matches_notes() {
    for (tag, ops, models, events, messages, version) in CENSUS {
        let a = load(tag);
        assert_eq!(a.api_version, version, "{tag} apiVersion");
        assert_eq!(a.resources.len(), 11, "{tag} resource files");
        assert_eq!(a.operations.len(), ops, "{tag} operations");
        assert_eq!(a.models.len(), models, "{tag} models");
        let event = a
            .model("Event")
            .unwrap_or_else(|| panic!("{tag}: no Event model"));
        assert_eq!(event.subtypes.len(), events, "{tag} Event subtypes");
        let derived = a.descendants("Message");
        assert_eq!(derived.len(), messages, "{tag} Message-derived models");
        assert!(
            derived.iter().any(|m| m == "Event"),
            "{tag}: Event derives from Message"
        );
        assert!(
            derived.iter().any(|m| m == "MissingParams"),
            "{tag}: MissingParams derives from Message"
        );
    }
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn sorted_and_unique() {
    for (tag, ..) in CENSUS {
        let a = load(tag);
        let keys: Vec<(&str, &str)> = a
            .operations
            .iter()
            .map(|o| (o.path.as_str(), o.method.as_str()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            keys, sorted,
            "{tag}: operations sorted by (path, method), unique"
        );
        let names: Vec<&str> = a.models.iter().map(|m| m.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted, "{tag}: models sorted by name, unique");
        for o in &a.operations {
            let mut e = o.errors.clone();
            e.sort();
            assert_eq!(
                e, o.errors,
                "{tag} {} {}: errors ascending",
                o.method, o.path
            );
        }
    }
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn method_split_23() {
    let a = load("23.4.1");
    let count = |m: &str| a.operations.iter().filter(|o| o.method == m).count();
    assert_eq!(
        (count("GET"), count("POST"), count("PUT"), count("DELETE")),
        (33, 48, 8, 20)
    );
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn originate_parameters() {
    for (tag, ..) in CENSUS {
        let a = load(tag);
        let op = a
            .operations
            .iter()
            .find(|o| o.method == "POST" && o.path == "/channels")
            .unwrap_or_else(|| panic!("{tag}: POST /channels"));
        assert_eq!(op.nickname, "originate");
        assert_eq!(op.resource, "channels");
        assert_eq!(op.response, "Channel");
        assert_eq!(op.errors, [400, 409]);
        assert_eq!(op.params.first().map(|p| p.name.as_str()), Some("endpoint"));
        let p = |n: &str| {
            op.params
                .iter()
                .find(|p| p.name == n)
                .unwrap_or_else(|| panic!("{tag}: originate param {n}"))
        };
        let endpoint = p("endpoint");
        assert!(endpoint.required);
        assert_eq!(endpoint.location, "query");
        assert_eq!(endpoint.data_type, "string");
        assert!(!endpoint.multiple);
        let timeout = p("timeout");
        assert!(!timeout.required);
        assert_eq!(timeout.data_type, "int");
        assert_eq!(timeout.default, Some(serde_json::json!(30)));
        let variables = p("variables");
        assert_eq!(variables.location, "body");
        assert_eq!(variables.data_type, "containers");
    }
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn websocket_binary_and_quirks() {
    let a = load("23.4.1");
    let find = |m: &str, p: &str| {
        a.operations
            .iter()
            .find(|o| o.method == m && o.path == p)
            .unwrap_or_else(|| panic!("{m} {p}"))
    };
    let events = find("GET", "/events");
    assert_eq!(events.websocket_protocol.as_deref(), Some("ari"));
    assert_eq!(events.response, "Message");
    assert_eq!(
        a.operations
            .iter()
            .filter(|o| o.websocket_protocol.is_some())
            .count(),
        1
    );
    assert_eq!(
        find("GET", "/recordings/stored/{recordingName}/file").response,
        "binary"
    );

    // Parameters without `required` / `allowMultiple` default to false.
    let list_by_tech = find("GET", "/endpoints/{tech}");
    let tech = list_by_tech
        .params
        .iter()
        .find(|p| p.name == "tech")
        .expect("tech param");
    assert_eq!(tech.location, "path");

    // RANGE and LIST allowable values.
    let ranges = a
        .operations
        .iter()
        .flat_map(|o| &o.params)
        .filter(|p| matches!(p.allowed, Some(Allowed::Range { .. })))
        .count();
    let lists = a
        .operations
        .iter()
        .flat_map(|o| &o.params)
        .filter(|p| matches!(p.allowed, Some(Allowed::List { .. })))
        .count();
    assert_eq!((lists, ranges), (18, 9));
    let model_lists = a
        .models
        .iter()
        .flat_map(|m| &m.properties)
        .filter(|p| matches!(p.allowed, Some(Allowed::List { .. })))
        .count();
    assert_eq!(model_lists, 7);

    // The string error codes ("404") are read as numbers.
    assert!(
        a.operations
            .iter()
            .all(|o| o.errors.iter().all(|c| (100..600).contains(c)))
    );
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn model_properties() {
    let a = load("23.4.1");
    let destroyed = a.model("ChannelDestroyed").expect("ChannelDestroyed");
    assert_eq!(destroyed.resource, "events");
    let names: Vec<&str> = destroyed
        .properties
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["cause", "cause_txt", "tech_cause", "channel"],
        "document order"
    );
    let tech = &destroyed.properties[2];
    assert_eq!(tech.data_type, "int");
    assert!(!tech.required);
    assert!(destroyed.properties[0].required);

    let message = a.model("Message").expect("Message");
    assert_eq!(message.discriminator.as_deref(), Some("type"));
    assert_eq!(message.subtypes, ["MissingParams", "Event"]);
    let start = a.model("StasisStart").expect("StasisStart");
    assert_eq!(start.properties[0].data_type, "List[string]");

    let channel = a.model("Channel").expect("Channel");
    let state = channel
        .properties
        .iter()
        .find(|p| p.name == "state")
        .expect("state");
    match &state.allowed {
        Some(Allowed::List { values }) => assert!(values.iter().any(|v| v == "Dialing Offhook")),
        other => panic!("Channel.state allowed: {other:?}"),
    }

    let old = load("21.12.3");
    let destroyed = old.model("ChannelDestroyed").expect("ChannelDestroyed");
    assert!(!destroyed.properties.iter().any(|p| p.name == "tech_cause"));
}

#[test]
#[ignore = "needs ../shared raw specs"]
fn no_prose_in_manifest() {
    let a = load("23.4.1");
    let json = match serde_json::to_string(&a) {
        Ok(j) => j,
        Err(e) => panic!("{e}"),
    };
    // Sentences of descriptions, summaries, notes and error reasons (5.5/5.6 of NOTES).
    for prose in [
        "Create a new channel",
        "Base type for errors and events",
        "Endpoint to call",
        "Invalid parameters for originating",
        "The new channel is created immediately",
        "\"summary\"",
        "\"notes\"",
        "Channel with given unique ID already exists",
    ] {
        assert!(!json.contains(prose), "manifest contains {prose:?}");
    }
}
