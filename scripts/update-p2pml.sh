#!/bin/sh
# update-p2pml.sh vendors p2p-media-loader v2 (core and its hls.js
# integration) into assets/static/vendor/p2p-media-loader from the npm
# registry, as update-hlsjs.sh does for hls.js.
#
# Usage: scripts/update-p2pml.sh [VERSION]
#
# Both packages are published together with one version number; the hls.js
# integration imports "p2p-media-loader-core" by that bare name, which the
# watch and embed pages resolve with an import map to the hashed core file.
# The version is pinned: PeerTube 7.1+ peers only find ours when the peer
# protocol and the info hash (SHA-1 since 2.3) agree, so bump it on purpose,
# rerun, rerun app/p2p's golden test, and review the diff of VERSION.
set -eu

DEFAULT_VERSION=2.3.1
VERSION=${1:-$DEFAULT_VERSION}

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/assets/static/vendor/p2p-media-loader"

command -v npm >/dev/null 2>&1 || { echo "update-p2pml: npm is required (apt-get install -y npm)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

info=""
for pkg in p2p-media-loader-core p2p-media-loader-hlsjs; do
	mkdir -p "$tmp/$pkg"
	# npm pack downloads the published tarball exactly as the registry
	# holds it (no install scripts run).
	( cd "$tmp/$pkg" && npm pack --silent "$pkg@$VERSION" >pack.name )
	tarball="$tmp/$pkg/$(tail -n 1 "$tmp/$pkg/pack.name")"
	[ -f "$tarball" ] || { echo "update-p2pml: npm pack $pkg produced no tarball" >&2; exit 1; }
	integrity=$(cd "$tmp" && npm view "$pkg@$VERSION" dist.integrity)
	shasum=$(cd "$tmp" && npm view "$pkg@$VERSION" dist.shasum)
	got=$(sha1sum "$tarball" | cut -d' ' -f1)
	if [ "$got" != "$shasum" ]; then
		echo "update-p2pml: $pkg tarball sha1 $got does not match registry shasum $shasum" >&2
		exit 1
	fi
	tar -xzf "$tarball" -C "$tmp/$pkg"
	pkgver=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/$pkg/package/package.json" | head -n 1)
	[ "$pkgver" = "$VERSION" ] || { echo "update-p2pml: $pkg package.json says $pkgver, wanted $VERSION" >&2; exit 1; }
	src="$tmp/$pkg/package/dist/$pkg.es.min.js"
	[ -f "$src" ] || { echo "update-p2pml: dist/$pkg.es.min.js missing from $pkg@$VERSION" >&2; exit 1; }
	mkdir -p "$dest"
	# The source map is not shipped: drop the comment that points at it, so
	# a browser's devtools do not ask the box for a file it does not have.
	sed '/^\/\/# sourceMappingURL=/d' "$src" >"$dest/$pkg.js"
	if [ "$pkg" = p2p-media-loader-core ]; then
		# Cabane's one patch (2.3.1): Request.clearLoadedBytes forgets a
		# byte-range segment's size, so after a segment fails its check
		# every retry of it ends in http-bytes-mismatch and playback stalls
		# (tests/browser TestMirrorPlayback's corrupt phase). It keeps the
		# size the byte range gives. Refuse to vendor a version where the
		# line changed: look again whether the patch is still needed.
		patched="this._totalBytes = this.segment.byteRange ? this.segment.byteRange.end - this.segment.byteRange.start + 1 : void 0, this.finalData = void 0;"
		grep -q 'this._loadedBytes = 0, this.bytes = \[\], this._totalBytes = void 0, this.finalData = void 0;' "$dest/$pkg.js" ||
			{ echo "update-p2pml: clearLoadedBytes changed in $VERSION: review Cabane's patch" >&2; exit 1; }
		sed -i "s/this._totalBytes = void 0, this.finalData = void 0;/$patched/" "$dest/$pkg.js"
	fi
	cp "$tmp/$pkg/package/LICENSE" "$dest/LICENSE"
	info="$info
$pkg $VERSION
source: https://registry.npmjs.org/$pkg/-/$pkg-$VERSION.tgz
integrity: $integrity
shasum: $shasum
file: dist/$pkg.es.min.js (sourceMappingURL line removed$([ "$pkg" = p2p-media-loader-core ] && echo "; clearLoadedBytes keeps a byte-range segment's size, see update-p2pml.sh")) sha256 $(sha256sum "$dest/$pkg.js" | cut -d' ' -f1)
"
done

printf '%s\nlicense: Apache-2.0 (see LICENSE)\n' "${info#?}" >"$dest/VERSION"
echo "update-p2pml: vendored p2p-media-loader $VERSION into ${dest#"$root"/}"
