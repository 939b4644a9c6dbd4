//! The generator's middle: each protocol's manifests of every release, merged and
//! with every fix applied, as one typed model. Emitters only turn a model into
//! tokens.

pub mod agi;
pub mod ami;
pub mod ami_enums;
pub mod ari;
pub mod media;
