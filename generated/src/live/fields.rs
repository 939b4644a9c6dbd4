//! Reading event fields the way the live model keeps them: an empty value is
//! no value.

use crate::ami::Text;

/// The value, unless it is absent or empty.
pub(crate) fn non_empty(v: &Option<Text>) -> Option<Text> {
    v.clone().filter(|t| !t.as_str().is_empty())
}

/// A field as an update: `None` when the header is absent (keep what is
/// known), else its value with empty read as `None`.
pub(crate) fn update(v: &Option<Text>) -> Option<Option<Text>> {
    v.as_ref().map(|_| non_empty(v))
}
