//! Every domain enum value survives serialize → deserialize unchanged, odd wire
//! forms included: an `Other` keeps its text, a known value its number.

use asterisk_sdk::domain::{
    AgiStatus, CdrDisposition, ChannelState, DeviceState, DialStatus, ExtensionState, HangupCause,
    PeerStatus, QueueStrategy,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::fmt::Debug;

/// Odd and ordinary JSON inputs for any enum.
fn inputs() -> Vec<Value> {
    let mut out: Vec<Value> = [
        "016",
        "+16",
        "-0",
        " 16",
        "16 ",
        "",
        "0x10",
        "1e1",
        "16.0",
        "abc",
        "Up",
        "up",
        "ANSWER",
        "99999999999999999999",
        "-9223372036854775808",
    ]
    .iter()
    .map(|s| json!(s))
    .collect();
    out.extend([0, 1, 6, 16, 17, 200, -1, -0, i64::MIN, i64::MAX].map(|n| json!(n)));
    out
}

/// Decode `input`; when it decodes, encoding and decoding again gives the same
/// value and the same JSON.
fn round_trips<T>(input: &Value)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let Ok(value) = serde_json::from_value::<T>(input.clone()) else {
        return;
    };
    let encoded = serde_json::to_value(&value).expect("encodes");
    let back: T = serde_json::from_value(encoded.clone())
        .unwrap_or_else(|e| panic!("{input} → {encoded} does not decode: {e}"));
    assert_eq!(back, value, "{input} → {encoded}");
    assert_eq!(
        serde_json::to_value(&back).expect("encodes"),
        encoded,
        "{input}"
    );
}

fn every_input_round_trips<T>(known: &[T])
where
    T: Serialize + DeserializeOwned + PartialEq + Debug + Clone,
{
    for input in inputs() {
        round_trips::<T>(&input);
    }
    for value in known {
        let encoded = serde_json::to_value(value).expect("encodes");
        round_trips::<T>(&encoded);
        assert_eq!(
            serde_json::from_value::<T>(encoded).ok().as_ref(),
            Some(value)
        );
    }
}

#[test]
fn all_domain_enums_round_trip() {
    every_input_round_trips(HangupCause::KNOWN);
    every_input_round_trips(ChannelState::KNOWN);
    every_input_round_trips(ExtensionState::KNOWN);
    every_input_round_trips(AgiStatus::KNOWN);
    every_input_round_trips(DeviceState::KNOWN);
    every_input_round_trips(DialStatus::KNOWN);
    every_input_round_trips(CdrDisposition::KNOWN);
    every_input_round_trips(PeerStatus::KNOWN);
    every_input_round_trips(QueueStrategy::KNOWN);
}

#[test]
fn odd_numbers_stay_unknown_text_and_known_values_are_numbers() {
    for odd in ["016", "+16", "-0"] {
        let cause: HangupCause = serde_json::from_value(json!(odd)).expect("decodes");
        assert_eq!(cause, HangupCause::Other(odd.to_string()));
        assert_eq!(serde_json::to_value(&cause).expect("encodes"), json!(odd));
    }
    let cause: HangupCause = serde_json::from_value(json!("16")).expect("decodes");
    assert_eq!(cause, HangupCause::NormalClearing);
    assert_eq!(serde_json::to_value(&cause).expect("encodes"), json!(16));
    let unknown: HangupCause = serde_json::from_value(json!(200)).expect("decodes");
    assert!(!unknown.is_known());
    assert_eq!(serde_json::to_value(&unknown).expect("encodes"), json!(200));
}
