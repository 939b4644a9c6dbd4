//! The peer's state machine and its three entry points.

use asterisk_sdk::media::{
    CommandError, ControlFormat, DtmfEnd, MediaBufferingCompleted, MediaCommand,
    MediaMarkProcessed, MediaStart, MediaXoff, MediaXon, QueueDrained, Status, facts,
};
use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// How the mock peer behaves.
#[derive(Debug, Clone)]
pub struct MockMediaConfig {
    /// Codec name in `MEDIA_START` (default `ulaw`).
    pub codec: String,
    /// Bytes per frame (default 160: 20 ms of µ-law); 0 is passthrough.
    pub optimal_frame_size: usize,
    /// Milliseconds per frame (default 20).
    pub ptime: u32,
    /// Control-message format (default plain text).
    pub control: ControlFormat,
    /// Factor on the playing pace (1.0: real time; 0.05: 20 × faster).
    pub pacing: f64,
    /// Queued frames that trigger `MEDIA_XOFF` (Asterisk: 900).
    pub xoff_level: usize,
    /// Queued frames under which `MEDIA_XON` follows an XOFF (Asterisk: 800).
    pub xon_level: usize,
    /// Queued frames at which incoming audio is dropped (Asterisk: 1000).
    pub queue_max: usize,
    /// Echo played frames back to the application (default on).
    pub echo: bool,
    /// Channel name in `MEDIA_START`.
    pub channel: String,
    /// Channel id in `MEDIA_START`.
    pub channel_id: String,
    /// Connection id in `MEDIA_START` (and the server's path).
    pub connection_id: String,
}

impl Default for MockMediaConfig {
    fn default() -> Self {
        MockMediaConfig {
            codec: "ulaw".into(),
            optimal_frame_size: 160,
            ptime: 20,
            control: ControlFormat::PlainText,
            pacing: 1.0,
            xoff_level: facts::QUEUE_LENGTH_XOFF_LEVEL,
            xon_level: facts::QUEUE_LENGTH_XON_LEVEL,
            queue_max: facts::QUEUE_LENGTH_MAX,
            echo: true,
            channel: "WebSocket/INCOMING/0x1".into(),
            channel_id: "1700000000.1".into(),
            connection_id: "3b7c2f4e-0000-4000-8000-000000000001".into(),
        }
    }
}

impl MockMediaConfig {
    /// The time between two played frames.
    fn frame_period(&self) -> Duration {
        let ms = f64::from(self.ptime.max(1)) * self.pacing.max(0.0);
        Duration::from_secs_f64(ms / 1000.0).max(Duration::from_micros(200))
    }
}

/// What a handle asks the running peer to do.
#[derive(Debug)]
enum Cue {
    Audio(Vec<u8>),
    Text(String),
    Dtmf(char),
    Hangup(u16),
    Stall,
    Resume,
}

#[derive(Debug, Default)]
struct Record {
    played: Vec<u8>,
    commands: Vec<String>,
    xoffs: u64,
    dropped_frames: u64,
    max_queue: usize,
    answered: bool,
    direction: Option<String>,
}

#[derive(Debug)]
struct PeerShared {
    config: MockMediaConfig,
    record: Mutex<Record>,
    cues: Mutex<Option<mpsc::UnboundedSender<Cue>>>,
    /// 0: waiting, 1: connected, 2: ended.
    state: watch::Sender<u8>,
}

/// Watches and steers one mock media connection. Cheap to clone.
#[derive(Debug, Clone)]
pub struct MockMediaHandle {
    shared: Arc<PeerShared>,
}

impl MockMediaHandle {
    /// A peer that has not connected yet.
    pub fn new(config: MockMediaConfig) -> Self {
        MockMediaHandle {
            shared: Arc::new(PeerShared {
                config,
                record: Mutex::new(Record::default()),
                cues: Mutex::new(None),
                state: watch::Sender::new(0),
            }),
        }
    }

    fn record(&self) -> std::sync::MutexGuard<'_, Record> {
        self.shared.record.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The peer's settings.
    pub fn config(&self) -> &MockMediaConfig {
        &self.shared.config
    }

    fn cue(&self, cue: Cue) -> bool {
        let cues = self.shared.cues.lock().unwrap_or_else(|p| p.into_inner());
        cues.as_ref().is_some_and(|tx| tx.send(cue).is_ok())
    }

    /// Whether an application is connected.
    pub fn is_connected(&self) -> bool {
        *self.shared.state.borrow() == 1
    }

    /// Whether the connection ended.
    pub fn is_ended(&self) -> bool {
        *self.shared.state.borrow() == 2
    }

    /// Wait until the application connected (true) or the peer ended (false).
    pub async fn connected(&self) -> bool {
        let mut rx = self.shared.state.subscribe();
        matches!(rx.wait_for(|s| *s >= 1).await.map(|s| *s), Ok(1))
    }

    /// Wait until the connection ended.
    pub async fn ended(&self) {
        let mut rx = self.shared.state.subscribe();
        let _ = rx.wait_for(|s| *s == 2).await;
    }

    /// Send caller audio to the application, in frames of the optimal size.
    pub fn send_audio(&self, audio: &[u8]) -> bool {
        self.cue(Cue::Audio(audio.to_vec()))
    }

    /// Send a DTMF digit (`DTMF_END`).
    pub fn send_dtmf(&self, digit: char) -> bool {
        self.cue(Cue::Dtmf(digit))
    }

    /// Send any TEXT message (e.g. a malformed one).
    pub fn send_text(&self, text: impl Into<String>) -> bool {
        self.cue(Cue::Text(text.into()))
    }

    /// Stop reading, playing and writing (as a stuck peer would) until
    /// [`MockMediaHandle::resume`].
    pub fn stall(&self) -> bool {
        self.cue(Cue::Stall)
    }

    /// Go on after [`MockMediaHandle::stall`].
    pub fn resume(&self) -> bool {
        self.cue(Cue::Resume)
    }

    /// Hang up: close the WebSocket with code 1000, as `webchan_hangup` does.
    pub fn hangup(&self) -> bool {
        self.cue(Cue::Hangup(1000))
    }

    /// Every audio byte played (taken off the queue), in order.
    pub fn played(&self) -> Vec<u8> {
        self.record().played.clone()
    }

    /// Every command received, as sent.
    pub fn commands(&self) -> Vec<String> {
        self.record().commands.clone()
    }

    /// `MEDIA_XOFF` events sent.
    pub fn xoffs(&self) -> u64 {
        self.record().xoffs
    }

    /// Frames dropped because the queue was at `queue_max`.
    pub fn dropped_frames(&self) -> u64 {
        self.record().dropped_frames
    }

    /// The longest the queue was, in frames.
    pub fn max_queue(&self) -> usize {
        self.record().max_queue
    }

    /// Whether `ANSWER` was received.
    pub fn answered(&self) -> bool {
        self.record().answered
    }

    /// The last media direction set with `SET_MEDIA_DIRECTION`.
    pub fn direction(&self) -> Option<String> {
        self.record().direction.clone()
    }

    /// Play Asterisk's side on an upgraded socket until it ends.
    pub async fn run<S>(&self, socket: WebSocketStream<S>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.shared.cues.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
        self.shared.state.send_replace(1);
        Peer::new(self.clone()).run(socket, rx).await;
        *self.shared.cues.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.shared.state.send_replace(2);
    }
}

/// One queued item, like the driver's frame queue.
#[derive(Debug)]
enum Queued {
    Audio(Bytes),
    /// An event sent when playback reaches it (marks, buffering completed).
    Event(String),
}

struct Peer {
    handle: MockMediaHandle,
    queue: VecDeque<Queued>,
    audio_len: usize,
    queue_full: bool,
    paused: bool,
    bulk: bool,
    leftover: Vec<u8>,
    report_drained: bool,
}

enum Step {
    Go,
    Stop,
}

impl Peer {
    fn new(handle: MockMediaHandle) -> Self {
        Peer {
            handle,
            queue: VecDeque::new(),
            audio_len: 0,
            queue_full: false,
            paused: false,
            bulk: false,
            leftover: Vec::new(),
            report_drained: false,
        }
    }

    fn config(&self) -> &MockMediaConfig {
        &self.handle.shared.config
    }

    fn format(&self) -> ControlFormat {
        self.config().control
    }

    fn channel_id(&self) -> Option<String> {
        Some(self.config().channel_id.clone())
    }

    async fn run<S>(mut self, mut ws: WebSocketStream<S>, mut cues: mpsc::UnboundedReceiver<Cue>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let c = self.config().clone();
        let mut start = MediaStart::default();
        start.connection_id = c.connection_id.clone();
        start.channel = c.channel.clone();
        start.channel_id = Some(c.channel_id.clone());
        start.format = c.codec.clone();
        start.optimal_frame_size = c.optimal_frame_size as u32;
        start.ptime = c.ptime;
        start.channel_variables = (c.control == ControlFormat::Json).then(serde_json::Map::new);
        if ws
            .send(Message::text(start.encode(c.control)))
            .await
            .is_err()
        {
            return;
        }
        let mut ticker = tokio::time::interval(c.frame_period());
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        loop {
            let step = tokio::select! {
                _ = ticker.tick() => self.tick(&mut ws).await,
                cue = cues.recv() => match cue {
                    Some(Cue::Stall) => loop {
                        match cues.recv().await {
                            Some(Cue::Resume) => break Step::Go,
                            Some(_) => {}
                            None => break Step::Stop,
                        }
                    },
                    Some(cue) => self.cue(&mut ws, cue).await,
                    None => Step::Stop,
                },
                message = ws.next() => match message {
                    Some(Ok(Message::Binary(audio))) => { self.audio_in(&mut ws, &audio).await; Step::Go }
                    Some(Ok(Message::Text(text))) => self.command(&mut ws, text.as_str()).await,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => Step::Stop,
                    Some(Ok(_)) => Step::Go,
                },
            };
            if matches!(step, Step::Stop) {
                break;
            }
        }
    }

    async fn send<S>(&self, ws: &mut WebSocketStream<S>, text: String)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let _ = ws.send(Message::text(text)).await;
    }

    /// One playing slot (`dequeue_frame`).
    async fn tick<S>(&mut self, ws: &mut WebSocketStream<S>) -> Step
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        if self.paused {
            return Step::Go;
        }
        if self.queue_full && self.audio_len < self.config().xon_level {
            self.queue_full = false;
            let mut xon = MediaXon::default();
            xon.channel_id = self.channel_id();
            self.send(ws, xon.encode(self.format())).await;
        }
        let mut sent_events = false;
        loop {
            match self.queue.pop_front() {
                Some(Queued::Event(text)) => {
                    sent_events = true;
                    self.send(ws, text).await;
                }
                Some(Queued::Audio(frame)) => {
                    self.audio_len -= 1;
                    self.handle.record().played.extend_from_slice(&frame);
                    if self.config().echo && ws.send(Message::Binary(frame)).await.is_err() {
                        return Step::Stop;
                    }
                    return Step::Go;
                }
                // After control frames, dequeue_frame returns without
                // QUEUE_DRAINED (23.4.1:551-553); the next slot reports it.
                None if sent_events => return Step::Go,
                None => {
                    if self.report_drained {
                        self.report_drained = false;
                        let mut drained = QueueDrained::default();
                        drained.channel_id = self.channel_id();
                        self.send(ws, drained.encode(self.format())).await;
                    }
                    return Step::Go;
                }
            }
        }
    }

    /// Queue one frame (`queue_frame_from_buffer`).
    async fn queue_frame<S>(&mut self, ws: &mut WebSocketStream<S>, frame: &[u8])
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        self.queue
            .push_back(Queued::Audio(Bytes::copy_from_slice(frame)));
        self.audio_len += 1;
        {
            let mut r = self.handle.record();
            r.max_queue = r.max_queue.max(self.audio_len);
        }
        if !self.queue_full && self.audio_len >= self.config().xoff_level {
            self.queue_full = true;
            self.handle.record().xoffs += 1;
            let mut xoff = MediaXoff::default();
            xoff.channel_id = self.channel_id();
            self.send(ws, xoff.encode(self.format())).await;
        }
    }

    /// A BINARY message (`process_binary_message`).
    async fn audio_in<S>(&mut self, ws: &mut WebSocketStream<S>, audio: &[u8])
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let size = self.config().optimal_frame_size;
        if self.audio_len >= self.config().queue_max {
            let frames = if size == 0 {
                1
            } else {
                audio.len().div_ceil(size)
            };
            self.handle.record().dropped_frames += frames as u64;
            return;
        }
        if size == 0 {
            self.queue_frame(ws, audio).await;
            return;
        }
        let mut rest = audio;
        if self.bulk && !self.leftover.is_empty() {
            let take = (size - self.leftover.len()).min(rest.len());
            self.leftover.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.leftover.len() < size {
                return;
            }
            let frame = std::mem::take(&mut self.leftover);
            self.queue_frame(ws, &frame).await;
        }
        if !self.bulk {
            self.leftover.clear();
        }
        let mut chunks = rest.chunks_exact(size);
        for frame in chunks.by_ref() {
            self.queue_frame(ws, frame).await;
        }
        if self.bulk {
            self.leftover = chunks.remainder().to_vec();
        }
    }

    async fn error<S>(&self, ws: &mut WebSocketStream<S>, text: String)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let mut e = CommandError::default();
        e.channel_id = self.config().channel_id.clone();
        e.error_text = text;
        self.send(ws, e.encode(self.format())).await;
    }

    /// The `ERROR` text of `ERROR_ON_PASSTHROUGH_MODE_RTN` and
    /// `ERROR_ON_INVALID_MEDIA_DIRECTION_RTN` (`handle_command`), if the
    /// command is refused.
    fn refusal(&self, command: &MediaCommand) -> Option<String> {
        let name = command.name();
        let passthrough_guarded = command.refused_in_passthrough();
        let direction_guarded = matches!(
            command,
            MediaCommand::StartMediaBuffering
                | MediaCommand::StopMediaBuffering { .. }
                | MediaCommand::MarkMedia { .. }
                | MediaCommand::PauseMedia
                | MediaCommand::ContinueMedia
        );
        if passthrough_guarded && self.config().optimal_frame_size == 0 {
            return Some(format!("{name} not supported in passthrough mode"));
        }
        let direction_in = self.handle.record().direction.as_deref() == Some("in");
        if direction_guarded && direction_in {
            return Some(format!(
                "{name} not supported while media direction is 'in'"
            ));
        }
        None
    }

    /// A TEXT message (`process_text_message` / `handle_command`).
    async fn command<S>(&mut self, ws: &mut WebSocketStream<S>, text: &str) -> Step
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        self.handle.record().commands.push(text.to_string());
        if text.is_empty() || text.len() > facts::MAX_TEXT_MESSAGE_LEN {
            return Step::Go;
        }
        let command = match MediaCommand::decode(text) {
            Ok(command) => command,
            Err(_) if self.format() == ControlFormat::Json => {
                self.error(ws, "Unable to parse JSON command".into()).await;
                return Step::Go;
            }
            Err(_) => return Step::Go,
        };
        let format = self.format();
        if let Some(refusal) = self.refusal(&command) {
            self.error(ws, refusal).await;
            return Step::Go;
        }
        match command {
            MediaCommand::Answer => self.handle.record().answered = true,
            MediaCommand::Hangup => {
                close(ws, 1000).await;
                return Step::Stop;
            }
            MediaCommand::StartMediaBuffering => self.bulk = true,
            MediaCommand::StopMediaBuffering { correlation_id } => {
                self.bulk = false;
                if !self.leftover.is_empty() {
                    let last = std::mem::take(&mut self.leftover);
                    self.queue_frame(ws, &last).await;
                }
                let mut done = MediaBufferingCompleted::default();
                done.channel_id = self.channel_id();
                done.correlation_id = correlation_id;
                self.queue.push_back(Queued::Event(done.encode(format)));
            }
            MediaCommand::MarkMedia { correlation_id } => {
                let mut done = MediaMarkProcessed::default();
                done.channel_id = self.channel_id();
                done.correlation_id = Some(correlation_id).filter(|id| !id.is_empty());
                self.queue.push_back(Queued::Event(done.encode(format)));
            }
            MediaCommand::FlushMedia => {
                self.queue.clear();
                self.audio_len = 0;
                self.bulk = false;
                self.leftover.clear();
            }
            MediaCommand::ReportQueueDrained => self.report_drained = true,
            MediaCommand::GetStatus => {
                let c = self.config();
                let mut status = Status::default();
                status.channel_id = self.channel_id();
                status.queue_length = self.audio_len as u32;
                status.xon_level = c.xon_level as u32;
                status.xoff_level = c.xoff_level as u32;
                status.queue_full = self.queue_full;
                status.bulk_media = self.bulk;
                status.media_paused = self.paused;
                self.send(ws, status.encode(format)).await;
            }
            MediaCommand::PauseMedia => self.paused = true,
            MediaCommand::ContinueMedia => self.paused = false,
            MediaCommand::SetMediaDirection { direction } => {
                if format != ControlFormat::Json {
                    self.error(
                        ws,
                        "SET_MEDIA_DIRECTION only supports JSON format.\n".into(),
                    )
                    .await;
                } else if ["both", "in", "out"].contains(&direction.as_str()) {
                    self.handle.record().direction = Some(direction);
                } else {
                    let text = format!(
                        "'{direction}' is not a valid direction for SET_MEDIA_DIRECTION.\n"
                    );
                    self.error(ws, text).await;
                }
            }
            // Asterisk logs an unknown command and ignores it.
            _ => {}
        }
        Step::Go
    }

    async fn cue<S>(&mut self, ws: &mut WebSocketStream<S>, cue: Cue) -> Step
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match cue {
            Cue::Audio(audio) => {
                let size = self.config().optimal_frame_size;
                let frames: Vec<&[u8]> = if size == 0 {
                    vec![&audio[..]]
                } else {
                    audio.chunks(size).collect()
                };
                for frame in frames {
                    if ws
                        .send(Message::Binary(Bytes::copy_from_slice(frame)))
                        .await
                        .is_err()
                    {
                        return Step::Stop;
                    }
                }
            }
            Cue::Text(text) => self.send(ws, text).await,
            Cue::Dtmf(digit) => {
                let mut dtmf = DtmfEnd::default();
                dtmf.digit = digit;
                dtmf.channel_id = self.channel_id();
                self.send(ws, dtmf.encode(self.format())).await;
            }
            Cue::Hangup(code) => {
                close(ws, code).await;
                return Step::Stop;
            }
            Cue::Stall | Cue::Resume => {}
        }
        Step::Go
    }
}

/// Close like `webchan_hangup`: a close frame with the hang-up's code.
async fn close<S>(ws: &mut WebSocketStream<S>, code: u16)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: "".into(),
    };
    let _ = ws.send(Message::Close(Some(frame))).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// Asterisk as server for one connection id: the application connects to
/// [`MockMediaServer::url`].
#[derive(Debug)]
pub struct MockMediaServer {
    addr: SocketAddr,
    handle: MockMediaHandle,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MockMediaServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockMediaServer {
    /// Listen on `127.0.0.1:0` for one application connection at
    /// `/media/<config.connection_id>` (others: 404; a second one: 409).
    pub async fn start(config: MockMediaConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let handle = MockMediaHandle::new(config);
        let serving = handle.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handle = serving.clone();
                tokio::spawn(async move { accept_one(stream, handle).await });
            }
        });
        Ok(MockMediaServer { addr, handle, task })
    }

    /// `ws://127.0.0.1:<port>/media/<connection id>`.
    pub fn url(&self) -> String {
        format!(
            "ws://{}/media/{}",
            self.addr, self.handle.shared.config.connection_id
        )
    }

    /// `http://127.0.0.1:<port>` (a base for `media_url`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The peer of this connection id.
    pub fn handle(&self) -> MockMediaHandle {
        self.handle.clone()
    }
}

fn refuse(status: StatusCode) -> ErrorResponse {
    let mut response = ErrorResponse::new(None);
    *response.status_mut() = status;
    response
}

async fn accept_one(stream: TcpStream, handle: MockMediaHandle) {
    let expected = format!("/media/{}", handle.shared.config.connection_id);
    let busy = *handle.shared.state.borrow() != 0;
    #[allow(clippy::result_large_err)]
    let check = |request: &Request, mut response: Response| -> Result<Response, ErrorResponse> {
        if request.uri().path() != expected {
            return Err(refuse(StatusCode::NOT_FOUND));
        }
        if busy {
            return Err(refuse(StatusCode::CONFLICT));
        }
        offer_media(request, &mut response);
        Ok(response)
    };
    if let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, check).await {
        handle.run(socket).await;
    }
}

/// Answer the `media` sub-protocol when the client asks for it.
pub(crate) fn offer_media(request: &Request, response: &mut Response) {
    let asks = request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == "media");
    if asks {
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static("media"),
        );
    }
}

/// Asterisk as client: connect to the application's media server at `url`
/// (a `websocket_client.conf` connection) and play Asterisk's side. Returns
/// the handle once connected; the peer runs in the background.
pub async fn connect_to(
    url: &str,
    config: MockMediaConfig,
) -> Result<MockMediaHandle, tokio_tungstenite::tungstenite::Error> {
    let (socket, _) = tokio_tungstenite::connect_async(url).await?;
    let handle = MockMediaHandle::new(config);
    let running = handle.clone();
    tokio::spawn(async move { running.run(socket).await });
    handle.connected().await;
    Ok(handle)
}
