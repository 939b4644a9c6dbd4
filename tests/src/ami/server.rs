//! [`MockAmi`]: the running server (listener task) and its control handle.

use super::MockAmiBuilder;
use super::asyncagi;
use super::config::Config;
use super::mask::EventMask;
use super::replay::Capture;
use super::reply::{Handler, Reply};
use super::session;
use super::shared::{Out, Shared, lock};
use super::wire::Block;
use asterisk_sdk_runtime::ami::Message;
use bytes::Bytes;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::net::TcpListener;

/// A mock Asterisk AMI server on a local TCP port.
///
/// It sends the banner, authenticates (plaintext `Secret` and MD5 `Challenge` /
/// `Key`), answers every action of the emulated release (validating required
/// headers, answering list actions with `EventList: start`, items and the
/// completion event), and simulates calls for `Originate`. The handle pushes
/// events, replays captures, scripts answers and cuts connections on cue.
/// Dropping the handle stops the server and closes every session.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use asterisk_sdk_mock::ami::MockAmi;
/// let ami = MockAmi::builder().user("admin", "secret").start().await?;
/// let addr = ami.addr(); // connect your client here
/// ami.push_pairs(&[("Event", "UserEvent"), ("Privilege", "user,all"), ("UserEvent", "Hi")]).await;
/// # let _ = addr; Ok(()) }
/// ```
pub struct MockAmi {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl std::fmt::Debug for MockAmi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockAmi")
            .field("addr", &self.addr)
            .field("release", &self.shared.config.release)
            .finish_non_exhaustive()
    }
}

impl MockAmi {
    /// A builder with the defaults: user `admin`/`amp111` unless users are added,
    /// banner `Asterisk Call Manager/12.0.0`, newest catalog release.
    pub fn builder() -> MockAmiBuilder {
        MockAmiBuilder::default()
    }

    pub(crate) async fn start(config: Config, bind: SocketAddr) -> std::io::Result<MockAmi> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let mut stop = shared.shutdown.subscribe();
        let acceptor = shared.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            let _ = stream.set_nodelay(true);
                            tokio::spawn(session::serve(acceptor.clone(), stream));
                        }
                        // Out of descriptors and the like: wait a little, keep serving.
                        Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
                    },
                }
            }
        });
        Ok(MockAmi { shared, addr })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The release emulated (e.g. `23.4.1`).
    pub fn release(&self) -> &str {
        &self.shared.config.release
    }

    /// Number of actions the mock knows for its release.
    pub fn action_count(&self) -> usize {
        self.shared.config.catalog.len()
    }

    /// Number of logged-in sessions.
    pub fn sessions(&self) -> usize {
        self.shared.logged_in()
    }

    /// Push one event to every logged-in session whose event mask accepts the
    /// classes of its `Privilege` header (`Events: off` receives nothing). Returns
    /// the number of sessions it was queued to; waits while a session's queue is
    /// full.
    pub async fn push_event(&self, event: Message) -> usize {
        let classes = EventMask::of_privilege(event.get("Privilege").unwrap_or(""));
        let block = Block::new().raw_lines(event.as_bytes()).finish();
        self.shared.broadcast(block, classes).await
    }

    /// [`MockAmi::push_event`] of a message built from header pairs.
    pub async fn push_pairs(&self, pairs: &[(&str, &str)]) -> usize {
        self.push_event(Message::from_pairs(pairs.iter().copied()))
            .await
    }

    /// Write `bytes` (e.g. a captured stream) exactly as they are to every
    /// logged-in session, whatever its event mask. Returns the number of sessions.
    pub async fn replay(&self, bytes: impl Into<Bytes>) -> usize {
        self.shared.send_to(Out::Raw(bytes.into()), |_| true).await
    }

    /// Write the messages of `capture` over and over until exactly
    /// `total_messages` have been written to every logged-in session (the last
    /// copy is cut at a message boundary; an incomplete last message of the
    /// capture is left out). Big writes, no per-message work: for benchmarks.
    /// Returns the number of sessions, 0 when the capture holds no message.
    pub async fn replay_repeated(&self, capture: impl Into<Bytes>, total_messages: usize) -> usize {
        let capture = Capture::new(capture.into());
        let Some((copies, tail)) = capture.plan(total_messages) else {
            return 0;
        };
        let out = Out::Repeat {
            data: capture.data.clone(),
            copies,
            tail,
        };
        self.shared.send_to(out, |_| true).await
    }

    /// Close every session abruptly (no Goodbye). New connections are still
    /// accepted.
    pub fn drop_connections(&self) {
        self.shared
            .kill
            .send_modify(|epoch| *epoch = epoch.wrapping_add(1));
    }

    /// Every connected session closes after writing `n` more messages (responses,
    /// events, list items; replayed bytes are not counted).
    pub fn drop_after_messages(&self, n: usize) {
        if n == 0 {
            self.drop_connections();
        } else {
            self.shared.drop_after(n);
        }
    }

    /// The next event list answered (on any session) stops after its items,
    /// without the completion event, and the connection closes.
    pub fn drop_during_next_list(&self) {
        self.shared.drop_next_list.store(true, Ordering::Release);
    }

    /// Every action clients sent, oldest first (the last 100,000).
    pub fn received_actions(&self) -> Vec<Message> {
        self.shared.received()
    }

    /// Forget the recorded actions.
    pub fn clear_received_actions(&self) {
        self.shared.clear_received();
    }

    /// Answer `action` (any name, matched case-insensitively) with `handler`
    /// instead of the built-in answer. Required headers of catalog actions are
    /// still checked first. Login, Challenge and Logoff cannot be scripted.
    pub fn set_response<F>(&self, action: &str, handler: F)
    where
        F: Fn(&Message) -> Reply + Send + Sync + 'static,
    {
        let handler: Handler = Arc::new(handler);
        self.shared.set_handler(action, Some(handler));
    }

    /// Answer `action` with the same canned `reply` every time.
    pub fn set_reply(&self, action: &str, reply: Reply) {
        self.set_response(action, move |_| reply.clone());
    }

    /// Answer `action` as an event list with these item events.
    pub fn set_list_items(&self, action: &str, items: Vec<Message>) {
        self.set_reply(action, Reply::list(items));
    }

    /// Back to the built-in answer for `action`.
    pub fn clear_response(&self, action: &str) {
        self.shared.set_handler(action, None);
    }

    /// Names of the mock's live channels (calls started by Originate).
    pub fn channels(&self) -> Vec<String> {
        lock(&self.shared.channels)
            .all()
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// Hang up the mock's channel `name` as if the far end did, with the Q.850
    /// `cause` (16, Normal Clearing, if `None`): its call ends with the usual
    /// events, sent to whoever is logged in then. Returns false when there is no
    /// such channel.
    pub fn hangup_channel(&self, name: &str, cause: Option<u16>) -> bool {
        match lock(&self.shared.channels).get(name) {
            Some(ch) => {
                ch.hangup.request(cause);
                true
            }
            None => false,
        }
    }

    /// Originates to channels starting with `channel_prefix` (e.g. `PJSIP/busy`)
    /// fail: the channel is dialled, hangs up with the Q.850 `cause` (17 busy,
    /// 19 no answer, 34 congestion, 3 no route…) with `DialEnd` saying the
    /// `DialStatus` `ast_hangup_cause_to_dial_status()` (main/dial.c) gives it,
    /// and the `OriginateResponse` says `Failure` with the `Reason`
    /// `pbx_dial_reason()` (main/pbx.c) derives from the cause.
    pub fn fail_originates(&self, channel_prefix: &str, cause: u16) {
        lock(&self.shared.originate_failures).push((channel_prefix.to_owned(), Some(cause)));
    }

    /// Originates to channels starting with `channel_prefix` name an endpoint
    /// that does not exist: as in Asterisk, where `ast_request()` fails inside
    /// `ast_dial_prerun()` (main/dial.c), no channel is created (no
    /// `Newchannel`, `DialBegin`, `DialEnd` or `Hangup`), and the
    /// `OriginateResponse` says `Failure` with `Reason: 0`.
    pub fn unknown_endpoints(&self, channel_prefix: &str) {
        lock(&self.shared.originate_failures).push((channel_prefix.to_owned(), None));
    }

    /// Put `channel` in AsyncAGI: push `AsyncAGIStart` with `env` (the `agi_*`
    /// pairs, URL-encoded into `Env`) to sessions receiving `agi` events. Then
    /// `Action: AGI` on that channel is accepted and answered with `AsyncAGIExec`.
    pub async fn start_async_agi(&self, channel: &str, env: &[(&str, &str)]) -> usize {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        asyncagi::start(&self.shared, channel, &env).await
    }

    /// Take `channel` out of AsyncAGI, pushing `AsyncAGIEnd`.
    pub async fn end_async_agi(&self, channel: &str) -> usize {
        asyncagi::end(&self.shared, channel).await
    }

    /// AsyncAGI result line (e.g. `200 result=1 (bar)`) for commands starting
    /// with `command_prefix` (case-insensitive); others get `200 result=0`.
    pub fn set_agi_result(&self, command_prefix: &str, result: &str) {
        lock(&self.shared.agi_results).push((
            command_prefix.trim().to_ascii_uppercase(),
            result.to_owned(),
        ));
    }

    /// Stop listening and close every session.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
        self.drop_connections();
    }
}

impl Drop for MockAmi {
    fn drop(&mut self) {
        self.shutdown();
    }
}
