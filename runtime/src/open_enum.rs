//! Open enums: the one API of every generated enum over a documented value list
//! (domain enums, AMI enum lists, ARI allowed values). Known values are variants;
//! any other value is kept as sent in the `Other(String)` variant, so a value
//! Asterisk adds later never fails to decode.
//!
//! The generated crate writes the enum (its variants and their docs) and invokes
//! [`open_enum!`](crate::open_enum!) for the rest: `KNOWN`, `as_str`, `is_known`,
//! `Display`, `FromStr`, `From<&str>`, `From<String>`, `From<&String>`, serde and
//! the [`OpenEnum`] trait.

use serde::Serializer;
use serde::de::{Deserializer, Error as DeError, Unexpected, Visitor};
use std::convert::Infallible;
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::str::FromStr;

/// An open enum: every string converts infallibly into a value and back.
///
/// Implemented by [`open_enum!`](crate::open_enum!); generic code (serializers,
/// header decoding) is written against it. The same items exist as inherent
/// methods, so users need not import the trait.
pub trait OpenEnum:
    Sized
    + Clone
    + fmt::Debug
    + Eq
    + Hash
    + fmt::Display
    + FromStr<Err = Infallible>
    + for<'a> From<&'a str>
    + From<String>
    + 'static
{
    /// Every known value, in documented order (never an `Other`).
    const KNOWN: &'static [Self];
    /// The wire value: the documented spelling, or an `Other` value as received.
    fn as_str(&self) -> &str;
    /// Whether the value is a known one (not `Other`).
    fn is_known(&self) -> bool;
    /// The known value whose wire spelling is exactly `wire`.
    fn known(wire: &str) -> Option<Self>;
}

/// The value of an AMI header (or any text field) as an open enum: `None` when
/// it is empty or blank, else the trimmed text as a known value or `Other`.
pub fn from_header_text<T: OpenEnum>(value: &str) -> Option<T> {
    let v = value.trim();
    (!v.is_empty()).then(|| T::from(v))
}

/// The integer written by `wire` when it is an integer's one canonical decimal
/// form (`16`, `-3`; not `016`, `+16`, `-0` or ` 16`). An integer-valued open enum
/// serializes such a wire form as a number and any other as a string, so that
/// deserializing gives back the same value (`"016"` stays `Other("016")`
/// instead of coming back as the known `16`).
pub fn canonical_code(wire: &str) -> Option<i64> {
    let code: i64 = wire.parse().ok()?;
    (code.to_string() == wire).then_some(code)
}

/// Serialize a text-valued open enum as its wire string.
pub fn serialize_text<T: OpenEnum, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(value.as_str())
}

/// Serialize an integer-valued open enum: a number when the wire form is a
/// canonical integer (see [`canonical_code`]), else the wire string.
pub fn serialize_int<T: OpenEnum, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    match canonical_code(value.as_str()) {
        Some(code) => s.serialize_i64(code),
        None => s.serialize_str(value.as_str()),
    }
}

/// Deserialize a text-valued open enum from a string (any string; borrowed text
/// is copied only when the value is not a known one).
pub fn deserialize_text<'de, T: OpenEnum, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_str(WireVisitor::<T> {
        numbers: false,
        ty: PhantomData,
    })
}

/// Deserialize an integer-valued open enum from a JSON integer (`16`) or a
/// string (`"16"`, or any text, kept in `Other`).
pub fn deserialize_int<'de, T: OpenEnum, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(WireVisitor::<T> {
        numbers: true,
        ty: PhantomData,
    })
}

/// Visitor of [`deserialize_text`] and [`deserialize_int`].
struct WireVisitor<T> {
    /// Whether integers are accepted too.
    numbers: bool,
    ty: PhantomData<T>,
}

impl<T: OpenEnum> Visitor<'_> for WireVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.numbers {
            f.write_str("an integer or a string")
        } else {
            f.write_str("a string")
        }
    }

    fn visit_str<E: DeError>(self, v: &str) -> Result<T, E> {
        Ok(T::from(v))
    }

    fn visit_string<E: DeError>(self, v: String) -> Result<T, E> {
        Ok(T::from(v))
    }

    fn visit_i64<E: DeError>(self, v: i64) -> Result<T, E> {
        if self.numbers {
            Ok(T::from(v.to_string()))
        } else {
            Err(E::invalid_type(Unexpected::Signed(v), &self))
        }
    }

    fn visit_u64<E: DeError>(self, v: u64) -> Result<T, E> {
        if self.numbers {
            Ok(T::from(v.to_string()))
        } else {
            Err(E::invalid_type(Unexpected::Unsigned(v), &self))
        }
    }
}

/// Implement the open-enum API for an enum whose last variant is
/// `Other(String)`: `KNOWN`, `as_str`, `is_known` (inherent and through
/// [`OpenEnum`]), `Display`, `FromStr` (infallible), `From<&str>`,
/// `From<String>`, `From<&String>` and serde (the wire string; with `as int`,
/// a canonical integer is written as a JSON number and either form is read).
///
/// ```
/// #[derive(Debug, Clone, PartialEq, Eq, Hash)]
/// pub enum Colour {
///     Red,
///     Other(String),
/// }
/// asterisk_sdk_runtime::open_enum!(Colour { Red => "red" });
///
/// assert_eq!(Colour::from("red"), Colour::Red);
/// assert_eq!("blue".parse::<Colour>(), Ok(Colour::Other("blue".into())));
/// assert_eq!(Colour::KNOWN, &[Colour::Red]);
/// ```
#[macro_export]
macro_rules! open_enum {
    ($name:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        $crate::open_enum!(@api $name { $($variant => $wire),* });
        $crate::open_enum!(@serde $name serialize_text deserialize_text);
    };
    ($name:ident as int { $($variant:ident => $wire:literal),* $(,)? }) => {
        $crate::open_enum!(@api $name { $($variant => $wire),* });
        $crate::open_enum!(@serde $name serialize_int deserialize_int);
    };
    (@api $name:ident { $($variant:ident => $wire:literal),* }) => {
        impl $name {
            /// Every known value, in documented order (never an `Other`).
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The wire value: the documented spelling, or an `Other` value as received.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Other(raw) => raw.as_str(),
                }
            }

            /// Whether the value is a known one (not `Other`).
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl $crate::open_enum::OpenEnum for $name {
            const KNOWN: &'static [Self] = $name::KNOWN;

            fn as_str(&self) -> &str {
                $name::as_str(self)
            }

            fn is_known(&self) -> bool {
                $name::is_known(self)
            }

            fn known(wire: &str) -> ::core::option::Option<Self> {
                match wire {
                    $($wire => ::core::option::Option::Some($name::$variant),)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(wire: &str) -> Self {
                <$name as $crate::open_enum::OpenEnum>::known(wire)
                    .unwrap_or_else(|| $name::Other(::std::string::String::from(wire)))
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(wire: ::std::string::String) -> Self {
                match <$name as $crate::open_enum::OpenEnum>::known(&wire) {
                    ::core::option::Option::Some(known) => known,
                    ::core::option::Option::None => $name::Other(wire),
                }
            }
        }

        impl ::core::convert::From<&::std::string::String> for $name {
            fn from(wire: &::std::string::String) -> Self {
                $name::from(wire.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;

            fn from_str(wire: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok($name::from(wire))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    (@serde $name:ident $ser:ident $de:ident) => {
        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::open_enum::$ser(self, s)
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::open_enum::$de(d)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text-valued open enum, as the generator writes one.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    enum Colour {
        Red,
        DarkBlue,
        Other(String),
    }
    crate::open_enum!(Colour {
        Red => "red",
        DarkBlue => "dark blue",
    });

    /// An integer-valued open enum.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    enum Cause {
        Normal,
        Busy,
        Other(String),
    }
    crate::open_enum!(Cause as int { Normal => "16", Busy => "17" });

    fn json<T: serde::Serialize>(v: &T) -> String {
        serde_json::to_string(v).expect("serializable")
    }

    fn parse<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn strings_convert_both_ways() {
        assert_eq!(Colour::from("dark blue"), Colour::DarkBlue);
        assert_eq!(Colour::from("Red"), Colour::Other("Red".into()));
        assert_eq!(Colour::from(String::from("red")), Colour::Red);
        assert_eq!(Colour::from(&String::from("teal")).as_str(), "teal");
        assert_eq!("red".parse::<Colour>(), Ok(Colour::Red));
        assert_eq!(Colour::DarkBlue.to_string(), "dark blue");
        assert_eq!(Colour::Other("x y".into()).to_string(), "x y");
        assert!(Colour::Red.is_known());
        assert!(!Colour::Other("red!".into()).is_known());
        assert_eq!(Colour::KNOWN, &[Colour::Red, Colour::DarkBlue]);
        assert_eq!(<Colour as OpenEnum>::known("red"), Some(Colour::Red));
        assert_eq!(<Colour as OpenEnum>::known("blue"), None);
    }

    #[test]
    fn every_known_value_round_trips_through_its_wire_string() {
        for v in Colour::KNOWN {
            assert_eq!(&Colour::from(v.as_str()), v);
        }
        for v in Cause::KNOWN {
            assert_eq!(&Cause::from(v.as_str()), v);
        }
    }

    #[test]
    fn text_enums_serialize_as_strings_and_read_only_strings() {
        assert_eq!(json(&Colour::DarkBlue), "\"dark blue\"");
        assert_eq!(json(&Colour::Other("teal".into())), "\"teal\"");
        assert_eq!(parse::<Colour>("\"red\"").ok(), Some(Colour::Red));
        assert_eq!(
            parse::<Colour>("\"blue\\u0021\"").ok(),
            Some(Colour::Other("blue!".into()))
        );
        assert!(parse::<Colour>("3").is_err());
    }

    #[test]
    fn int_enums_write_canonical_numbers_and_read_either_form() {
        assert_eq!(json(&Cause::Normal), "16");
        assert_eq!(json(&Cause::Other("99".into())), "99");
        assert_eq!(json(&Cause::Other("016".into())), "\"016\"");
        assert_eq!(parse::<Cause>("17").ok(), Some(Cause::Busy));
        assert_eq!(parse::<Cause>("\"16\"").ok(), Some(Cause::Normal));
        assert_eq!(
            parse::<Cause>("\"016\"").ok(),
            Some(Cause::Other("016".into()))
        );
        assert_eq!(parse::<Cause>("-3").ok(), Some(Cause::Other("-3".into())));
        assert!(parse::<Cause>("true").is_err());
        for v in [
            Cause::Normal,
            Cause::Other("016".into()),
            Cause::Other("x".into()),
        ] {
            assert_eq!(parse::<Cause>(&json(&v)).ok(), Some(v));
        }
    }

    #[test]
    fn header_text_is_trimmed_and_blank_is_absent() {
        assert_eq!(from_header_text::<Colour>(" red "), Some(Colour::Red));
        assert_eq!(
            from_header_text::<Colour>("Teal"),
            Some(Colour::Other("Teal".into()))
        );
        assert_eq!(from_header_text::<Colour>("  "), None);
        assert_eq!(from_header_text::<Colour>(""), None);
    }

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
