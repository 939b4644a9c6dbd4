//! Playing media on a call and awaiting its end:
//! `call.play("sound:hello-world").await_finished().await?`.

use super::call::{Call, CallError, CallItem, Waited};
use crate::ari::models::{Playback, PlaybackState};
use crate::ari::{AriEvent, PlaybackHandle};
use asterisk_sdk_runtime::ari::encode::IntoValues;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use tokio::time::Instant;

/// How a playback ended, as [`Playing::await_finished`] saw it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PlaybackOutcome {
    /// `PlaybackFinished` with state `done`: played to its end, or stopped.
    Done(Playback),
    /// `PlaybackFinished` with state `failed` (e.g. the sound file is missing).
    Failed(Playback),
    /// The call's events ended (`StasisEnd`) before `PlaybackFinished` came.
    CallEnded,
    /// The playback ended while the events WebSocket was down: after the
    /// reconnection Asterisk no longer knew it (`GET /playbacks/{id}` answered
    /// 404) and its `PlaybackFinished` was lost, so whether it played to the
    /// end or failed is unknown.
    Lost,
}

/// A playback request on a call ([`Call::play`]): `.await` it to start the
/// playback and get a [`Playing`], or [`Play::await_finished`] to start it
/// and wait for its end.
#[derive(Debug)]
#[must_use = "nothing is played until the request is awaited"]
pub struct Play<'c> {
    call: &'c mut Call,
    media: Vec<String>,
    lang: Option<String>,
}

impl Call {
    /// Play `media` (`sound:hello-world`, `digits:123`, …; several play in
    /// sequence) on this call's channel (`POST /channels/{id}/play`).
    pub fn play(&mut self, media: impl IntoValues) -> Play<'_> {
        Play {
            call: self,
            media: media.into_values(),
            lang: None,
        }
    }
}

impl<'c> Play<'c> {
    /// The language of the sounds (`lang`).
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    /// Start the playback.
    pub async fn start(self) -> Result<Playing<'c>, CallError> {
        let mut request = self.call.channel().play(self.media);
        if let Some(lang) = self.lang {
            request = request.lang(lang);
        }
        let playback = request.await?;
        Ok(Playing {
            call: self.call,
            playback,
        })
    }

    /// Start the playback and wait until it has finished (or the call ended).
    pub async fn await_finished(self) -> Result<PlaybackOutcome, CallError> {
        self.start().await?.await_finished().await
    }
}

impl<'c> IntoFuture for Play<'c> {
    type Output = Result<Playing<'c>, CallError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.start())
    }
}

/// A started playback on a call.
#[derive(Debug)]
pub struct Playing<'c> {
    call: &'c mut Call,
    playback: Playback,
}

impl Playing<'_> {
    /// The playback's id.
    pub fn id(&self) -> &str {
        &self.playback.id
    }

    /// The playback as Asterisk answered the request.
    pub fn playback(&self) -> &Playback {
        &self.playback
    }

    /// A handle to control it (`stop`, `control`).
    pub fn handle(&self) -> PlaybackHandle {
        self.call.client().playback(self.playback.id.clone())
    }

    /// Wait for this playback's `PlaybackFinished` (other events of the call
    /// stay readable with [`Call::next_event`]); resolves with
    /// [`PlaybackOutcome::CallEnded`] when the call ends first.
    ///
    /// When the events WebSocket comes back after a drop
    /// ([`CallItem::Reconnected`]), the `PlaybackFinished` may have been sent
    /// during the gap: the playback is then asked for (`GET /playbacks/{id}`),
    /// and if Asterisk no longer knows it (404) this resolves with
    /// [`PlaybackOutcome::Lost`]. If it still plays, or the request fails
    /// otherwise, the wait goes on.
    pub async fn await_finished(self) -> Result<PlaybackOutcome, CallError> {
        let id = self.playback.id;
        let finished = |item: &CallItem| match item {
            CallItem::Event(AriEvent::PlaybackFinished(e)) if e.playback.id == id => {
                Some(e.playback.clone())
            }
            _ => None,
        };
        loop {
            let waited = self.call.wait_for(None, true, finished).await?;
            let found = match waited {
                Waited::Found(p) => p,
                Waited::Ended | Waited::TimedOut => return Ok(PlaybackOutcome::CallEnded),
                Waited::Reconnected => {
                    let asked = self.call.client().playback(id.as_str()).get().await;
                    if !matches!(&asked, Err(e) if e.status() == Some(404)) {
                        continue;
                    }
                    // Gone: its PlaybackFinished may still be queued (sent
                    // just after the reconnection); look at what has arrived.
                    match self
                        .call
                        .wait_for(Some(Instant::now()), false, finished)
                        .await?
                    {
                        Waited::Found(p) => p,
                        Waited::Ended => return Ok(PlaybackOutcome::CallEnded),
                        Waited::TimedOut | Waited::Reconnected => {
                            return Ok(PlaybackOutcome::Lost);
                        }
                    }
                }
            };
            return Ok(if found.state == PlaybackState::Failed {
                PlaybackOutcome::Failed(found)
            } else {
                PlaybackOutcome::Done(found)
            });
        }
    }
}
