//! Bridges owned by a call: created through the call, their events routed to
//! it, and destroyed when the call's handler ends (unless destroyed before).

use super::call::{Call, CallError, CallItem};
use crate::ari::BridgeHandle;
use asterisk_sdk_runtime::tasks::KeyedRouter;
use std::sync::{Arc, Mutex};

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
    /// Create a bridge (`POST /bridges`, `type` such as `mixing` or
    /// `mixing,dtmf_events`) owned by this call.
    pub async fn create_bridge(&self, bridge_type: &str) -> Result<CallBridge, CallError> {
        let bridge = self.client().bridges().create().type_(bridge_type).await?;
        self.own_bridge(&bridge.id);
        Ok(CallBridge {
            handle: bridge.handle(self.client()),
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
    /// receiving its events.
    pub async fn destroy(self) -> Result<(), CallError> {
        Call::disown_bridge(&self.router, &self.owned, self.handle.id());
        self.handle.destroy().await?;
        Ok(())
    }
}
