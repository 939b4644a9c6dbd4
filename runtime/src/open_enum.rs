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

/// The integer written by `wire` when it is an integer's one canonical decimal
/// form (`16`, `-3`; not `016`, `+16`, `-0` or ` 16`). An integer-valued open enum
/// serializes such a wire form as a number and any other as a string, so that
/// deserializing gives back the same value (`"016"` stays `Unknown("016")`
/// instead of coming back as the known `16`).
pub fn canonical_code(wire: &str) -> Option<i64> {
    let code: i64 = wire.parse().ok()?;
    (code.to_string() == wire).then_some(code)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_decimals_are_codes() {
        assert_eq!(canonical_code("16"), Some(16));
        assert_eq!(canonical_code("-3"), Some(-3));
        assert_eq!(canonical_code("0"), Some(0));
        assert_eq!(canonical_code(&i64::MIN.to_string()), Some(i64::MIN));
        for odd in [
            "016",
            "+16",
            "-0",
            " 16",
            "16 ",
            "",
            "1e2",
            "99999999999999999999",
        ] {
            assert_eq!(canonical_code(odd), None, "{odd:?}");
        }
    }
}
