package web

import (
	"net/http"
	"testing"
	"time"
)

// The server counts requests in flight and asks for a trim only once
// quiet after serving: never during a request, never twice for one burst.
func TestActivityQuiet(t *testing.T) {
	r := newRig(t)
	a := &r.server.activity
	a.busy.Store(false)
	if a.quiet(time.Now().Add(time.Hour)) {
		t.Fatal("quiet before any request: nothing to trim")
	}
	if res, _ := r.send(t, http.MethodGet, "/api/v1/videos", nil, nil, "", false); res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	if a.quiet(time.Now()) {
		t.Error("quiet right after a request")
	}
	if !a.quiet(time.Now().Add(idleAfter)) || a.inFlight.Load() != 0 {
		t.Errorf("not quiet %v after the last request (in flight %d)", idleAfter, a.inFlight.Load())
	}
	a.inFlight.Add(1) // a request running
	if a.quiet(time.Now().Add(time.Hour)) {
		t.Error("quiet while a request runs")
	}
}
