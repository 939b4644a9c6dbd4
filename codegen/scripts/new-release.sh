#!/usr/bin/env bash
# `just new-release SRC TAG [UPSTREAM]`: add an Asterisk release to the SDK from
# its source tree. Runs extract (raw specs of TAG into UPSTREAM/TAG), manifest,
# generate and check, then prints the Markdown diff against the release before
# TAG (the CHANGELOG input) on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$#" -lt 2 ]; then
    echo "usage: new-release.sh ASTERISK_SRC TAG [UPSTREAM]" >&2
    exit 2
fi
src="$1"
tag="$2"
upstream="${3:-../shared/specs/asterisk}"
codegen=(cargo run -q -p asterisk-codegen --release --)

# Progress goes to stderr: stdout is the Markdown alone.
"${codegen[@]}" extract --asterisk-src "$src" --tag "$tag" --out "$upstream" >&2
"${codegen[@]}" manifest --upstream "$upstream" >&2
"${codegen[@]}" generate >&2
"${codegen[@]}" check --upstream "$upstream" >&2

# The release just before TAG among the manifests.
previous="$(ls specs/api | sed -n 's/\.json$//p' | sort -V | grep -x -B1 -F "$tag" | head -n 1)"
if [ -z "$previous" ] || [ "$previous" = "$tag" ]; then
    echo "new-release: $tag is the oldest release; nothing to diff against" >&2
    exit 0
fi
"${codegen[@]}" diff "$previous" "$tag" --format markdown
