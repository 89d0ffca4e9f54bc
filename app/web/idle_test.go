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

// Going quiet drops the microcache's aged pages (kept only to serve a
// crowd while one request remakes them) and keeps fresh ones and those
// being remade.
func TestIdleTrimDropsAgedPages(t *testing.T) {
	m := newMicrocache(time.Second, func() uint64 { return 1 })
	s := &Server{cache: m}
	now := time.Now()
	m.put("aged", cachedPage{gen: 1, at: now.Add(-2 * time.Second), status: 200, body: []byte("old")})
	m.put("fresh", cachedPage{gen: 1, at: now, status: 200, body: []byte("new")})
	m.put("remaking", cachedPage{gen: 1, at: now.Add(-2 * time.Second), status: 200, body: []byte("old")})
	m.making["remaking"] = make(chan struct{})
	s.trimIdle(now)
	if _, ok := m.entries["aged"]; ok {
		t.Error("an aged page outlived the idle trim")
	}
	for _, k := range []string{"fresh", "remaking"} {
		if _, ok := m.entries[k]; !ok {
			t.Errorf("page %q dropped by the idle trim", k)
		}
	}
}
