//! [`AriEventStream`]: the events of one WebSocket session, decoded on demand.

use super::item::{FromAriMessage, RawItem, WsItem};
use futures::Stream;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// The messages of an events WebSocket, as [`WsItem<T>`], in the order Asterisk
/// sent them, with [`WsItem::Disconnected`] / [`WsItem::Reconnected`] markers.
///
/// Dropping it (or [`AriEventStream::close`]) closes the connection, which also
/// ends the [`WsTransport`](super::WsTransport) of the session. The stream ends
/// when the connection is closed for good.
#[derive(Debug)]
pub struct AriEventStream<T> {
    rx: mpsc::Receiver<RawItem>,
    _type: PhantomData<fn() -> T>,
}

impl<T: FromAriMessage> AriEventStream<T> {
    pub(crate) fn new(rx: mpsc::Receiver<RawItem>) -> Self {
        AriEventStream {
            rx,
            _type: PhantomData,
        }
    }

    /// The next item; `None` when the session is over.
    pub async fn next_item(&mut self) -> Option<WsItem<T>> {
        self.rx.recv().await.map(convert)
    }

    /// Close the connection; items already received stay readable.
    pub fn close(&mut self) {
        self.rx.close();
    }
}

fn convert<T: FromAriMessage>(raw: RawItem) -> WsItem<T> {
    match raw {
        RawItem::Text(text) => WsItem::decode_text(text),
        RawItem::Binary(bytes) => WsItem::decode(bytes),
        RawItem::Disconnected(reason) => WsItem::Disconnected { reason },
        RawItem::Reconnected => WsItem::Reconnected,
    }
}

impl<T: FromAriMessage> Stream for AriEventStream<T> {
    type Item = WsItem<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|raw| raw.map(convert))
    }
}
