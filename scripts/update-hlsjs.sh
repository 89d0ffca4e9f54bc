#!/bin/sh
# update-hlsjs.sh vendors hls.js into assets/static/vendor/hls.js from the npm registry.
#
# Usage: scripts/update-hlsjs.sh [VERSION]
#
# The player is served from the embedded assets, so the browser never fetches
# code from a CDN: the box works on a LAN with no internet. The version is
# pinned here so a rebuild is reproducible; bump DEFAULT_VERSION (and rerun)
# on purpose, and review the diff of VERSION before committing.
set -eu

DEFAULT_VERSION=1.7.4
VERSION=${1:-$DEFAULT_VERSION}

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/assets/static/vendor/hls.js"

command -v npm >/dev/null 2>&1 || { echo "update-hlsjs: npm is required (apt-get install -y npm)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# npm pack downloads the published tarball exactly as the registry holds it
# (no install scripts run) and verifies it against the registry's integrity.
( cd "$tmp" && npm pack --silent "hls.js@$VERSION" >pack.name )
tarball="$tmp/$(tail -n 1 "$tmp/pack.name")"
[ -f "$tarball" ] || { echo "update-hlsjs: npm pack produced no tarball" >&2; exit 1; }

# Record what the registry says the tarball is, and check our copy against it.
integrity=$(cd "$tmp" && npm view "hls.js@$VERSION" dist.integrity)
shasum=$(cd "$tmp" && npm view "hls.js@$VERSION" dist.shasum)
got=$(sha1sum "$tarball" | cut -d' ' -f1)
if [ "$got" != "$shasum" ]; then
	echo "update-hlsjs: tarball sha1 $got does not match registry shasum $shasum" >&2
	exit 1
fi

tar -xzf "$tarball" -C "$tmp"
pkgver=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/package/package.json" | head -n 1)
[ "$pkgver" = "$VERSION" ] || { echo "update-hlsjs: package.json says $pkgver, wanted $VERSION" >&2; exit 1; }
[ -f "$tmp/package/dist/hls.min.js" ] || { echo "update-hlsjs: dist/hls.min.js missing from hls.js@$VERSION" >&2; exit 1; }

mkdir -p "$dest"
cp "$tmp/package/dist/hls.min.js" "$dest/hls.min.js"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
cat >"$dest/VERSION" <<INFO
hls.js $VERSION
source: https://registry.npmjs.org/hls.js/-/hls.js-$VERSION.tgz
integrity: $integrity
shasum: $shasum
file: dist/hls.min.js sha256 $(sha256sum "$dest/hls.min.js" | cut -d' ' -f1)
license: Apache-2.0 (see LICENSE)
INFO

echo "update-hlsjs: vendored hls.js $VERSION into ${dest#"$root"/}"
