//! Map decoding shared by the generated ARI models: keys borrowed from the
//! input, known fields decoded in place, unknown keys kept as JSON values.
//!
//! Each generated model implements [`MapModel`] (one `match` over its JSON keys)
//! and forwards `Deserialize` to [`deserialize_model`], which avoids serde's
//! buffered `flatten` path.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A model decoded from a JSON object, key by key.
pub trait MapModel: Sized {
    /// The model's name, for error messages.
    const NAME: &'static str;

    /// Build the model from the entries of one JSON object.
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Deserialize a [`MapModel`] from a map (a JSON object).
pub fn deserialize_model<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: MapModel,
{
    struct ModelVisitor<T>(PhantomData<T>);

    impl<'de, T: MapModel> Visitor<'de> for ModelVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "struct {}", T::NAME)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_map(map)
        }
    }

    deserializer.deserialize_map(ModelVisitor(PhantomData))
}

/// A JSON object key: borrowed from the input unless it holds escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<'a>(pub Cow<'a, str>);

impl Key<'_> {
    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as an owned string (for the `extra` map).
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }

            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key<'de>, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => self.visit_str(s),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
                }
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// Decode the value of a known field into its slot; a second occurrence of the
/// key is a `duplicate field` error.
pub fn field<'de, A, T>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// A required field's value, or a `missing field` error.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// An optional field's value: absent and `null` both give `None`.
pub fn optional<T>(slot: Option<Option<T>>) -> Option<T> {
    slot.flatten()
}

/// Keep an unknown key and its value (any JSON) in `extra`; a repeated key keeps
/// the last value.
pub fn other<'de, A: MapAccess<'de>>(
    extra: &mut serde_json::Map<String, serde_json::Value>,
    map: &mut A,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let value: serde_json::Value = map.next_value()?;
    extra.insert(key.into_string(), value);
    Ok(())
}

/// The `type` of a JSON message that starts with `{"type":"…"` (whitespace
/// allowed between tokens), read without decoding anything else. `None` when the
/// message starts otherwise or the string holds escapes or control characters:
/// callers then fall back to a full read of the `type` key.
pub fn leading_type(bytes: &[u8]) -> Option<&str> {
    let rest = skip_ws(bytes).strip_prefix(b"{")?;
    let rest = skip_ws(rest).strip_prefix(b"\"type\"")?;
    let rest = skip_ws(rest).strip_prefix(b":")?;
    let rest = skip_ws(rest).strip_prefix(b"\"")?;
    let end = rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    if rest[end] != b'"' {
        return None;
    }
    std::str::from_utf8(&rest[..end]).ok()
}

/// `bytes` without leading JSON whitespace.
fn skip_ws(bytes: &[u8]) -> &[u8] {
    let n = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .unwrap_or(bytes.len());
    &bytes[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Pair {
        name: String,
        size: Option<u32>,
        extra: serde_json::Map<String, serde_json::Value>,
    }

    impl MapModel for Pair {
        const NAME: &'static str = "Pair";

        fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let (mut f0, mut f1) = (None, None);
            let mut extra = serde_json::Map::new();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                match key.as_str() {
                    "name" => field(&mut f0, &mut map, "name")?,
                    "size" => field(&mut f1, &mut map, "size")?,
                    _ => other(&mut extra, &mut map, key)?,
                }
            }
            Ok(Pair {
                name: required(f0, "name")?,
                size: optional(f1),
                extra,
            })
        }
    }

    impl<'de> Deserialize<'de> for Pair {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize_model(d)
        }
    }

    #[test]
    fn known_fields_typed_and_unknown_keys_kept() {
        let p: Pair =
            serde_json::from_str(r#"{"n\u0061me":"a","x":[1,{"y":null}],"size":null}"#).unwrap();
        assert_eq!(p.name, "a");
        assert_eq!(p.size, None);
        assert_eq!(p.extra.get("x"), Some(&serde_json::json!([1, {"y": null}])));
        let p: Pair = serde_json::from_str(r#"{"size":3,"name":"b"}"#).unwrap();
        assert_eq!(p.size, Some(3));
        assert!(p.extra.is_empty());
    }

    #[test]
    fn missing_duplicate_and_wrong_shapes_are_errors() {
        let e = serde_json::from_str::<Pair>(r#"{"size":3}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `name`"), "{e}");
        let e = serde_json::from_str::<Pair>(r#"{"name":"a","name":"b"}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate field `name`"), "{e}");
        let e = serde_json::from_str::<Pair>(r#"["a"]"#).unwrap_err();
        assert!(e.to_string().contains("struct Pair"), "{e}");
        assert!(serde_json::from_str::<Pair>(r#"{"name":"a","size":"3"}"#).is_err());
    }

    #[test]
    fn leading_type_reads_only_a_plain_first_type() {
        assert_eq!(
            leading_type(br#"{"type":"StasisStart","x":1}"#),
            Some("StasisStart")
        );
        assert_eq!(leading_type(b" {\n \"type\" :\t\"Dial\"}"), Some("Dial"));
        assert_eq!(leading_type(br#"{"type":""}"#), Some(""));
        assert_eq!(leading_type(br#"{"x":1,"type":"Dial"}"#), None);
        assert_eq!(leading_type(br#"{"type":"Di\u0061l"}"#), None);
        assert_eq!(leading_type(br#"{"type":5}"#), None);
        assert_eq!(leading_type(br#"{"type":"Dial"#), None);
        assert_eq!(leading_type(b"{\"type\":\"a\nb\"}"), None);
        assert_eq!(leading_type(b"{\"type\":\"\xff\"}"), None);
        assert_eq!(leading_type(b""), None);
    }

    #[test]
    fn decodes_from_a_value_too() {
        let v = serde_json::json!({"name": "a", "z": true});
        let p: Pair = serde_json::from_value(v).unwrap();
        assert_eq!(p.extra.get("z"), Some(&serde_json::Value::Bool(true)));
    }
}
