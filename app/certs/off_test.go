package certs

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// ModeOff serves the app on one plain listener; cancelling Run's context
// lets an in-flight request finish before Run returns.
func TestOffServesHTTPAndShutsDownGracefully(t *testing.T) {
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		io.WriteString(w, "cabane app "+r.URL.Path)
	})
	s, err := New(Config{HTTPAddr: "127.0.0.1:0"}, slow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.HTTPSAddr() != nil {
		t.Fatal("mode off opened an HTTPS listener")
	}
	if st := s.Status(); st.Mode != ModeOff || st.State != StateOff {
		t.Fatalf("status %+v", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	res, body := getHTTP(t, s.HTTPAddr(), "cabane.local", "/")
	wantAppServed(t, res, body, "/")

	slowDone := make(chan string, 1)
	go func() {
		_, b := getHTTP(t, s.HTTPAddr(), "cabane.local", "/slow")
		slowDone <- b
	}()
	time.Sleep(100 * time.Millisecond) // let the request reach the handler
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned with a request in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if b := <-slowDone; b != "cabane app /slow" {
		t.Fatalf("in-flight request got %q", b)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := s.Run(context.Background()); err == nil {
		t.Fatal("second Run accepted")
	}
}
