//! The media facts (`specs/fixes/media.toml`) check themselves against the
//! generated releases, and (on demand) against Asterisk's C sources: with
//! `ASTERISK_SRC` set to a folder holding `<tag>/channels/chan_websocket.c` for
//! each generated release, `cargo test -p asterisk-codegen --test media_facts --
//! --include-ignored` compares every fact with its release's source.

use asterisk_codegen::fixes::Fixes;
use asterisk_codegen::fixes::media::MediaFixes;
use asterisk_codegen::model::media::{MediaModel, compare_source};
use asterisk_codegen::project::Project;
use std::path::Path;

fn project() -> Project {
    Project::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

fn inputs() -> (MediaFixes, Vec<String>) {
    let p = project();
    let fixes = Fixes::load(&p.fixes_dir()).expect("fixes load");
    let tags = p.load_releases().expect("manifests load").tags();
    (fixes.media, tags)
}

fn error_of(fixes: &MediaFixes, tags: &[String]) -> String {
    match MediaModel::new(fixes, tags) {
        Ok(_) => panic!("a wrong media fact was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn committed_facts_build_the_model() {
    let (fixes, tags) = inputs();
    let model = MediaModel::new(&fixes, &tags).expect("committed media facts check");
    let in_release = |tag: &str| -> (Vec<&str>, Vec<&str>) {
        (
            model
                .commands
                .iter()
                .filter(|c| c.fix.releases.iter().any(|r| r == tag))
                .map(|c| c.fix.wire.as_str())
                .collect(),
            model
                .events
                .iter()
                .filter(|e| e.fix.releases.iter().any(|r| r == tag))
                .map(|e| e.fix.wire.as_str())
                .collect(),
        )
    };
    let (commands, events) = in_release("23.4.1");
    assert_eq!(commands.len(), 11, "{commands:?}");
    assert_eq!(events.len(), 9, "{events:?}");
    let (commands, events) = in_release("21.12.3");
    assert!(!commands.contains(&"MARK_MEDIA") && !commands.contains(&"SET_MEDIA_DIRECTION"));
    assert!(!events.contains(&"ERROR") && !events.contains(&"MEDIA_MARK_PROCESSED"));
    assert_eq!((commands.len(), events.len()), (9, 7));
    let start = model
        .events
        .iter()
        .find(|e| e.fix.wire == "MEDIA_START")
        .expect("MEDIA_START");
    let required: Vec<&str> = start
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.key.as_str())
        .collect();
    assert_eq!(
        required,
        [
            "connection_id",
            "channel",
            "format",
            "optimal_frame_size",
            "ptime"
        ]
    );
}

#[test]
fn a_release_that_is_not_generated_is_an_error() {
    let (mut fixes, tags) = inputs();
    let mark = fixes
        .command
        .iter_mut()
        .find(|c| c.wire == "MARK_MEDIA")
        .expect("MARK_MEDIA");
    mark.releases = vec!["19.0.0".into()];
    mark.source = [("19.0.0".to_string(), 1)].into_iter().collect();
    let e = error_of(&fixes, &tags);
    assert!(
        e.contains("specs/fixes/media.toml")
            && e.contains("`command-mark-media`")
            && e.contains("19.0.0"),
        "{e}"
    );
}

#[test]
fn source_lines_must_cover_the_releases() {
    let (mut fixes, tags) = inputs();
    let xoff = fixes
        .event
        .iter_mut()
        .find(|e| e.wire == "MEDIA_XOFF")
        .expect("MEDIA_XOFF");
    xoff.source.remove("21.12.3");
    let e = error_of(&fixes, &tags);
    assert!(
        e.contains("`event-media-xoff`") && e.contains("source"),
        "{e}"
    );
}

#[test]
fn a_field_cannot_outlive_its_event_nor_break_the_text_form() {
    let (mut fixes, tags) = inputs();
    let mark = fixes
        .event
        .iter_mut()
        .find(|e| e.wire == "MEDIA_MARK_PROCESSED")
        .expect("mark");
    mark.field[0].releases = Some(vec!["21.12.3".into()]);
    let e = error_of(&fixes, &tags);
    assert!(
        e.contains("`event-media-mark-processed`") && e.contains("21.12.3"),
        "{e}"
    );

    let (mut fixes, tags) = inputs();
    let xon = fixes
        .event
        .iter_mut()
        .find(|e| e.wire == "MEDIA_XON")
        .expect("xon");
    xon.field[0].formats = None;
    let e = error_of(&fixes, &tags);
    assert!(e.contains("`event-media-xon`") && e.contains("bare"), "{e}");
}

#[test]
fn unknown_keys_are_refused() {
    let dir = std::env::temp_dir().join(format!("media-facts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("media.toml");
    std::fs::write(&path, "[[command]]\nname = \"x\"\nreason = \"y\"\nwire = \"X\"\nvariant = \"X\"\nreleases = []\nsource = {}\nsurprise = 1\n").expect("write");
    let result = MediaFixes::load(&path);
    let _ = std::fs::remove_dir_all(&dir);
    let e = result.expect_err("an unknown key was accepted").to_string();
    assert!(e.contains("surprise"), "{e}");
}

/// A driver that lost a command and gained an event is reported both ways.
#[test]
fn the_source_comparison_finds_differences() {
    let (fixes, tags) = inputs();
    let model = MediaModel::new(&fixes, &tags).expect("model");
    let mut source = String::new();
    for n in 1..=2100 {
        source.push_str(&format!("/* line {n} */\n"));
    }
    source.push_str("#define ANSWER_CHANNEL \"ANSWER\"\n#define BRAND_NEW \"BRAND_NEW\"\n");
    source.push_str("if (ast_strings_equal(command, ANSWER_CHANNEL)) {\n} else if (ast_strings_equal(command, BRAND_NEW)) {\n");
    source.push_str("static char *_create_event_SURPRISE(struct websocket_pvt *instance)\n");
    let problems = compare_source(&model, "23.4.1", &source);
    let joined = problems.join("\n");
    assert!(
        joined.contains("command BRAND_NEW is in the source"),
        "{joined}"
    );
    assert!(
        joined.contains("command MARK_MEDIA is in specs/fixes/media.toml, not in the source"),
        "{joined}"
    );
    assert!(
        joined.contains("event SURPRISE is in the source"),
        "{joined}"
    );
    assert!(
        joined.contains("command-answer: line 733 does not name"),
        "{joined}"
    );
}

#[test]
#[ignore = "needs ASTERISK_SRC (a folder of Asterisk source trees named by release tag)"]
fn facts_agree_with_the_c_sources() {
    let root = std::env::var("ASTERISK_SRC").expect("ASTERISK_SRC is not set");
    let (fixes, tags) = inputs();
    let model = MediaModel::new(&fixes, &tags).expect("model");
    let mut all = Vec::new();
    for tag in &tags {
        let path = Path::new(&root).join(tag).join("channels/chan_websocket.c");
        let source =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        all.extend(
            compare_source(&model, tag, &source)
                .into_iter()
                .map(|p| format!("{tag}: {p}")),
        );
    }
    assert!(
        all.is_empty(),
        "media.toml differs from the sources:\n{}",
        all.join("\n")
    );
}

/// `generate --without` narrows the facts instead of failing on them.
#[test]
fn left_out_releases_narrow_the_facts() {
    let (fixes, tags) = inputs();
    let left_out: Vec<String> = ["20.20.1", "22.10.1", "23.4.1"].map(String::from).to_vec();
    let kept: Vec<String> = tags
        .iter()
        .filter(|t| !left_out.contains(t))
        .cloned()
        .collect();
    assert!(
        MediaModel::new(&fixes, &kept).is_err(),
        "facts of absent releases accepted"
    );
    let model = MediaModel::new(&fixes.without(&left_out), &kept).expect("narrowed facts");
    assert!(model.commands.iter().all(|c| c.fix.wire != "MARK_MEDIA"));
    assert!(model.formats.iter().all(|f| f.wire != "json"));
    let start = model
        .events
        .iter()
        .find(|e| e.fix.wire == "MEDIA_START")
        .expect("start");
    assert!(
        start
            .fields
            .iter()
            .all(|f| f.key != "channel_variables" && f.key != "channel_id")
    );
}
