//! Synthetic AMI streams built from the shapes Asterisk sends (banner, events,
//! responses, legacy command output, stray empty lines) with random sizes
//! around the message cap, mixed line endings, non-ASCII bytes and sometimes an
//! unterminated tail.

use fastrand::Rng;

fn eol(rng: &mut Rng) -> &'static [u8] {
    if rng.u8(..4) == 0 { b"\n" } else { b"\r\n" }
}

fn text(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| match rng.u8(..40) {
            0 => b':',
            1 => 0xc3,
            2 => b' ',
            3 => b'-',
            _ => rng.alphanumeric() as u8,
        })
        .collect()
}

/// A length mostly well under `max`, sometimes close to it or over it.
fn size(rng: &mut Rng, max: usize) -> usize {
    match rng.u8(..10) {
        0 => rng.usize(max.saturating_sub(8)..max + 8),
        1 => rng.usize(max..2 * max),
        _ => rng.usize(0..max / 4),
    }
}

/// One stream for a decoder capped at `max` bytes per message.
pub fn ami_stream(rng: &mut Rng, max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.bool() {
        out.extend_from_slice(b"Asterisk Call Manager/");
        let n = size(rng, max);
        out.extend(std::iter::repeat_n(b'9', n.clamp(1, 8)));
        out.extend((0..n.saturating_sub(8)).map(|_| b'.'));
        out.extend_from_slice(eol(rng));
    }
    for _ in 0..rng.usize(1..8) {
        match rng.u8(..6) {
            0 => out.extend_from_slice(eol(rng)),
            1 | 2 => {
                out.extend_from_slice(b"Event: Synthetic");
                out.extend_from_slice(eol(rng));
                for i in 0..rng.usize(0..6) {
                    out.extend_from_slice(format!("Header{i}: ").as_bytes());
                    let n = size(rng, max);
                    out.extend(text(rng, n));
                    out.extend_from_slice(eol(rng));
                }
                out.extend_from_slice(eol(rng));
            }
            3 | 4 => {
                out.extend_from_slice(b"Response: Follows");
                out.extend_from_slice(eol(rng));
                out.extend_from_slice(b"Privilege: Command");
                out.extend_from_slice(eol(rng));
                for _ in 0..rng.usize(0..5) {
                    let n = size(rng, max);
                    out.extend(text(rng, n));
                    if rng.u8(..5) == 0 {
                        out.extend_from_slice(b"--END COMMAND");
                    }
                    out.push(b'\n');
                }
                if rng.bool() {
                    let n = rng.usize(0..20);
                    out.extend(text(rng, n));
                }
                out.extend_from_slice(b"--END COMMAND--");
                out.extend_from_slice(eol(rng));
                out.extend_from_slice(eol(rng));
            }
            _ => {
                out.extend_from_slice(b"Response: Success");
                out.extend_from_slice(eol(rng));
                out.extend_from_slice(b"Message: ");
                let n = size(rng, max);
                out.extend(text(rng, n));
                out.extend_from_slice(eol(rng));
                out.extend_from_slice(eol(rng));
            }
        }
    }
    if rng.u8(..4) == 0 {
        let n = size(rng, max);
        out.extend(text(rng, n));
    }
    out
}
