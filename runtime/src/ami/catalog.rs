//! Catalog types: plain data describing every generated AMI action and event, for
//! the mock server and tools that need the surface without the typed API.

/// One AMI action as the generator knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo {
    /// Name sent in `Action:`.
    pub name: &'static str,
    /// Every documented parameter, in documented order.
    pub params: &'static [&'static str],
    /// Parameters documented as required.
    pub required: &'static [&'static str],
    /// Item events of its event-list response (empty when not a list action).
    pub list_items: &'static [&'static str],
    /// Completion event of its event-list response.
    pub list_complete: Option<&'static str>,
    /// Privilege classes needed (empty = any logged-in user).
    pub privileges: &'static [&'static str],
    /// Releases that have it, oldest first.
    pub releases: &'static [&'static str],
}

/// One AMI event as the generator knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventInfo {
    /// Documented name (the Rust type name derives from it).
    pub name: &'static str,
    /// Name sent in `Event:`.
    pub wire_name: &'static str,
    /// Header names on the wire (snapshot blocks expanded), in documented order.
    pub fields: &'static [&'static str],
    /// The type of each of `fields` (same order): `text`, `bool`, `i64`, `u64`,
    /// `u32`, `f64`, `enum` (a generated open enum) or `domain:<Name>`.
    pub types: &'static [&'static str],
    /// Releases that have it, oldest first.
    pub releases: &'static [&'static str],
}
