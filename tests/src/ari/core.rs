//! The mock's behaviour: one request in, one [`Reply`] out, plus the events it
//! causes (sent after the reply, like Asterisk does), for HTTP and REST over
//! WebSocket alike.

use super::json::{Obj, event, message, now};
use super::routes::{self, Matched, NoMatch};
use super::sessions::Sessions;
use super::state::{Bridge, Channel, Playback, State};
use crate::media::{MockMediaConfig, MockMediaHandle};
use asterisk_sdk::media::facts::{CONNECTION_ID_VARIABLE, OPTIMAL_FRAME_SIZE_VARIABLE};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// A request below `/ari`, decoded.
#[derive(Debug, Default)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// Decoded path segments below `/ari` (`["channels", "c1", "answer"]`).
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Option<serde_json::Value>,
}

impl Request {
    /// A parameter from the query, then from a JSON object body.
    fn param(&self, name: &str) -> Option<String> {
        if let Some((_, v)) = self.query.iter().find(|(n, _)| n == name) {
            return Some(v.clone());
        }
        match self.body.as_ref()?.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
}

/// A response: status and optional JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<String>,
}

impl Reply {
    fn json(status: u16, body: String) -> Self {
        Reply {
            status,
            body: Some(body),
        }
    }
    fn error(status: u16, text: &str) -> Self {
        Reply::json(status, message(text))
    }
    fn no_content() -> Self {
        Reply {
            status: 204,
            body: None,
        }
    }
}

/// HTTP reason phrase of a status.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        422 => "Unprocessable Entity",
        426 => "Upgrade Required",
        501 => "Not Implemented",
        _ => "Internal Server Error",
    }
}

/// Settings the core needs.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    pub(crate) playback: Duration,
}

/// Shared state of one mock server.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) state: Mutex<State>,
    /// Media peers of WebSocket `externalMedia` channels, by connection id.
    pub(crate) media: Mutex<BTreeMap<String, MediaPeer>>,
    /// Settings every new media peer starts from.
    pub(crate) media_template: MockMediaConfig,
    pub(crate) sessions: Mutex<Sessions>,
    pub(crate) timing: Timing,
    /// What `GET /asterisk/info` reports as `system.version`.
    pub(crate) version: String,
}

/// The media peer of one WebSocket `externalMedia` channel.
#[derive(Debug, Clone)]
pub(crate) struct MediaPeer {
    pub(crate) channel_id: String,
    pub(crate) handle: MockMediaHandle,
}

/// Events to send once the reply is out: `(application, message)`.
pub(crate) type Events = Vec<(String, String)>;

impl Core {
    pub(crate) fn new(timing: Timing, version: String, media: MockMediaConfig) -> Arc<Self> {
        Arc::new(Core {
            state: Mutex::new(State::default()),
            media: Mutex::new(BTreeMap::new()),
            media_template: media,
            sessions: Mutex::new(Sessions::default()),
            timing,
            version,
        })
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn media(&self) -> MutexGuard<'_, BTreeMap<String, MediaPeer>> {
        self.media.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Deliver events to the sockets of their applications.
    pub(crate) fn emit(&self, events: Events) {
        let sessions = self.sessions();
        for (app, text) in events {
            sessions.send(&app, text);
        }
    }

    /// Handle one request: the reply and the events it causes.
    pub(crate) fn handle(self: &Arc<Self>, req: &Request) -> (Reply, Events) {
        let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        let m = match routes::find(&req.method, &segments) {
            Ok(m) => m,
            Err(NoMatch::NotFound) => return (Reply::error(404, "Resource not found"), Vec::new()),
            Err(NoMatch::Method) => return (Reply::error(405, "Invalid method"), Vec::new()),
        };
        for p in m.required_params() {
            let present = match p.location {
                "query" => req.param(p.name).is_some(),
                "body" => req.body.as_ref().and_then(|b| b.get(p.name)).is_some(),
                _ => true,
            };
            if !present {
                let text = format!("Missing required parameter: {}", p.name);
                return (Reply::error(400, &text), Vec::new());
            }
        }
        let mut events = Vec::new();
        let reply = self.dispatch(&m, req, &mut events);
        (reply, events)
    }

    fn dispatch(self: &Arc<Self>, m: &Matched, req: &Request, ev: &mut Events) -> Reply {
        let op = (m.op.resource, m.op.nickname);
        match op {
            ("asterisk", "ping") => Reply::json(
                200,
                Obj::new()
                    .field("asterisk_id", super::json::ASTERISK_ID)
                    .field("ping", "pong")
                    .field("timestamp", now())
                    .finish(),
            ),
            ("asterisk", "getInfo") => {
                let system = Obj::new()
                    .field("version", &self.version)
                    .field("entity_id", "02:fc:00:00:00:01")
                    .finish();
                Reply::json(200, Obj::new().raw("system", &system).finish())
            }
            ("asterisk", "getGlobalVar") => Reply::json(200, r#"{"value":""}"#.into()),
            ("asterisk", "setGlobalVar") => Reply::no_content(),
            ("applications", "list") => {
                let apps: Vec<String> =
                    self.sessions().apps().iter().map(|a| app_json(a)).collect();
                Reply::json(200, format!("[{}]", apps.join(",")))
            }
            ("applications", "get") => {
                let name = m.path("applicationName");
                if self.sessions().apps().iter().any(|a| a == name) {
                    Reply::json(200, app_json(name))
                } else {
                    Reply::error(404, "Application not found")
                }
            }
            ("channels", "list") => {
                let st = self.state();
                let all: Vec<String> = st.channels.values().map(Channel::json).collect();
                Reply::json(200, format!("[{}]", all.join(",")))
            }
            ("channels", "originate") => self.originate(None, req, ev),
            ("channels", "externalMedia") => self.external_media(req, ev),
            ("channels", "originateWithId") => {
                self.originate(Some(m.path("channelId").to_string()), req, ev)
            }
            ("channels", "get") => self.with_channel(m, |c| Reply::json(200, c.json())),
            ("channels", "hangup") => self.hangup(m.path("channelId"), ev),
            ("channels", "answer") => self.answer(m.path("channelId"), ev),
            ("channels", "continueInDialplan") => {
                let mut st = self.state();
                let Some(c) = st.channels.get_mut(m.path("channelId")) else {
                    return Reply::error(404, "Channel not found");
                };
                // The channel goes on in the dialplan: it no longer runs
                // Stasis (the mock runs no dialplan, so it shows no application).
                c.context = req.param("context").unwrap_or_else(|| c.context.clone());
                c.exten = req.param("extension").unwrap_or_else(|| c.exten.clone());
                c.app_name = String::new();
                c.app_data = String::new();
                if let Some(app) = c.app.take() {
                    ev.push((
                        app.clone(),
                        event("StasisEnd", &app, &[("channel", c.json())]),
                    ));
                }
                Reply::no_content()
            }
            ("channels", "play") | ("channels", "playWithId") => {
                let id = req
                    .param("playbackId")
                    .or_else(|| Some(m.path("playbackId").to_string()).filter(|s| !s.is_empty()));
                self.play(m.path("channelId"), id, req, ev)
            }
            ("channels", "getChannelVar") => {
                let name = req.param("variable").unwrap_or_default();
                let st = self.state();
                let Some(c) = st.channels.get(m.path("channelId")) else {
                    return Reply::error(404, "Channel not found");
                };
                let value = if name == "CHANNEL(name)" {
                    Some(c.name.clone())
                } else {
                    c.variables.get(&name).cloned()
                };
                match value {
                    Some(v) => Reply::json(200, Obj::new().field("value", v).finish()),
                    None => Reply::error(404, "Provided variable was not found"),
                }
            }
            ("channels", "setChannelVar") => {
                let name = req.param("variable").unwrap_or_default();
                let value = req.param("value").unwrap_or_default();
                let mut st = self.state();
                let Some(c) = st.channels.get_mut(m.path("channelId")) else {
                    return Reply::error(404, "Channel not found");
                };
                c.variables.insert(name.clone(), value.clone());
                if let Some(app) = c.app.clone() {
                    let fields = [
                        ("variable", serde_json::Value::from(name).to_string()),
                        ("value", serde_json::Value::from(value).to_string()),
                        ("channel", c.json()),
                    ];
                    ev.push((app.clone(), event("ChannelVarset", &app, &fields)));
                }
                Reply::no_content()
            }
            (
                "channels",
                "ring" | "ringStop" | "progress" | "sendDTMF" | "hold" | "unhold" | "startMoh"
                | "stopMoh" | "startSilence" | "stopSilence",
            ) => self.with_channel(m, |_| Reply::no_content()),
            // Like 23.4.1: the documented default `both` is not applied server-side.
            ("channels", "mute" | "unmute") => self.with_channel(m, |_| {
                match req.param("direction").filter(|d| !d.is_empty()) {
                    Some(_) => Reply::no_content(),
                    None => Reply::error(400, "Direction is required"),
                }
            }),
            ("bridges", "list") => {
                let st = self.state();
                let all: Vec<String> = st.bridges.values().map(Bridge::json).collect();
                Reply::json(200, format!("[{}]", all.join(",")))
            }
            ("bridges", "create") | ("bridges", "createWithId") => {
                let mut st = self.state();
                let id = req
                    .param("bridgeId")
                    .or_else(|| Some(m.path("bridgeId").to_string()).filter(|s| !s.is_empty()))
                    .unwrap_or_else(|| st.unique_id());
                let bridge = Bridge {
                    id: id.clone(),
                    bridge_type: req.param("type").unwrap_or_else(|| "mixing".into()),
                    name: req.param("name").unwrap_or_default(),
                    channels: Vec::new(),
                    creationtime: now(),
                };
                let body = bridge.json();
                st.bridges.insert(id, bridge);
                Reply::json(200, body)
            }
            ("bridges", "get") => match self.state().bridges.get(m.path("bridgeId")) {
                Some(b) => Reply::json(200, b.json()),
                None => Reply::error(404, "Bridge not found"),
            },
            ("bridges", "destroy") => {
                let mut st = self.state();
                let Some(b) = st.bridges.remove(m.path("bridgeId")) else {
                    return Reply::error(404, "Bridge not found");
                };
                for cid in &b.channels {
                    bridge_event(&st, "ChannelLeftBridge", &b, cid, ev);
                }
                Reply::no_content()
            }
            ("bridges", "addChannel") | ("bridges", "removeChannel") => {
                let add = m.op.nickname == "addChannel";
                let list = req.param("channel").unwrap_or_default();
                let mut st = self.state();
                let Some(mut b) = st.bridges.get(m.path("bridgeId")).cloned() else {
                    return Reply::error(404, "Bridge not found");
                };
                for cid in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if !st.channels.contains_key(cid) {
                        return Reply::error(400, "Channel not found");
                    }
                    if add && !b.channels.iter().any(|c| c == cid) {
                        b.channels.push(cid.to_string());
                        bridge_event(&st, "ChannelEnteredBridge", &b, cid, ev);
                    } else if !add {
                        if !b.channels.iter().any(|c| c == cid) {
                            return Reply::error(422, "Channel not in this bridge");
                        }
                        b.channels.retain(|c| c != cid);
                        bridge_event(&st, "ChannelLeftBridge", &b, cid, ev);
                    }
                }
                st.bridges.insert(b.id.clone(), b);
                Reply::no_content()
            }
            ("playbacks", "get") => match self.state().playbacks.get(m.path("playbackId")) {
                Some(p) => Reply::json(200, p.json()),
                None => Reply::error(404, "Playback not found"),
            },
            ("playbacks", "stop") => {
                let mut st = self.state();
                let Some(mut p) = st.playbacks.remove(m.path("playbackId")) else {
                    return Reply::error(404, "Playback not found");
                };
                p.state = "done".into();
                if let Some(app) = p.app.clone() {
                    ev.push((
                        app.clone(),
                        event("PlaybackFinished", &app, &[("playback", p.json())]),
                    ));
                }
                Reply::no_content()
            }
            _ => Reply::error(501, "Not implemented by the mock"),
        }
    }

    fn with_channel(&self, m: &Matched, f: impl FnOnce(&Channel) -> Reply) -> Reply {
        match self.state().channels.get(m.path("channelId")) {
            Some(c) => f(c),
            None => Reply::error(404, "Channel not found"),
        }
    }

    fn originate(self: &Arc<Self>, id: Option<String>, req: &Request, ev: &mut Events) -> Reply {
        let endpoint = req.param("endpoint").unwrap_or_default();
        let id = id.or_else(|| req.param("channelId"));
        let mut st = self.state();
        if id.as_ref().is_some_and(|id| st.channels.contains_key(id)) {
            return Reply::error(409, "Channel with given unique ID already exists");
        }
        let mut c = st.new_channel(id, &endpoint, &req.param("callerId").unwrap_or_default());
        let reply = Reply::json(200, c.json());
        if let Some(app) = req.param("app") {
            let args: Vec<String> = req
                .param("appArgs")
                .map(|a| a.split(',').map(str::to_string).collect())
                .unwrap_or_default();
            c.state = "Ring".into();
            c.app_name = "Stasis".into();
            c.app_data = std::iter::once(app.clone())
                .chain(args.iter().cloned())
                .collect::<Vec<_>>()
                .join(",");
            c.app = Some(app.clone());
            let args_json = serde_json::Value::from(args).to_string();
            ev.push((
                app.clone(),
                event(
                    "StasisStart",
                    &app,
                    &[("args", args_json), ("channel", c.json())],
                ),
            ));
        }
        st.channels.insert(c.id.clone(), c);
        reply
    }

    /// `POST /channels/externalMedia`: with `transport=websocket` (like
    /// `ast_ari_channels_external_media` and chan_websocket as server), a
    /// `WebSocket/INCOMING/…` channel entering the application, a fresh
    /// connection id in `channelvars`, and a media peer waiting at
    /// `/media/<connection id>`; other transports are not simulated.
    fn external_media(&self, req: &Request, ev: &mut Events) -> Reply {
        if req.param("transport").as_deref() != Some("websocket") {
            return Reply::error(501, "Not implemented by the mock");
        }
        if req.param("encapsulation").as_deref() != Some("none") {
            return Reply::error(400, "encapsulation must be 'none' for websocket transport");
        }
        if req.param("connection_type").as_deref() != Some("server") {
            return Reply::error(
                400,
                "external_host must be a valid websocket_client connection id.",
            );
        }
        let app = req.param("app").unwrap_or_default();
        let format = req.param("format").unwrap_or_default();
        let mut st = self.state();
        let id = req.param("channelId");
        if id.as_ref().is_some_and(|id| st.channels.contains_key(id)) {
            return Reply::error(409, "Channel with given unique ID already exists");
        }
        let connection_id = format!("{:08x}-0000-4000-8000-{:012x}", st.next_id(), st.next_id());
        let mut c = st.new_channel(id, "WebSocket/INCOMING", "");
        let mut config = self.media_template.clone();
        config.codec = format.clone();
        config.channel = c.name.clone();
        config.channel_id = c.id.clone();
        config.connection_id = connection_id.clone();
        let frame = config.optimal_frame_size.to_string();
        c.variables
            .insert(CONNECTION_ID_VARIABLE.into(), connection_id.clone());
        c.variables
            .insert(OPTIMAL_FRAME_SIZE_VARIABLE.into(), frame.clone());
        c.state = "Down".into();
        c.app_name = "Stasis".into();
        c.app_data = app.clone();
        c.app = Some(app.clone());
        let mut body: serde_json::Value =
            serde_json::from_str(&c.json()).unwrap_or(serde_json::Value::Null);
        if let Some(o) = body.as_object_mut() {
            let vars = serde_json::json!({
                CONNECTION_ID_VARIABLE: connection_id,
                OPTIMAL_FRAME_SIZE_VARIABLE: frame,
            });
            o.insert("channelvars".into(), vars);
        }
        ev.push((
            app.clone(),
            event(
                "StasisStart",
                &app,
                &[("args", "[]".into()), ("channel", c.json())],
            ),
        ));
        self.media().insert(
            connection_id,
            MediaPeer {
                channel_id: c.id.clone(),
                handle: MockMediaHandle::new(config),
            },
        );
        st.channels.insert(c.id.clone(), c);
        Reply::json(200, body.to_string())
    }

    /// An incoming call that enters `Stasis(app, args…)` (state `Ring`).
    pub(crate) fn incoming(
        &self,
        app: &str,
        endpoint: &str,
        caller: &str,
        args: &[&str],
    ) -> String {
        let mut st = self.state();
        let mut c = st.new_channel(None, endpoint, caller);
        c.state = "Ring".into();
        c.app_name = "Stasis".into();
        c.app_data = std::iter::once(app)
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(",");
        c.app = Some(app.to_string());
        let args_json = serde_json::Value::from(args.to_vec()).to_string();
        let text = event(
            "StasisStart",
            app,
            &[("args", args_json), ("channel", c.json())],
        );
        let id = c.id.clone();
        st.channels.insert(id.clone(), c);
        drop(st);
        self.emit(vec![(app.to_string(), text)]);
        id
    }

    /// The caller presses `digits` on a channel in Stasis: one
    /// `ChannelDtmfReceived` per digit, in order. False when the channel does
    /// not exist or is in no application.
    pub(crate) fn dtmf(&self, channel: &str, digits: &str) -> bool {
        let st = self.state();
        let Some((c, app)) = st
            .channels
            .get(channel)
            .and_then(|c| c.app.clone().map(|a| (c, a)))
        else {
            return false;
        };
        let snapshot = c.json();
        drop(st);
        let events = digits
            .chars()
            .map(|digit| {
                let fields = [
                    (
                        "digit",
                        serde_json::Value::from(digit.to_string()).to_string(),
                    ),
                    ("duration_ms", "120".to_string()),
                    ("channel", snapshot.clone()),
                ];
                (app.clone(), event("ChannelDtmfReceived", &app, &fields))
            })
            .collect();
        self.emit(events);
        true
    }

    /// The far end hangs up: the same events as `DELETE /channels/{id}`.
    /// False when the channel does not exist.
    pub(crate) fn far_end_hangup(&self, channel: &str) -> bool {
        let mut events = Vec::new();
        let found = self.hangup(channel, &mut events).status == 204;
        self.emit(events);
        found
    }

    fn answer(&self, id: &str, ev: &mut Events) -> Reply {
        let mut st = self.state();
        let Some(c) = st.channels.get_mut(id) else {
            return Reply::error(404, "Channel not found");
        };
        if c.state != "Up" {
            c.state = "Up".into();
            if let Some(app) = c.app.clone() {
                ev.push((
                    app.clone(),
                    event("ChannelStateChange", &app, &[("channel", c.json())]),
                ));
            }
        }
        Reply::no_content()
    }

    fn hangup(&self, id: &str, ev: &mut Events) -> Reply {
        for peer in self.media().values().filter(|p| p.channel_id == id) {
            peer.handle.hangup();
        }
        let mut st = self.state();
        let Some(c) = st.channels.remove(id) else {
            return Reply::error(404, "Channel not found");
        };
        st.playbacks
            .retain(|_, p| p.target_uri != format!("channel:{id}"));
        for b in st.bridges.values_mut() {
            b.channels.retain(|x| x != id);
        }
        if let Some(app) = c.app.clone() {
            let ch = c.json();
            let hangup = [
                ("cause", "16".to_string()),
                ("soft", "true".to_string()),
                ("channel", ch.clone()),
            ];
            ev.push((app.clone(), event("ChannelHangupRequest", &app, &hangup)));
            ev.push((
                app.clone(),
                event("StasisEnd", &app, &[("channel", ch.clone())]),
            ));
            let destroyed = [
                ("cause", "16".to_string()),
                ("cause_txt", "\"Normal Clearing\"".to_string()),
                ("channel", ch),
            ];
            ev.push((app.clone(), event("ChannelDestroyed", &app, &destroyed)));
        }
        Reply::no_content()
    }

    fn play(
        self: &Arc<Self>,
        channel: &str,
        id: Option<String>,
        req: &Request,
        ev: &mut Events,
    ) -> Reply {
        let mut st = self.state();
        let Some(c) = st.channels.get(channel) else {
            return Reply::error(404, "Channel not found");
        };
        if c.state != "Up" {
            return Reply::error(412, "Channel in invalid state");
        }
        let app = c.app.clone();
        let id = id.unwrap_or_else(|| st.unique_id());
        if st.playbacks.contains_key(&id) {
            return Reply::error(409, "Playback with given ID already exists");
        }
        let mut p = Playback {
            id: id.clone(),
            media_uri: req.param("media").unwrap_or_default(),
            target_uri: format!("channel:{channel}"),
            state: "queued".into(),
            app: app.clone(),
        };
        let reply = Reply::json(201, p.json());
        p.state = "playing".into();
        if let Some(app) = &app {
            ev.push((
                app.clone(),
                event("PlaybackStarted", app, &[("playback", p.json())]),
            ));
        }
        st.playbacks.insert(id.clone(), p);
        drop(st);
        let core = Arc::clone(self);
        let delay = self.timing.playback;
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let finished = {
                let mut st = core.state();
                st.playbacks.remove(&id).map(|mut p| {
                    p.state = "done".into();
                    p
                })
            };
            if let Some((p, app)) = finished.and_then(|p| p.app.clone().map(|a| (p, a))) {
                let text = event("PlaybackFinished", &app, &[("playback", p.json())]);
                core.emit(vec![(app, text)]);
            }
        });
        reply
    }
}

fn app_json(name: &str) -> String {
    let empty: [&str; 0] = [];
    Obj::new()
        .field("name", name)
        .field("channel_ids", empty)
        .field("bridge_ids", empty)
        .field("endpoint_ids", empty)
        .field("device_names", empty)
        .field("events_allowed", empty)
        .field("events_disallowed", empty)
        .finish()
}

fn bridge_event(st: &State, kind: &str, b: &Bridge, channel: &str, ev: &mut Events) {
    if let Some((c, app)) = st
        .channels
        .get(channel)
        .and_then(|c| c.app.clone().map(|a| (c, a)))
    {
        let text = event(kind, &app, &[("bridge", b.json()), ("channel", c.json())]);
        ev.push((app, text));
    }
}
