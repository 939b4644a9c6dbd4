//! Support for open enums: generated enums with known variants and an `Unknown`
//! variant that keeps the raw value, so a value Asterisk adds later never fails.

/// An open enum: every value converts infallibly from its wire form and back.
pub trait OpenEnum: Sized {
    /// The wire form of the value (`"16"` for a hang-up cause, `"Up"` for a state).
    fn as_wire(&self) -> &str;
    /// Parse the wire form; unknown values become the `Unknown` variant.
    fn from_wire(wire: &str) -> Self;
    /// Whether this is a value the generated code does not know.
    fn is_unknown(&self) -> bool;
}

/// A JSON value that is either an integer or a string: how integer-valued open
/// enums accept both `16` and `"16"` (or an unknown text form) when deserializing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// A JSON integer.
    Int(i64),
    /// A JSON string.
    String(String),
}
