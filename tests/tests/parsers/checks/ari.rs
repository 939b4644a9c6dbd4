//! ARI events and models: `AriEvent::from_slice` and serde `Deserialize` give the
//! same event or both fail; a decoded value encodes and decodes back to itself.

use asterisk_sdk::ari::AriEvent;
use asterisk_sdk::ari::models::{Bridge, Channel, Endpoint, LiveRecording, Playback};
use asterisk_sdk_runtime::ari::de::UniqueKeys;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// The fuzz entry: the bytes as one events-WebSocket message and as the JSON of
/// one model, chosen by the input's length (so every model gets inputs of every
/// shape while each input is decoded only a few times).
pub fn check(data: &[u8]) {
    event(data);
    match data.len() % 5 {
        0 => model::<Channel>(data),
        1 => model::<Bridge>(data),
        2 => model::<Playback>(data),
        3 => model::<LiveRecording>(data),
        _ => model::<Endpoint>(data),
    }
}

fn event(data: &[u8]) {
    let direct = AriEvent::from_slice(data);
    let serde = serde_json::from_slice::<AriEvent>(data);
    match (&direct, &serde) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", super::shown(data, 400)),
        (Err(_), Err(_)) => {}
        _ => panic!(
            "from_slice {direct:?} but Deserialize {serde:?} for {}",
            super::shown(data, 400)
        ),
    }
    let lossless = AriEvent::from_slice_lossless(data);
    if let Ok(event) = &direct {
        assert!(matches!(&lossless, Ok((e, None)) if e == event));
        round_trip(event, AriEvent::from_slice);
        let _ = (event.event_type(), event.application(), event.timestamp());
    }
}

/// The model read straight from the bytes, and through a JSON value: same result.
fn model<T>(data: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let direct = serde_json::from_slice::<T>(data);
    let via_value = serde_json::from_slice::<UniqueKeys>(data)
        .and_then(|UniqueKeys(v)| serde_json::from_value::<T>(v));
    match (&direct, &via_value) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        _ => panic!(
            "direct {direct:?} but through a value {via_value:?} for {}",
            super::shown(data, 400)
        ),
    }
    if let Ok(value) = &direct {
        round_trip(value, |bytes| serde_json::from_slice::<T>(bytes));
    }
}

fn round_trip<T: Serialize + PartialEq + Debug>(
    value: &T,
    decode: impl Fn(&[u8]) -> Result<T, serde_json::Error>,
) {
    let encoded = serde_json::to_vec(value).expect("a decoded value encodes");
    match decode(&encoded) {
        Ok(again) => assert_eq!(&again, value, "{}", super::shown(&encoded, 400)),
        Err(e) => panic!("{e}: {value:?} encodes to {}", super::shown(&encoded, 400)),
    }
}
