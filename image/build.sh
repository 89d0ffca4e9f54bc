#!/bin/bash
# Builds the Raspberry Pi SD card image (arm64) from Debian packages, as root
# on a Debian amd64 machine, without loop devices or mounting a partition:
#
#   1. the root file system: mmdebstrap --arch=arm64 under qemu-user, cached
#      as a tarball keyed by the package list and everything it is built from;
#   2. Cabane's layer on top (binary, units, configuration): plain files;
#   3. the partitions made as files (mkfs.vfat + mcopy, mke2fs -d) and put
#      behind an MBR written by sfdisk into the image file.
#
# Output: dist/cabane-rpi-arm64.img.xz, its .sha256 and a manifest with
# SOURCE_DATE_EPOCH and every package version. The same inputs give the same
# bytes (fixed UUIDs, volume ids, clamped times).
#
# Environment: CABANE_IMAGE_CACHE (default /var/cache/cabane-image),
# CABANE_IMAGE_KERNEL=debian|raspberrypi, CABANE_IMAGE_JOURNAL=volatile|persistent,
# CABANE_BIN (an arm64 static build to use instead of building one),
# CABANE_IMAGE_ROOTFS (a root file system tarball, with NAME.packages beside
# it, to use instead of stage 1), KEEP_IMG=1 (keep the uncompressed image),
# BOOT_MIB and ROOT_SLACK_MIB (partition sizes), DEBIAN_MIRROR, OUT (default dist).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${OUT:-$repo/dist}
cache=${CABANE_IMAGE_CACHE:-/var/cache/cabane-image}
suite=trixie
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
kernel=${CABANE_IMAGE_KERNEL:-debian}
journal=${CABANE_IMAGE_JOURNAL:-volatile}
name=cabane-rpi-arm64
boot_mib=${BOOT_MIB:-256}
# Free room in the root file system before it grows to the card.
slack_mib=${ROOT_SLACK_MIB:-512}

log() { printf '%s image: %s\n' "$(date +%T)" "$*" >&2; }
step_start=$(date +%s)
step() {
	local now
	now=$(date +%s)
	log "$1 ($((now - step_start)) s since start)"
}

[ "$(id -u)" = 0 ] || { echo "image: run as root (mmdebstrap installs packages as root)" >&2; exit 1; }

# --- tools ---------------------------------------------------------------
tools=(mkfs.vfat:dosfstools mcopy:mtools mke2fs:e2fsprogs debugfs:e2fsprogs sfdisk:fdisk xz:xz-utils systemctl:systemd)
if [ -z "${CABANE_IMAGE_ROOTFS:-}" ]; then
	# Building (or maybe building) the root file system for arm64.
	tools+=(mmdebstrap:mmdebstrap qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support)
fi
need=()
for t in "${tools[@]}"; do
	command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "${need[@]}" >&2 ||
		{ apt-get update -qq && apt-get install -y --no-install-recommends "${need[@]}" >&2; }
fi

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
version=${VERSION:-$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)}

# --- 1. the root file system, cached ---------------------------------------
packages=$(grep -v '^#' "$here/packages.txt" | xargs)
extra_sources=()
case "$kernel" in
debian) ;;
raspberrypi)
	# The Raspberry Pi kernel has the Pi 4's H.264 encoder (bcm2835-codec);
	# its archive is signed by Raspberry Pi Ltd, whose key the builder gives.
	key=${CABANE_RPI_KEYRING:-/usr/share/keyrings/raspberrypi-archive-keyring.gpg}
	[ -r "$key" ] || { echo "image: CABANE_IMAGE_KERNEL=raspberrypi needs the Raspberry Pi archive key at $key (CABANE_RPI_KEYRING)" >&2; exit 1; }
	extra_sources=("deb [signed-by=$key] http://archive.raspberrypi.com/debian $suite main")
	packages=$(echo "$packages" | sed 's/\blinux-image-arm64\b/linux-image-rpi-v8 linux-image-rpi-2712/; s/\braspi-firmware\b/raspi-firmware raspberrypi-sys-mods/')
	;;
*) echo "image: CABANE_IMAGE_KERNEL must be debian or raspberrypi" >&2; exit 1 ;;
esac
key_input=$(printf '%s\n' "$suite" "$mirror" "$kernel" "$packages" "${extra_sources[@]}" "$(cat "$here/build.sh" | sed -n '/^# --- 1\./,/^# --- 2\./p')" "$(cat "$here/rootfs/etc/default/raspi-firmware")")
key=$(printf '%s' "$key_input" | sha256sum | cut -c1-16)
base=$cache/rootfs-$key
mkdir -p "$cache" "$out"
if [ -n "${CABANE_IMAGE_ROOTFS:-}" ]; then
	# A root file system made elsewhere (the tests use a small fake one).
	base=${CABANE_IMAGE_ROOTFS%.tar}
	key=given
	log "root file system given: $base.tar"
elif [ ! -s "$base.tar" ]; then
	log "building the root file system $key (mmdebstrap, arm64 under emulation; this takes a while once)"
	# Foreign-architecture programs run through binfmt_misc; containers often
	# have it unmounted, and qemu-user-static registers itself only on boot.
	if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	fi
	if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
		update-binfmts --enable qemu-aarch64 || update-binfmts --import qemu-aarch64
	fi
	src=("$mirror")
	[ ${#extra_sources[@]} -eq 0 ] || src+=("${extra_sources[@]}")
	mmdebstrap --arch=arm64 --variant=apt --format=tar --components="main non-free-firmware" \
		--aptopt='APT::Install-Recommends "false"' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/locale/locale.alias' \
		--essential-hook="mkdir -p \"\$1/etc/default\" && cp '$here/rootfs/etc/default/raspi-firmware' \"\$1/etc/default/raspi-firmware\"" \
		--include="$(echo "$packages" | tr ' ' ,)" \
		--dpkgopt='force-confold' \
		--customize-hook="chroot \"\$1\" dpkg-query -W -f='\${Package}\t\${Version}\t\${Architecture}\n' > '$base.packages.tmp'" \
		--customize-hook='rm -f "$1"/etc/ssh/ssh_host_*' \
		"$suite" "$base.tar.tmp" "${src[@]}"
	mv "$base.packages.tmp" "$base.packages"
	mv "$base.tar.tmp" "$base.tar"
	step "root file system built"
else
	log "root file system $key from the cache"
fi

# --- 2. Cabane's layer ---------------------------------------------------
work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
boot=$work/boot
mkdir -p "$root" "$boot"
tar -C "$root" --numeric-owner --xattrs --xattrs-include="*" -xpf "$base.tar"

bin=${CABANE_BIN:-}
if [ -z "$bin" ]; then
	bin=$work/cabane
	log "building cabane $version for arm64"
	(cd "$repo" && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath \
		-ldflags "-s -w -X main.version=$version ${RELEASE_LDFLAGS:-}" -o "$bin" ./cmd/cabane)
fi
# ELF e_machine 0xb7 is aarch64.
[ "$(od -An -tx1 -j18 -N2 "$bin" | tr -d ' ')" = b700 ] || { echo "image: $bin is not an arm64 binary" >&2; exit 1; }

# The overlay: configuration files, owned by root.
cp -a --no-preserve=ownership "$here/rootfs/." "$root/"
install -D -m 0755 "$bin" "$root/usr/bin/cabane"
install -D -m 0644 -t "$root/usr/lib/systemd/system" "$here"/systemd/*.service
if [ "$journal" = persistent ]; then
	# Only for measuring what the RAM journal saves.
	rm "$root/etc/systemd/journald.conf.d/cabane.conf"
	mkdir -p "$root/var/log/journal"
fi
# The first boot makes its own machine id and SSH host keys.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_* "$root/var/lib/systemd/random-seed"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
ln -sf ../usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
echo Etc/UTC >"$root/etc/timezone"
# Units: enabled and disabled by symlinks, as `systemctl enable` would.
systemctl --root="$root" --quiet enable cabane.service cabane-firstboot.service cabane-growroot.service \
	systemd-networkd.service systemd-resolved.service systemd-timesyncd.service
systemctl --root="$root" --quiet disable ssh.service ssh.socket 2>/dev/null || true
systemctl --root="$root" --quiet disable wpa_supplicant.service 2>/dev/null || true
systemctl --root="$root" --quiet mask apt-daily.timer 2>/dev/null || true
mkdir -p "$root/var/lib/cabane"

# The boot partition's files leave the root file system, which keeps an
# empty mount point for them.
cp -a "$root/boot/firmware/." "$boot/"
find "$root/boot/firmware" -mindepth 1 -delete
install -m 0644 "$here/cabane.txt" "$boot/cabane.txt"

# One time for every file (access times too, which mke2fs copies): the same
# inputs give the same image.
find "$root" "$boot" -print0 | xargs -0r touch -h -d "@$SOURCE_DATE_EPOCH"
step "root file system assembled"

# --- 3. partitions and the image -----------------------------------------
root_kib=$(du -sk --apparent-size "$root" | cut -f1)
# Room for ext4's own tables and the first uploads; the partition grows to the
# card on first boot.
root_mib=$(((root_kib * 13 / 10) / 1024 + slack_mib))
fat=$work/boot.vfat
ext=$work/root.ext4
mkfs.vfat -C -F 32 -n RASPIFIRM -i 0CABA4E1 --invariant "$fat" $((boot_mib * 1024)) >/dev/null
(cd "$boot" && MTOOLS_SKIP_CHECK=1 mcopy -i "$fat" -s -p -m -Q ./* ::/)
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mke2fs -q -t ext4 -L RASPIROOT \
	-U 5ca8a4e0-cab4-4e00-8000-00000000ca8e -E "hash_seed=5ca8a4e0-cab4-4e00-8000-00000000ca8f,root_owner=0:0" \
	-d "$root" "$ext" "${root_mib}M"
# mke2fs 1.47.0 copies each file's change time, which no tool can set: put
# SOURCE_DATE_EPOCH there, in one debugfs pass.
# Access times too: copying a file's bytes updated them on the build host.
(cd "$root" && find . | sed 's|^\.||; s|^$|/|') |
	sed "s|.*|sif \"&\" ctime @$SOURCE_DATE_EPOCH\nsif \"&\" atime @$SOURCE_DATE_EPOCH|" >"$work/ctime.debugfs"
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH debugfs -w -f "$work/ctime.debugfs" "$ext" >/dev/null 2>"$work/debugfs.err" || { cat "$work/debugfs.err" >&2; exit 1; }

img=$work/$name.img
start_mib=4
total_mib=$((start_mib + boot_mib + root_mib))
truncate -s "${total_mib}M" "$img"
sfdisk --quiet --no-reread --no-tell-kernel "$img" <<EOF
label: dos
label-id: 0xcaba4e01
unit: sectors
start=$((start_mib * 2048)), size=$((boot_mib * 2048)), type=c, bootable
start=$(((start_mib + boot_mib) * 2048)), size=$((root_mib * 2048)), type=83
EOF
dd if="$fat" of="$img" bs=1M seek=$start_mib conv=notrunc,sparse status=none
dd if="$ext" of="$img" bs=1M seek=$((start_mib + boot_mib)) conv=notrunc,sparse status=none
step "partitions written"

xz -T0 -6 -c "$img" >"$out/$name.img.xz.tmp"
mv "$out/$name.img.xz.tmp" "$out/$name.img.xz"
(cd "$out" && sha256sum "$name.img.xz" >"$name.img.xz.sha256")
{
	echo "image: $name.img.xz"
	echo "cabane: $version"
	echo "SOURCE_DATE_EPOCH: $SOURCE_DATE_EPOCH"
	echo "suite: $suite ($mirror)"
	echo "kernel: $kernel"
	echo "rootfs-key: $key"
	echo "image-bytes: $(stat -c %s "$img")"
	echo "compressed-bytes: $(stat -c %s "$out/$name.img.xz")"
	echo "sha256-uncompressed: $(sha256sum "$img" | cut -d' ' -f1)"
	echo "packages: $(wc -l <"$base.packages")"
	echo
	sort "$base.packages"
} >"$out/$name.manifest"
# Kept for `make image-test` and for flashing without xz.
if [ -n "${KEEP_IMG:-}" ]; then
	mv "$img" "$out/$name.img"
fi
step "done: $out/$name.img.xz ($(du -h "$out/$name.img.xz" | cut -f1))"
