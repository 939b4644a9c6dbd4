//! Finding the end of a header line and its colon in one pass: AMI lines are
//! short (about 20 bytes), too short for a vectorised search to pay for its
//! setup twice per line. On x86-64, sixteen bytes at a time with SSE2 (part of
//! the x86-64 baseline); elsewhere, and for the last bytes of a buffer, eight
//! bytes at a time in a `u64`.

/// `0x01` in every byte.
const ONES: u64 = u64::from_ne_bytes([1; 8]);
/// `0x80` in every byte.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// Whether every byte OR-ed into `seen` (see [`next_line`]) was ASCII.
#[inline]
pub(crate) fn all_ascii(seen: u64) -> bool {
    seen & HIGHS == 0
}

/// A mask whose lowest set bit is the high bit of the first zero byte of `word`
/// (little-endian order); zero when no byte is zero. Bits above the first hit
/// may be false positives, so only the lowest one is used.
#[inline]
fn first_zero_byte(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The index of the first byte equal to `b` in the little-endian `word`, when any.
#[inline]
fn find_in_word(word: u64, b: u8) -> Option<usize> {
    let mask = first_zero_byte(word ^ (ONES * u64::from(b)));
    (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize)
}

/// The next `\n` at or after `from`, and the first `:` between `from` and it.
/// `None` when `buf[from..]` holds no `\n`.
///
/// Every byte looked at (at least `buf[from..=newline]`, or all of `buf[from..]`
/// when there is no newline) is OR-ed into `seen`: when its high bit stays clear,
/// those bytes are ASCII.
#[inline]
pub(crate) fn next_line(buf: &[u8], from: usize, seen: &mut u64) -> Option<(usize, Option<usize>)> {
    let mut colon = None;
    let mut at = from;
    #[cfg(target_arch = "x86_64")]
    while let Some(chunk) = buf.get(at..at + 16) {
        let mut block = [0u8; 16];
        block.copy_from_slice(chunk);
        // SAFETY: SSE2 is part of the x86-64 baseline, so every x86-64 CPU has it.
        let m = unsafe { sse2::masks(&block) };
        if m.high != 0 {
            *seen |= HIGHS;
        }
        if colon.is_none() && m.colon != 0 {
            colon = Some(at + m.colon.trailing_zeros() as usize);
        }
        if m.newline != 0 {
            let nl = at + m.newline.trailing_zeros() as usize;
            return Some((nl, colon.filter(|c| *c < nl)));
        }
        at += 16;
    }
    while let Some(chunk) = buf.get(at..at + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        *seen |= word;
        let newline = find_in_word(word, b'\n');
        if colon.is_none() {
            colon = find_in_word(word, b':').map(|i| at + i);
        }
        if let Some(i) = newline {
            let nl = at + i;
            return Some((nl, colon.filter(|c| *c < nl)));
        }
        at += 8;
    }
    for (i, &b) in buf.get(at..)?.iter().enumerate() {
        *seen |= u64::from(b);
        match b {
            b'\n' => return Some((at + i, colon)),
            b':' if colon.is_none() => colon = Some(at + i),
            _ => {}
        }
    }
    None
}

/// Sixteen bytes at a time.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};

    /// Bit `i` of each mask is about byte `i` of the block.
    pub(super) struct Masks {
        pub(super) newline: u32,
        pub(super) colon: u32,
        /// Bytes with the high bit set (not ASCII).
        pub(super) high: u32,
    }

    #[target_feature(enable = "sse2")]
    pub(super) fn masks(block: &[u8; 16]) -> Masks {
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = *block;
        let lo = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
        let hi = u64::from_le_bytes([i, j, k, l, m, n, o, p]);
        let v = _mm_set_epi64x(hi as i64, lo as i64);
        let eq = |byte: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8))) as u32;
        Masks {
            newline: eq(b'\n'),
            colon: eq(b':'),
            high: _mm_movemask_epi8(v) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `next_line` must find, the slow way.
    fn expected(buf: &[u8], from: usize) -> Option<(usize, Option<usize>)> {
        let nl = from + buf[from..].iter().position(|&b| b == b'\n')?;
        let colon = buf[from..nl]
            .iter()
            .position(|&b| b == b':')
            .map(|c| from + c);
        Some((nl, colon))
    }

    #[test]
    fn agrees_with_a_byte_by_byte_search() {
        let lines: [&[u8]; 9] = [
            b"Event: Newchannel\r\nChannel: PJSIP/100-00000001\r\n\r\n",
            b"no colon at all, but a long line of text to cross words\n",
            b"::\n",
            b"\n",
            b"a:b\n",
            b"Key-With-A-Long-Name-Over-Eight:value\r\n",
            b"unterminated: line",
            b"\xff\xfe\x80:\x0a\x3a\x0a",
            b"12345678:\n",
        ];
        for line in lines {
            for from in 0..line.len() {
                let mut seen = 0;
                let found = next_line(line, from, &mut seen);
                assert_eq!(found, expected(line, from), "{line:?} from {from}");
                // Non-ASCII in what the line covers is always noticed; a verdict
                // of non-ASCII is only ever given when some later byte is.
                let end = found.map_or(line.len(), |(nl, _)| nl + 1);
                if !line[from..end].is_ascii() {
                    assert!(!all_ascii(seen), "{line:?} from {from}");
                }
                if !all_ascii(seen) {
                    assert!(!line[from..].is_ascii(), "{line:?} from {from}");
                }
            }
        }
    }

    #[test]
    fn every_position_of_newline_and_colon() {
        for len in 1..40 {
            for nl in 0..len {
                for colon in 0..len {
                    let mut buf = vec![b'x'; len];
                    buf[colon] = b':';
                    buf[nl] = b'\n';
                    let mut seen = 0;
                    let found = next_line(&buf, 0, &mut seen);
                    assert_eq!(found, expected(&buf, 0), "len {len} nl {nl} colon {colon}");
                    assert!(all_ascii(seen));
                }
            }
        }
    }
}
