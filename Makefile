# Cabane: `make run` starts it, `make test` tests it. Both install what is
# missing on a Debian machine (as root) first.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN     := bin/cabane

.PHONY: run build test test-short vet cross deb hlsjs bench deps deps-test check-deps deps-list fuzz clean

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
FUZZERS  := ./app/media:FuzzProbeJSON ./app/web:FuzzRange ./app/web:FuzzHLSPath ./app/videos:FuzzParseUploadFields ./app/web:FuzzTokenRequest
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

# Debian packages of those binaries in dist/ (arm64, armhf, amd64), each
# checked by lintian; see image/deb/build.sh.
deb: cross build
	rm -f dist/cabane_*.deb
	image/deb/build.sh dist $(BIN) amd64=bin/cabane-linux-amd64 arm64=bin/cabane-linux-arm64 armhf=bin/cabane-linux-armv7
	lintian --fail-on error dist/cabane_*.deb

# Refresh the vendored hls.js from npm (version pinned in the script).
hlsjs:
	scripts/update-hlsjs.sh

# The figures quoted in issue notes; see scripts/bench-*.sh.
bench: deps build
	scripts/bench-figures.sh

clean:
	rm -rf bin dist
