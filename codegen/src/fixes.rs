//! Our fixes (`specs/fixes/*.toml`): header types, domain enums and corrections.

/// All fixes, loaded.
#[derive(Debug, Clone, Default)]
pub struct Fixes {}
