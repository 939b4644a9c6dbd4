//! State shared by the listener, every session and the control handle: the
//! configuration, the session registry, scripted answers and what clients sent.

use super::channels::Channels;
use super::config::Config;
use super::mask::EventMask;
use super::reply::Handler;
use asterisk_sdk_runtime::ami::Message;
use bytes::Bytes;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::{mpsc, watch};

/// Received actions kept for [`super::MockAmi::received_actions`] (oldest dropped).
const RECEIVED_CAP: usize = 100_000;

/// What the control side asks a session to write.
#[derive(Debug, Clone)]
pub(crate) enum Out {
    /// Whole blocks (each one message); counted for `drop_after_messages`.
    Blocks(Vec<Bytes>),
    /// Exact bytes (a replayed capture), written as they are.
    Raw(Bytes),
    /// `data` written `copies` times, then `tail`.
    Repeat {
        data: Bytes,
        copies: usize,
        tail: Bytes,
    },
}

/// Per-session flags the control side can read and change.
#[derive(Debug)]
pub(crate) struct SessionState {
    /// Authenticated.
    pub(crate) logged_in: AtomicBool,
    /// Event mask bits.
    pub(crate) mask: AtomicU32,
    /// Messages still to write before closing (`usize::MAX`: no cue).
    pub(crate) drop_after: AtomicUsize,
}

impl SessionState {
    fn new() -> Self {
        SessionState {
            logged_in: AtomicBool::new(false),
            mask: AtomicU32::new(EventMask::ALL.bits()),
            drop_after: AtomicUsize::new(usize::MAX),
        }
    }

    /// The current event mask.
    pub(crate) fn mask(&self) -> EventMask {
        EventMask::from_bits(self.mask.load(Ordering::Relaxed))
    }
}

#[derive(Clone)]
struct SessionEntry {
    tx: mpsc::Sender<Out>,
    state: Arc<SessionState>,
}

/// Everything shared between the server's tasks.
pub(crate) struct Shared {
    pub(crate) config: Config,
    sessions: Mutex<HashMap<u64, SessionEntry>>,
    next_session: AtomicU64,
    received: Mutex<VecDeque<Message>>,
    handlers: Mutex<HashMap<String, Handler>>,
    /// Cut the next event list in the middle.
    pub(crate) drop_next_list: AtomicBool,
    /// Bumped to close every session.
    pub(crate) kill: watch::Sender<u64>,
    /// Set to stop the listener.
    pub(crate) shutdown: watch::Sender<bool>,
    /// The mock's channels (calls started by Originate).
    pub(crate) channels: Mutex<Channels>,
    /// Scripted AsyncAGI results: command prefix (upper case) and result line.
    pub(crate) agi_results: Mutex<Vec<(String, String)>>,
    /// Channels currently in AsyncAGI.
    pub(crate) agi_channels: Mutex<HashSet<String>>,
    /// Originates to channels starting with the prefix fail with the cause;
    /// `None`: no channel can be created (an unknown endpoint).
    pub(crate) originate_failures: Mutex<Vec<(String, Option<u16>)>>,
    /// When the mock started (FullyBooted's `Uptime`).
    pub(crate) started: Instant,
}

/// Lock a mutex, ignoring poisoning (a panicking user handler must not take the
/// whole mock down).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn new(config: Config) -> Self {
        Shared {
            config,
            sessions: Mutex::new(HashMap::new()),
            next_session: AtomicU64::new(1),
            received: Mutex::new(VecDeque::new()),
            handlers: Mutex::new(HashMap::new()),
            drop_next_list: AtomicBool::new(false),
            kill: watch::channel(0).0,
            shutdown: watch::channel(false).0,
            channels: Mutex::new(Channels::default()),
            agi_results: Mutex::new(Vec::new()),
            agi_channels: Mutex::new(HashSet::new()),
            originate_failures: Mutex::new(Vec::new()),
            started: Instant::now(),
        }
    }

    /// Register a new session; returns its id, its flags and its queue.
    pub(crate) fn register(&self) -> (u64, Arc<SessionState>, mpsc::Receiver<Out>) {
        let (tx, rx) = mpsc::channel(self.config.queue_depth);
        let state = Arc::new(SessionState::new());
        let id = self.next_session.fetch_add(1, Ordering::Relaxed);
        lock(&self.sessions).insert(
            id,
            SessionEntry {
                tx,
                state: state.clone(),
            },
        );
        (id, state, rx)
    }

    /// Forget a closed session.
    pub(crate) fn unregister(&self, id: u64) {
        lock(&self.sessions).remove(&id);
    }

    /// Queues of logged-in sessions accepted by `filter`.
    fn targets(&self, filter: impl Fn(&SessionState) -> bool) -> Vec<mpsc::Sender<Out>> {
        lock(&self.sessions)
            .values()
            .filter(|s| s.state.logged_in.load(Ordering::Acquire) && filter(&s.state))
            .map(|s| s.tx.clone())
            .collect()
    }

    /// Number of logged-in sessions.
    pub(crate) fn logged_in(&self) -> usize {
        self.targets(|_| true).len()
    }

    /// Queue `out` to every logged-in session accepted by `filter`; returns how many.
    pub(crate) async fn send_to(&self, out: Out, filter: impl Fn(&SessionState) -> bool) -> usize {
        let mut n = 0;
        for tx in self.targets(filter) {
            if tx.send(out.clone()).await.is_ok() {
                n += 1;
            }
        }
        n
    }

    /// Broadcast one event block to every session whose mask accepts its classes.
    pub(crate) async fn broadcast(&self, block: Bytes, classes: EventMask) -> usize {
        self.send_to(Out::Blocks(vec![block]), |s| s.mask().allows(classes))
            .await
    }

    /// Set the cue "close after `n` more messages" on every connected session.
    pub(crate) fn drop_after(&self, n: usize) {
        for s in lock(&self.sessions).values() {
            s.state.drop_after.store(n, Ordering::Release);
        }
    }

    /// Record an action a client sent.
    pub(crate) fn record(&self, action: &Message) {
        let mut r = lock(&self.received);
        if r.len() == RECEIVED_CAP {
            r.pop_front();
        }
        r.push_back(action.clone());
    }

    /// Every recorded action, oldest first.
    pub(crate) fn received(&self) -> Vec<Message> {
        lock(&self.received).iter().cloned().collect()
    }

    /// Forget the recorded actions.
    pub(crate) fn clear_received(&self) {
        lock(&self.received).clear();
    }

    /// Script the answer to an action (name matched case-insensitively).
    pub(crate) fn set_handler(&self, action: &str, handler: Option<Handler>) {
        let key = action.to_ascii_lowercase();
        let mut h = lock(&self.handlers);
        match handler {
            Some(f) => {
                h.insert(key, f);
            }
            None => {
                h.remove(&key);
            }
        }
    }

    /// The scripted answer to `action`, if any.
    pub(crate) fn handler(&self, action: &str) -> Option<Handler> {
        lock(&self.handlers)
            .get(&action.to_ascii_lowercase())
            .cloned()
    }
}
