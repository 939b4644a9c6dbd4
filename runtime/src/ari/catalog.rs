//! Catalog types: plain data describing every generated ARI operation, for the
//! mock server and tools that need the routes without the typed API.

/// One ARI operation as the generator knows it (one method on one path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// Resource it belongs to (`channels`, `bridges`, …).
    pub resource: &'static str,
    /// Swagger nickname (`originate`, `addChannel`, …).
    pub nickname: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template below `/ari`, with `{name}` placeholders (`/channels/{channelId}`).
    pub path: &'static str,
    /// Every parameter of any release, in documented order.
    pub params: &'static [ParamInfo],
    /// Releases that have it, oldest first.
    pub releases: &'static [&'static str],
}

/// One parameter of an ARI operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    /// Name on the wire.
    pub name: &'static str,
    /// Where it goes: `path`, `query` or `body`.
    pub location: &'static str,
    /// Required: a path parameter, or required by every release that has the
    /// operation (then the generated method takes it as an argument).
    pub required: bool,
    /// Releases whose operation has it, oldest first.
    pub releases: &'static [&'static str],
}
