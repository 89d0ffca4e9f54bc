#!/usr/bin/env bash
# deps-list.sh: the packages outside the standard library and outside this
# module that the cabane binary links, one per line with its module's
# version. deps.txt holds the reviewed list; `make deps-list` rewrites it,
# `make check-deps` fails when it is out of date, so a new dependency (or a
# new package of an old one) shows up as a diff in review.
#
# One platform, the release's: the list must not depend on who runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOOS=linux GOARCH=amd64 CGO_ENABLED=0 GOFLAGS=-mod=readonly
go list -deps -f '{{if and (not .Standard) .Module (not .Module.Main)}}{{.ImportPath}} {{.Module.Version}}{{end}}' ./cmd/cabane | LC_ALL=C sort
