package web

import (
	"context"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// A burst of requests grows Go's heap (answers, gzip buffers, rows), and
// the runtime hands the freed pages back to the system only slowly, so a
// box that served a crowd a minute ago still holds twice its idle memory.
// On a Pi with 1 GB that ffmpeg needs, the server gives it back as soon
// as it goes quiet: once no request has run for idleAfter.
const idleAfter = 2 * time.Second

// activity counts requests in flight and when the last one ended.
type activity struct {
	inFlight atomic.Int64
	lastEnd  atomic.Int64 // unix nanoseconds
	busy     atomic.Bool  // a request ran since the last trim
}

func (a *activity) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a.inFlight.Add(1)
		a.busy.Store(true)
		defer func() {
			a.lastEnd.Store(time.Now().UnixNano())
			a.inFlight.Add(-1)
		}()
		return next(c)
	}
}

// quiet reports whether memory should be trimmed now: requests ran since
// the last trim, none is running, and the last ended idleAfter ago.
func (a *activity) quiet(now time.Time) bool {
	return a.busy.Load() && a.inFlight.Load() == 0 && now.Sub(time.Unix(0, a.lastEnd.Load())) >= idleAfter
}

// RunIdleTrim returns freed memory to the system each time the server goes
// quiet after serving, until ctx ends.
func (s *Server) RunIdleTrim(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if s.activity.quiet(now) {
				s.activity.busy.Store(false)
				s.trimIdle(now)
			}
		}
	}
}

// trimIdle drops what only a burst needed (aged microcache pages), then
// hands the freed memory back.
func (s *Server) trimIdle(now time.Time) {
	if s.cache != nil {
		s.cache.dropAged(now)
	}
	debug.FreeOSMemory()
}
