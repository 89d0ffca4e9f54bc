// Package browser holds Cabane's tests in a real browser: headless Chromium
// (Debian's /usr/bin/chromium) driven by playwright-core from Node's test
// runner. The Go tests here are the entry point `go test ./...` knows about:
// they prepare media and the server, run the .mjs suites, and stream their
// output into the test log.
//
// Needs: chromium, ffmpeg, node (>= 20) and npm (for `npm ci` when
// node_modules is missing).
package browser
