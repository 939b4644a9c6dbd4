# Tasks of the asterisk-sdk workspace. `just --list` shows them.

upstream := "../shared/specs/asterisk"

# Run the tour against the built-in mock Asterisk (or a real one: see README).
tour:
    cargo run -p asterisk-sdk --example tour

# Run every test (what CI runs).
test:
    cargo test --workspace

# Rebuild the manifests from the raw specs, then the generated crate.
regen upstream=upstream:
    cargo run -q -p asterisk-codegen --release -- manifest --upstream {{upstream}}
    cargo run -q -p asterisk-codegen --release -- generate

# Fail when the manifests or the generated code differ from what the generator makes.
check upstream=upstream:
    cargo run -q -p asterisk-codegen -- check --upstream {{upstream}}

# What changed between two releases: just diff 22.10.1 23.4.1 markdown
diff from to format="text":
    cargo run -q -p asterisk-codegen -- diff {{from}} {{to}} --format {{format}}

# The "Asterisk API" section of a CHANGELOG entry: just changelog 22.10.1 23.4.1
changelog from to:
    @echo "### Asterisk API ({{from}} → {{to}})"
    @cargo run -q -p asterisk-codegen -- diff {{from}} {{to}} --format markdown | sed -e '/^# /d' -e 's/^## /#### /'

# Add a release from an Asterisk source tree: extract, manifest, generate, check,
# then the Markdown diff against the previous release: just new-release ~/src/asterisk 24.0.0
new-release src tag upstream=upstream:
    bash codegen/scripts/new-release.sh {{src}} {{tag}} {{upstream}}

# Prove that adding the newest release (or the releases named) is semver-minor
# (on demand, not in CI; needs `cargo install cargo-semver-checks --locked`).
semver *tags:
    bash codegen/scripts/semver.sh {{tags}}

# Census of one release.
stats tag:
    cargo run -q -p asterisk-codegen -- stats --tag {{tag}}

# Extract an Asterisk source tree to a temp dir and compare its supplement.json with
# the reference one (on demand; CI never needs a tree): just supplement-compare /work/asterisk-src/23.4.1 23.4.1
supplement-compare src tag upstream=upstream:
    cargo run -q -p asterisk-codegen --release -- compare-supplement --asterisk-src {{src}} --tag {{tag}} --reference {{upstream}}/{{tag}}/supplement.json

# Benchmarks (on demand; never part of the tests).
bench *which:
    cargo run --release --manifest-path tests/bench/Cargo.toml -- {{which}}

# Everything CI checks.
ci:
    bash .ci/run
