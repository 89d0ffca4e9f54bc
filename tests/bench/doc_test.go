// Package bench measures the figures quoted in Cabane's release notes: how
// fast an upload becomes playable (copy path and encode path), how much
// memory the server holds idle with a thousand videos, how much more it
// takes while a 2 GB upload streams in. Each measurement prints one line
// starting with "FIGURE:" that scripts/bench-figures.sh collects.
//
// The Figure tests run the real cabane binary, real ffmpeg and real SQLite,
// and cost minutes of CPU, so they are skipped unless CABANE_BENCH=1: they
// are measurements, not tests, and `make bench` runs them. This is the one
// skip the project allows. A figure that misses its goal is printed as
// "MISSED", not failed: the machine may be shared and loaded, and the number
// with its load average is what the release note needs. A figure whose
// feature is broken (never playable, upload not refused cleanly, wrong
// listing) fails.
//
// The small tests of the measuring tools themselves (the 2 GiB reader,
// /proc parsing) always run.
package bench
