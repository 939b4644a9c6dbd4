//! Simple byte mutations of seed inputs, driven by a seeded RNG so every run
//! checks the same inputs.

/// Bytes the parsers give meaning to.
const SPECIAL: &[u8] = b"\r\n:{}[]\",\\-+.0123456789 eEtZT\xff\xc3\x00";
/// Words worth splicing in.
const WORDS: &[&[u8]] = &[
    b"\r\n\r\n",
    b"--END COMMAND--",
    b"Response: Follows\r\n",
    b"Asterisk Call Manager/",
    b"HANGUP\n",
    b"200 result=-1 ",
    b"\"type\":",
    b"\"Unknown\"",
    b"1e308",
    b"-0",
    b"\\u0000",
    b"+2359",
];

/// A seed picked from `corpus`, changed by one to four mutations.
pub fn mutated(rng: &mut fastrand::Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut data = corpus[rng.usize(..corpus.len())].clone();
    for _ in 0..rng.usize(1..=4) {
        mutate_once(rng, &mut data, corpus);
    }
    data
}

fn mutate_once(rng: &mut fastrand::Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let at = rng.usize(..=data.len());
    match rng.u8(..9) {
        0 if at < data.len() => data[at] ^= 1 << rng.u8(..8),
        1 if at < data.len() => data[at] = rng.u8(..),
        2 => data.insert(at, SPECIAL[rng.usize(..SPECIAL.len())]),
        3 if at < data.len() => {
            let end = (at + rng.usize(1..=16)).min(data.len());
            data.drain(at..end);
        }
        4 if at < data.len() => {
            let end = (at + rng.usize(1..=64)).min(data.len());
            let copy = data[at..end].to_vec();
            let to = rng.usize(..=data.len());
            data.splice(to..to, copy);
        }
        5 => {
            let word = WORDS[rng.usize(..WORDS.len())];
            data.splice(at..at, word.iter().copied());
        }
        6 => {
            let other = &corpus[rng.usize(..corpus.len())];
            let from = rng.usize(..=other.len());
            let end = (from + rng.usize(..=128)).min(other.len());
            data.splice(at..at, other[from..end].iter().copied());
        }
        7 => data.truncate(at),
        _ if at < data.len() => data[at] = data[at].wrapping_add(rng.u8(1..4)),
        _ => data.push(rng.u8(..)),
    }
}
