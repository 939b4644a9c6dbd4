//! What the mock remembers: channels, bridges and playbacks, and their JSON
//! shapes (the models of the real capture).

use super::json::{Obj, now};
use std::collections::BTreeMap;

/// A channel of the mock.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) state: String,
    pub(crate) caller_name: String,
    pub(crate) caller_number: String,
    pub(crate) context: String,
    pub(crate) exten: String,
    pub(crate) app_name: String,
    pub(crate) app_data: String,
    pub(crate) creationtime: String,
    /// The Stasis application that controls it, if any.
    pub(crate) app: Option<String>,
    pub(crate) variables: BTreeMap<String, String>,
}

impl Channel {
    pub(crate) fn json(&self) -> String {
        let party = |name: &str, number: &str| {
            Obj::new()
                .field("name", name)
                .field("number", number)
                .finish()
        };
        Obj::new()
            .field("id", &self.id)
            .field("name", &self.name)
            .field("state", &self.state)
            .field("protocol_id", "")
            .raw("caller", &party(&self.caller_name, &self.caller_number))
            .raw("connected", &party(&self.caller_name, &self.caller_number))
            .field("accountcode", "")
            .raw(
                "dialplan",
                &Obj::new()
                    .field("context", &self.context)
                    .field("exten", &self.exten)
                    .field("priority", 1)
                    .field("app_name", &self.app_name)
                    .field("app_data", &self.app_data)
                    .finish(),
            )
            .field("creationtime", &self.creationtime)
            .field("language", "en")
            .finish()
    }
}

/// A playback of the mock.
#[derive(Debug, Clone)]
pub(crate) struct Playback {
    pub(crate) id: String,
    pub(crate) media_uri: String,
    pub(crate) target_uri: String,
    pub(crate) state: String,
    pub(crate) app: Option<String>,
}

impl Playback {
    pub(crate) fn json(&self) -> String {
        Obj::new()
            .field("id", &self.id)
            .field("media_uri", &self.media_uri)
            .field("target_uri", &self.target_uri)
            .field("language", "en")
            .field("state", &self.state)
            .finish()
    }
}

/// A bridge of the mock.
#[derive(Debug, Clone)]
pub(crate) struct Bridge {
    pub(crate) id: String,
    pub(crate) bridge_type: String,
    pub(crate) name: String,
    pub(crate) channels: Vec<String>,
    pub(crate) creationtime: String,
}

impl Bridge {
    pub(crate) fn json(&self) -> String {
        Obj::new()
            .field("id", &self.id)
            .field("technology", "simple_bridge")
            .field("bridge_type", &self.bridge_type)
            .field("bridge_class", "stasis")
            .field("creator", "Stasis")
            .field("name", &self.name)
            .field("channels", &self.channels)
            .field("creationtime", &self.creationtime)
            .field("video_mode", "none")
            .finish()
    }
}

/// Everything the mock remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) channels: BTreeMap<String, Channel>,
    pub(crate) playbacks: BTreeMap<String, Playback>,
    pub(crate) bridges: BTreeMap<String, Bridge>,
    next: u64,
    epoch: u64,
}

impl State {
    /// A fresh unique id like Asterisk's `1795727858.4`.
    pub(crate) fn unique_id(&mut self) -> String {
        if self.epoch == 0 {
            self.epoch = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(1);
        }
        self.next += 1;
        format!("{}.{}", self.epoch, self.next)
    }

    /// A fresh number (for ids that are not unique ids).
    pub(crate) fn next_id(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// A new channel for `endpoint` (e.g. `Local/100@default`, `PJSIP/alice`).
    pub(crate) fn new_channel(
        &mut self,
        id: Option<String>,
        endpoint: &str,
        caller_id: &str,
    ) -> Channel {
        let id = id.unwrap_or_else(|| self.unique_id());
        let (caller_name, caller_number) = parse_caller_id(caller_id);
        let n = self.next;
        Channel {
            name: format!("{endpoint}-{n:08x}"),
            id,
            state: "Down".into(),
            caller_name,
            caller_number,
            context: "default".into(),
            exten: "s".into(),
            app_name: String::new(),
            app_data: String::new(),
            creationtime: now(),
            app: None,
            variables: BTreeMap::new(),
        }
    }
}

/// `"ARI Test <5555>"` → `("ARI Test", "5555")`; a bare number is the number.
fn parse_caller_id(s: &str) -> (String, String) {
    match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => (
            s[..a].trim().trim_matches('"').to_string(),
            s[a + 1..b].to_string(),
        ),
        _ if s.chars().all(|c| c.is_ascii_digit() || c == '+') => (String::new(), s.to_string()),
        _ => (s.to_string(), String::new()),
    }
}
