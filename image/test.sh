#!/bin/bash
# Boots the built image in qemu-system-aarch64 (-M virt, software emulation)
# with a cabane.txt on its FAT partition, and checks first boot, the applied
# settings, an update and the rollback of a broken one. Prints how long each
# step took. MEASURE_WRITES=SECONDS also measures the card's writes while idle,
# with the journal in RAM and then on disk.
#
# Usage: image/test.sh [dist/cabane-rpi-arm64.img.xz, or an uncompressed .img]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
img_xz=${1:-$repo/dist/cabane-rpi-arm64.img.xz}
key=${RELEASE_KEY:-$HOME/.config/cabane/release.key}
boot_timeout=${BOOT_TIMEOUT:-1500}

t0=$(date +%s)
last=$t0
step() {
	local now
	now=$(date +%s)
	printf 'image-test: %-58s %5d s (total %d s)\n' "$1" $((now - last)) $((now - t0))
	last=$now
}
fail() {
	echo "image-test: FAIL: $*" >&2
	if [ -s "$work/console.log" ]; then
		echo "--- last console lines ---" >&2
		tail -n 40 "$work/console.log" >&2
	fi
	exit 1
}

for t in qemu-system-aarch64:qemu-system-arm mcopy:mtools ssh:openssh-client ssh-keygen:openssh-client curl:curl xz:xz-utils; do
	command -v "${t%%:*}" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${t#*:}" >&2
done
[ -r "$img_xz" ] || { echo "image-test: no image at $img_xz (run make image)" >&2; exit 1; }
[ -r "$key" ] || { echo "image-test: no release key at $key (make image makes one)" >&2; exit 1; }

work=$(mktemp -d)
qemu_pid=
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
ssh_port=$(free_port)

# --- the card ----------------------------------------------------------------
img=$work/card.img
case "$img_xz" in
*.xz) xz -dc "$img_xz" >"$img" ;;
*) cp --sparse=always "$img_xz" "$img" ;;
esac
orig_bytes=$(stat -c %s "$img")
# An 8 GB card is bigger than the image: first boot grows the root file system.
truncate -s +1G "$img"
fat="$img@@4M"
ssh-keygen -q -t ed25519 -N '' -C image-test -f "$work/id"
cat >"$work/cabane.txt" <<EOF
# written by image/test.sh
hostname = cabanetest
timezone = Europe/Paris
wifi_ssid = TestNetwork
wifi_password = not-a-real-password-42
wifi_country = FR
ssh_key = $(cat "$work/id.pub")
colour = blue
EOF
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$fat" "$work/cabane.txt" ::cabane.txt
kernel=$(MTOOLS_SKIP_CHECK=1 mdir -b -i "$fat" ::/ | sed -n 's|^::/||p' | grep '^vmlinuz-' | sort -V | tail -n1)
initrd=${kernel/vmlinuz/initrd.img}
MTOOLS_SKIP_CHECK=1 mcopy -i "$fat" "::$kernel" "$work/vmlinuz"
MTOOLS_SKIP_CHECK=1 mcopy -i "$fat" "::$initrd" "$work/initrd"
step "card prepared ($kernel, image $((orig_bytes >> 20)) MiB)"

# --- first boot --------------------------------------------------------------
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1536 \
	-kernel "$work/vmlinuz" -initrd "$work/initrd" \
	-append "root=LABEL=RASPIROOT rw rootwait console=ttyAMA0 net.ifnames=0" \
	-drive if=none,file="$img",format=raw,id=card -device virtio-blk-pci,drive=card \
	-netdev user,id=net,hostfwd=tcp:127.0.0.1:$http_port-:80,hostfwd=tcp:127.0.0.1:$ssh_port-:22 \
	-device virtio-net-pci,netdev=net,romfile= \
	-display none -monitor none -serial file:"$work/console.log" &
qemu_pid=$!
base=http://127.0.0.1:$http_port
wait_http() { # path, seconds
	local deadline=$(($(date +%s) + $2))
	until curl -fsS -m 10 "$base$1" -o "$work/last.json" 2>/dev/null; do
		kill -0 "$qemu_pid" 2>/dev/null || fail "qemu exited"
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 3
	done
}
wait_http /api/v1/config "$boot_timeout" || fail "Cabane did not answer /api/v1/config within $boot_timeout s"
step "QEMU start to Cabane answering /api/v1/config"
version() { curl -fsS -m 10 "$base/api/v1/config" | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"])'; }
v1=$(version)

curl -fsS -m 10 "$base/setup" -o "$work/setup.html" || fail "no setup page"
grep -q 'name="username"' "$work/setup.html" || fail "the setup page has no account form"
grep -q 'colour' "$work/setup.html" || fail "the setup page does not show the bad cabane.txt line"
step "setup page served, with the cabane.txt problem"

sshq() { ssh -q -i "$work/id" -p "$ssh_port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=20 root@127.0.0.1 "$@"; }
deadline=$(($(date +%s) + 300))
until sshq true; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "no SSH with the key from cabane.txt"
	sleep 5
done
[ "$(sshq hostname)" = cabanetest ] || fail "host name not applied: $(sshq hostname)"
sshq readlink /etc/localtime | grep -q 'Europe/Paris$' || fail "time zone not applied"
sshq cat /boot/firmware/cabane.txt >"$work/cabane.after"
if grep -q 'not-a-real-password-42' "$work/cabane.after"; then fail "the Wi-Fi password is still on the card"; fi
grep -q '^hostname' "$work/cabane.after" && fail "hostname line still active after first boot"
grep -q '^colour' "$work/cabane.after" || fail "the bad line was not kept for fixing"
root_bytes=$(sshq "lsblk -bno SIZE /dev/vda2")
[ "$root_bytes" -gt $((orig_bytes + (512 << 20))) ] || fail "root partition not grown ($root_bytes bytes)"
sshq "systemctl is-active cabane.service" | grep -qx active || fail "cabane.service not active"
step "cabane.txt applied (host name, time zone, key), secret removed, root grown"

# --- updates -----------------------------------------------------------------
cabane=$repo/bin/cabane
[ -x "$cabane" ] || (cd "$repo" && make build >/dev/null)
v2=${v1}-update-test
(cd "$repo" && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath \
	-ldflags "-s -w -X main.version=$v2 -X main.releaseKey=$(cat "$key.pub")" -o "$work/cabane-v2" ./cmd/cabane)
"$cabane" release sign --key "$key" --version "$v2" --out "$work/good.update" "$work/cabane-v2"
mkdir -p "$work/broken"
cat >"$work/broken/main.go" <<'EOF'
package main

import "os"

// A release that passes the migration check and then crashes at every
// start: the box must roll it back by itself.
func main() {
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		return
	}
	os.Exit(3)
}
EOF
(cd "$work/broken" && cat >go.mod <<'EOF'
module broken
go 1.22
EOF
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -o "$work/cabane-broken" .)
"$cabane" release sign --key "$key" --version "${v2}-broken" --out "$work/broken.update" "$work/cabane-broken"
step "two updates signed (good and broken)"

sshq "cat > /tmp/good.update" <"$work/good.update"
# As an administrator would: over SSH, with nothing but the file; the
# command finds the service's data directory itself.
sshq "cabane update /tmp/good.update" >"$work/update.out" 2>&1 || { cat "$work/update.out" >&2; fail "cabane update refused the good update"; }
cat "$work/update.out"
grep -q 'installed' "$work/update.out" || fail "cabane update did not report the installation"
deadline=$(($(date +%s) + 300))
until [ "$(version 2>/dev/null)" = "$v2" ]; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "the update to $v2 never answered"
	sleep 2
done
step "update $v1 -> $v2 answering"

sshq "cat > /tmp/broken.update" <"$work/broken.update"
if sshq "cabane update /tmp/broken.update" >"$work/broken.out" 2>&1; then
	cat "$work/broken.out" >&2
	fail "cabane update reported the broken release as installed"
fi
cat "$work/broken.out"
grep -q 'rolled back' "$work/broken.out" || fail "cabane update did not report the rollback"
deadline=$(($(date +%s) + 400))
until sshq "grep -q '\"from\": \"${v2}-broken\"' /var/lib/cabane/releases/state.json" && [ "$(version 2>/dev/null)" = "$v2" ]; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "the broken update was not rolled back"
	sleep 3
done
step "broken update rolled back, $v2 answering again"

# --- writes to the card while idle ------------------------------------------
if [ -n "${MEASURE_WRITES:-}" ]; then
	sectors() { sshq "awk '\$3==\"vda\" {print \$10}' /proc/diskstats"; }
	sleep 30
	a=$(sectors); sleep "$MEASURE_WRITES"; b=$(sectors)
	echo "image-test: idle writes, journal in RAM: $(((b - a) / 2)) KiB in $MEASURE_WRITES s"
	sshq "rm /etc/systemd/journald.conf.d/cabane.conf; mkdir -p /var/log/journal; systemctl restart systemd-journald; journalctl --flush"
	sleep 30
	a=$(sectors); sleep "$MEASURE_WRITES"; b=$(sectors)
	echo "image-test: idle writes, journal on disk: $(((b - a) / 2)) KiB in $MEASURE_WRITES s"
	step "writes measured"
fi

sshq "systemctl poweroff" || true
wait "$qemu_pid" || true
qemu_pid=
step "PASS"
