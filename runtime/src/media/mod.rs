//! Media over WebSocket (chan_websocket): the control messages' syntax
//! ([`wire`]) for the generated command and event types.
pub mod wire;
