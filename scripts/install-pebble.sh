#!/bin/sh
# Installs Pebble and pebble-challtestsrv (the ACME test server used by
# app/certs tests) into a tools directory, with `go install` through the
# module proxy. Idempotent: does nothing when both binaries are already
# there at the pinned version.
#
# Usage: scripts/install-pebble.sh [DIR]   (default ./.tools/bin)
set -eu

VERSION=v2.10.1
MODULE=github.com/letsencrypt/pebble/v2
DIR=${1:-./.tools/bin}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

# `go version -m` reads the module version embedded in the binary, so a
# stale pebble from another version is replaced rather than trusted.
installed() {
	[ -x "$DIR/$1" ] || return 1
	go version -m "$DIR/$1" 2>/dev/null | awk -v m="$MODULE" -v v="$VERSION" \
		'$1 == "mod" && $2 == m && $3 == v { found = 1 } END { exit !found }'
}

if installed pebble && installed pebble-challtestsrv; then
	exit 0
fi

# CGO off: the same static build as the project, and no C toolchain needed.
CGO_ENABLED=0 GOBIN="$DIR" go install \
	"$MODULE/cmd/pebble@$VERSION" \
	"$MODULE/cmd/pebble-challtestsrv@$VERSION"

installed pebble && installed pebble-challtestsrv || {
	echo "install-pebble: $DIR does not hold pebble $VERSION after go install" >&2
	exit 1
}
