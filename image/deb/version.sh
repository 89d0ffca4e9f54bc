#!/bin/sh
# Prints the Debian version of the checkout, from `git describe`:
#   tag v1.2.0 on HEAD            -> 1.2.0-1
#   3 commits after v1.2.0        -> 1.2.0+git20261201.0b0cbee-1
#   no tag yet                    -> 0.0~git20261201.0b0cbee-1
#   uncommitted changes           -> ... .dirty before the revision
# The date is the last commit's (UTC), so a version sorts after the one of
# an older commit. The "-1" revision makes it a non-native package, whose
# changelog is changelog.Debian.gz as the package ships it.
set -eu
cd "$(dirname "$0")"
hash=$(git rev-parse --short=7 HEAD)
date=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d HEAD)
dirty=
if ! git diff --quiet HEAD -- 2>/dev/null; then dirty=.dirty; fi
if tag=$(git describe --tags --abbrev=0 HEAD 2>/dev/null); then
	upstream=$(printf '%s' "$tag" | sed 's/^v//; s/[^A-Za-z0-9.+~]/./g')
	if [ "$(git rev-list -n1 "$tag")" != "$(git rev-parse HEAD)" ]; then
		upstream="$upstream+git$date.$hash"
	fi
else
	upstream="0.0~git$date.$hash"
fi
# A Debian upstream version starts with a digit.
case $upstream in [0-9]*) ;; *) upstream="0.0~$upstream" ;; esac
echo "$upstream$dirty-1"
