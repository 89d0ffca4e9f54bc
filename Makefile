# Cabane: `make run` starts it, `make test` tests it. Both install what is
# missing on a Debian machine (as root) first.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The release key signs updates; its public half is built into binaries
# made on the same machine, so boxes flashed from them accept releases
# signed here. Without it, binaries refuse every update.
RELEASE_KEY ?= $(HOME)/.config/cabane/release.key
RELEASE_PUB  = $(shell cat '$(RELEASE_KEY).pub' 2>/dev/null)
LDFLAGS      = -s -w -X main.version=$(VERSION)$(if $(RELEASE_PUB), -X main.releaseKey=$(RELEASE_PUB))
BIN     := bin/cabane

.PHONY: release run build test test-short vet cross deb hlsjs p2pml bench deps deps-test check-deps deps-list fuzz clean image image-test

run: deps build
	./$(BIN) serve

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/cabane

deps:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

# The whole suite: unit tests, real ffmpeg, real SQLite, network namespaces,
# Pebble, and a real Chromium; then each fuzzer briefly.
test: deps-test vet check-deps
	CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/cabane
	$(GO) test -count=1 -timeout 14m ./...
	$(MAKE) fuzz

# go.mod is tidy and the binary links what deps.txt lists, no more: a new
# dependency is a reviewed diff. Offline (module cache only).
check-deps:
	@scripts/check-deps.sh

# Rewrite deps.txt after reviewing a dependency change.
deps-list:
	scripts/deps-list.sh > deps.txt

# Each parser of outside input under its fuzzer for FUZZTIME runs (a count,
# not a duration: a duration can expire while a loaded machine is still
# replaying the corpus, which go test reports as a failure; go test runs
# one -fuzz target per invocation). The seed corpora also run in plain
# `go test`; a failing input lands in testdata/fuzz/ to be committed with
# its fix.
FUZZTIME ?= 20000x
FUZZERS  := ./app/markup:FuzzHTML ./app/update:FuzzParseUpdate ./app/firstboot:FuzzParse ./app/media:FuzzProbeJSON ./app/web:FuzzRange ./app/web:FuzzHLSPath ./app/videos:FuzzParseUploadFields ./app/web:FuzzTokenRequest ./app/torrents:FuzzBencode ./app/httpclient:FuzzReserved ./app/federation/signature:FuzzParseParams \
	./app/federation/inbox:FuzzParse ./app/federation/inbox:FuzzReadActor ./app/federation/keys:FuzzParsePublicPEM \
	./app/federation/keys:FuzzKeyDocument ./app/federation/ptcheck:FuzzDocuments ./app/federation/remotevideo:FuzzRead \
	./app/p2p/tracker:FuzzMessage
fuzz:
	@set -e; for f in $(FUZZERS); do \
		$(GO) test -run '^$$' -fuzz "^$${f#*:}$$" -fuzztime $(FUZZTIME) "$${f%%:*}"; \
	done

# The static binary for every board Cabane runs on.
cross:
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/cabane-linux-amd64 ./cmd/cabane
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/cabane-linux-arm64 ./cmd/cabane
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/cabane-linux-armv7 ./cmd/cabane
	@ls -l bin/cabane-linux-*

# Signed updates for every board: bin/cabane-$(VERSION)-linux-{amd64,arm64,armv7}.update,
# for `cabane update FILE|URL` or the admin page. Makes the key if missing.
release: build
	@test -f '$(RELEASE_KEY)' || { echo "warning: no release key at $(RELEASE_KEY): making one. Keep it (and back it up): boxes built with its public half accept only releases it signs." >&2; ./$(BIN) release keygen --key '$(RELEASE_KEY)'; }
	$(MAKE) cross
	@for a in amd64 arm64 armv7; do ./$(BIN) release sign --key '$(RELEASE_KEY)' --version '$(VERSION)' bin/cabane-linux-$$a || exit 1; done

# Debian packages of those binaries in dist/ (arm64, armhf, amd64), each
# checked by lintian; see image/deb/build.sh.
deb: cross build
	rm -f dist/cabane_*.deb
	image/deb/build.sh dist $(BIN) amd64=bin/cabane-linux-amd64 arm64=bin/cabane-linux-arm64 armhf=bin/cabane-linux-armv7
	lintian --fail-on error dist/cabane_*.deb

# Refresh the vendored hls.js from npm (version pinned in the script).
hlsjs:
	scripts/update-hlsjs.sh

# p2p-media-loader v2 (core + hls.js integration), pinned in the script.
p2pml:
	scripts/update-p2pml.sh

# The figures quoted in issue notes; see scripts/bench-*.sh.
bench: deps build
	scripts/bench-figures.sh

# The Raspberry Pi SD card image, as root on Debian amd64 (image/build.sh):
# dist/cabane-rpi-arm64.img.xz, .sha256 and .manifest.
image: build
	@test -f '$(RELEASE_KEY)' || { echo "warning: no release key at $(RELEASE_KEY): making one. Keep it (and back it up): the image accepts only updates it signs." >&2; ./$(BIN) release keygen --key '$(RELEASE_KEY)'; }
	VERSION=$(VERSION) RELEASE_LDFLAGS="-X main.releaseKey=$$(cat '$(RELEASE_KEY).pub')" image/build.sh

# Boots that image in QEMU and checks first boot, cabane.txt, an update and
# a rollback (long: the guest is emulated; not part of `make test`).
image-test: build
	RELEASE_KEY='$(RELEASE_KEY)' image/test.sh

clean:
	rm -rf bin dist
