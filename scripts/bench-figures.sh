#!/usr/bin/env bash
# The figures quoted in release and issue notes (make bench). Each line
# starting with "FIGURE:" is one measurement with the load average at the
# time: the Go measurements in tests/bench (copy-path and encode-path publish
# times, idle memory with 1,000 videos, memory during a 2 GiB upload, the
# tracker, export and import), then the size of the arm64 binary a
# Raspberry Pi downloads.
#
# Needs ffmpeg/ffprobe and ~2.2 GB free under TMPDIR. Clips are cached in
# $TMPDIR/cabane-bench between runs. The full test log is kept in a temporary
# file whose path is printed when something fails.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
log=$(mktemp -t cabane-bench-XXXXXX.log)
work=$(mktemp -d -t cabane-bench-bin-XXXXXX)
trap 'rm -rf "$work"' EXIT

if ! CABANE_BENCH=1 "$GO" test -v -count=1 -timeout 60m -run Figure ./tests/bench/ >"$log" 2>&1; then
	grep '^FIGURE' "$log" || true
	echo "bench-figures: the measurements failed; full log in $log" >&2
	tail -n 60 "$log" >&2
	exit 1
fi
grep '^FIGURE' "$log"

# The same flags as `make cross`, without the version stamp (a few bytes).
CGO_ENABLED=0 GOOS=linux GOARCH=arm64 "$GO" build -trimpath -ldflags "-s -w" -o "$work/cabane-arm64" ./cmd/cabane
size=$(stat -c %s "$work/cabane-arm64")
echo "FIGURE: binary size linux/arm64 (CGO_ENABLED=0 -trimpath -ldflags \"-s -w\"): $size bytes ($(awk -v b="$size" 'BEGIN { printf "%.1f MiB", b / 1048576 }')) | load $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$log"

# Issue figures measured elsewhere: the ladder against bare ffmpeg and one
# process per rendition, and request latency during a 1080p transcode.
BENCH_SECONDS=${BENCH_SECONDS:-20} "$GO" run ./app/media/internal/bench
CABANE_BENCH=1 "$GO" test -count=1 -v -run FigureLatency ./tests/integration/ | grep '^FIGURE' || { echo "latency figure failed" >&2; exit 1; }

# Issue #12's figures: peer-to-peer in Chromium (bytes the box serves per
# viewer and the share from peers for 1, 5 and 10 viewers, time to first
# frame with P2P on and off, the page weight P2P adds; ~10 min), and the
# start rendition the upload allows per number of remote viewers.
CABANE_BENCH=1 "$GO" test -count=1 -v -timeout 20m -run TestPeerToPeerFigures ./tests/browser/ | grep -o 'FIGURE.*' || { echo "p2p figures failed" >&2; exit 1; }
"$GO" test -count=1 -v -run TestFigureStartRendition ./app/bandwidth/ | grep -E '^\s+.*(Mb/s|kb/s)' || { echo "start rendition figure failed" >&2; exit 1; }
