//! The live model on hand-made event sequences: answer, VarSet, bridges,
//! renames, unknown channels (no ghosts), bounded history, times from the
//! `Timestamp` header, and the resync diff after a gap.

use asterisk_sdk::ami::events::{BridgeInfoChannel, BridgeListItem, CoreShowChannel};
use asterisk_sdk::ami::{Event, FromEvent, Message};
use asterisk_sdk::domain::{ChannelState, HangupCause};
use asterisk_sdk::live::{Change, EndReason, LiveModel, Origin, ResyncReason, ServerSnapshot};
use asterisk_sdk::runtime::clock::ManualClock;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const T0: u64 = 1_800_000_000;

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(T0 + secs)
}

fn model() -> (LiveModel, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(at(0)));
    (LiveModel::with_clock(clock.clone()), clock)
}

/// The snapshot headers of channel `uid` in call `linked`, state `state`.
fn snap(prefix: &str, uid: &str, linked: &str, state: u8) -> Vec<(String, String)> {
    let name = format!("PJSIP/{uid}");
    [
        ("Channel", name.as_str()),
        ("ChannelState", &state.to_string()),
        ("CallerIDNum", "100"),
        ("CallerIDName", "<unknown>"),
        ("ConnectedLineNum", "<unknown>"),
        ("ConnectedLineName", "<unknown>"),
        ("AccountCode", ""),
        ("Context", "default"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("Uniqueid", uid),
        ("Linkedid", linked),
    ]
    .iter()
    .map(|(k, v)| (format!("{prefix}{k}"), v.to_string()))
    .collect()
}

fn message(event: &str, blocks: &[Vec<(String, String)>], extra: &[(&str, &str)]) -> Message {
    let mut pairs: Vec<(String, String)> = vec![("Event".into(), event.into())];
    for b in blocks {
        pairs.extend(b.iter().cloned());
    }
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Message::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

fn ev(event: &str, blocks: &[Vec<(String, String)>], extra: &[(&str, &str)]) -> Event {
    Event::from_message(message(event, blocks, extra))
}

fn typed<T: FromEvent>(event: &str, blocks: &[Vec<(String, String)>], extra: &[(&str, &str)]) -> T {
    T::from_message(message(event, blocks, extra))
        .unwrap_or_else(|m| panic!("not a {event}: {m:?}"))
}

fn bridge(id: &str, tech: &str) -> Vec<(String, String)> {
    [
        ("BridgeUniqueid", id),
        ("BridgeType", "basic"),
        ("BridgeTechnology", tech),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", "0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn hangup(uid: &str, linked: &str, cause: &str, text: &str) -> Event {
    ev(
        "Hangup",
        &[snap("", uid, linked, 6)],
        &[("Cause", cause), ("Cause-txt", text)],
    )
}

#[test]
fn answer_is_reported_once_per_call_with_event_timestamps() {
    let (mut m, _clock) = model();
    let ts = |s: u64| format!("{}.500000", T0 + s);
    m.apply(&ev(
        "Newchannel",
        &[snap("", "a", "a", 0)],
        &[("Timestamp", &ts(1))],
    ));
    m.apply(&ev(
        "Newchannel",
        &[snap("", "b", "a", 0)],
        &[("Timestamp", &ts(2))],
    ));
    let up = m.apply(&ev(
        "Newstate",
        &[snap("", "b", "a", 6)],
        &[("Timestamp", &ts(5))],
    ));
    let half = Duration::from_millis(500);
    assert_eq!(
        up,
        vec![
            Change::ChannelStateChanged {
                uniqueid: "b".into(),
                from: ChannelState::Down,
                to: ChannelState::Up
            },
            Change::CallAnswered {
                linkedid: "a".into(),
                at: at(5) + half
            },
        ]
    );
    let again = m.apply(&ev(
        "Newstate",
        &[snap("", "a", "a", 6)],
        &[("Timestamp", &ts(6))],
    ));
    assert_eq!(
        again.len(),
        1,
        "a second channel Up is no second answer: {again:?}"
    );
    let ch = m.channel("a").unwrap();
    assert_eq!(ch.answered, Some(at(6) + half));
    assert_eq!(ch.caller_id_num.as_deref(), Some("100"));
    assert_eq!(ch.caller_id_name, None, "<unknown> is no caller ID name");

    m.apply(&ev(
        "Hangup",
        &[snap("", "b", "a", 6)],
        &[
            ("Cause", "16"),
            ("Cause-txt", "Normal Clearing"),
            ("Timestamp", &ts(20)),
        ],
    ));
    let end = m.apply(&ev(
        "Hangup",
        &[snap("", "a", "a", 6)],
        &[
            ("Cause", "17"),
            ("Cause-txt", "User busy"),
            ("Timestamp", &ts(21)),
        ],
    ));
    let ended = end
        .iter()
        .find_map(|c| match c {
            Change::CallEnded {
                cause,
                duration,
                talk_time,
                reason,
                channels,
                ..
            } => Some((
                cause.clone(),
                *duration,
                *talk_time,
                *reason,
                channels.len(),
            )),
            _ => None,
        })
        .expect("the last hangup ends the call");
    // The first hangup's cause; times from the Timestamp headers.
    assert_eq!(
        ended,
        (
            Some(HangupCause::NormalClearing),
            Duration::from_secs(20),
            Some(Duration::from_secs(16)),
            EndReason::Event,
            2
        )
    );
    assert_eq!(m.counts().finished_calls, 1);
    assert_eq!(
        m.call("a").unwrap().cause_text.as_deref(),
        Some("Normal Clearing")
    );
}

#[test]
fn varset_dialplan_and_rename_update_a_known_channel_and_create_no_ghost() {
    let (mut m, _clock) = model();
    m.apply(&ev("Newchannel", &[snap("", "a", "a", 4)], &[]));
    m.apply(&ev(
        "VarSet",
        &[snap("", "a", "a", 4)],
        &[("Variable", "X"), ("Value", "1")],
    ));
    m.apply(&ev(
        "VarSet",
        &[snap("", "a", "a", 4)],
        &[("Variable", "X"), ("Value", "2")],
    ));
    m.apply(&ev(
        "VarSet",
        &[snap("", "a", "a", 4)],
        &[("Variable", "Y"), ("Value", "")],
    ));
    let mut moved = snap("", "a", "a", 4);
    moved.retain(|(k, _)| k != "Context" && k != "Exten" && k != "Priority");
    moved.extend([
        ("Context".into(), "sales".into()),
        ("Exten".into(), "200".into()),
        ("Priority".into(), "3".into()),
    ]);
    m.apply(&ev(
        "Newexten",
        &[moved],
        &[("Application", "Dial"), ("AppData", "PJSIP/200")],
    ));
    let renamed = m.apply(&ev(
        "Rename",
        &[],
        &[
            ("Channel", "PJSIP/a"),
            ("Newname", "PJSIP/a<ZOMBIE>"),
            ("Uniqueid", "a"),
        ],
    ));
    assert_eq!(renamed.len(), 1);
    let ch = m.channel("a").unwrap();
    assert_eq!(ch.variables.get("X").map(|v| v.as_str()), Some("2"));
    assert_eq!(ch.variables.get("Y").map(|v| v.as_str()), Some(""));
    assert_eq!(ch.context.as_deref(), Some("sales"));
    assert_eq!(ch.exten.as_deref(), Some("200"));
    assert_eq!(ch.priority, Some(3));
    assert_eq!(ch.application.as_deref(), Some("Dial"));
    assert_eq!(ch.name, "PJSIP/a<ZOMBIE>");
    assert_eq!(m.call("a").unwrap().channel_names()[0], "PJSIP/a<ZOMBIE>");

    // Events about channels never created change nothing and create nothing.
    for e in [
        ev(
            "VarSet",
            &[snap("", "z", "z", 6)],
            &[("Variable", "X"), ("Value", "1")],
        ),
        ev("Newstate", &[snap("", "z", "z", 6)], &[]),
        hangup("z", "z", "16", "Normal Clearing"),
        ev(
            "BridgeEnter",
            &[bridge("br", "simple_bridge"), snap("", "z", "z", 6)],
            &[],
        ),
    ] {
        let changes = m.apply(&e);
        assert!(
            changes.iter().all(|c| !matches!(
                c,
                Change::ChannelCreated { .. }
                    | Change::CallStarted { .. }
                    | Change::CallEnded { .. }
            )),
            "{changes:?}"
        );
    }
    assert!(m.channel("z").is_none());
    assert_eq!(m.counts().channels, 1);
    assert_eq!(m.counts().active_calls, 1);
}

#[test]
fn bridges_track_members_type_and_technology() {
    let (mut m, _clock) = model();
    m.apply(&ev("Newchannel", &[snap("", "a", "a", 6)], &[]));
    m.apply(&ev("Newchannel", &[snap("", "b", "a", 6)], &[]));
    let created = m.apply(&ev("BridgeCreate", &[bridge("br", "simple_bridge")], &[]));
    assert_eq!(
        created,
        vec![Change::BridgeCreated {
            id: "br".into(),
            origin: Origin::Event
        }]
    );
    m.apply(&ev(
        "BridgeEnter",
        &[bridge("br", "simple_bridge"), snap("", "a", "a", 6)],
        &[],
    ));
    m.apply(&ev(
        "BridgeEnter",
        &[bridge("br", "softmix"), snap("", "b", "a", 6)],
        &[],
    ));
    let b = m.bridge("br").unwrap();
    assert_eq!(b.members.len(), 2);
    assert_eq!(b.bridge_type.as_deref(), Some("basic"));
    assert_eq!(
        b.technology.as_deref(),
        Some("softmix"),
        "follows the technology change"
    );
    assert_eq!(m.channel("a").unwrap().bridge.as_deref(), Some("br"));

    let left = m.apply(&ev(
        "BridgeLeave",
        &[bridge("br", "softmix"), snap("", "a", "a", 6)],
        &[],
    ));
    assert_eq!(
        left,
        vec![Change::BridgeLeft {
            bridge: "br".into(),
            uniqueid: "a".into()
        }]
    );
    assert_eq!(m.channel("a").unwrap().bridge, None);
    // A channel hanging up inside a bridge leaves it.
    let gone = m.apply(&hangup("b", "a", "16", "Normal Clearing"));
    assert!(gone.contains(&Change::BridgeLeft {
        bridge: "br".into(),
        uniqueid: "b".into()
    }));
    assert!(m.bridge("br").unwrap().members.is_empty());
    let destroyed = m.apply(&ev("BridgeDestroy", &[bridge("br", "softmix")], &[]));
    assert_eq!(
        destroyed,
        vec![Change::BridgeDestroyed {
            id: "br".into(),
            reason: EndReason::Event
        }]
    );
    assert_eq!(m.counts().bridges, 0);
}

#[test]
fn finished_calls_are_dropped_but_a_short_history() {
    let clock = Arc::new(ManualClock::new(at(0)));
    let mut m = LiveModel::with_clock(clock).history(2);
    for i in 0..5 {
        let id = format!("c{i}");
        m.apply(&ev("Newchannel", &[snap("", &id, &id, 6)], &[]));
        m.apply(&hangup(&id, &id, "16", "Normal Clearing"));
    }
    let recent: Vec<String> = m.recent_calls().map(|c| c.linkedid.to_string()).collect();
    assert_eq!(recent, ["c3", "c4"]);
    assert!(m.call("c0").is_none());
    assert_eq!(m.counts().finished_calls, 5);
    assert_eq!(m.counts().active_calls, 0);
}

#[test]
fn resync_reports_what_ended_and_appeared_in_the_gap_without_ghosts() {
    let (mut m, clock) = model();
    // Before the gap: call a (channels a1, a2), call c (c1 ringing, c2 up),
    // bridge old with a1.
    m.apply(&ev("Newchannel", &[snap("", "a1", "a1", 6)], &[]));
    m.apply(&ev("Newchannel", &[snap("", "a2", "a1", 6)], &[]));
    m.apply(&ev("Newchannel", &[snap("", "c1", "c1", 5)], &[]));
    m.apply(&ev("Newchannel", &[snap("", "c2", "c1", 5)], &[]));
    m.apply(&ev("BridgeCreate", &[bridge("old", "simple_bridge")], &[]));
    m.apply(&ev(
        "BridgeEnter",
        &[bridge("old", "simple_bridge"), snap("", "a1", "a1", 6)],
        &[],
    ));
    clock.advance(Duration::from_secs(60));

    // After: a is gone, c1 hung up but c2 answered, d appeared 5 s ago, bridge
    // new holds c2 and d.
    let channels: Vec<CoreShowChannel> = vec![
        typed(
            "CoreShowChannel",
            &[snap("", "c2", "c1", 6)],
            &[
                ("Duration", "00:01:00"),
                ("BridgeId", "new"),
                ("Application", "Dial"),
            ],
        ),
        typed(
            "CoreShowChannel",
            &[snap("", "d", "d", 6)],
            &[
                ("Duration", "00:00:05"),
                ("BridgeId", "new"),
                ("Application", "Queue"),
            ],
        ),
    ];
    let listed: BridgeListItem = typed("BridgeListItem", &[bridge("new", "simple_bridge")], &[]);
    let members: Vec<BridgeInfoChannel> = vec![
        typed("BridgeInfoChannel", &[snap("", "c2", "c1", 6)], &[]),
        typed("BridgeInfoChannel", &[snap("", "d", "d", 6)], &[]),
    ];
    let snapshot = ServerSnapshot::from_lists(&channels, [(&listed, Some(&members[..]))]);
    let changes = m.resync(&snapshot, ResyncReason::Reconnected);

    let gone: Vec<(&str, Option<HangupCause>, EndReason)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::ChannelGone {
                uniqueid,
                cause,
                reason,
                ..
            } => Some((uniqueid.as_str(), cause.clone(), *reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        gone,
        [
            ("a1", None, EndReason::WhileDisconnected),
            ("a2", None, EndReason::WhileDisconnected),
            ("c1", None, EndReason::WhileDisconnected),
        ]
    );
    let ended: Vec<_> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CallEnded {
                linkedid,
                cause,
                reason,
                ..
            } => Some((linkedid.as_str(), cause.clone(), *reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ended,
        [("a1", None, EndReason::WhileDisconnected)],
        "c goes on: c2 is up"
    );
    assert!(changes.contains(&Change::CallStarted {
        linkedid: "d".into(),
        at: at(55),
        origin: Origin::Resync
    }));
    assert!(changes.contains(&Change::CallAnswered {
        linkedid: "c1".into(),
        at: at(60)
    }));
    assert!(changes.contains(&Change::BridgeDestroyed {
        id: "old".into(),
        reason: EndReason::WhileDisconnected
    }));
    assert!(changes.contains(&Change::BridgeCreated {
        id: "new".into(),
        origin: Origin::Resync
    }));
    assert_eq!(
        changes.last(),
        Some(&Change::Resynced {
            reason: ResyncReason::Reconnected,
            channels: 2,
            bridges: 1
        })
    );

    // The model is exactly the snapshot: no ghost of a1, a2, c1 or old.
    let uids: Vec<&str> = m.channels().map(|c| c.uniqueid.as_str()).collect();
    assert_eq!(uids, ["c2", "d"]);
    let new = m.bridge("new").unwrap();
    assert_eq!(
        new.members.iter().map(|u| u.as_str()).collect::<Vec<_>>(),
        ["c2", "d"]
    );
    assert_eq!(m.channel("d").unwrap().bridge.as_deref(), Some("new"));
    assert_eq!(m.channel("d").unwrap().created, at(55));
    assert_eq!(
        m.channel("d").unwrap().application.as_deref(),
        Some("Queue")
    );
    assert_eq!(m.counts().active_calls, 2);

    // A second resync with nothing changed reports nothing but itself.
    let quiet = m.resync(&snapshot, ResyncReason::EventsLost);
    assert_eq!(quiet.len(), 1, "{quiet:?}");

    // After lost events, what is found gone says so.
    let empty = ServerSnapshot::default();
    let after_lag = m.resync(&empty, ResyncReason::EventsLost);
    assert!(after_lag.iter().any(|c| matches!(
        c,
        Change::CallEnded {
            reason: EndReason::WhileEventsLost,
            cause: None,
            ..
        }
    )));
    assert_eq!(m.counts().channels, 0);
    assert_eq!(m.counts().bridges, 0);
}

#[test]
fn a_channel_given_an_older_linkedid_moves_to_that_call() {
    let (mut m, _clock) = model();
    m.apply(&ev("Newchannel", &[snap("", "a", "a", 6)], &[]));
    m.apply(&ev("Newchannel", &[snap("", "b", "b", 6)], &[]));
    m.apply(&ev("BridgeCreate", &[bridge("br", "simple_bridge")], &[]));
    m.apply(&ev(
        "BridgeEnter",
        &[bridge("br", "simple_bridge"), snap("", "a", "a", 6)],
        &[],
    ));
    // A basic bridge gives b the oldest Linkedid of its channels: a's.
    let changes = m.apply(&ev(
        "BridgeEnter",
        &[bridge("br", "simple_bridge"), snap("", "b", "a", 6)],
        &[],
    ));
    assert!(changes.contains(&Change::ChannelMoved {
        uniqueid: "b".into(),
        from: "b".into(),
        to: "a".into()
    }));
    let merged = changes.iter().find_map(|c| match c {
        Change::CallEnded {
            linkedid,
            reason,
            cause,
            merged_into,
            ..
        } => Some((
            linkedid.as_str(),
            *reason,
            cause.clone(),
            merged_into.clone(),
        )),
        _ => None,
    });
    // The merged call says which call it went on as.
    assert_eq!(
        merged,
        Some(("b", EndReason::Merged, None, Some("a".into())))
    );
    assert_eq!(m.call("b").unwrap().merged_into.as_deref(), Some("a"));
    assert_eq!(m.surviving_linkedid("b"), "a");
    assert_eq!(m.surviving_linkedid("a"), "a");
    let call = m.call("a").unwrap();
    assert_eq!(call.active.len(), 2);
    assert_eq!(m.counts().active_calls, 1);
    // Both hang up: one call ends, with the first hangup's cause.
    m.apply(&hangup("b", "a", "16", "Normal Clearing"));
    let end = m.apply(&hangup("a", "a", "16", "Normal Clearing"));
    assert!(end.iter().any(|c| matches!(
        c,
        Change::CallEnded { linkedid, reason: EndReason::Event, .. } if linkedid == "a"
    )));
    assert_eq!(m.counts().channels, 0);
}

#[test]
fn a_long_call_keeps_its_first_and_latest_channels_and_counts_them_all() {
    let clock = Arc::new(ManualClock::new(at(0)));
    let mut m = LiveModel::with_clock(clock).call_channels(3);
    // A queue caller, and ten agents rung one after the other.
    m.apply(&ev("Newchannel", &[snap("", "caller", "caller", 6)], &[]));
    for i in 0..10 {
        let agent = format!("agent{i}");
        m.apply(&ev("Newchannel", &[snap("", &agent, "caller", 5)], &[]));
        m.apply(&hangup(&agent, "caller", "19", "User alerting, no answer"));
    }
    let call = m.call("caller").unwrap();
    assert_eq!(call.channel_count, 11);
    let kept: Vec<&str> = call.channels.iter().map(|c| c.uniqueid.as_str()).collect();
    assert_eq!(kept, ["caller", "agent8", "agent9"]);

    let end = m.apply(&hangup("caller", "caller", "16", "Normal Clearing"));
    let ended = end.iter().find_map(|c| match c {
        Change::CallEnded {
            channels,
            channel_count,
            ..
        } => Some((channels.len(), *channel_count)),
        _ => None,
    });
    assert_eq!(ended, Some((3, 11)));
}

#[test]
fn a_channel_keeps_a_bounded_set_of_variables_and_counts_the_rest() {
    let clock = Arc::new(ManualClock::new(at(0)));
    let mut m = LiveModel::with_clock(clock).channel_variables(2);
    m.apply(&ev("Newchannel", &[snap("", "a", "a", 6)], &[]));
    let set = |name: &str, value: &str| {
        ev(
            "VarSet",
            &[snap("", "a", "a", 6)],
            &[("Variable", name), ("Value", value)],
        )
    };
    m.apply(&set("ONE", "1"));
    m.apply(&set("TWO", "2"));
    m.apply(&set("THREE", "3"));
    // A name already kept still takes its new value.
    m.apply(&set("ONE", "uno"));
    let ch = m.channel("a").unwrap();
    let vars: Vec<(&str, &str)> = ch
        .variables
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(vars, [("ONE", "uno"), ("TWO", "2")]);
    assert_eq!(ch.variables_dropped, 1);
}
