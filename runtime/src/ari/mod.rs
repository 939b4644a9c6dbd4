//! ARI support types used by the generated ARI models and events.
//!
//! - [`AriTransport`]: what generated operations are written against (HTTP or
//!   REST over the WebSocket).
//! - [`AriHttp`]: the HTTP transport (reqwest, Basic auth; rustls with the
//!   `ari-tls` feature).
//! - [`AriError`]: why an operation failed (transport, typed error status, decoding);
//!   [`call`] and [`encode`] hold the helpers generated operations use; [`de`]
//!   the map decoding of the generated models; [`by_type`] the decoding of the
//!   generated `AriEvent` by its `type`.
//! - [`Timestamp`]: the `Date` type of the ARI models, kept with its offset.
//! - [`deserialize_open_enum`]: the deserializer behind every generated open enum
//!   of the ARI models (values Asterisk adds later become `Unknown`).
//! - [`OperationInfo`] and [`ParamInfo`]: the types of the generated route catalog.

pub mod by_type;
pub mod call;
pub mod catalog;
pub mod de;
pub mod encode;
pub mod error;
pub mod http;
pub mod timestamp;
pub mod transport;
pub mod ws;

pub use catalog::{OperationInfo, ParamInfo};
pub use error::{ApiError, AriError, ErrorKind};
pub use http::{AriHttp, AriHttpBuilder};
pub use timestamp::{Timestamp, TimestampError};
pub use transport::{AriRequest, AriResponse, AriTransport, TransportError, TransportFuture};

/// The reqwest crate [`AriHttp`] uses; build a client with it to pass one of
/// your own to [`AriHttpBuilder::http_client`].
pub use reqwest;

use crate::open_enum::OpenEnum;
use serde::de::{Deserializer, Error as DeError, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Deserialize an open enum from its wire string. Borrowed strings are not copied
/// unless the value is unknown; any string is accepted.
pub fn deserialize_open_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: OpenEnum,
{
    struct WireVisitor<T>(PhantomData<T>);

    impl<T: OpenEnum> Visitor<'_> for WireVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: DeError>(self, v: &str) -> Result<T, E> {
            Ok(T::from_wire(v))
        }
    }

    deserializer.deserialize_str(WireVisitor(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Colour {
        Red,
        Unknown(String),
    }

    impl OpenEnum for Colour {
        fn as_wire(&self) -> &str {
            match self {
                Colour::Red => "red",
                Colour::Unknown(s) => s,
            }
        }
        fn from_wire(wire: &str) -> Self {
            match wire {
                "red" => Colour::Red,
                other => Colour::Unknown(other.to_string()),
            }
        }
        fn is_unknown(&self) -> bool {
            matches!(self, Colour::Unknown(_))
        }
    }

    #[test]
    fn open_enum_deserializes_any_string() {
        let mut de = serde_json::Deserializer::from_str("\"red\"");
        assert_eq!(
            deserialize_open_enum::<_, Colour>(&mut de).ok(),
            Some(Colour::Red)
        );
        let mut de = serde_json::Deserializer::from_str("\"blue\\u0021\"");
        let c: Colour = deserialize_open_enum(&mut de).expect("any string");
        assert_eq!(c, Colour::Unknown("blue!".into()));
        assert!(c.is_unknown());
        let mut de = serde_json::Deserializer::from_str("3");
        assert!(deserialize_open_enum::<_, Colour>(&mut de).is_err());
    }
}
