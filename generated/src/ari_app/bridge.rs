//! Bridges owned by a call: created through the call, their events routed to
//! it, and destroyed when the call's handler ends (unless destroyed before).
//!
//! The bridge's id is chosen here, and the bridge is registered with the call
//! before it is created (`POST /bridges/{id}`), so a handler cancelled while
//! the request is under way still leaves no bridge behind; it is unregistered
//! only once Asterisk has said it does not exist (or destroyed it).

use super::call::{Call, CallError, CallItem};
use crate::ari::BridgeHandle;
use asterisk_sdk_runtime::tasks::KeyedRouter;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Bridges created by this process so far (part of each new bridge's id).
static CREATED: AtomicU64 = AtomicU64::new(0);

/// A bridge id no other bridge has: the creating channel's id (unique in its
/// Asterisk), this process's id and a counter.
fn new_bridge_id(channel_id: &str) -> String {
    let n = CREATED.fetch_add(1, Ordering::Relaxed);
    format!("{channel_id}-bridge-{}-{n}", std::process::id())
}

/// A bridge created by [`Call::create_bridge`].
///
/// Its events (`ChannelEnteredBridge`, `ChannelLeftBridge`, `BridgeDestroyed`,
/// playbacks on it) reach the call that created it. When that call's handler
/// ends, the framework destroys the bridge if it still exists.
#[derive(Debug)]
pub struct CallBridge {
    handle: BridgeHandle,
    router: KeyedRouter<CallItem>,
    owned: Arc<Mutex<Vec<String>>>,
}

impl Call {
    /// Create a bridge (`POST /bridges/{bridgeId}` with an id chosen here,
    /// `type` such as `mixing` or `mixing,dtmf_events`) owned by this call.
    ///
    /// The bridge counts as the call's from before the request: if the
    /// handler ends (or is cancelled) while it is under way, or the request
    /// fails without an answer, the framework still destroys it. When
    /// Asterisk refuses the request, it is forgotten at once.
    pub async fn create_bridge(&self, bridge_type: &str) -> Result<CallBridge, CallError> {
        let id = new_bridge_id(self.id());
        self.own_bridge(&id);
        let handle = self.client().bridge(id.as_str());
        if let Err(e) = handle.create_with_id().type_(bridge_type).await {
            // Refused by Asterisk: nothing was created (and on a conflict the
            // bridge of that id is not ours to destroy).
            if e.status().is_some() {
                Call::disown_bridge(self.router(), &self.bridges, &id);
            }
            return Err(e.into());
        }
        Ok(CallBridge {
            handle,
            router: self.router().clone(),
            owned: Arc::clone(&self.bridges),
        })
    }
}

impl CallBridge {
    /// The bridge's id.
    pub fn id(&self) -> &str {
        self.handle.id()
    }

    /// The bridge, for any other operation.
    pub fn handle(&self) -> &BridgeHandle {
        &self.handle
    }

    /// Add a channel (`POST /bridges/{id}/addChannel`); its `ChannelEnteredBridge`
    /// reaches the call.
    pub async fn add(&self, channel_id: &str) -> Result<(), CallError> {
        self.handle.add_channel(channel_id).await?;
        Ok(())
    }

    /// Remove a channel (`POST /bridges/{id}/removeChannel`).
    pub async fn remove(&self, channel_id: &str) -> Result<(), CallError> {
        self.handle.remove_channel(channel_id).await?;
        Ok(())
    }

    /// Destroy the bridge now (`DELETE /bridges/{id}`); the call stops
    /// receiving its events. If that fails (other than with 404, already
    /// gone), the bridge stays the call's and is destroyed again when the
    /// handler ends.
    pub async fn destroy(self) -> Result<(), CallError> {
        match self.handle.destroy().await {
            Ok(_) => {}
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e.into()),
        }
        Call::disown_bridge(&self.router, &self.owned, self.handle.id());
        Ok(())
    }
}
