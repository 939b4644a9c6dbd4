//! One live connection: the socket reader task (decode, route answers, dispatch
//! events), the writer task, and [`ConnHandle`] to send actions over it.

use super::super::action::ActionHeaders;
use super::super::codec::{Frame, FrameDecoder};
use super::super::message::Message;
use super::super::text::Text;
use super::AmiError;
use super::hub::{Dispatcher, Hub, Item, MAX_BATCH};
use super::pending::{Pending, Registration, Waiter};
use super::transport::BoxIo;
use bytes::BytesMut;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Bytes read from the socket at a time (at least).
const READ_CHUNK: usize = 256 * 1024;
/// Rendered actions queued for the writer.
const WRITE_QUEUE: usize = 1024;

/// Sending side of one connection.
pub(crate) struct ConnHandle {
    id: u64,
    next: AtomicU64,
    /// When the reader last received bytes (see [`ConnHandle::silent_for`]).
    heard: Arc<Heard>,
    write_tx: mpsc::Sender<Outgoing>,
    pub(crate) pending: Arc<Pending>,
}

/// A rendered action for the writer, with the flag it sets when it hands the
/// bytes to the socket (from then on, the action may have reached Asterisk).
pub(crate) struct Outgoing {
    bytes: Vec<u8>,
    written: Arc<AtomicBool>,
}

/// When a connection last received bytes, as milliseconds since it opened.
pub(crate) struct Heard {
    opened: Instant,
    at_ms: AtomicU64,
}

impl Heard {
    fn new() -> Heard {
        Heard {
            opened: Instant::now(),
            at_ms: AtomicU64::new(0),
        }
    }

    fn now(&self) {
        let ms = self.opened.elapsed().as_millis().min(u64::MAX as u128) as u64;
        self.at_ms.store(ms, Ordering::Relaxed);
    }
}

/// The tasks of one connection.
pub(crate) struct ConnTasks {
    pub(crate) reader: JoinHandle<()>,
    pub(crate) writer: JoinHandle<()>,
}

impl ConnTasks {
    pub(crate) fn abort(&self) {
        self.reader.abort();
        self.writer.abort();
    }
}

/// Where the reader stores the banner line.
pub(crate) type BannerSlot = Arc<Mutex<Option<Text>>>;

/// Start the reader and writer of a fresh connection. The reader dispatches no
/// event before `gate` fires (login done); when it fires with `true`, a
/// `Reconnected` marker goes out first.
pub(crate) fn start(
    io: BoxIo,
    id: u64,
    hub: Arc<Hub>,
    banner: BannerSlot,
    max_message: usize,
    gate: oneshot::Receiver<bool>,
) -> (Arc<ConnHandle>, ConnTasks) {
    let (read, write) = tokio::io::split(io);
    let (write_tx, write_rx) = mpsc::channel(WRITE_QUEUE);
    let pending = Arc::new(Pending::default());
    let heard = Arc::new(Heard::new());
    let reader = tokio::spawn(read_loop(
        read,
        heard.clone(),
        pending.clone(),
        Dispatcher::new(hub),
        banner,
        max_message,
        gate,
    ));
    let writer = tokio::spawn(write_loop(write, write_rx));
    let handle = Arc::new(ConnHandle {
        id,
        next: AtomicU64::new(1),
        heard,
        write_tx,
        pending,
    });
    (handle, ConnTasks { reader, writer })
}

impl ConnHandle {
    /// How long the connection has received nothing.
    pub(crate) fn silent_for(&self) -> Duration {
        let at = Duration::from_millis(self.heard.at_ms.load(Ordering::Relaxed));
        self.heard.opened.elapsed().saturating_sub(at)
    }

    /// A fresh internal ActionID: `sdk-<connection>-<n>`.
    pub(crate) fn next_action_id(&self) -> String {
        format!(
            "sdk-{}-{}",
            self.id,
            self.next.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Render and queue an action under the user's `ActionID` (or a fresh one)
    /// with `waiter` registered for its answer. Dropping the registration frees
    /// the `ActionID`.
    pub(crate) async fn write_action(
        &self,
        name: &str,
        headers: &ActionHeaders,
        user_id: Option<&str>,
        waiter: Waiter,
    ) -> Result<Registration, AmiError> {
        let id = match user_id {
            Some(u) => u.to_string(),
            None => self.next_action_id(),
        };
        let mut out = Vec::with_capacity(64 + headers.len() * 32);
        headers.render(name, Some(&id), &mut out)?;
        let registration = self.pending.register(&id, waiter)?;
        let outgoing = Outgoing {
            bytes: out,
            written: registration.written_flag(),
        };
        if self.write_tx.send(outgoing).await.is_err() {
            return Err(AmiError::Disconnected);
        }
        Ok(registration)
    }

    /// Send an action and wait up to `timeout` for its answer.
    pub(crate) async fn request(
        &self,
        name: &str,
        headers: &ActionHeaders,
        user_id: Option<&str>,
        timeout: Duration,
    ) -> Result<Message, AmiError> {
        let (tx, rx) = oneshot::channel();
        let registration = self
            .write_action(name, headers, user_id, Waiter::Single(tx))
            .await?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(msg)) => Ok(msg),
            Ok(Err(_)) => Err(registration.lost(name)),
            Err(_) => Err(AmiError::Timeout {
                action: name.to_string(),
                after: timeout,
            }),
        }
    }
}

/// Whether a message is a response (first header `Response`) rather than an event.
/// OriginateResponse events carry a `Response` header too: the first line decides.
fn is_response(msg: &Message) -> bool {
    let first = msg.name(0);
    if first.eq_ignore_ascii_case("Event") {
        return false;
    }
    if first.eq_ignore_ascii_case("Response") {
        return true;
    }
    msg.position("Event").is_none() && msg.position("Response").is_some()
}

async fn write_loop(mut write: WriteHalf<BoxIo>, mut rx: mpsc::Receiver<Outgoing>) {
    let mut out = Vec::with_capacity(4096);
    while let Some(first) = rx.recv().await {
        out.clear();
        take(&mut out, first);
        // Coalesce what is already queued into one write.
        while out.len() < READ_CHUNK {
            match rx.try_recv() {
                Ok(more) => take(&mut out, more),
                Err(_) => break,
            }
        }
        if let Err(e) = write.write_all(&out).await {
            tracing::debug!(error = %e, "AMI write failed");
            return;
        }
        if let Err(e) = write.flush().await {
            tracing::debug!(error = %e, "AMI flush failed");
            return;
        }
    }
    let _ = write.shutdown().await;
}

/// Append an action to the write buffer; from here on it may reach Asterisk.
fn take(out: &mut Vec<u8>, action: Outgoing) {
    action.written.store(true, Ordering::Release);
    out.extend_from_slice(&action.bytes);
}

struct Reader {
    pending: Arc<Pending>,
    dispatcher: Dispatcher,
    batch: Vec<Item>,
    gate: Option<oneshot::Receiver<bool>>,
}

impl Reader {
    /// Dispatch the pending events, unless login is still running: they wait (a
    /// reconnect marker must go out first, and answers keep being routed).
    async fn flush(&mut self) {
        if self.batch.is_empty() || self.gate.is_some() {
            return;
        }
        let items = std::mem::replace(&mut self.batch, Vec::with_capacity(MAX_BATCH));
        self.dispatcher.dispatch(items).await;
    }

    async fn handle(&mut self, msg: Message) {
        // The events read before an answer reach the subscribers before the
        // answer reaches its waiter: whoever reads a list's completion finds
        // every event that preceded it already queued.
        if is_response(&msg) {
            self.flush().await;
            if let Err(msg) = self.pending.route_response(msg) {
                tracing::debug!(
                    action_id = msg.action_id(),
                    "AMI response nobody waits for; dropped"
                );
            }
            return;
        }
        let msg = if self.pending.has_lists() && msg.action_id().is_some() {
            self.flush().await;
            match self.pending.route_event(msg) {
                Ok(()) => return,
                Err(msg) => msg,
            }
        } else if self.pending.has_unkeyed_lists() && msg.action_id().is_none() {
            self.flush().await;
            match self.pending.route_unkeyed(msg) {
                Ok(()) => return,
                Err(msg) => msg,
            }
        } else {
            msg
        };
        self.batch.push(Item::Msg(msg));
        if self.batch.len() >= MAX_BATCH {
            self.flush().await;
        }
    }
}

async fn read_loop(
    mut read: ReadHalf<BoxIo>,
    heard: Arc<Heard>,
    pending: Arc<Pending>,
    dispatcher: Dispatcher,
    banner: BannerSlot,
    max_message: usize,
    gate: oneshot::Receiver<bool>,
) {
    let mut decoder = FrameDecoder::with_max_message(max_message);
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let mut r = Reader {
        pending,
        dispatcher,
        batch: Vec::with_capacity(MAX_BATCH),
        gate: Some(gate),
    };
    loop {
        if buf.capacity() - buf.len() < READ_CHUNK / 4 {
            buf.reserve(READ_CHUNK);
        }
        let n = tokio::select! {
            biased;
            n = read.read_buf(&mut buf) => n,
            opened = async {
                match r.gate.as_mut() {
                    Some(g) => g.await,
                    None => std::future::pending().await,
                }
            } => {
                r.gate = None;
                if let Ok(true) = opened {
                    r.dispatcher.announce_reconnected();
                }
                r.flush().await;
                continue;
            }
        };
        match n {
            Ok(0) => break,
            Ok(_) => heard.now(),
            Err(e) => {
                tracing::debug!(error = %e, "AMI read failed");
                break;
            }
        }
        while let Some(frame) = decoder.decode(&mut buf) {
            match frame {
                Ok(Frame::Message(m)) => r.handle(m).await,
                Ok(Frame::Banner(t)) => {
                    tracing::debug!(banner = %t, "AMI banner");
                    *banner.lock().unwrap_or_else(|e| e.into_inner()) = Some(t);
                }
                Err(e) => tracing::warn!(error = %e, "AMI message skipped"),
            }
        }
        r.flush().await;
    }
    // Fail the calls in flight first: a login waiting for its answer must not keep
    // the gate closed while the last events are dispatched.
    r.pending.close();
    r.gate = None;
    r.flush().await;
}
