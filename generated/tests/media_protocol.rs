//! The generated media protocol reads the control messages chan_websocket
//! writes (plain text and JSON, in the shapes of `_create_event_*` of 22.10.1+
//! and of the 21.12.3 driver) and writes commands as `handle_command` reads
//! them; every event survives encode → decode in both formats.

use asterisk_sdk::media::{
    CommandError, ControlFormat, DtmfEnd, MediaCommand, MediaDecodeError, MediaEncodeError,
    MediaEvent, MediaMarkProcessed, MediaStart, Status, facts,
};

fn decode(text: &str) -> MediaEvent {
    MediaEvent::decode(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

#[test]
fn reads_media_start_of_both_drivers_and_formats() {
    // 22.10.1+ plain text (ast_asprintf in _create_event_MEDIA_START).
    let MediaEvent::MediaStart(s) = decode(
        "MEDIA_START connection_id:7c1d channel:WebSocket/INCOMING/0x7f1 channel_id:1712.4 format:slin16 optimal_frame_size:640 ptime:20",
    ) else {
        panic!("not MEDIA_START");
    };
    assert_eq!(
        (
            s.connection_id.as_str(),
            s.channel.as_str(),
            s.format.as_str()
        ),
        ("7c1d", "WebSocket/INCOMING/0x7f1", "slin16")
    );
    assert_eq!(
        (s.channel_id.as_deref(), s.optimal_frame_size, s.ptime),
        (Some("1712.4"), 640, 20)
    );
    assert_eq!(s.channel_variables, None);
    // 21.12.3 (read_thread_handler): no channel_id.
    let MediaEvent::MediaStart(old) = decode(
        "MEDIA_START connection_id:c1 channel:WebSocket/c1/0x1 format:ulaw optimal_frame_size:160 ptime:20",
    ) else {
        panic!("not MEDIA_START");
    };
    assert_eq!((old.channel_id, old.optimal_frame_size), (None, 160));
    // JSON, with channel variables.
    let MediaEvent::MediaStart(json) = decode(
        r#"{"event":"MEDIA_START","connection_id":"7c1d","channel":"WebSocket/INCOMING/0x7f1","channel_id":"1712.4","format":"ulaw","optimal_frame_size":160,"ptime":20,"channel_variables":{"MEDIA_WEBSOCKET_CONNECTION_ID":"7c1d"}}"#,
    ) else {
        panic!("not MEDIA_START");
    };
    let vars = json.channel_variables.expect("channel variables");
    assert_eq!(
        vars.get(facts::CONNECTION_ID_VARIABLE)
            .and_then(|v| v.as_str()),
        Some("7c1d")
    );
}

#[test]
fn reads_the_other_events() {
    assert!(matches!(decode("MEDIA_XOFF"), MediaEvent::MediaXoff(x) if x.channel_id.is_none()));
    assert!(matches!(
        decode(r#"{"event":"MEDIA_XON","channel_id":"1.2"}"#),
        MediaEvent::MediaXon(x) if x.channel_id.as_deref() == Some("1.2")
    ));
    assert!(matches!(
        decode("QUEUE_DRAINED"),
        MediaEvent::QueueDrained(_)
    ));
    assert!(matches!(
        decode("MEDIA_MARK_PROCESSED prompt 1"),
        MediaEvent::MediaMarkProcessed(m) if m.correlation_id.as_deref() == Some("prompt 1")
    ));
    assert!(matches!(
        decode(r#"{"event":"MEDIA_MARK_PROCESSED","channel_id":"1.2","correlation_id":""}"#),
        MediaEvent::MediaMarkProcessed(m) if m.correlation_id.is_none()
    ));
    assert!(matches!(
        decode("MEDIA_BUFFERING_COMPLETED"),
        MediaEvent::MediaBufferingCompleted(b) if b.correlation_id.is_none()
    ));
    assert!(
        matches!(decode("DTMF_END digit:5"), MediaEvent::DtmfEnd(d) if d.digit == '5' && d.channel_id.is_none())
    );
    assert!(matches!(
        decode(r##"{"event":"DTMF_END","channel_id":"1.2","digit":"#"}"##),
        MediaEvent::DtmfEnd(d) if d.digit == '#'
    ));
    let MediaEvent::Status(s) = decode(
        "STATUS channel_id:1.2 queue_length:12 xon_level:800 xoff_level:900 queue_full:false bulk_media:true media_paused:false",
    ) else {
        panic!("not STATUS");
    };
    assert_eq!((s.queue_length, s.xon_level, s.xoff_level), (12, 800, 900));
    assert_eq!(
        (s.queue_full, s.bulk_media, s.media_paused),
        (false, true, false)
    );
    let MediaEvent::CommandError(e) =
        decode("ERROR channel_id:1.2 error_text:MARK_MEDIA not supported in passthrough mode")
    else {
        panic!("not ERROR");
    };
    assert_eq!(e.error_text, "MARK_MEDIA not supported in passthrough mode");
    let MediaEvent::Unknown(raw) = decode("MEDIA_SOMETHING_NEW x:1") else {
        panic!("not Unknown");
    };
    assert_eq!(
        (raw.name.as_str(), raw.text.as_str()),
        ("MEDIA_SOMETHING_NEW", "MEDIA_SOMETHING_NEW x:1")
    );
}

#[test]
fn bad_fields_are_named() {
    let e = MediaEvent::decode("STATUS queue_length:12 xon_level:800 xoff_level:900 queue_full:yes bulk_media:true media_paused:false")
        .expect_err("queue_full:yes accepted");
    assert!(
        matches!(
            e,
            MediaDecodeError::InvalidField {
                field: "queue_full",
                ..
            }
        ),
        "{e}"
    );
    let e = MediaEvent::decode(r#"{"event":"MEDIA_START","connection_id":"x"}"#)
        .expect_err("partial start");
    assert!(
        matches!(
            e,
            MediaDecodeError::MissingField {
                field: "channel",
                ..
            }
        ),
        "{e}"
    );
    let e = MediaEvent::decode(r#"{"event":"DTMF_END","digit":"12"}"#).expect_err("two digits");
    assert!(
        matches!(e, MediaDecodeError::InvalidField { field: "digit", .. }),
        "{e}"
    );
    assert_eq!(MediaEvent::decode(""), Err(MediaDecodeError::Empty));
}

#[test]
fn every_event_survives_both_formats() {
    let mut start = MediaStart::default();
    start.connection_id = "c".into();
    start.channel = "WebSocket/INCOMING/0x1".into();
    start.channel_id = Some("1.1".into());
    start.format = "ulaw".into();
    start.optimal_frame_size = 160;
    start.ptime = 20;
    let mut mark = MediaMarkProcessed::default();
    mark.correlation_id = Some("m 1".into());
    mark.channel_id = Some("1.1".into());
    let mut dtmf = DtmfEnd::default();
    dtmf.digit = '*';
    dtmf.channel_id = Some("1.1".into());
    let mut status = Status::default();
    status.channel_id = Some("1.1".into());
    status.queue_length = 901;
    status.queue_full = true;
    let mut error = CommandError::default();
    error.channel_id = "1.1".into();
    error.error_text = "FLUSH_MEDIA not supported in passthrough mode".into();
    let events = [
        MediaEvent::MediaStart(start),
        MediaEvent::MediaMarkProcessed(mark),
        MediaEvent::DtmfEnd(dtmf),
        MediaEvent::Status(status),
        MediaEvent::CommandError(error),
    ];
    for event in events {
        for format in [ControlFormat::PlainText, ControlFormat::Json] {
            let text = event.encode(format);
            assert_eq!(ControlFormat::of_message(&text), format, "{text}");
            let back = MediaEvent::decode(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let mut expected = event.clone();
            // JSON alone carries channel_id on MARK_PROCESSED.
            if let (MediaEvent::MediaMarkProcessed(m), ControlFormat::PlainText) =
                (&mut expected, format)
            {
                m.channel_id = None;
            }
            assert_eq!(back, expected, "{text}");
        }
    }
}

#[test]
fn writes_commands_as_asterisk_reads_them() {
    let text = |c: &MediaCommand| c.encode(ControlFormat::PlainText);
    let json = |c: &MediaCommand| c.encode(ControlFormat::Json);
    assert_eq!(text(&MediaCommand::Answer).as_deref(), Ok("ANSWER"));
    assert_eq!(
        json(&MediaCommand::FlushMedia).as_deref(),
        Ok(r#"{"command":"FLUSH_MEDIA"}"#)
    );
    let mark = MediaCommand::MarkMedia {
        correlation_id: "intro".into(),
    };
    assert_eq!(text(&mark).as_deref(), Ok("MARK_MEDIA intro"));
    assert_eq!(
        json(&mark).as_deref(),
        Ok(r#"{"command":"MARK_MEDIA","correlation_id":"intro"}"#)
    );
    let stop = MediaCommand::StopMediaBuffering {
        correlation_id: None,
    };
    assert_eq!(text(&stop).as_deref(), Ok("STOP_MEDIA_BUFFERING"));
    let direction = MediaCommand::SetMediaDirection {
        direction: "in".into(),
    };
    assert_eq!(
        text(&direction),
        Err(MediaEncodeError::JsonOnly {
            command: "SET_MEDIA_DIRECTION"
        })
    );
    let long = MediaCommand::MarkMedia {
        correlation_id: "x".repeat(facts::MAX_TEXT_MESSAGE_LEN),
    };
    assert!(matches!(
        text(&long),
        Err(MediaEncodeError::TooLong { max: 128, .. })
    ));
    assert_eq!(MediaCommand::decode("MARK_MEDIA intro"), Ok(mark.clone()));
    assert_eq!(MediaCommand::decode(&json(&mark).expect("json")), Ok(mark));
    assert_eq!(
        MediaCommand::decode("NEW_THING 1"),
        Ok(MediaCommand::Raw("NEW_THING 1".into()))
    );
    assert_eq!(MediaCommand::GetStatus.releases(), facts::RELEASES);
    assert!(!direction.releases().contains(&"21.12.3"));
    assert!(
        facts::format_releases(ControlFormat::Json)
            .iter()
            .all(|r| *r != "21.12.3")
    );
}

#[test]
fn commands_guarded_in_passthrough_mode_say_so() {
    // handle_command's ERROR_ON_PASSTHROUGH_MODE_RTN guard (chan_websocket.c).
    for text in [
        "START_MEDIA_BUFFERING",
        "STOP_MEDIA_BUFFERING",
        "MARK_MEDIA m1",
        "FLUSH_MEDIA",
        "REPORT_QUEUE_DRAINED",
        "PAUSE_MEDIA",
        "CONTINUE_MEDIA",
    ] {
        let command = MediaCommand::decode(text).unwrap();
        assert!(command.refused_in_passthrough(), "{text}");
    }
    for text in ["ANSWER", "HANGUP", "GET_STATUS", "SOMETHING_NEW"] {
        let command = MediaCommand::decode(text).unwrap();
        assert!(!command.refused_in_passthrough(), "{text}");
    }
}
