package testrig

import (
	"testing"
	"time"
)

// PollEvery is how often WaitFor looks: fine enough for figures quoted in
// tenths of a second, coarse enough not to load a shared box.
const PollEvery = 50 * time.Millisecond

// WaitFor polls cond until it holds, and fails the test when timeout
// passes first. cond may itself fail the test (a video in the failed
// state will never become published).
func WaitFor(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition did not hold within %s", timeout)
		}
		time.Sleep(PollEvery)
	}
}
