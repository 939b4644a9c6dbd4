//! Which calls an ARI event concerns: its routing keys, written as ARI target
//! URIs (`channel:<id>`, `bridge:<id>`), the form Asterisk itself uses in a
//! playback's or recording's `target_uri`.
//!
//! A call's route has the key of its channel, plus the key of every bridge it
//! created through [`Call::create_bridge`](super::Call::create_bridge). Events
//! that name no channel or bridge (application, endpoint, device events)
//! concern no call.

use crate::ari::AriEvent;
use crate::ari::models::{Bridge, Channel};

/// The routing key of a channel.
pub(crate) fn channel_key(id: &str) -> String {
    format!("channel:{id}")
}

/// The routing key of a bridge.
pub(crate) fn bridge_key(id: &str) -> String {
    format!("bridge:{id}")
}

/// The keys `event` is routed by (possibly several: a `Dial` concerns caller
/// and peer; a channel entering a bridge concerns the channel and the bridge).
pub(crate) fn keys(event: &AriEvent) -> Vec<String> {
    let mut keys = Keys::default();
    match event {
        AriEvent::StasisStart(e) => keys.channel(&e.channel),
        AriEvent::StasisEnd(e) => keys.channel(&e.channel),
        AriEvent::ApplicationMoveFailed(e) => keys.channel(&e.channel),
        AriEvent::CallBroadcast(e) => keys.channel(&e.channel),
        AriEvent::CallClaimed(e) => keys.channel(&e.channel),
        AriEvent::ChannelCallerId(e) => keys.channel(&e.channel),
        AriEvent::ChannelConnectedLine(e) => keys.channel(&e.channel),
        AriEvent::ChannelCreated(e) => keys.channel(&e.channel),
        AriEvent::ChannelDestroyed(e) => keys.channel(&e.channel),
        AriEvent::ChannelDialplan(e) => keys.channel(&e.channel),
        AriEvent::ChannelDtmfReceived(e) => keys.channel(&e.channel),
        AriEvent::ChannelHangupRequest(e) => keys.channel(&e.channel),
        AriEvent::ChannelHold(e) => keys.channel(&e.channel),
        AriEvent::ChannelUnhold(e) => keys.channel(&e.channel),
        AriEvent::ChannelStateChange(e) => keys.channel(&e.channel),
        AriEvent::ChannelTalkingStarted(e) => keys.channel(&e.channel),
        AriEvent::ChannelTalkingFinished(e) => keys.channel(&e.channel),
        AriEvent::ChannelToneDetected(e) => keys.channel(&e.channel),
        AriEvent::ChannelVarset(e) => keys.channel_opt(&e.channel),
        AriEvent::ChannelEnteredBridge(e) => {
            keys.channel_opt(&e.channel);
            keys.bridge(&e.bridge);
        }
        AriEvent::ChannelLeftBridge(e) => {
            keys.channel(&e.channel);
            keys.bridge(&e.bridge);
        }
        AriEvent::ChannelUserevent(e) => {
            keys.channel_opt(&e.channel);
            if let Some(b) = &e.bridge {
                keys.bridge(b);
            }
        }
        AriEvent::ChannelTransfer(e) => {
            keys.channel(&e.referred_by.source_channel);
            keys.channel_opt(&e.referred_by.connected_channel);
            keys.channel_opt(&e.refer_to.destination_channel);
            keys.channel_opt(&e.refer_to.connected_channel);
        }
        AriEvent::Dial(e) => {
            keys.channel_opt(&e.caller);
            keys.channel(&e.peer);
        }
        AriEvent::BridgeCreated(e) => keys.bridge(&e.bridge),
        AriEvent::BridgeDestroyed(e) => keys.bridge(&e.bridge),
        AriEvent::BridgeMerged(e) => keys.bridge(&e.bridge),
        AriEvent::BridgeVideoSourceChanged(e) => keys.bridge(&e.bridge),
        AriEvent::BridgeBlindTransfer(e) => {
            keys.channel(&e.channel);
            keys.channel_opt(&e.transferee);
            keys.channel_opt(&e.replace_channel);
            if let Some(b) = &e.bridge {
                keys.bridge(b);
            }
        }
        AriEvent::BridgeAttendedTransfer(e) => {
            keys.channel(&e.transferer_first_leg);
            keys.channel(&e.transferer_second_leg);
            keys.channel_opt(&e.transferee);
            keys.channel_opt(&e.transfer_target);
            keys.channel_opt(&e.replace_channel);
        }
        AriEvent::PlaybackStarted(e) => keys.uri(&e.playback.target_uri),
        AriEvent::PlaybackContinuing(e) => keys.uri(&e.playback.target_uri),
        AriEvent::PlaybackFinished(e) => keys.uri(&e.playback.target_uri),
        AriEvent::RecordingStarted(e) => keys.uri(&e.recording.target_uri),
        AriEvent::RecordingFinished(e) => keys.uri(&e.recording.target_uri),
        AriEvent::RecordingFailed(e) => keys.uri(&e.recording.target_uri),
        AriEvent::Unknown(raw) => keys.raw(raw),
        _ => {}
    }
    keys.0
}

#[derive(Default)]
struct Keys(Vec<String>);

impl Keys {
    fn channel(&mut self, c: &Channel) {
        self.0.push(channel_key(&c.id));
    }

    fn channel_opt(&mut self, c: &Option<Channel>) {
        if let Some(c) = c {
            self.channel(c);
        }
    }

    fn bridge(&mut self, b: &Bridge) {
        self.0.push(bridge_key(&b.id));
    }

    fn uri(&mut self, target_uri: &str) {
        self.0.push(target_uri.to_string());
    }

    /// A message this SDK could not type: its `channel.id`, `bridge.id` and
    /// `playback` / `recording` target, when present.
    fn raw(&mut self, raw: &serde_json::Value) {
        let text = |path: &[&str]| {
            path.iter()
                .try_fold(raw, |v, k| v.get(k))
                .and_then(serde_json::Value::as_str)
        };
        if let Some(id) = text(&["channel", "id"]) {
            self.0.push(channel_key(id));
        }
        if let Some(id) = text(&["bridge", "id"]) {
            self.0.push(bridge_key(id));
        }
        for target in [["playback", "target_uri"], ["recording", "target_uri"]] {
            if let Some(uri) = text(&target) {
                self.0.push(uri.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> AriEvent {
        AriEvent::from_slice(json.as_bytes()).expect("a valid event")
    }

    const CHANNEL: &str = r#"{"id":"c1","name":"PJSIP/a-1","state":"Up","protocol_id":"","caller":{"name":"","number":""},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"default","exten":"s","priority":1,"app_name":"Stasis","app_data":"app"},"creationtime":"2026-01-01T00:00:00.000+0000","language":"en"}"#;

    #[test]
    fn channel_events_go_to_their_channel() {
        let e = event(&format!(
            r#"{{"type":"ChannelDtmfReceived","timestamp":"2026-01-01T00:00:00.000+0000","digit":"5","duration_ms":100,"channel":{CHANNEL},"application":"app"}}"#
        ));
        assert_eq!(keys(&e), ["channel:c1"]);
    }

    #[test]
    fn playbacks_go_to_their_target() {
        let e = event(
            r#"{"type":"PlaybackFinished","timestamp":"2026-01-01T00:00:00.000+0000","playback":{"id":"p1","media_uri":"sound:x","target_uri":"channel:c9","language":"en","state":"done"},"application":"app"}"#,
        );
        assert_eq!(keys(&e), ["channel:c9"]);
    }

    #[test]
    fn bridge_membership_concerns_channel_and_bridge() {
        let bridge = r#"{"id":"b1","technology":"simple_bridge","bridge_type":"mixing","bridge_class":"stasis","creator":"Stasis","name":"","channels":["c1"],"creationtime":"2026-01-01T00:00:00.000+0000","video_mode":"none"}"#;
        let e = event(&format!(
            r#"{{"type":"ChannelEnteredBridge","timestamp":"2026-01-01T00:00:00.000+0000","bridge":{bridge},"channel":{CHANNEL},"application":"app"}}"#
        ));
        assert_eq!(keys(&e), ["channel:c1", "bridge:b1"]);
    }

    #[test]
    fn unknown_messages_are_routed_by_what_they_name() {
        let e = event(r#"{"type":"ChannelFutureThing","channel":{"id":"c7"},"application":"app"}"#);
        assert_eq!(keys(&e), ["channel:c7"]);
        let e = event(
            r#"{"type":"ApplicationRegistered","application":"app","timestamp":"2026-01-01T00:00:00.000+0000"}"#,
        );
        assert!(keys(&e).is_empty());
    }
}
