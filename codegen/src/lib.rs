//! asterisk-codegen: reads Asterisk's API descriptions, writes versioned manifests,
//! and generates the `asterisk-sdk` crate from them.
//!
//! The pipeline: [`upstream`] readers turn one release's raw specs into a
//! [`manifest::Manifest`]; [`fixes`] holds our corrections and type decisions;
//! [`surface`] unions the releases; [`model`] merges them with every fix applied; [`emit`] writes Rust code. [`check`], [`diff`],
//! [`stats`] and [`extract`] are the other commands of the binary.

pub mod check;
pub mod diff;
pub mod emit;
pub mod extract;
pub mod fixes;
pub mod manifest;
pub mod model;
pub mod names;
pub mod project;
pub mod release;
pub mod stats;
pub mod surface;
pub mod upstream;

/// Errors of the generator, with the file or item they concern.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// An input file is not what the reader expects.
    #[error("{path}: {message}")]
    Input {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Generated code did not parse as Rust (a generator bug).
    #[error("generated {file} does not parse: {message}")]
    Emit {
        /// The generated file.
        file: String,
        /// The parser's message.
        message: String,
    },
}

/// Result type of the generator.
pub type Result<T> = std::result::Result<T, Error>;

/// Read a file to a string, with the path in the error.
pub fn read_to_string(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Shorthand for an input error.
pub fn input_err(path: impl std::fmt::Display, message: impl Into<String>) -> Error {
    Error::Input {
        path: path.to_string(),
        message: message.into(),
    }
}
