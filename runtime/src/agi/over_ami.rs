//! AsyncAGI over the AMI client: sessions from `AsyncAGIStart` events, commands
//! sent as `Action: AGI`, results read from the matching `AsyncAGIExec` events.
//!
//! The same generated AGI command methods run on these sessions as on FastAGI.

use super::asyncagi::{AsyncAgi, AsyncAgiLink, decode_start_env};
use super::error::AgiError;
use super::request::{AgiRequest, EnvLimits};
use super::transport::AgiChannel;
use crate::ami::{
    Action, ActionHeaders, AmiClient, AmiError, EventItem, EventStream, Message, ResponseStatus,
};
use futures::StreamExt;
use tokio::sync::mpsc;

/// `Action: AGI`: queue one AGI command on a channel that runs `AGI(agi:async)`.
#[derive(Debug, Clone)]
struct AgiAction {
    headers: ActionHeaders,
}

impl Action for AgiAction {
    const NAME: &'static str = "AGI";
    type Response = crate::ami::Response;
    fn headers(&self) -> &ActionHeaders {
        &self.headers
    }
}

/// AsyncAGI on top of an [`AmiClient`].
#[derive(Clone)]
pub struct AmiAsyncAgi {
    client: AmiClient,
    limits: EnvLimits,
}

/// One AsyncAGI session: the channel's AGI environment and the channel to run
/// commands on.
#[non_exhaustive]
pub struct AsyncAgiSession {
    /// The `agi_*` environment from `AsyncAGIStart`'s `Env` header.
    pub request: AgiRequest,
    /// Run AGI commands here (every generated command method works).
    pub channel: AgiChannel<AsyncAgi<AmiAgiLink>>,
}

impl std::fmt::Debug for AsyncAgiSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncAgiSession")
            .field("channel", &self.request.channel)
            .finish_non_exhaustive()
    }
}

impl AmiAsyncAgi {
    /// AsyncAGI sessions of `client` (its login needs the `agi` read class).
    pub fn new(client: AmiClient) -> Self {
        AmiAsyncAgi {
            client,
            limits: EnvLimits::default(),
        }
    }

    /// Limits applied to each session's environment.
    pub fn env_limits(mut self, limits: EnvLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Every new session, in arrival order: subscribe before the calls arrive.
    /// The stream ends when the client closes; after a reconnect it goes on.
    pub fn sessions(&self) -> AsyncAgiSessions {
        AsyncAgiSessions {
            client: self.client.clone(),
            limits: self.limits,
            starts: self.client.events_filtered(|m| {
                m.event_name()
                    .is_some_and(|n| n.eq_ignore_ascii_case("AsyncAGIStart"))
            }),
        }
    }

    /// Attach to a channel already in AsyncAGI, from its `AsyncAGIStart` event.
    pub fn session_from_start(&self, start: &Message) -> Result<AsyncAgiSession, AgiError> {
        session_from_start(&self.client, self.limits, start)
    }
}

fn session_from_start(
    client: &AmiClient,
    limits: EnvLimits,
    start: &Message,
) -> Result<AsyncAgiSession, AgiError> {
    let channel = start
        .get("Channel")
        .ok_or_else(|| AgiError::Environment("AsyncAGIStart without Channel".into()))?
        .to_string();
    let env = start.get("Env").unwrap_or("");
    let request = decode_start_env(env, limits)?;
    let link = AmiAgiLink::new(client.clone(), channel.clone());
    Ok(AsyncAgiSession {
        request,
        channel: AgiChannel::new(AsyncAgi::new(link, channel)),
    })
}

/// The stream of new AsyncAGI sessions.
pub struct AsyncAgiSessions {
    client: AmiClient,
    limits: EnvLimits,
    starts: EventStream<Message>,
}

impl AsyncAgiSessions {
    /// The next session (`None` when the client is closed). A start event whose
    /// environment cannot be read is returned as an error and the stream goes on.
    pub async fn next(&mut self) -> Option<Result<AsyncAgiSession, AgiError>> {
        loop {
            match self.starts.next().await? {
                EventItem::Event(start) => {
                    return Some(session_from_start(&self.client, self.limits, &start));
                }
                EventItem::Lagged(n) => {
                    tracing::warn!(
                        missed = n,
                        "AsyncAGI start events dropped: this stream fell behind"
                    );
                }
                _ => continue,
            }
        }
    }
}

/// The link between one AsyncAGI session and the AMI client.
///
/// A background task forwards this channel's `AsyncAGIExec`, `AsyncAGIEnd` and
/// `Hangup` events into a small queue, so the client's event hub is never held up
/// by a session that is between commands.
pub struct AmiAgiLink {
    client: AmiClient,
    events: mpsc::UnboundedReceiver<Message>,
}

impl std::fmt::Debug for AmiAgiLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmiAgiLink").finish_non_exhaustive()
    }
}

fn is_session_event(m: &Message, channel: &str) -> bool {
    let Some(name) = m.event_name() else {
        return false;
    };
    let relevant = ["AsyncAGIExec", "AsyncAGIEnd", "Hangup"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n));
    relevant && m.get("Channel") == Some(channel)
}

fn is_end(m: &Message) -> bool {
    m.event_name()
        .is_some_and(|n| n.eq_ignore_ascii_case("AsyncAGIEnd") || n.eq_ignore_ascii_case("Hangup"))
}

impl AmiAgiLink {
    /// Link commands of `channel` through `client`.
    pub fn new(client: AmiClient, channel: String) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let wanted = channel.clone();
        let mut stream = client.events_filtered(move |m| is_session_event(m, &wanted));
        tokio::spawn(async move {
            while let Some(item) = stream.next().await {
                if let EventItem::Event(m) = item {
                    let end = is_end(&m);
                    if tx.send(m).is_err() || end {
                        break;
                    }
                }
            }
        });
        AmiAgiLink { client, events: rx }
    }
}

fn ami_err(e: AmiError) -> AgiError {
    AgiError::Transport(e.to_string())
}

impl AsyncAgiLink for AmiAgiLink {
    async fn send_command(
        &mut self,
        channel: &str,
        command: &str,
        command_id: &str,
    ) -> Result<String, AgiError> {
        let mut headers = ActionHeaders::new();
        headers.set("Channel", channel);
        headers.set("Command", command);
        headers.set("CommandID", command_id);
        let response = self
            .client
            .send(&AgiAction { headers })
            .await
            .map_err(ami_err)?;
        if response.status != ResponseStatus::Success {
            let message = response.message.map(|m| m.to_string()).unwrap_or_default();
            return Err(AgiError::Transport(format!(
                "AGI action refused: {message}"
            )));
        }
        while let Some(m) = self.events.recv().await {
            if is_end(&m) {
                return Err(AgiError::ChannelHungUp);
            }
            let id = m.get("CommandId").or_else(|| m.get("CommandID"));
            if id == Some(command_id) {
                return Ok(m.get("Result").unwrap_or("").to_string());
            }
        }
        Err(AgiError::ChannelHungUp)
    }
}
