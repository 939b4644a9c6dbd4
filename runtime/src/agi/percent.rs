//! Percent-decoding for AGI script queries and AsyncAGI's URL-encoded headers.

/// Decode `%XX` escapes (and `+` as space when `plus_space`). Invalid escapes
/// are kept literally; invalid UTF-8 is replaced lossily.
pub fn decode(input: &str, plus_space: bool) -> String {
    if !(input.contains('%') || plus_space && input.contains('+')) {
        return input.to_string();
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)),
            _ => None,
        };
        if let Some((h, l)) = escaped {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        if b == b'+' && plus_space {
            out.push(b' ');
        } else {
            out.push(b);
        }
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_escapes_and_keeps_bad_ones() {
        assert_eq!(decode("200%20result%3D0%0A", false), "200 result=0\n");
        assert_eq!(decode("a+b%2", true), "a b%2");
        assert_eq!(decode("100%", false), "100%");
        assert_eq!(decode("%zz%41", false), "%zzA");
        assert_eq!(decode("caf%C3%A9", false), "café");
    }
}
