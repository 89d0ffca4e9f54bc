package web

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
)

// eventRoutes registers the server-sent event streams: a video's
// processing progress for its watch page, and the job list's for admins.
func (s *Server) eventRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	hub := &streamHub{}
	e.GET("/videos/:id/events", func(c echo.Context) error { return s.videoEvents(c, hub) }, s.identifySession)
	e.GET("/admin/jobs/events", func(c echo.Context) error { return s.jobEvents(c, hub) }, append(page[:len(page):len(page)], s.requireAdmin)...)
}

// progressEvent is the data of an "event: progress".
type progressEvent struct {
	State     int     `json:"state"`
	Percent   float64 `json:"percent"`
	Speed     float64 `json:"speed"`     // media seconds per second; 0 when unknown
	Remaining float64 `json:"remaining"` // seconds of wall time left; 0 when unknown
}

// publishedEvent is the data of an "event: published": what the watch
// page needs to swap its progress bar for the player.
type publishedEvent struct {
	State       int    `json:"state"`
	PlaylistURL string `json:"playlistUrl"`
	PreviewPath string `json:"previewPath,omitempty"`
}

// failedEvent is the data of an "event: failed".
type failedEvent struct {
	State int    `json:"state"`
	Error string `json:"error"`
}

// videoEvents streams a video's processing: progress while it is queued or
// processing, then published or failed, and ends. Progress comes from
// memory (LiveProgress); each tick reads the video's row to notice
// publication, which is a read: nothing here writes to the database.
func (s *Server) videoEvents(c echo.Context, hub *streamHub) error {
	v, err := s.Videos.Get(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return notFound(err, "errors.no_video")
	}
	ctx := c.Request().Context()
	out, err := startSSE(c)
	if err != nil {
		return nil // the client is gone
	}
	stop := hub.done(c.Request())
	tick := time.NewTicker(streamTick)
	defer tick.Stop()
	var last progressEvent
	sent := false
	lastWrite := time.Now()
	for {
		switch {
		case s.Videos.Playable(v) && s.masterReady(v): // published, or growing while it encodes
			return s.logStreamErr(out.event("published", s.publishedData(c, v)))
		case v.State == model.StateTranscodingFailed:
			return s.logStreamErr(out.event("failed", failedEvent{State: v.State, Error: failureReason(v)}))
		}
		p := s.progressOf(v)
		switch {
		case !sent || p != last:
			if err := out.event("progress", p); err != nil {
				return nil
			}
			last, sent, lastWrite = p, true, time.Now()
		case time.Since(lastWrite) >= streamHeartbeat:
			if err := out.comment("heartbeat"); err != nil {
				return nil
			}
			lastWrite = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		case <-tick.C:
		}
		v, err = s.Videos.Get(ctx, viewer(c), v.UUID)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, model.ErrNotFound):
			return s.logStreamErr(out.event("failed", failedEvent{State: model.StateTranscodingFailed, Error: "This video was deleted."}))
		case err != nil:
			s.Log.Warn("video events: read video", "video", c.Param("id"), "err", err)
			return nil // EventSource reconnects, or the page falls back to polling
		}
	}
}

// progressOf is the live progress of v's job if it runs here, else the
// last stored percentage (a queued video, or one waiting for a worker).
func (s *Server) progressOf(v model.Video) progressEvent {
	p := progressEvent{State: v.State, Percent: round1(v.Progress)}
	if lp, ok := s.Videos.LiveProgress(v.ID); ok {
		p.Percent = round1(lp.Percent)
		p.Speed = round2(lp.Speed)
		p.Remaining = round1(lp.Remaining.Seconds())
	}
	return p
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
func round2(f float64) float64 { return math.Round(f*100) / 100 }

// masterReady reports whether the master playlist is on disk. The row says
// published a moment before the playlist is rewritten; a player started in
// between would load a missing or empty playlist.
func (s *Server) masterReady(v model.Video) bool {
	st, err := os.Stat(filepath.Join(s.layout.HLS(v.UUID), videos.MasterName))
	return err == nil && st.Size() > 0
}

func (s *Server) publishedData(c echo.Context, v model.Video) publishedEvent {
	d := publishedEvent{State: v.State, PlaylistURL: s.urls(c).Abs(uris.Master(v.UUID))}
	if v.HasThumbnail {
		d.PreviewPath = uris.Preview(v.UUID)
	}
	return d
}

func failureReason(v model.Video) string {
	if v.Error == "" {
		return "Processing failed."
	}
	return v.Error
}

// logStreamErr ends a stream: a failed write means the client left, which
// is no error for the access log either.
func (s *Server) logStreamErr(err error) error {
	if err != nil && !errors.Is(err, context.Canceled) {
		s.Log.Debug("event stream ended", "err", err)
	}
	return nil
}
