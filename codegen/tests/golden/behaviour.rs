//! What the golden crate's generated code does with the synthetic surface: the
//! requests builders write, the JSON and AMI messages decoders read, the AGI lines
//! commands write. Copied into the generated crate by `codegen/tests/golden.rs`.

use asterisk_sdk_golden::agi::{Command, ControlStreamFile, RecordFile, SetMusic};
use asterisk_sdk_golden::ami::actions::{Charge, ChargeUnit, Setter};
use asterisk_sdk_golden::ami::events::Thing as ThingEvent;
use asterisk_sdk_golden::ari::models::{Nothing, Quiet, Thing, ThingHappened};
use asterisk_sdk_golden::ari::params::{Direction, Reason};
use asterisk_sdk_golden::ari::{AriClient, AriEvent, AriRequest};
use asterisk_sdk_golden::runtime::ami::{Action, Message, TypedEvent};
use asterisk_sdk_golden::runtime::ari::{AriTransport, TransportError, TransportFuture};
use asterisk_sdk_golden::runtime::open_enum::OpenEnum;
use serde_json::json;

/// A transport these tests never send through (they only build requests).
struct Unused;

impl AriTransport for Unused {
    fn send(&self, _request: AriRequest) -> TransportFuture<'_> {
        Box::pin(async { Err(TransportError::Disconnected) })
    }
}

fn client() -> AriClient {
    AriClient::new(Unused)
}

fn query(r: &AriRequest) -> Vec<(&str, &str)> {
    r.query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[test]
fn body_parameters_of_every_shape() {
    let c = client();
    // A required attribute-list body (fix `fields-attribute-list`).
    let r = c.things().update("t 1", [("colour", "red")]).request();
    assert_eq!((r.method, r.path.as_str()), ("PUT", "/things/t%201/fields"));
    assert_eq!(
        r.body,
        Some(json!({"fields": [{"attribute": "colour", "value": "red"}]}))
    );
    // A required object body.
    let r = c.things().set_vars("t", [("A", "1")]).request();
    assert_eq!(r.body, Some(json!({"variables": {"A": "1"}})));
    // An optional object body with its entry setter (fix `variables-entry`).
    let r = c.things().create("n").request();
    assert_eq!((&r.body, query(&r)), (&None, vec![("name", "n")]));
    let r = c
        .things()
        .create("n")
        .variable("A", "1")
        .variable("B", json!({"value": "2"}))
        .request();
    assert_eq!(
        r.body,
        Some(json!({"variables": {"A": "1", "B": {"value": "2"}}}))
    );
    let r = c
        .things()
        .create("n")
        .variables_json(json!({"raw": true}))
        .request();
    assert_eq!(r.body, Some(json!({"variables": {"raw": true}})));
    // Whole-JSON bodies, required and optional; a path parameter Swagger leaves
    // unrequired is still an argument.
    let r = c.things().replace("t", json!([1, 2])).request();
    assert_eq!(
        (r.path.as_str(), r.body),
        ("/things/t/replace", Some(json!([1, 2])))
    );
    assert_eq!(c.things().filter().request().body, None);
    let r = c.things().filter().filter(json!({"x": 1})).request();
    assert_eq!(r.body, Some(json!({"x": 1})));
}

#[test]
fn query_parameters_of_every_type() {
    let r = client()
        .thing("t")
        .remove()
        .reason(Reason::Star)
        .count(-3)
        .big(1 << 40)
        .force(true)
        .ratio(0.5)
        .tags(["a", "b"])
        .request();
    assert_eq!((r.method, r.path.as_str()), ("DELETE", "/things/t"));
    assert_eq!(
        query(&r),
        [
            ("reason", "*"),
            ("count", "-3"),
            ("big", "1099511627776"),
            ("force", "true"),
            ("ratio", "0.5"),
            ("tags", "a,b"),
        ]
    );
    let r = client().thing("t").remove().reason("later").request();
    assert_eq!(query(&r), [("reason", "later")]);
    assert_eq!(Reason::from("later"), Reason::Other("later".into()));
}

#[test]
fn a_documented_default_the_server_requires_is_sent() {
    let r = client().thing("t").mute().request();
    assert_eq!(query(&r), [("direction", "both")]);
    let r = client()
        .thing("t")
        .mute()
        .direction(Direction::In)
        .request();
    assert_eq!(query(&r), [("direction", "in")]);
}

#[test]
fn models_decode_with_boxes_lists_maps_and_unknown_keys() {
    let t: Thing = serde_json::from_value(json!({
        "id": "a", "parent": {"id": "p"}, "children": [{"id": "c"}],
        "ssrc": 4_000_000_000u32, "new_key": 1
    }))
    .expect("Thing");
    assert_eq!(t.parent.as_ref().map(|p| p.id.as_str()), Some("p"));
    assert_eq!(t.ssrc, Some(4_000_000_000));
    assert_eq!(t.extra.get("new_key"), Some(&json!(1)));
    assert_eq!(serde_json::to_value(&t).expect("ser")["new_key"], json!(1));
    assert!(serde_json::from_value::<Thing>(json!({"parent": {"id": "p"}})).is_err());
    let n: Nothing = serde_json::from_value(json!({"anything": [1]})).expect("Nothing");
    assert_eq!(n.extra.len(), 1);
}

#[test]
fn events_decode_by_type() {
    let text = json!({
        "type": "ThingHappened", "application": "app",
        "timestamp": "2024-01-02T03:04:05.678+0000",
        "thing": {"id": "a"}, "flag": true, "mood": "*", "counts": {"k": "v"},
        "conflict": 3, "only_two": "x"
    })
    .to_string();
    let e = AriEvent::from_slice(text.as_bytes()).expect("decodes");
    assert_eq!(e.application(), Some("app"));
    match e {
        AriEvent::ThingHappened(h) => {
            let h: &ThingHappened = &h;
            assert_eq!(h.mood.as_ref().map(|m| m.as_str()), Some("*"));
            assert_eq!(
                h.counts
                    .as_ref()
                    .and_then(|c| c.get("k"))
                    .map(String::as_str),
                Some("v")
            );
            assert_eq!(h.conflict, Some(json!(3)));
        }
        other => panic!("{other:?}"),
    }
    let quiet =
        json!({"type": "Quiet", "application": "a", "timestamp": "2024-01-02T03:04:05.678+0000"});
    let e = AriEvent::from_slice(quiet.to_string().as_bytes()).expect("Quiet");
    assert!(matches!(e, AriEvent::Quiet(ref q) if { let q: &Quiet = q; q.application == "a" }));
    let e = AriEvent::from_slice(br#"{"type":"MissingParams","params":["x"]}"#).expect("missing");
    assert_eq!(e.application(), None);
    let e = AriEvent::from_slice(br#"{"type":"Brand New"}"#).expect("unknown");
    assert!(e.is_unknown());
    assert_eq!(e.event_type(), "Brand New");
}

#[test]
fn ami_actions_with_pairs_families_and_answer_times() {
    let a = Setter::new("PJSIP/1")
        .timeout(250)
        .variable("A", "1")
        .variable("B", "2");
    assert_eq!(a.headers().get("Channel"), Some("PJSIP/1"));
    assert_eq!(
        a.answer_within(),
        Some(std::time::Duration::from_millis(250))
    );
    assert_eq!(Setter::new("x").async_(true).answer_within(), None);
    let vars: Vec<_> = a
        .headers()
        .iter()
        .filter(|(k, _)| *k == "Variable")
        .collect();
    assert_eq!(vars, [("Variable", "A=1"), ("Variable", "B=2")]);
    let c = Charge::new()
        .unit(ChargeUnit::default().unit_amount("3"))
        .unit(ChargeUnit::default().unit_type("2"));
    assert_eq!(c.headers().get("UnitAmount(0)"), Some("3"));
    assert_eq!(c.headers().get("UnitType(1)"), Some("2"));
}

#[test]
fn ami_events_with_snapshots_enums_and_wire_fixes() {
    let raw = "Event: Thing\r\nChannel: PJSIP/1\r\nDestChannel: PJSIP/2\r\nMood: *\r\nCount: 7\r\nFlagged: yes\r\nState: 6\r\nUserField: u\r\nUndocumented: z\r\n\r\n";
    let e = ThingEvent::decode(Message::parse(raw.as_bytes().to_vec().into()));
    assert_eq!(e.mood.as_ref().map(OpenEnum::as_str), Some("*"));
    assert_eq!((e.count, e.flagged), (Some(7), Some(true)));
    assert_eq!(e.state.as_ref().map(OpenEnum::as_str), Some("6"));
    assert_eq!(e.userfield.as_deref(), Some("u"));
    assert_eq!(e.undocumented.as_deref(), Some("z"));
    assert_eq!(e.dest.channel.as_deref(), Some("PJSIP/2"));
}

#[test]
fn agi_parameters_of_every_type() {
    let c = ControlStreamFile {
        filename: "f",
        escape_digits: "#",
        skipms: None,
        ffchar: None,
        offsetms: Some(10),
        newparam: None,
    };
    assert_eq!(
        c.render().expect("renders"),
        "CONTROL STREAM FILE f # 3000 # 10"
    );
    let r = RecordFile {
        filename: "f",
        format: "wav",
        escape_digits: "#",
        timeout: -1,
        offset_samples: Some(0),
        beep: true,
        silence: Some(3),
    };
    assert_eq!(
        r.render().expect("renders"),
        "RECORD FILE f wav # -1 0 BEEP s=3"
    );
    // A positional optional without a fill cannot be skipped.
    let gap = RecordFile {
        offset_samples: None,
        ..r
    };
    assert!(gap.render().is_err());
    let m = SetMusic {
        toggle: true,
        class: None,
    };
    assert_eq!(m.render().expect("renders"), "SET MUSIC on");
}

#[test]
fn ami_typed_response_takes_every_field_form_and_quirks_are_flagged() {
    use asterisk_sdk_golden::ami::actions::Ping;
    use asterisk_sdk_golden::domain::{ChannelState, Colour};
    use asterisk_sdk_golden::runtime::ami::{ActionResponse, Response};
    let raw = "Response: Success\r\nActionID: 1\r\nPing: Pong\r\nTimestamp: 1.5\r\n\
               Calls: 3\r\nEnabled: Yes\r\nState: 6\r\nColour: BLUE\r\nLine: one\r\n\
               Line: two\r\nCategory-000000: general\r\nCategory-000001: extra\r\n\
               Odd: x\r\n\r\n";
    let message = Message::parse(raw.as_bytes().to_vec().into());
    let r = <Ping as Action>::Response::from_response(Response::from_message(message));
    assert_eq!(r.ping.as_deref(), Some("Pong"));
    assert_eq!(r.timestamp, Some(1.5));
    assert_eq!(r.calls, Some(3));
    assert_eq!(r.enabled, Some(true));
    assert_eq!(r.state, Some(ChannelState::Up));
    assert_eq!(r.colour, Some(Colour::Other("BLUE".into())));
    assert_eq!(r.lines.len(), 2);
    assert_eq!(r.category.len(), 2);
    assert_eq!(r.other_headers.len(), 1);
    assert_eq!(&*r.other_headers[0].0, "Odd");
    assert!(r.response.is_success());
    assert!(Charge::new().no_response().is_some());
    assert!(Setter::new("x").no_response().is_none());
}

#[test]
fn media_events_and_commands_in_both_formats() {
    use asterisk_sdk_golden::media::{
        ControlFormat, MediaCommand, MediaEncodeError, MediaEvent, facts,
    };
    let MediaEvent::MediaStart(s) = MediaEvent::decode(
        "MEDIA_START connection_id:c channel:W/1 format:ulaw optimal_frame_size:160 ptime:20 paused:true digit:5",
    )
    .unwrap() else {
        panic!("not MEDIA_START");
    };
    assert_eq!(
        (
            s.optimal_frame_size,
            s.paused,
            s.digit,
            s.channel_id.as_deref()
        ),
        (160, true, Some('5'), None)
    );
    let json = s.encode(ControlFormat::Json);
    assert_eq!(
        MediaEvent::decode(&json).unwrap(),
        MediaEvent::MediaStart(s)
    );
    assert!(
        matches!(MediaEvent::decode("XOFF").unwrap(), MediaEvent::Xoff(x) if x.channel_id.is_none())
    );
    assert!(
        matches!(MediaEvent::decode("DONE a b").unwrap(), MediaEvent::Done(d) if d.correlation_id.as_deref() == Some("a b"))
    );
    assert!(
        matches!(MediaEvent::decode("OOPS code:3 text:it: broke").unwrap(), MediaEvent::Oops(o) if o.code == 3 && o.text == "it: broke")
    );
    assert!(matches!(
        MediaEvent::decode("LATER").unwrap(),
        MediaEvent::Unknown(_)
    ));
    let set = MediaCommand::Set {
        level: 2,
        loud: None,
    };
    assert_eq!(
        set.encode(ControlFormat::Json).unwrap(),
        r#"{"command":"SET","level":2}"#
    );
    assert_eq!(
        set.encode(ControlFormat::PlainText),
        Err(MediaEncodeError::JsonOnly { command: "SET" })
    );
    assert_eq!(
        MediaCommand::Maybe {
            correlation_id: None
        }
        .encode(ControlFormat::PlainText)
        .unwrap(),
        "MAYBE"
    );
    let long = MediaCommand::Tag {
        correlation_id: "x".repeat(40),
    };
    assert!(matches!(
        long.encode(ControlFormat::PlainText),
        Err(MediaEncodeError::TooLong { max: 32, .. })
    ));
    assert_eq!(
        MediaCommand::decode(r#"{"command":"SET","level":7,"loud":true}"#).unwrap(),
        MediaCommand::Set {
            level: 7,
            loud: Some(true)
        }
    );
    assert_eq!(
        MediaCommand::Tag {
            correlation_id: "t".into()
        }
        .releases(),
        &["2.0.0"]
    );
    assert_eq!((facts::PATH, facts::MAX_TEXT_MESSAGE_LEN), ("media", 32));
    assert_eq!(facts::format_releases(ControlFormat::Json), &["2.0.0"]);
}
