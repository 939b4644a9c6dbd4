//! The parser checks of `checks/` (shared with the cargo-fuzz targets in
//! `tests/fuzz/`), run on stable and deterministically: each target's committed seed
//! corpus (`tests/fuzz/seeds/<target>/`), then fixed-seed byte mutations of it; and a
//! property test of AMI framing over synthetic streams cut at random and at
//! every position.

mod checks;
mod mutate;
mod synthetic;

use std::path::PathBuf;

/// Mutated inputs per target.
const MUTATIONS: usize = 100_000;

/// The committed seed inputs of one fuzz target.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seed corpus {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display())))
        .collect();
    assert!(
        seeds.len() >= 4,
        "{} holds {} seeds",
        dir.display(),
        seeds.len()
    );
    seeds
}

/// Every seed, then [`MUTATIONS`] mutated inputs, through `check`.
fn run(target: &str, seed: u64, check: fn(&[u8])) {
    let corpus = seeds(target);
    for input in &corpus {
        check(input);
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..MUTATIONS {
        let input = mutate::mutated(&mut rng, &corpus);
        check(&input);
    }
}

#[test]
fn ami_framing_seeds_and_mutations() {
    run("ami_framing", 0xA1, checks::ami::check);
}

#[test]
fn agi_seeds_and_mutations() {
    run("agi", 0xA2, checks::agi::check);
}

#[test]
fn ari_seeds_and_mutations() {
    run("ari", 0xA3, checks::ari::check);
}

#[test]
fn timestamp_seeds_and_mutations() {
    run("timestamp", 0xA4, checks::timestamp::check);
}

#[test]
fn ami_framing_ignores_read_boundaries_on_synthetic_streams() {
    let mut rng = fastrand::Rng::with_seed(0xF4A3);
    for _ in 0..300 {
        let max = rng.usize(64..=400);
        let stream = synthetic::ami_stream(&mut rng, max);
        for _ in 0..20 {
            let random: Vec<usize> = (0..rng.usize(1..12))
                .map(|_| rng.usize(..=stream.len()))
                .collect();
            checks::ami::framing_agrees(&stream, max, &random);
        }
        // One cut at every position of the short streams, at 300 random
        // positions of the longer ones.
        let singles: Vec<usize> = match stream.len() {
            0..=800 => (0..=stream.len()).collect(),
            n => (0..300).map(|_| rng.usize(..=n)).collect(),
        };
        for at in singles {
            checks::ami::framing_agrees(&stream, max, &[at]);
        }
        let every: Vec<usize> = (1..stream.len()).collect();
        checks::ami::framing_agrees(&stream, max, &every);
    }
}
