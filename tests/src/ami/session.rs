//! One client connection: banner, then actions read with the runtime's
//! [`FrameDecoder`] and answered in order, with pushed events written between
//! answers (never inside a list, as Asterisk does).

use super::answer::{Answer, Followup};
use super::auth::Auth;
use super::shared::{Out, SessionState, Shared};
use super::{asyncagi, call, dispatch};
use asterisk_sdk_runtime::ami::{Frame, FrameDecoder};
use bytes::{Bytes, BytesMut};
use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

/// Pushed blocks gathered into one write, at most this many bytes.
const BATCH: usize = 64 * 1024;

/// Whether the session goes on after a step.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Close,
}

struct Session {
    shared: Arc<Shared>,
    stream: TcpStream,
    state: Arc<SessionState>,
    kill: watch::Receiver<u64>,
    auth: Auth,
}

/// Serve one accepted connection until it closes.
pub(crate) async fn serve(shared: Arc<Shared>, stream: TcpStream) {
    let (id, state, rx) = shared.register();
    let kill = shared.kill.subscribe();
    let mut session = Session {
        shared: shared.clone(),
        stream,
        state,
        kill,
        auth: Auth::default(),
    };
    // I/O errors just end the session: the client went away.
    let _ = session.run(rx).await;
    shared.unregister(id);
}

impl Session {
    async fn run(&mut self, mut rx: mpsc::Receiver<Out>) -> io::Result<()> {
        let banner = format!("{}\r\n", self.shared.config.banner);
        self.write(banner.as_bytes()).await?;
        let mut buf = BytesMut::with_capacity(4096);
        let mut decoder = FrameDecoder::with_max_message(self.shared.config.max_message);
        loop {
            let flow = tokio::select! {
                _ = self.kill.changed() => Flow::Close,
                out = rx.recv() => match out {
                    Some(out) => self.write_out(out, &mut rx).await?,
                    None => Flow::Close,
                },
                n = self.stream.read_buf(&mut buf) => {
                    if n? == 0 {
                        Flow::Close
                    } else {
                        self.read_frames(&mut decoder, &mut buf).await?
                    }
                }
            };
            if flow == Flow::Close {
                return Ok(());
            }
        }
    }

    /// Answer every complete action in `buf`.
    async fn read_frames(
        &mut self,
        decoder: &mut FrameDecoder,
        buf: &mut BytesMut,
    ) -> io::Result<Flow> {
        while let Some(frame) = decoder.decode(buf) {
            let answer = match frame {
                Ok(Frame::Message(action)) => {
                    dispatch::answer(&self.shared, &mut self.auth, &self.state, &action)
                }
                Ok(Frame::Banner(_)) => continue,
                Err(_) => Answer::error(None, "Failed to parse message: line too long"),
            };
            if self.deliver(answer).await? == Flow::Close {
                return Ok(Flow::Close);
            }
        }
        Ok(Flow::Continue)
    }

    /// Write an answer, then start its follow-up.
    async fn deliver(&mut self, answer: Answer) -> io::Result<Flow> {
        if !answer.delay.is_zero() {
            tokio::time::sleep(answer.delay).await;
        }
        let mut blocks = answer.blocks;
        let mut close = answer.close;
        if answer.is_list && self.shared.drop_next_list.swap(false, Ordering::AcqRel) {
            // Cut the list: ack and items, never the completion event.
            blocks.pop();
            close = true;
        }
        if self.write_blocks(&blocks).await? == Flow::Close {
            return Ok(Flow::Close);
        }
        if let Some(raw) = &answer.raw {
            self.write(raw).await?;
        }
        if let Some(f) = answer.followup {
            spawn_followup(self.shared.clone(), f);
        }
        Ok(if close { Flow::Close } else { Flow::Continue })
    }

    /// Write whole messages, honouring the "close after n messages" cue.
    async fn write_blocks(&mut self, blocks: &[Bytes]) -> io::Result<Flow> {
        if self.state.drop_after.load(Ordering::Acquire) == usize::MAX {
            match blocks {
                [] => {}
                [one] => self.write(one).await?,
                many => self.write(&many.concat()).await?,
            }
            return Ok(Flow::Continue);
        }
        for b in blocks {
            let left = self.state.drop_after.load(Ordering::Acquire);
            if left == 0 {
                return Ok(Flow::Close);
            }
            self.write(b).await?;
            if left != usize::MAX {
                self.state.drop_after.store(left - 1, Ordering::Release);
                if left == 1 {
                    return Ok(Flow::Close);
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Write what the control side queued (batching consecutive pushed events).
    async fn write_out(&mut self, out: Out, rx: &mut mpsc::Receiver<Out>) -> io::Result<Flow> {
        let mut next = Some(out);
        while let Some(out) = next.take() {
            match out {
                Out::Blocks(mut blocks) => {
                    let mut size: usize = blocks.iter().map(Bytes::len).sum();
                    while size < BATCH {
                        match rx.try_recv() {
                            Ok(Out::Blocks(more)) => {
                                size += more.iter().map(Bytes::len).sum::<usize>();
                                blocks.extend(more);
                            }
                            Ok(other) => {
                                next = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    if self.write_blocks(&blocks).await? == Flow::Close {
                        return Ok(Flow::Close);
                    }
                }
                Out::Raw(bytes) => self.write(&bytes).await?,
                Out::Repeat { data, copies, tail } => {
                    for _ in 0..copies {
                        self.write(&data).await?;
                    }
                    self.write(&tail).await?;
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Write bytes, giving up at once when the connections are dropped, and
    /// ending the session when the socket stays unwritable past the write
    /// timeout (as Asterisk drops a manager session that stops reading).
    async fn write(&mut self, data: &[u8]) -> io::Result<()> {
        let write = async {
            match self.shared.config.write_timeout {
                Some(limit) => tokio::time::timeout(limit, self.stream.write_all(data))
                    .await
                    .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into())),
                None => self.stream.write_all(data).await,
            }
        };
        tokio::select! {
            r = write => r,
            _ = self.kill.changed() => Err(io::ErrorKind::ConnectionAborted.into()),
        }
    }
}

/// Start the work an answer asked for, on its own task.
fn spawn_followup(shared: Arc<Shared>, followup: Followup) {
    tokio::spawn(async move {
        match followup {
            Followup::Originate(o) => call::run(shared, o).await,
            Followup::AgiExec {
                channel,
                command,
                command_id,
            } => {
                asyncagi::exec(&shared, &channel, &command, command_id.as_deref()).await;
            }
            Followup::Broadcast(block, classes) => {
                shared.broadcast(block, classes).await;
            }
        }
    });
}
