//! Every open enum (domain, AMI and ARI) has one API: known values by their wire
//! string, anything else kept in `Other`, the same conversions and serde; and the
//! AMI enum lists decode to the folded types (`bool`, domain enums, shared enums).
#![cfg(all(feature = "ami", feature = "ari"))]

use asterisk_sdk::ami::enums::{Severity, TransferResult};
use asterisk_sdk::ami::events::{ConfbridgeList, FailedAcl, MeetmeMute, QueueMemberStatus};
use asterisk_sdk::ami::{Event, Message};
use asterisk_sdk::ari::models::EndpointState;
use asterisk_sdk::ari::params::IfExists;
use asterisk_sdk::domain::{DeviceState, HangupCause};
use asterisk_sdk::runtime::open_enum::OpenEnum;

/// What a user may rely on for any open enum `T`.
fn behaves_as_open_enum<T: OpenEnum + serde::Serialize + serde::de::DeserializeOwned>() {
    assert!(!T::KNOWN.is_empty());
    for known in T::KNOWN {
        let wire = known.as_str();
        assert!(known.is_known(), "{wire}");
        assert_eq!(&T::from(wire), known);
        assert_eq!(&T::from(wire.to_string()), known);
        assert_eq!(&wire.parse::<T>().expect("infallible"), known);
        assert_eq!(known.to_string(), wire);
        let json = serde_json::to_value(known).expect("serializes");
        assert_eq!(
            &serde_json::from_value::<T>(json).expect("reads back"),
            known
        );
    }
    let odd = "value from a newer Asterisk";
    let other = T::from(odd);
    assert!(!other.is_known());
    assert_eq!(other.as_str(), odd);
    assert_eq!(serde_json::to_value(&other).expect("serializes"), odd);
    assert_eq!(
        serde_json::from_value::<T>(serde_json::json!(odd)).expect("any string"),
        other
    );
}

#[test]
fn domain_ami_and_ari_enums_share_one_api() {
    behaves_as_open_enum::<HangupCause>();
    behaves_as_open_enum::<DeviceState>();
    behaves_as_open_enum::<Severity>();
    behaves_as_open_enum::<TransferResult>();
    behaves_as_open_enum::<EndpointState>();
    behaves_as_open_enum::<IfExists>();
}

#[test]
fn a_documented_unknown_value_is_not_the_catch_all() {
    // ARI documents `unknown` as an endpoint state: a known variant.
    let state = EndpointState::from("unknown");
    assert_eq!(state, EndpointState::Unknown);
    assert!(state.is_known());
    assert_eq!(
        EndpointState::from("rebooting"),
        EndpointState::Other("rebooting".into())
    );
    assert_eq!(DeviceState::from("UNKNOWN"), DeviceState::Unknown);
}

fn event(text: &str) -> Event {
    Event::from_message(Message::parse(
        text.replace('\n', "\r\n").into_bytes().into(),
    ))
}

#[test]
fn yes_no_lists_are_bools() {
    let Event::ConfbridgeList(e) = event(
        "Event: ConfbridgeList\nConference: 1\nAdmin: Yes\nMuted: No\nTalking: No\nWaiting: Yes\n",
    ) else {
        panic!("not a ConfbridgeList");
    };
    let e: ConfbridgeList = *e;
    assert_eq!(
        (e.admin, e.muted, e.talking, e.waiting),
        (Some(true), Some(false), Some(false), Some(true))
    );
    let Event::MeetmeMute(m) = event("Event: MeetmeMute\nMeetme: 1\nStatus: on\n") else {
        panic!("not a MeetmeMute");
    };
    let m: MeetmeMute = *m;
    assert_eq!(m.status, Some(true));
}

#[test]
fn queue_member_status_numbers_are_device_states() {
    let Event::QueueMemberStatus(q) =
        event("Event: QueueMemberStatus\nQueue: q1\nStatus: 2\nInCall: 1\nMembership: dynamic\n")
    else {
        panic!("not a QueueMemberStatus");
    };
    let q: QueueMemberStatus = *q;
    assert_eq!(q.status, Some(DeviceState::InUse));
    assert_eq!(q.in_call, Some(true));
    assert_eq!(q.raw.get("Status"), Some("2"));
    assert_eq!(DeviceState::from_label("8"), Some(DeviceState::OnHold));
    assert_eq!(DeviceState::OnHold.label(), Some("8"));
}

#[test]
fn lists_with_the_same_values_share_one_type() {
    let Event::FailedAcl(f) = event("Event: FailedACL\nSeverity: Error\n") else {
        panic!("not a FailedACL");
    };
    let f: FailedAcl = *f;
    let severity: Option<Severity> = f.severity;
    assert_eq!(severity, Some(Severity::Error));
}
