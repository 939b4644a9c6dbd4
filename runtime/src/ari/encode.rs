//! Wire encoding of ARI parameters: percent-encoded path segments and
//! comma-joined multi-value query parameters.

/// Percent-encode one path segment: every byte outside the unreserved set
/// (`A–Z a–z 0–9 - . _ ~`) becomes `%XX`, so ids holding `/`, `;`, `?`, `#`, `%`
/// or spaces stay one segment.
pub fn path_segment(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
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
    fn values_from_one_or_many() {
        assert_eq!("sound:a".into_values(), ["sound:a"]);
        assert_eq!(["a", "b"].into_values(), ["a", "b"]);
        assert_eq!(vec![String::from("x")].into_values(), ["x"]);
        let slice: &[&str] = &["p", "q"];
        assert_eq!(join(&slice.into_values()), "p,q");
    }
}
