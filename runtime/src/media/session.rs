//! [`MediaSession`]: one chan_websocket media connection, in either direction.
//!
//! One task drives the socket: it reads audio (BINARY) into a bounded queue,
//! reads control messages (TEXT) into events while tracking XOFF/XON and marks,
//! and writes what the session's methods queue, in order. Audio the
//! application sends is cut into frames of the optimal size; before each frame
//! the sender waits while Asterisk has sent `MEDIA_XOFF`, and at most
//! `send_queue` frames (capped at [`MAX_SEND_QUEUE`]) wait for the socket, so
//! memory stays bounded.
//!
//! Limit: XOFF only covers frames Asterisk has already read. It sends XOFF at
//! 900 queued frames and silently drops whole BINARY messages once 1000 are
//! queued (chan_websocket.c, `QUEUE_LENGTH_MAX`); audio written faster than
//! real time is not paced here, so frames in flight when the XOFF is sent
//! (socket buffers, the send queue) can be dropped by Asterisk if more than
//! about 100 frames are in flight. Send at most about 100 frames ahead of
//! playback (e.g. wait for marks) when no audio may be lost.

use super::error::{EndReason, MalformedMessage, MediaError};
use super::protocol::{MediaFormat, ProtocolCommand, ProtocolEvent, Signal};
use super::reframe::Reframer;
use super::wire::ControlFormat;
use crate::version::{self, ServerVersion};
use bytes::Bytes;
use futures::{SinkExt, Stream, StreamExt};
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

/// The largest [`MediaOptions::send_queue`]: well under the 100 frames
/// between Asterisk's XOFF (900) and its drop level (1000).
pub const MAX_SEND_QUEUE: usize = 64;

/// Settings of a media session (client or server side).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MediaOptions {
    /// Time allowed for TCP, TLS and the WebSocket upgrade (client side).
    pub connect_timeout: Duration,
    /// Time allowed for `MEDIA_START` after the upgrade.
    pub start_timeout: Duration,
    /// Received audio frames kept for a slow reader of
    /// [`MediaSession::audio`]; past it, new frames are dropped and counted
    /// ([`MediaStats::frames_dropped`]) so that control messages still flow.
    pub audio_buffer: usize,
    /// Events kept for a slow reader of [`MediaSession::events`]; past it, new
    /// events are dropped and counted ([`MediaStats::events_dropped`]).
    pub event_buffer: usize,
    /// Frames queued for the socket before [`MediaSession::send_audio`] waits
    /// (1 to [`MAX_SEND_QUEUE`]; values outside are clamped).
    pub send_queue: usize,
    /// How long [`MediaSession::close`] waits for Asterisk's close answer.
    pub close_timeout: Duration,
    /// The largest message (and frame) accepted from the peer, in bytes;
    /// a larger one ends the session ([`EndReason::Lost`]) before it is
    /// buffered. Asterisk's own messages stay well under the default 64 KiB
    /// (audio frames of one `ptime`, control messages; res_http_websocket
    /// caps what it accepts at 65535 bytes).
    pub max_message_size: usize,
    /// How long one write to the socket may take; past it the peer is taken
    /// to have stopped reading and the session ends with
    /// [`EndReason::WriteTimeout`] (so `send_audio`, `close` and drop never
    /// hang on a stalled peer).
    pub write_timeout: Duration,
    /// The Asterisk version, when known: a command its release line lacks
    /// (`MARK_MEDIA` on 21.x up to 21.12.3) fails with
    /// [`MediaError::Unsupported`] instead of being ignored by Asterisk, by the
    /// rules of [`crate::version`]. `None` (the default): no check.
    pub server_version: Option<ServerVersion>,
    #[cfg(feature = "ari-tls")]
    tls: Option<crate::tls::TlsConfig>,
}

impl Default for MediaOptions {
    fn default() -> Self {
        MediaOptions {
            connect_timeout: Duration::from_secs(10),
            start_timeout: Duration::from_secs(10),
            audio_buffer: 1000,
            event_buffer: 1024,
            send_queue: 8,
            close_timeout: Duration::from_secs(2),
            write_timeout: Duration::from_secs(5),
            max_message_size: 64 * 1024,
            server_version: None,
            #[cfg(feature = "ari-tls")]
            tls: None,
        }
    }
}

impl MediaOptions {
    /// Set [`MediaOptions::audio_buffer`].
    pub fn audio_buffer(mut self, frames: usize) -> Self {
        self.audio_buffer = frames;
        self
    }

    /// Set [`MediaOptions::event_buffer`].
    pub fn event_buffer(mut self, events: usize) -> Self {
        self.event_buffer = events;
        self
    }

    /// Set [`MediaOptions::server_version`].
    pub fn server_version(mut self, version: Option<ServerVersion>) -> Self {
        self.server_version = version;
        self
    }

    /// Set [`MediaOptions::max_message_size`].
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// The WebSocket limits of a media socket: messages and frames up to
    /// [`MediaOptions::max_message_size`].
    pub(crate) fn socket_limits(&self) -> WebSocketConfig {
        let max = self.max_message_size.max(1);
        WebSocketConfig::default()
            .max_message_size(Some(max))
            .max_frame_size(Some(max))
    }

    /// Set [`MediaOptions::write_timeout`].
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Set [`MediaOptions::start_timeout`].
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.start_timeout = timeout;
        self
    }

    /// Trust for a `wss://` media URL (default: the platform's roots), as for ARI.
    #[cfg(feature = "ari-tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ari-tls")))]
    pub fn tls(mut self, trust: impl Into<crate::tls::TlsConfig>) -> Self {
        self.tls = Some(trust.into());
        self
    }

    /// The trust for `wss://`: the one set, else the platform's roots.
    #[cfg(feature = "ari-tls")]
    pub(crate) fn tls_config(&self) -> crate::tls::TlsConfig {
        self.tls.clone().unwrap_or_default()
    }
}

/// One item of [`MediaSession::events`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MediaItem<E> {
    /// An event from Asterisk (DTMF, STATUS, XOFF/XON, marks, errors, …).
    Event(E),
    /// A control message that could not be read; the session goes on.
    Malformed(MalformedMessage),
    /// The session ended (the last item; also [`MediaSession::closed`]).
    Ended(EndReason),
}

/// Counters of one session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaStats {
    /// Audio frames written to Asterisk.
    pub frames_sent: u64,
    /// Audio bytes written to Asterisk.
    pub bytes_sent: u64,
    /// Audio frames received from Asterisk.
    pub frames_received: u64,
    /// Audio bytes received from Asterisk.
    pub bytes_received: u64,
    /// Received frames dropped because [`MediaSession::audio`] was not read.
    pub frames_dropped: u64,
    /// Events dropped because [`MediaSession::events`] was not read.
    pub events_dropped: u64,
    /// `MEDIA_XOFF` events received.
    pub xoffs: u64,
    /// Marks Asterisk reported processed.
    pub marks_processed: u64,
}

#[derive(Debug, Default)]
struct Counters {
    frames_sent: AtomicU64,
    bytes_sent: AtomicU64,
    frames_received: AtomicU64,
    bytes_received: AtomicU64,
    frames_dropped: AtomicU64,
    events_dropped: AtomicU64,
    xoffs: AtomicU64,
    marks_processed: AtomicU64,
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

/// Sending state every waiter watches.
#[derive(Debug, Clone, Default)]
struct Flow {
    /// Asterisk sent `MEDIA_XOFF` and no `MEDIA_XON` since.
    xoff: bool,
    /// Bumped by every flush: audio of an older generation is discarded.
    generation: u64,
    /// Set once when the session ends.
    ended: Option<EndReason>,
}

type MarkWaiter = (String, oneshot::Sender<Result<(), MediaError>>);

#[derive(Debug)]
struct Shared {
    flow: watch::Sender<Flow>,
    marks: Mutex<VecDeque<MarkWaiter>>,
    counters: Counters,
}

impl Shared {
    fn marks(&self) -> std::sync::MutexGuard<'_, VecDeque<MarkWaiter>> {
        self.marks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asterisk processed mark `id`: it and every mark queued before it resolve.
    fn mark_processed(&self, id: &str) {
        let done: Vec<MarkWaiter> = {
            let mut marks = self.marks();
            match marks.iter().position(|(m, _)| m == id) {
                Some(pos) => marks.drain(..=pos).collect(),
                None => Vec::new(),
            }
        };
        bump(&self.counters.marks_processed, done.len() as u64);
        for (_, waiter) in done {
            let _ = waiter.send(Ok(()));
        }
    }

    /// Asterisk refused the oldest waiting mark (an `ERROR` naming `MARK_MEDIA`).
    fn mark_refused(&self, command: &str, reason: &str) {
        let refused = self.marks().pop_front();
        if let Some((_, waiter)) = refused {
            let _ = waiter.send(Err(MediaError::Refused {
                command: command.to_string(),
                reason: reason.to_string(),
            }));
        }
    }

    fn fail_marks(&self, error: impl Fn() -> MediaError) {
        let waiting: Vec<MarkWaiter> = self.marks().drain(..).collect();
        for (_, waiter) in waiting {
            let _ = waiter.send(Err(error()));
        }
    }
}

/// What the session hands the socket task.
#[derive(Debug)]
enum Outgoing {
    Audio {
        generation: u64,
        frame: Bytes,
    },
    /// A mark: dropped unwritten when a flush came after it.
    Mark {
        generation: u64,
        text: String,
    },
    Text(String),
    Close,
}

/// A queued mark: resolves when Asterisk has played up to it (see
/// [`MediaSession::queue_mark`]).
#[derive(Debug)]
#[must_use = "a pending mark does nothing unless awaited"]
pub struct PendingMark {
    rx: oneshot::Receiver<Result<(), MediaError>>,
    shared: Arc<Shared>,
}

impl std::future::Future for PendingMark {
    type Output = Result<(), MediaError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.rx).poll(cx) {
            Poll::Ready(Ok(result)) => Poll::Ready(result),
            Poll::Ready(Err(_)) => {
                let end = self.shared.flow.borrow().ended.clone();
                Poll::Ready(Err(MediaError::Ended(
                    end.unwrap_or_else(|| EndReason::Lost("session task stopped".into())),
                )))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Received audio frames, in order; ends when the session ends.
#[derive(Debug)]
pub struct AudioStream(Option<mpsc::Receiver<Bytes>>);

impl Stream for AudioStream {
    type Item = Bytes;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        match self.0.as_mut() {
            Some(rx) => rx.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}

/// Events and malformed messages, in order; ends after [`MediaItem::Ended`].
#[derive(Debug)]
pub struct MediaEvents<E>(Option<mpsc::Receiver<MediaItem<E>>>);

impl<E> Stream for MediaEvents<E> {
    type Item = MediaItem<E>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<MediaItem<E>>> {
        match self.0.as_mut() {
            Some(rx) => rx.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}

/// One media connection with chan_websocket, after its `MEDIA_START`.
///
/// `E` and `C` are the event and command types (the asterisk-sdk crate's
/// `MediaEvent` and `MediaCommand`). Take [`MediaSession::audio`] and
/// [`MediaSession::events`] once; the other methods take `&self`, so the
/// session can be shared (e.g. in an `Arc`) between a sending and a reading
/// task. Dropping it closes the connection (after what was queued), and
/// Asterisk hangs the channel up.
pub struct MediaSession<E, C> {
    format: MediaFormat,
    server_version: Option<ServerVersion>,
    start: E,
    ordered: mpsc::Sender<Outgoing>,
    shared: Arc<Shared>,
    reframer: Mutex<Reframer>,
    send_lock: tokio::sync::Mutex<()>,
    audio: Option<mpsc::Receiver<Bytes>>,
    events: Option<mpsc::Receiver<MediaItem<E>>>,
    _command: PhantomData<fn(C)>,
}

impl<E, C> std::fmt::Debug for MediaSession<E, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaSession")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl<E: ProtocolEvent, C: ProtocolCommand> MediaSession<E, C> {
    /// Wait for `MEDIA_START` on an upgraded socket, then start driving it.
    pub(crate) async fn start<S>(
        mut socket: WebSocketStream<S>,
        options: &MediaOptions,
    ) -> Result<Self, MediaError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let first = tokio::time::timeout(options.start_timeout, first_text(&mut socket))
            .await
            .map_err(|_| {
                MediaError::Handshake(format!("no MEDIA_START within {:?}", options.start_timeout))
            })??;
        let start = E::decode(&first).map_err(|e| {
            MediaError::Handshake(format!("first message {first:?} is not readable: {e}"))
        })?;
        let format = match start.signal() {
            Signal::Start(info) => MediaFormat::new(&info, ControlFormat::of_message(&first)),
            _ => {
                return Err(MediaError::Handshake(format!(
                    "first message {first:?} is not MEDIA_START"
                )));
            }
        };
        let (ordered, ordered_rx) = mpsc::channel(options.send_queue.clamp(1, MAX_SEND_QUEUE));
        let (audio_tx, audio_rx) = mpsc::channel(options.audio_buffer.max(1));
        // One slot more than the buffer: it is kept for `MediaItem::Ended`.
        let (events_tx, events_rx) = mpsc::channel(options.event_buffer.max(1) + 1);
        let shared = Arc::new(Shared {
            flow: watch::Sender::new(Flow::default()),
            marks: Mutex::new(VecDeque::new()),
            counters: Counters::default(),
        });
        let driver = Driver {
            shared: Arc::clone(&shared),
            audio: audio_tx,
            events: events_tx,
            close_timeout: options.close_timeout,
            write_timeout: options.write_timeout,
            mark_command: C::mark("").name().to_string(),
            _event: PhantomData,
        };
        tokio::spawn(driver.run(socket, ordered_rx));
        Ok(MediaSession {
            server_version: options.server_version.clone(),
            reframer: Mutex::new(Reframer::new(format.optimal_frame_size)),
            format,
            start,
            ordered,
            shared,
            send_lock: tokio::sync::Mutex::new(()),
            audio: Some(audio_rx),
            events: Some(events_rx),
            _command: PhantomData,
        })
    }

    /// The audio format and connection facts from `MEDIA_START`.
    pub fn format(&self) -> &MediaFormat {
        &self.format
    }

    /// The `MEDIA_START` event itself (with channel variables in JSON).
    pub fn start_event(&self) -> &E {
        &self.start
    }

    /// The received audio frames (the first call; later calls get an empty
    /// stream).
    pub fn audio(&mut self) -> AudioStream {
        AudioStream(self.audio.take())
    }

    /// The events and malformed messages (the first call; later calls get an
    /// empty stream).
    pub fn events(&mut self) -> MediaEvents<E> {
        MediaEvents(self.events.take())
    }

    /// Send audio of any length in the channel's codec. Whole frames of the
    /// optimal size are sent; a partial frame waits for the next call (or
    /// [`MediaSession::finish_audio`]). While Asterisk's queue is full (XOFF)
    /// this waits for XON; see the module docs for what XOFF cannot cover. Call it from one task at a time
    /// (calls are serialised). A concurrent [`MediaSession::flush`] discards
    /// the rest and makes it return [`MediaError::Flushed`].
    pub async fn send_audio(&self, audio: &[u8]) -> Result<(), MediaError> {
        let _turn = self.send_lock.lock().await;
        let generation = self.shared.flow.borrow().generation;
        let frames = self
            .reframer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(audio);
        self.send_frames(generation, frames).await
    }

    /// Send the partial frame [`MediaSession::send_audio`] kept, filled up to a
    /// whole frame with `fill` (the codec's silence: `0xff` for µ-law, `0xd5`
    /// for A-law, `0` for signed linear). Nothing when no partial frame waits.
    pub async fn finish_audio(&self, fill: u8) -> Result<(), MediaError> {
        let _turn = self.send_lock.lock().await;
        let generation = self.shared.flow.borrow().generation;
        let last = self
            .reframer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .finish(fill);
        self.send_frames(generation, last.into_iter().collect())
            .await
    }

    async fn send_frames(&self, generation: u64, frames: Vec<Bytes>) -> Result<(), MediaError> {
        for frame in frames {
            self.admit(generation).await?;
            self.queue(&self.ordered, Outgoing::Audio { generation, frame })
                .await?;
        }
        Ok(())
    }

    /// Wait until audio of `generation` may be sent.
    async fn admit(&self, generation: u64) -> Result<(), MediaError> {
        let mut flow = self.shared.flow.subscribe();
        loop {
            {
                let now = flow.borrow_and_update();
                if let Some(end) = &now.ended {
                    return Err(MediaError::Ended(end.clone()));
                }
                if now.generation != generation {
                    return Err(MediaError::Flushed);
                }
                if !now.xoff {
                    return Ok(());
                }
            }
            if flow.changed().await.is_err() {
                return Err(self.ended_error());
            }
        }
    }

    async fn queue(
        &self,
        channel: &mpsc::Sender<Outgoing>,
        item: Outgoing,
    ) -> Result<(), MediaError> {
        channel.send(item).await.map_err(|_| self.ended_error())
    }

    fn ended_error(&self) -> MediaError {
        let end = self.shared.flow.borrow().ended.clone();
        MediaError::Ended(end.unwrap_or_else(|| EndReason::Lost("session task stopped".into())))
    }

    /// Send a command behind the audio sent so far (e.g. `ANSWER`,
    /// `GET_STATUS`, `PAUSE_MEDIA`), in the connection's control format. A
    /// command Asterisk refuses in passthrough mode fails there at once with
    /// [`MediaError::Refused`].
    pub async fn command(&self, command: &C) -> Result<(), MediaError> {
        let text = self.encode(command)?;
        self.queue(&self.ordered, Outgoing::Text(text)).await
    }

    /// Mark the audio sent so far (whole frames; see
    /// [`MediaSession::finish_audio`]) and wait until Asterisk has played up to
    /// the mark (`MEDIA_MARK_PROCESSED`): [`MediaSession::queue_mark`], then
    /// its [`PendingMark`].
    pub async fn mark(&self, id: impl Into<String>) -> Result<(), MediaError> {
        self.queue_mark(id).await?.await
    }

    /// Queue a mark behind the audio sent so far and return at once; the
    /// [`PendingMark`] resolves when Asterisk has played up to it. Marks
    /// resolve in the order they were queued (one processed mark resolves every
    /// earlier one too). A [`MediaSession::flush`] makes waiting marks fail
    /// with [`MediaError::Flushed`] (Asterisk drops queued marks with the
    /// audio); the end of the session with [`MediaError::Ended`]. In
    /// passthrough mode it fails at once with [`MediaError::Refused`] (Asterisk
    /// refuses marks there); when Asterisk answers a mark with an `ERROR`
    /// (media direction `in`), the oldest waiting mark fails with
    /// [`MediaError::Refused`]. A release without `MARK_MEDIA` (21.12.3) never
    /// answers.
    pub async fn queue_mark(&self, id: impl Into<String>) -> Result<PendingMark, MediaError> {
        let id = id.into();
        let text = self.encode(&C::mark(&id))?;
        let (tx, rx) = oneshot::channel();
        // Under the marks lock, as in `flush`: a mark belongs to exactly one
        // side of a flush.
        let generation = {
            let mut marks = self.shared.marks();
            marks.push_back((id, tx));
            self.shared.flow.borrow().generation
        };
        self.queue(&self.ordered, Outgoing::Mark { generation, text })
            .await?;
        Ok(PendingMark {
            rx,
            shared: Arc::clone(&self.shared),
        })
    }

    /// Barge-in: discard the audio and marks queued here and not yet written,
    /// the partial frame, and (with `FLUSH_MEDIA`) everything Asterisk has
    /// queued but not played. Waiting marks and a waiting `send_audio` fail
    /// with [`MediaError::Flushed`]. Other commands sent before the flush are
    /// written before `FLUSH_MEDIA`, in order. A mark Asterisk played just
    /// before it got the flush may still be reported afterwards: use a new id
    /// for marks after a flush. In passthrough mode it fails at once with
    /// [`MediaError::Refused`] (Asterisk refuses `FLUSH_MEDIA` there).
    pub async fn flush(&self) -> Result<(), MediaError> {
        let text = self.encode(&C::flush())?;
        let flushed: Vec<MarkWaiter> = {
            let mut marks = self.shared.marks();
            self.shared.flow.send_modify(|f| f.generation += 1);
            marks.drain(..).collect()
        };
        for (_, waiter) in flushed {
            let _ = waiter.send(Err(MediaError::Flushed));
        }
        self.reframer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.queue(&self.ordered, Outgoing::Text(text)).await
    }

    /// A command in this connection's format, when the server's release line
    /// has it.
    fn encode(&self, command: &C) -> Result<String, MediaError> {
        if self.format.passthrough() && command.refused_in_passthrough() {
            return Err(MediaError::Refused {
                command: command.name().to_string(),
                reason: "not supported in passthrough mode".into(),
            });
        }
        if let (Some(server), Some(availability)) = (&self.server_version, command.availability()) {
            version::check(command.name(), server, &availability)?;
        }
        Ok(command.encode(self.format.control)?)
    }

    /// Ask Asterisk to hang the channel up (`HANGUP`); it then closes the
    /// connection and the session ends with [`EndReason::Hangup`].
    pub async fn hangup(&self) -> Result<(), MediaError> {
        self.command(&C::hangup()).await
    }

    /// Close the connection after what was queued before it (Asterisk hangs
    /// the channel up) and wait for the end.
    pub async fn close(self) -> EndReason {
        let _ = self.ordered.send(Outgoing::Close).await;
        self.closed().await
    }

    /// Wait until the session ends, and why.
    pub async fn closed(&self) -> EndReason {
        let mut flow = self.shared.flow.subscribe();
        loop {
            if let Some(end) = flow.borrow_and_update().ended.clone() {
                return end;
            }
            if flow.changed().await.is_err() {
                return EndReason::Lost("session task stopped".into());
            }
        }
    }

    /// Why the session ended, if it has.
    pub fn end_reason(&self) -> Option<EndReason> {
        self.shared.flow.borrow().ended.clone()
    }

    /// Whether Asterisk asked us to stop sending audio (XOFF without XON yet).
    pub fn is_paused(&self) -> bool {
        self.shared.flow.borrow().xoff
    }

    /// Bytes of a partial frame waiting for more audio.
    pub fn pending_bytes(&self) -> usize {
        self.reframer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pending()
    }

    /// The session's counters.
    pub fn stats(&self) -> MediaStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        MediaStats {
            frames_sent: get(&c.frames_sent),
            bytes_sent: get(&c.bytes_sent),
            frames_received: get(&c.frames_received),
            bytes_received: get(&c.bytes_received),
            frames_dropped: get(&c.frames_dropped),
            events_dropped: get(&c.events_dropped),
            xoffs: get(&c.xoffs),
            marks_processed: get(&c.marks_processed),
        }
    }
}

/// Read until the first TEXT message (audio before it is ignored).
async fn first_text<S>(socket: &mut WebSocketStream<S>) -> Result<String, MediaError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => return Ok(text.to_string()),
            Some(Ok(Message::Close(_))) | None => {
                return Err(MediaError::Handshake("closed before MEDIA_START".into()));
            }
            Some(Err(e)) => return Err(MediaError::Handshake(e.to_string())),
            Some(Ok(_)) => {}
        }
    }
}

/// The socket task of one session.
struct Driver<E> {
    shared: Arc<Shared>,
    audio: mpsc::Sender<Bytes>,
    events: mpsc::Sender<MediaItem<E>>,
    close_timeout: Duration,
    write_timeout: Duration,
    /// The name of the mark command, to match Asterisk's `ERROR` refusing one.
    mark_command: String,
    _event: PhantomData<fn() -> E>,
}

impl<E: ProtocolEvent> Driver<E> {
    async fn run<S>(self, mut socket: WebSocketStream<S>, mut ordered: mpsc::Receiver<Outgoing>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        // Everything is written in the order queued (audio and marks of a
        // flushed generation are skipped); a close comes behind what was
        // queued before it, and so does the close of a dropped session.
        let end = loop {
            tokio::select! {
                message = socket.next() => match message {
                    Some(Ok(Message::Binary(frame))) => self.audio_in(frame),
                    Some(Ok(Message::Text(text))) => self.text_in(text.as_str()),
                    Some(Ok(Message::Close(frame))) => {
                        let _ = tokio::time::timeout(self.close_timeout, socket.close(None)).await;
                        break match frame {
                            Some(f) => EndReason::Hangup { code: Some(u16::from(f.code)), reason: f.reason.to_string() },
                            None => EndReason::Hangup { code: None, reason: String::new() },
                        };
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => break EndReason::Lost(e.to_string()),
                    None => break EndReason::Lost("connection closed without a close frame".into()),
                },
                out = ordered.recv() => match out {
                    Some(Outgoing::Close) | None => break self.close(&mut socket).await,
                    Some(item) => if let Err(end) = self.write(&mut socket, item).await {
                        break end;
                    },
                },
            }
        };
        self.shared
            .flow
            .send_modify(|f| f.ended = Some(end.clone()));
        self.shared.fail_marks(|| MediaError::Ended(end.clone()));
        let _ = self.events.try_send(MediaItem::Ended(end));
    }

    /// Write one item, bounded by the write timeout.
    async fn write<S>(
        &self,
        socket: &mut WebSocketStream<S>,
        item: Outgoing,
    ) -> Result<(), EndReason>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let message = match item {
            Outgoing::Audio { generation, frame } => {
                if generation != self.shared.flow.borrow().generation {
                    return Ok(());
                }
                bump(&self.shared.counters.frames_sent, 1);
                bump(&self.shared.counters.bytes_sent, frame.len() as u64);
                Message::Binary(frame)
            }
            Outgoing::Mark { generation, text } => {
                if generation != self.shared.flow.borrow().generation {
                    return Ok(());
                }
                Message::text(text)
            }
            Outgoing::Text(text) => Message::text(text),
            Outgoing::Close => return Ok(()),
        };
        match tokio::time::timeout(self.write_timeout, socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(EndReason::Lost(e.to_string())),
            Err(_) => Err(EndReason::WriteTimeout(self.write_timeout)),
        }
    }

    /// Send a close frame and wait (bounded) for Asterisk's answer.
    async fn close<S>(&self, socket: &mut WebSocketStream<S>) -> EndReason
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        let drain = async {
            if socket.send(Message::Close(Some(frame))).await.is_err() {
                return;
            }
            while let Some(Ok(_)) = socket.next().await {}
        };
        let _ = tokio::time::timeout(self.close_timeout, drain).await;
        EndReason::Closed
    }

    fn audio_in(&self, frame: Bytes) {
        let c = &self.shared.counters;
        bump(&c.frames_received, 1);
        bump(&c.bytes_received, frame.len() as u64);
        if self.audio.try_send(frame).is_err() {
            bump(&c.frames_dropped, 1);
        }
    }

    fn text_in(&self, text: &str) {
        let item = match E::decode(text) {
            Ok(event) => {
                match event.signal() {
                    Signal::Xoff => {
                        bump(&self.shared.counters.xoffs, 1);
                        self.shared.flow.send_modify(|f| f.xoff = true);
                    }
                    Signal::Xon => self.shared.flow.send_modify(|f| f.xoff = false),
                    Signal::MarkProcessed(id) => self.shared.mark_processed(id.unwrap_or("")),
                    Signal::CommandError(text) => {
                        if let Some(reason) = text
                            .strip_prefix(self.mark_command.as_str())
                            .and_then(|rest| rest.strip_prefix(' '))
                        {
                            self.shared.mark_refused(&self.mark_command, reason.trim());
                        }
                    }
                    _ => {}
                }
                MediaItem::Event(event)
            }
            Err(error) => MediaItem::Malformed(MalformedMessage {
                text: text.to_string(),
                error,
            }),
        };
        // The driver is the only sender: a free slot beyond the last one
        // stays free for `MediaItem::Ended`.
        if self.events.capacity() <= 1 || self.events.try_send(item).is_err() {
            bump(&self.shared.counters.events_dropped, 1);
        }
    }
}
