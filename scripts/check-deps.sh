#!/usr/bin/env bash
# check-deps.sh: fails when go.mod/go.sum are not tidy, or when the
# binary's dependencies differ from the reviewed deps.txt. Offline: it
# reads only the module cache (GOPROXY=off), as CI has it after a build.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOPROXY=off GOFLAGS=-mod=mod
if ! diff=$(go mod tidy -diff 2>&1); then
	echo "go.mod/go.sum are not tidy; run 'go mod tidy' and commit:" >&2
	echo "$diff" >&2
	exit 1
fi
if ! diff -u deps.txt <(scripts/deps-list.sh) >&2; then
	echo "the binary's dependencies changed (above, + is new); review them and run 'make deps-list'" >&2
	exit 1
fi
echo "dependencies: tidy, $(wc -l <deps.txt) packages as reviewed in deps.txt"
