#!/usr/bin/env bash
# `just semver [TAG...]`: prove that adding the newest release (or the releases
# named) to the generated crate is a semver-minor change. The baseline is the
# crate generated without them (`generate --without TAG`, in a temporary copy of
# the workspace); the
# current crate is the one in generated/. cargo-semver-checks compares their
# public APIs. On demand only (not in CI): it needs cargo-semver-checks
# (`cargo install cargo-semver-checks --locked`) and builds rustdoc twice.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v cargo-semver-checks >/dev/null; then
    echo "semver: cargo-semver-checks is missing; install it with" >&2
    echo "    cargo install cargo-semver-checks --locked" >&2
    exit 2
fi

# Release tags of the committed manifests, newest last.
mapfile -t tags < <(ls specs/api | sed -n 's/\.json$//p' | sort -V)
if [ "${#tags[@]}" -lt 2 ]; then
    echo "semver: needs at least two releases in specs/api" >&2
    exit 2
fi
# The releases left out of the baseline: the arguments, else the newest.
if [ "$#" -gt 0 ]; then
    left_out=("$@")
else
    left_out=("${tags[-1]}")
fi
without=()
for t in "${left_out[@]}"; do
    without+=(--without "$t")
done

base="$(mktemp -d)"
trap 'rm -rf "$base"' EXIT
# The workspace as it is now (tracked files, with uncommitted edits).
git ls-files -z | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
done | xargs -0 cp --parents -t "$base"
cargo run -q -p asterisk-codegen --release -- --root "$base" generate "${without[@]}"

echo "semver: asterisk-sdk with ${tags[*]} against the baseline without ${left_out[*]}"
cargo semver-checks check-release -p asterisk-sdk --baseline-root "$base"
