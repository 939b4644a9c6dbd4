//! The AMI part of the tour: login, Ping, Originate, CoreShowChannels as a typed
//! list, and the typed events of the call until its Hangup.

use crate::settings::{Settings, host_port};
use crate::{TourResult, step};
use asterisk_sdk::ami::Event;
use asterisk_sdk::ami::actions::{CoreShowChannels, Originate, Ping};
use asterisk_sdk::runtime::ami::{AmiClient, EventItem, EventStream};
use asterisk_sdk_mock::ami::MockAmi;
use futures::StreamExt;
use std::collections::BTreeSet;
use std::time::Duration;

/// The AMI connection of the tour (and the mock behind it, in mock mode).
pub struct Ami {
    /// The logged-in client.
    pub client: AmiClient,
    /// The mock server, when no real Asterisk was given.
    pub mock: Option<MockAmi>,
}

impl Ami {
    /// Start the mock (unless a real Asterisk is given) and log in.
    pub async fn start(settings: &Settings) -> TourResult<Ami> {
        let (mock, host, port) = match &settings.ami {
            Some(addr) => {
                let (h, p) = host_port(addr, 5038);
                (None, h, p)
            }
            None => {
                let mock = MockAmi::builder()
                    .user(&settings.ami_user, &settings.ami_secret)
                    .start()
                    .await?;
                let addr = mock.addr();
                step("ami", format!("mock Asterisk listening on {addr}"));
                (Some(mock), addr.ip().to_string(), addr.port())
            }
        };
        let client = AmiClient::builder()
            .host(host.clone())
            .port(port)
            .credentials(&settings.ami_user, &settings.ami_secret)
            .connect_timeout(Duration::from_secs(5))
            .action_timeout(Duration::from_secs(10))
            .connect()
            .await?;
        let banner = client.banner().map(|b| b.to_string()).unwrap_or_default();
        step(
            "ami",
            format!(
                "logged in to {host}:{port} as {} ({banner})",
                settings.ami_user
            ),
        );
        Ok(Ami { client, mock })
    }

    /// Ping, Originate, CoreShowChannels and the call's events.
    pub async fn tour(&self, settings: &Settings) -> TourResult<()> {
        let pong = self.client.send(&Ping::new()).await?.into_result()?;
        step(
            "ami",
            format!(
                "Ping -> {} (Ping: {})",
                pong.status.as_wire(),
                pong.get("Ping").unwrap_or("?")
            ),
        );

        // Subscribe before originating so no event of the call is missed.
        let mut events = self.client.events::<Event>();
        let originate = Originate::new(&settings.dial)
            .application("Wait")
            .data("2")
            .caller_id("\"SDK tour\" <1000>")
            .async_(true);
        let answer = self.client.send(&originate).await?.into_result()?;
        step(
            "ami",
            format!(
                "Originate {} running Wait(2) -> {}",
                settings.dial,
                answer.message.as_deref().unwrap_or("Success")
            ),
        );

        let prefix = format!("{}-", settings.dial);
        let mut call = CallTracker::default();
        let mut listed = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !call.finished() {
            let item = tokio::time::timeout_at(deadline, next(&mut events))
                .await
                .map_err(|_| "no Hangup for the originated call within 30 s")??;
            let event = match item {
                EventItem::Event(e) => e,
                EventItem::Reconnected => {
                    step("ami", "connection lost and re-established");
                    continue;
                }
                EventItem::Lagged(n) => return Err(format!("{n} events lost").into()),
                // Markers of later versions carry no event.
                _ => continue,
            };
            if !call.accept(&event, &prefix) {
                continue;
            }
            step("ami", format!("event {}", describe(&event)));
            if !listed && matches!(event, Event::Newchannel(_)) {
                listed = true;
                self.list_channels().await?;
            }
        }
        step(
            "ami",
            format!("call over: {} channel(s) hung up", call.hung_up.len()),
        );
        Ok(())
    }

    async fn list_channels(&self) -> TourResult<()> {
        let list = self.client.list(&CoreShowChannels::new()).await?;
        step(
            "ami",
            format!(
                "CoreShowChannels -> {} channel(s), complete: {}",
                list.items.len(),
                list.complete.is_some()
            ),
        );
        for c in &list.items {
            step(
                "ami",
                format!(
                    "  {} state {} app {}({}) up {}",
                    c.channel.channel.as_deref().unwrap_or("?"),
                    c.channel
                        .channel_state
                        .as_ref()
                        .map(|s| format!("{s:?}"))
                        .unwrap_or_else(|| "?".into()),
                    c.application.as_deref().unwrap_or(""),
                    c.application_data.as_deref().unwrap_or(""),
                    c.duration.as_deref().unwrap_or("?"),
                ),
            );
        }
        Ok(())
    }

    /// Log off.
    pub async fn finish(&self) -> TourResult<()> {
        self.client.disconnect().await?;
        step("ami", "Logoff sent, connection closed");
        if let Some(m) = &self.mock {
            m.shutdown();
        }
        Ok(())
    }
}

async fn next(events: &mut EventStream<Event>) -> TourResult<EventItem<Event>> {
    events
        .next()
        .await
        .ok_or_else(|| "the AMI event stream ended".into())
}

/// Follows the channels of the originated call (by name prefix, then Linkedid).
#[derive(Default)]
struct CallTracker {
    linkedid: Option<String>,
    channels: BTreeSet<String>,
    hung_up: BTreeSet<String>,
}

impl CallTracker {
    fn accept(&mut self, event: &Event, prefix: &str) -> bool {
        let raw = event.raw();
        let channel = raw.get("Channel").unwrap_or("");
        let linked = raw.get("Linkedid");
        let ours = channel.starts_with(prefix)
            || (self.linkedid.is_some() && linked == self.linkedid.as_deref());
        if !ours {
            return false;
        }
        if self.linkedid.is_none() {
            self.linkedid = linked.map(str::to_string);
        }
        match event {
            Event::Newchannel(_) => {
                self.channels.insert(channel.to_string());
            }
            Event::Hangup(_) => {
                self.hung_up.insert(channel.to_string());
            }
            _ => {}
        }
        true
    }

    fn finished(&self) -> bool {
        !self.channels.is_empty() && self.channels.is_subset(&self.hung_up)
    }
}

/// A one-line description of a typed event.
fn describe(event: &Event) -> String {
    match event {
        Event::Newchannel(e) => format!(
            "Newchannel {} state {:?}",
            e.channel.channel.as_deref().unwrap_or("?"),
            e.channel.channel_state
        ),
        Event::Newstate(e) => format!(
            "Newstate {} -> {:?}",
            e.channel.channel.as_deref().unwrap_or("?"),
            e.channel.channel_state
        ),
        Event::DialEnd(e) => format!(
            "DialEnd {} status {:?}",
            e.channel.channel.as_deref().unwrap_or("?"),
            e.dial_status
        ),
        Event::OriginateResponse(e) => format!(
            "OriginateResponse {} response {:?}",
            e.channel.as_deref().unwrap_or("?"),
            e.response
        ),
        Event::Hangup(e) => format!(
            "Hangup {} cause {:?} ({})",
            e.channel.channel.as_deref().unwrap_or("?"),
            e.cause,
            e.cause_txt.as_deref().unwrap_or("")
        ),
        other => format!(
            "{} {} (privilege {})",
            other.name(),
            other.raw().get("Channel").unwrap_or(""),
            other.raw().get("Privilege").unwrap_or("-")
        ),
    }
}
