//! A mock chan_websocket media peer: plays Asterisk's side of a media
//! WebSocket, as `channels/chan_websocket.c` does, for tests without an
//! Asterisk.
//!
//! On connect it sends `MEDIA_START` (codec, optimal frame size, ptime; plain
//! text or JSON). Audio the application sends is cut into frames and queued
//! (a message shorter than a frame loses its remainder outside bulk mode, like
//! Asterisk); a paced player takes one frame off the queue every `ptime ×
//! pacing`, records it as played and echoes it back. Reaching `xoff_level`
//! queued frames sends `MEDIA_XOFF`, falling below `xon_level` `MEDIA_XON`;
//! audio arriving with `queue_max` frames queued is dropped and counted. Marks
//! and `STOP_MEDIA_BUFFERING` are queued behind the audio and answered when
//! played; `FLUSH_MEDIA` empties the queue (marks too); `GET_STATUS`,
//! `REPORT_QUEUE_DRAINED`, `PAUSE_MEDIA`/`CONTINUE_MEDIA`, `HANGUP` and
//! `SET_MEDIA_DIRECTION` (JSON only, else `ERROR`) are answered like the
//! driver does. A [`MockMediaHandle`] injects caller audio, DTMF, raw text and
//! hang-ups, and tells what was played and received.
//!
//! Three ways to meet the application: [`MockMediaServer`] (Asterisk as server:
//! the application connects to `/media/<connection id>`), [`connect_to`]
//! (Asterisk as client, connecting to the application's `MediaServer`), and the
//! mock ARI's `externalMedia` with `transport=websocket` (its HTTP port serves
//! `/media/<connection id>`).

mod peer;

pub use peer::{MockMediaConfig, MockMediaHandle, MockMediaServer, connect_to};
