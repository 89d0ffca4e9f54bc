package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

const (
	// streamTick is how often a stream samples progress: twice a second
	// moves a bar smoothly without waking a Pi for nothing.
	streamTick = 500 * time.Millisecond
	// streamHeartbeat keeps idle streams open through proxies and NAT
	// boxes that drop silent connections, and notices vanished clients.
	streamHeartbeat = 15 * time.Second
	// streamRetryMS tells EventSource how soon to reconnect after the
	// server ended a stream (a restart).
	streamRetryMS = 3000
)

// sse writes one text/event-stream response.
type sse struct {
	c echo.Context
}

// startSSE sends the stream's headers and a retry hint right away, so the
// browser's EventSource opens before the first event.
func startSSE(c echo.Context) (*sse, error) {
	h := c.Response().Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx in front must not hold events back
	h.Set("X-Content-Type-Options", "nosniff")
	c.Response().WriteHeader(http.StatusOK)
	s := &sse{c: c}
	if err := s.write(fmt.Sprintf("retry: %d\n\n", streamRetryMS)); err != nil {
		return nil, err
	}
	return s, nil
}

// event sends one named event with data as JSON (one line: JSON has no
// raw newlines, so a single data: field carries it).
func (s *sse) event(name string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", name, err)
	}
	return s.write("event: " + name + "\ndata: " + string(b) + "\n\n")
}

// comment sends a line the browser ignores: a heartbeat.
func (s *sse) comment(text string) error { return s.write(": " + text + "\n\n") }

func (s *sse) write(p string) error {
	w := s.c.Response()
	if _, err := w.Write([]byte(p)); err != nil {
		return fmt.Errorf("write event stream: %w", err)
	}
	if err := http.NewResponseController(w).Flush(); err != nil {
		return fmt.Errorf("flush event stream: %w", err)
	}
	return nil
}

// streamHub ends event streams when their http.Server shuts down.
// Shutdown waits for active requests and does not cancel their contexts,
// so without this a watch page left open would hold a restart for the
// whole shutdown timeout. The hub hooks each server once, through the
// server the request came in on, so no wiring outside this package is
// needed whatever serves the handler.
type streamHub struct {
	mu    sync.Mutex
	stops map[*http.Server]chan struct{}
}

// done is closed when the server serving r starts shutting down; it is
// nil (never ready) when r did not come through an http.Server.
func (h *streamHub) done(r *http.Request) <-chan struct{} {
	srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok || srv == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stops == nil {
		h.stops = map[*http.Server]chan struct{}{}
	}
	ch, ok := h.stops[srv]
	if !ok {
		ch = make(chan struct{})
		h.stops[srv] = ch
		srv.RegisterOnShutdown(func() { close(ch) })
	}
	return ch
}
