// Package testrig is what Cabane's tests share: clips made with ffmpeg's
// lavfi sources (one generator), the real cabane binary running on a free
// loopback port with its own data directory, administrators and OAuth
// tokens made the way users make them, the stored facts a test checks
// (read from the SQLite file, read-only), and WaitFor.
//
// It is a test helper: every function takes a testing.TB and fails the
// test on error, so a test reads as the story it tells.
package testrig
