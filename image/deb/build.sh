#!/bin/sh
# Builds the Debian package of Cabane for each ARCH=BINARY given, from
# static binaries already built (make cross), into OUTDIR:
#   image/deb/build.sh OUTDIR MANBIN amd64=bin/cabane-linux-amd64 ...
# MANBIN is a cabane binary this machine runs; it prints the man page.
# No debhelper: dpkg-deb with root-owned entries. Reproducible: every date
# is the last commit's (SOURCE_DATE_EPOCH), mtimes are clamped to it,
# gzip -n, single-threaded xz.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 OUTDIR MANBIN ARCH=BINARY..." >&2; exit 2; }
out=$1 manbin=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

version=${DEB_VERSION:-$("$here/version.sh")}
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct HEAD)}"
commit=$(git rev-parse HEAD)
export TZ=UTC LC_ALL=C.UTF-8
umask 022
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The architecture-independent parts, made once.
# The man page from the binary's own help; an empty environment, so that
# no CABANE_* variable of the builder becomes a documented default.
env -i SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" "$manbin" help -man >"$work/cabane.1"
gzip -9n <"$work/cabane.1" >"$work/cabane.1.gz"
maintainer=$(sed -n 's/^Maintainer: //p' "$here/debian/control.in")
{
	echo "cabane ($version) unstable; urgency=medium"
	echo
	echo "  * Built from git commit $commit."
	echo
	echo " -- $maintainer  $(date -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$work/changelog.Debian.gz"

for spec in "$@"; do
	arch=${spec%%=*} bin=${spec#*=}
	case $arch in amd64|arm64|armhf) ;; *) echo "unknown architecture $arch" >&2; exit 2 ;; esac
	root="$work/root-$arch"
	install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib/systemd/system" \
		"$root/usr/share/doc/cabane" "$root/usr/share/man/man1" \
		"$root/usr/share/lintian/overrides" "$root/etc/default"
	install -m 0755 "$bin" "$root/usr/bin/cabane"
	install -m 0644 image/systemd/cabane.service image/systemd/cabane-firstboot.service "$root/usr/lib/systemd/system/"
	install -m 0644 "$here/debian/copyright" "$here/debian/README.Debian" "$work/changelog.Debian.gz" "$root/usr/share/doc/cabane/"
	install -m 0644 "$work/cabane.1.gz" "$root/usr/share/man/man1/"
	install -m 0644 "$here/debian/lintian-overrides" "$root/usr/share/lintian/overrides/cabane"
	install -m 0644 "$here/debian/default" "$root/etc/default/cabane"
	install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$root/DEBIAN/"
	install -m 0644 "$here/debian/conffiles" "$root/DEBIAN/"
	(cd "$root" && find . -type f ! -path './DEBIAN/*' | sed 's|^\./||' | sort | xargs md5sum) >"$root/DEBIAN/md5sums"
	chmod 0644 "$root/DEBIAN/md5sums"
	# As dpkg-gencontrol counts it: KiB per file, rounded up, one per
	# directory.
	size=$(cd "$root" && find . ! -path './DEBIAN*' ! -name . -printf '%y %s\n' |
		awk '$1 == "f" { k += int(($2 + 1023) / 1024); next } { k += 1 } END { print k }')
	sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
		"$here/debian/control.in" >"$root/DEBIAN/control"
	chmod 0644 "$root/DEBIAN/control"
	find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	deb="$out/cabane_${version}_$arch.deb"
	dpkg-deb --root-owner-group -Zxz --threads-max=1 --build "$root" "$deb" >/dev/null
	echo "$deb"
done
