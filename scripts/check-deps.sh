#!/usr/bin/env bash
# check-deps.sh: fails when go.mod/go.sum are not tidy, or when the
# binary's dependencies differ from the reviewed deps.txt. Tidiness needs
# every module of every platform and test in the cache, not only those a
# linux/amd64 build fetched: on a fresh machine go fetches them from the
# module proxy (it never changes go.mod here: -diff only reports).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=-mod=mod
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
