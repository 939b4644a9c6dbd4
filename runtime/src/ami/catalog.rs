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
    /// Headers of its success response that its typed response decodes (empty
    /// when it answers with a plain `Response`), in the order the C handler
    /// writes them. A name ending in `-` stands for every header starting with it
    /// (`Category-` for `Category-000000`, …); `*` for every other header.
    pub response_fields: &'static [&'static str],
    /// The type of each of `response_fields` (same order), as in
    /// [`EventInfo::types`]; a repeated header's type is its element type.
    pub response_types: &'static [&'static str],
    /// A plausible value of each of `response_fields` (same order), as a real
    /// Asterisk sends it (the mock answers with these).
    pub response_examples: &'static [&'static str],
    /// Asterisk sends this list's items without the `ActionID` (IAXpeers).
    pub unkeyed_list_items: bool,
    /// Asterisk answers without any `Response:` (IAXnetstats: a bare empty line).
    pub no_response: bool,
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
    /// `u32`, `f64`, `enum` (a generated open enum), `domain:<Name>` or
    /// `runtime:<Name>` (a hand-written runtime type such as `SoftHangupFlags`).
    pub types: &'static [&'static str],
    /// The enum-typed headers of `fields` (`enum` and `domain:<Name>` types), in
    /// the same order, each with the wire values its type knows: lets a tool check
    /// a raw header value without the typed API.
    pub enum_values: &'static [(&'static str, &'static [&'static str])],
    /// Releases that have it, oldest first.
    pub releases: &'static [&'static str],
}
