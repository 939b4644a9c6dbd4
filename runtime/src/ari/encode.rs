//! Wire encoding of ARI parameters: percent-encoded path segments,
//! comma-joined multi-value query parameters and JSON bodies.

use serde_json::{Map, Value};

/// Percent-encode one path segment: every byte outside the unreserved set
/// (`A–Z a–z 0–9 - . _ ~`) becomes `%XX`, so ids holding `/`, `;`, `?`, `#`, `%`
/// or spaces stay one segment.
pub fn path_segment(value: &str) -> String {
    crate::percent::encode_component(value)
}

/// Values of a parameter that takes several (`allowMultiple`): one string, or
/// any list of strings. They are sent comma-joined.
pub trait IntoValues {
    /// The values, in order.
    fn into_values(self) -> Vec<String>;
}

impl IntoValues for &str {
    fn into_values(self) -> Vec<String> {
        vec![self.to_owned()]
    }
}

impl IntoValues for String {
    fn into_values(self) -> Vec<String> {
        vec![self]
    }
}

impl IntoValues for &String {
    fn into_values(self) -> Vec<String> {
        vec![self.clone()]
    }
}

impl<T: Into<String>> IntoValues for Vec<T> {
    fn into_values(self) -> Vec<String> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<String>, const N: usize> IntoValues for [T; N] {
    fn into_values(self) -> Vec<String> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: AsRef<str>> IntoValues for &[T] {
    fn into_values(self) -> Vec<String> {
        self.iter().map(|v| v.as_ref().to_owned()).collect()
    }
}

/// Comma-join the values of a multi-value query parameter.
pub fn join(values: &[String]) -> String {
    values.join(",")
}

/// A `containers` body parameter from name/value pairs: a JSON object (values
/// are strings, or objects such as `{"value": …, "report_events": true}`).
pub fn object(pairs: impl IntoIterator<Item = (impl Into<String>, impl Into<Value>)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    )
}

/// The `fields` body of a dynamic configuration update from attribute/value
/// pairs: `[{"attribute": …, "value": …}, …]` (`ConfigTuple`s), in order.
pub fn tuples(pairs: impl IntoIterator<Item = (impl Into<String>, impl Into<Value>)>) -> Value {
    Value::Array(
        pairs
            .into_iter()
            .map(|(k, v)| {
                let mut m = Map::new();
                m.insert("attribute".into(), Value::String(k.into()));
                m.insert("value".into(), v.into());
                Value::Object(m)
            })
            .collect(),
    )
}

/// The JSON body `{"<name>": value}` of a `containers` body parameter.
pub fn wrap(name: &str, value: &Value) -> Value {
    let mut m = Map::new();
    m.insert(name.to_owned(), value.clone());
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_keep_only_unreserved_bytes() {
        assert_eq!(path_segment("1795727858.4"), "1795727858.4");
        assert_eq!(
            path_segment("Local/100@stasis-test;1"),
            "Local%2F100%40stasis-test%3B1"
        );
        assert_eq!(path_segment("a b%?#~_"), "a%20b%25%3F%23~_");
        assert_eq!(path_segment("é"), "%C3%A9");
        assert_eq!(path_segment(""), "");
    }

    #[test]
    fn bodies() {
        let vars = object([("CALLERID(name)", "Alice")]);
        assert_eq!(
            wrap("variables", &vars),
            serde_json::json!({"variables": {"CALLERID(name)": "Alice"}})
        );
        assert_eq!(
            tuples([("directmedia", "no")]),
            serde_json::json!([{"attribute": "directmedia", "value": "no"}])
        );
    }

    #[test]
    fn values_from_one_or_many() {
        assert_eq!("sound:a".into_values(), ["sound:a"]);
        assert_eq!(["a", "b"].into_values(), ["a", "b"]);
        assert_eq!(vec![String::from("x")].into_values(), ["x"]);
        let slice: &[&str] = &["p", "q"];
        assert_eq!(join(&slice.into_values()), "p,q");
    }
}
