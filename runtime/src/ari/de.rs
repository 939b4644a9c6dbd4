//! Map decoding shared by the generated ARI models and events: keys borrowed
//! from the input, known fields decoded in place, unknown keys kept as JSON values.
//!
//! One rule for repeated keys, whichever way a message is decoded (from bytes or
//! through serde from any format): a JSON object with a repeated key is an
//! error, at any depth. A streaming decoder cannot take the last value of a
//! repeated typed field (the first one may already have failed), so "last wins"
//! could not hold on both paths; "error" can. Free-form JSON (unknown keys, raw
//! `object` fields, unknown messages) is read as [`UniqueKeys`] for that reason.
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
/// key is a `duplicate field` error. For fields of free-form JSON (raw values,
/// string maps) use [`json_field`].
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

/// Like [`field`] for a field holding free-form JSON (a raw value, a map of
/// strings): its value is read as [`UniqueKeys`] first, so a repeated key inside
/// it is an error here as on every other decode path.
pub fn json_field<'de, A, T>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: de::DeserializeOwned,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    let UniqueKeys(value) = map.next_value()?;
    *slot = Some(T::deserialize(value).map_err(de::Error::custom)?);
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

/// Keep an unknown key and its value (any JSON, read as [`UniqueKeys`]) in
/// `extra`; a repeated key is a `duplicate field` error.
pub fn other<'de, A: MapAccess<'de>>(
    extra: &mut serde_json::Map<String, serde_json::Value>,
    map: &mut A,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let UniqueKeys(value) = map.next_value()?;
    match extra.entry(key.into_string()) {
        serde_json::map::Entry::Occupied(e) => Err(duplicate_key(e.key())),
        serde_json::map::Entry::Vacant(e) => {
            e.insert(value);
            Ok(())
        }
    }
}

fn duplicate_key<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate field `{key}`"))
}

/// Any JSON, read like [`serde_json::Value`] except that an object with a
/// repeated key (at any depth) is an error instead of keeping the last value.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueKeys(pub serde_json::Value);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<UniqueKeys, E> {
        // JSON has no NaN or infinity; a format that has them gives `null`, as
        // `serde_json::Value` does.
        Ok(UniqueKeys(
            serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into),
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(serde_json::Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<UniqueKeys, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<UniqueKeys, D::Error> {
        UniqueKeys::deserialize(d)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(UniqueKeys(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(UniqueKeys(serde_json::Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            other(&mut out, &mut map, key)?;
        }
        Ok(UniqueKeys(serde_json::Value::Object(out)))
    }
}

/// The `type` of an ARI message in JSON text, reading nothing else into memory:
/// `None` when the object has no `type`. An error when the text is not one JSON
/// object, or its `type` is not a string or appears twice.
pub fn message_type(text: &str) -> Result<Option<Cow<'_, str>>, serde_json::Error> {
    serde_json::from_str::<TypeOnly<'_>>(text).map(|t| t.0)
}

/// The `type` of an ARI message already read as a JSON value: empty when the
/// object has no `type`. An error when the value is not an object or its `type`
/// is not a string.
pub fn value_type(value: &serde_json::Value) -> Result<&str, serde_json::Error> {
    let object = value
        .as_object()
        .ok_or_else(|| de::Error::custom("an ARI message must be a JSON object"))?;
    match object.get("type") {
        None => Ok(""),
        Some(serde_json::Value::String(kind)) => Ok(kind),
        Some(_) => Err(de::Error::custom(
            "the `type` of an ARI message must be a string",
        )),
    }
}

/// The `type` of a message, the rest skipped.
struct TypeOnly<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for TypeOnly<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TypeOnlyVisitor;

        impl<'de> Visitor<'de> for TypeOnlyVisitor {
            type Value = TypeOnly<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ARI message (a JSON object)")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TypeOnly<'de>, A::Error> {
                let mut kind = None;
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    if key.as_str() != "type" {
                        map.next_value::<de::IgnoredAny>()?;
                    } else if kind.is_some() {
                        return Err(de::Error::duplicate_field("type"));
                    } else {
                        kind = Some(map.next_value::<TypeText<'de>>()?.0);
                    }
                }
                Ok(TypeOnly(kind))
            }
        }

        deserializer.deserialize_map(TypeOnlyVisitor)
    }
}

/// The string value of `type`: borrowed unless it holds escapes.
struct TypeText<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for TypeText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TypeTextVisitor;

        impl<'de> Visitor<'de> for TypeTextVisitor {
            type Value = TypeText<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the `type` of an ARI message, a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<TypeText<'de>, E> {
                Ok(TypeText(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<TypeText<'de>, E> {
                Ok(TypeText(Cow::Owned(v.to_owned())))
            }
        }

        deserializer.deserialize_str(TypeTextVisitor)
    }
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
    fn repeated_keys_are_errors_at_any_depth() {
        for text in [
            r#"{"name":"a","x":1,"x":2}"#,
            r#"{"name":"a","x":{"y":1,"y":1}}"#,
            r#"{"name":"a","x":[{"y":1,"\u0079":2}]}"#,
        ] {
            let e = serde_json::from_str::<Pair>(text).unwrap_err();
            assert!(e.to_string().contains("duplicate field"), "{text}: {e}");
            let e = serde_json::from_str::<UniqueKeys>(text).unwrap_err();
            assert!(e.to_string().contains("duplicate field"), "{text}: {e}");
        }
        let v: UniqueKeys = serde_json::from_str(r#"{"a":[1,-2,0.5,"s",null,true,{}]}"#).unwrap();
        assert_eq!(
            v.0,
            serde_json::json!({"a": [1, -2, 0.5, "s", null, true, {}]})
        );
    }

    #[test]
    fn message_type_wants_one_object_with_at_most_one_string_type() {
        assert_eq!(
            message_type(r#"{"x":[1],"type":"Dial"}"#)
                .unwrap()
                .as_deref(),
            Some("Dial")
        );
        assert_eq!(message_type(r#"{"x":1}"#).unwrap(), None);
        for bad in [
            r#"["Dial"]"#,
            r#""Dial""#,
            r#"{"type":5}"#,
            r#"{"type":"a","type":"a"}"#,
            r#"{"type":"a"} 1"#,
        ] {
            assert!(message_type(bad).is_err(), "{bad}");
        }
        assert_eq!(
            value_type(&serde_json::json!({"type": "Dial"})).unwrap(),
            "Dial"
        );
        assert_eq!(value_type(&serde_json::json!({})).unwrap(), "");
        assert!(value_type(&serde_json::json!({"type": null})).is_err());
        assert!(value_type(&serde_json::json!(["Dial"])).is_err());
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
