#!/usr/bin/env bash
# Installs what `make run` (ffmpeg) or `make test` (also chromium, node,
# avahi, dbus, iproute2, pebble) need on a Debian machine, as root.
# Idempotent: does nothing for what is already there.
set -euo pipefail
what=${1:-run}
cd "$(dirname "$0")/.."

need_apt=()
want() { command -v "$1" >/dev/null 2>&1 || need_apt+=("$2"); }

want ffmpeg ffmpeg
want ffprobe ffmpeg
if [ "$what" = test ]; then
	want chromium chromium
	want node nodejs
	want npm npm
	want avahi-daemon avahi-daemon
	want avahi-browse avahi-utils
	want dbus-daemon dbus
	want ip iproute2
	# The image's pieces: unit checks, partitions made as files, cabane.txt's
	# Wi-Fi key compared with wpa_passphrase.
	want systemd-analyze systemd
	want sfdisk fdisk
	want mcopy mtools
	want mkfs.vfat dosfstools
	want mke2fs e2fsprogs
	want debugfs e2fsprogs
	want xz xz-utils
	want wpa_passphrase wpasupplicant
	# The .deb: lintian, and a throwaway Debian root to install it into.
	want lintian lintian
	want mmdebstrap mmdebstrap
	# PeerTube's clients, run for real by tests/clients.
	want yt-dlp yt-dlp
	# The serving figures (tests/bench, CABANE_BENCH=1): nginx with
	# sendfile is the reference, wrk the load.
	want nginx nginx
	want wrk wrk
fi
if ! command -v go >/dev/null 2>&1; then need_apt+=(golang-go ca-certificates); fi

if [ ${#need_apt[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "missing: ${need_apt[*]} — run as root, or: sudo apt-get install ${need_apt[*]}" >&2
		exit 1
	fi
	echo "installing: ${need_apt[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# Debian's avahi-daemon package starts a daemon on the host; tests run their
# own inside network namespaces and never touch the host's.

# Go: go.mod names the version; Debian 12's own Go is older, so fetch the
# toolchain named in go.mod from the Go module proxy when needed.
want_go=$(awk '/^go /{print $2}' go.mod)
have_go=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$want_go" "$have_go" | sort -V | head -1)" != "$want_go" ]; then
	echo "Go $have_go is older than go.mod's $want_go: fetching go$want_go from the module proxy"
	arch=$(go env GOARCH)
	dir=$(cd /tmp && GOFLAGS=-modcacherw GO111MODULE=on go mod download -json "golang.org/toolchain@v0.0.1-go$want_go.linux-$arch" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
	mkdir -p /usr/local/bin
	ln -sf "$dir/bin/go" /usr/local/bin/go
	ln -sf "$dir/bin/gofmt" /usr/local/bin/gofmt
	hash -r
fi

if [ "$what" = test ]; then
	# The npm packages the tests run, each folder's as its lock file pins
	# them: installed when missing, and again when the lock file changed
	# since (npm ci writes node_modules/.package-lock.json).
	for dir in tests/browser tests/clients tests/federation; do
		if [ -f "$dir/package-lock.json" ] && { [ ! -f "$dir/node_modules/.package-lock.json" ] ||
			[ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
			(cd "$dir" && npm ci --no-audit --no-fund --silent)
		fi
	done
	if [ -x scripts/install-pebble.sh ]; then
		scripts/install-pebble.sh
	fi
fi
