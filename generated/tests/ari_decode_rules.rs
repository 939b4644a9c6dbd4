//! `AriEvent::from_slice` and the serde `Deserialize` impl follow one rule set:
//! same event or both an error, for odd input too; and free-form JSON numbers
//! survive a decode → encode → decode round trip unchanged.
#![cfg(feature = "ari")]

use asterisk_sdk::ari::AriEvent;
use serde_json::json;

const DIAL: &str = r#""application":"app","timestamp":"2026-11-26T21:17:38.012+0000","dialstatus":"ANSWER","peer":{"id":"1","name":"PJSIP/1","state":"Up","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"c","exten":"s","priority":1,"app_name":"","app_data":""},"creationtime":"2026-11-26T21:17:38.012+0000","language":"en","protocol_id":""}"#;

/// Both decode paths on the same text: the event, or `None` for an error.
fn both(text: &str) -> (Option<AriEvent>, Option<AriEvent>) {
    let direct = AriEvent::from_slice(text.as_bytes()).ok();
    let serde = serde_json::from_str::<AriEvent>(text).ok();
    (direct, serde)
}

#[test]
fn both_paths_agree_on_odd_messages() {
    let dial = format!(r#"{{"type":"Dial",{DIAL}}}"#);
    let cases = [
        // (text, decodes)
        (dial.clone(), true),
        (format!(r#"{{{DIAL},"type":"Dial"}}"#), true),
        (r#"{"type":"NoSuchEvent","x":1}"#.to_string(), true),
        (r#"{"x":1}"#.to_string(), true),
        (r#"["Dial"]"#.to_string(), false),
        (r#""Dial""#.to_string(), false),
        ("5".to_string(), false),
        ("null".to_string(), false),
        (r#"{"type":5}"#.to_string(), false),
        (r#"{"type":null,"x":1}"#.to_string(), false),
        (r#"{"x":1,"type":["Dial"]}"#.to_string(), false),
        (
            format!(r#"{{"type":"Dial",{DIAL},"type":"Hangup"}}"#),
            false,
        ),
        (
            format!(r#"{{"type":"Hangup",{DIAL},"type":"Dial"}}"#),
            false,
        ),
        (r#"{"type":"NoSuchEvent","type":"Dial"}"#.to_string(), false),
        (r#"{"x":1,"type":"A","type":"A"}"#.to_string(), false),
        (r#"{"type":"NoSuchEvent","x":1,"x":2}"#.to_string(), false),
        (
            r#"{"type":"NoSuchEvent","x":{"y":1,"y":2}}"#.to_string(),
            false,
        ),
        (format!(r#"{{"type":"Dial",{DIAL},"z":1,"z":2}}"#), false),
        (
            format!(r#"{{"type":"Dial",{DIAL},"z":{{"a":1,"a":2}}}}"#),
            false,
        ),
    ];
    for (text, decodes) in &cases {
        let (direct, serde) = both(text);
        assert_eq!(direct, serde, "{text}");
        assert_eq!(direct.is_some(), *decodes, "{text}");
    }
    let (direct, _) = both(&dial);
    assert_eq!(
        direct.map(|e| e.event_type().to_string()).as_deref(),
        Some("Dial")
    );
}

#[test]
fn floats_in_raw_json_survive_a_round_trip() {
    for x in [
        0.1,
        1.0 / 3.0,
        2.2250738585072014e-308,
        1.7976931348623157e308,
        5e-324,
        123456.789e-7,
    ] {
        let unknown = json!({"type": "NoSuchEvent", "v": x}).to_string();
        let dial = format!(r#"{{"type":"Dial",{DIAL},"v":{x:e}}}"#);
        for text in [unknown, dial] {
            let first = AriEvent::from_slice(text.as_bytes()).expect("decodes");
            let encoded = serde_json::to_string(&first).expect("encodes");
            let second = AriEvent::from_slice(encoded.as_bytes()).expect("decodes again");
            assert_eq!(first, second, "{text}");
            let v = serde_json::to_value(&second).expect("encodes");
            assert_eq!(v["v"].as_f64(), Some(x), "{text}");
        }
    }
}

#[test]
fn long_decimals_in_raw_json_are_read_exactly() {
    // Seventeen to nineteen significant digits: where a fast float reader is off by
    // one unit in the last place.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for i in 0..2000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let digits = 17 + (i % 3);
        let mantissa = state % 10u64.pow(digits as u32 - 1) + 10u64.pow(digits as u32 - 1);
        let exp = (state >> 40) as i32 % 560 - 280;
        let number = format!("{mantissa}e{exp}");
        let exact: f64 = number.parse().expect("a decimal");
        let text = format!(r#"{{"type":"NoSuchEvent","v":{number}}}"#);
        let event = AriEvent::from_slice(text.as_bytes()).expect("decodes");
        let v = serde_json::to_value(&event).expect("encodes");
        assert_eq!(v["v"].as_f64(), Some(exact), "{number}");
    }
}
