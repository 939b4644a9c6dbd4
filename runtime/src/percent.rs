//! Percent-encoding as the protocols use it: ARI path segments and query
//! strings, AGI script queries, and AsyncAGI's URL-encoded `Env` and `Result`
//! headers (on the `percent-encoding` crate).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Every byte but RFC 3986's unreserved characters (`A–Z a–z 0–9 - . _ ~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Like [`COMPONENT`], also keeping `! * ' ( )` (Asterisk's `ast_uri_encode`
/// with its default flags, used for AsyncAGI headers).
const URI_MARKS: &AsciiSet = &COMPONENT
    .remove(b'!')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Encode everything outside the unreserved set, so a value stays one path
/// segment or one query value whatever it holds (`/`, `;`, `?`, `#`, `%`, spaces).
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Encode as Asterisk encodes AsyncAGI `Env`/`Result` headers.
pub fn encode_uri_marks(s: &str) -> String {
    utf8_percent_encode(s, URI_MARKS).to_string()
}

/// Decode `%XX` escapes (and `+` as a space when `plus_as_space`, as in query
/// strings). Invalid escapes stay as they are; invalid UTF-8 is replaced lossily.
pub fn decode(s: &str, plus_as_space: bool) -> String {
    if plus_as_space && s.contains('+') {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    } else {
        percent_decode_str(s).decode_utf8_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_decodes() {
        assert_eq!(
            encode_component("Local/100@default-0001;1"),
            "Local%2F100%40default-0001%3B1"
        );
        assert_eq!(encode_component("a b~c"), "a%20b~c");
        assert_eq!(
            encode_uri_marks("200 result=1 (x)\n"),
            "200%20result%3D1%20(x)%0A"
        );
        assert_eq!(decode("a%20b+c", true), "a b c");
        assert_eq!(decode("a%20b+c", false), "a b+c");
        assert_eq!(decode("100%", false), "100%");
        assert_eq!(decode("%zz%C3%A9", false), "%zzé");
        assert_eq!(decode("%ff", false), "\u{fffd}");
    }
}
