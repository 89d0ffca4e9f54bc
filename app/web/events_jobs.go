package web

import (
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/videos"
)

// jobEvent is the data of an "event: job" on the admin's job stream.
type jobEvent struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	State     string  `json:"state"`
	Progress  float64 `json:"progress"`
	Attempts  int     `json:"attempts"`
	Error     string  `json:"error,omitempty"`
	Speed     float64 `json:"speed,omitempty"`     // video jobs running here
	Remaining float64 `json:"remaining,omitempty"` // seconds, video jobs running here
}

// jobEvents streams the queue's events to the admin's job list. Progress
// events arrive as fast as ffmpeg reports; they are merged per job and
// sent twice a second, while state changes go out at once.
func (s *Server) jobEvents(c echo.Context, hub *streamHub) error {
	ctx := c.Request().Context()
	events, unsubscribe := s.Jobs.Subscribe()
	defer unsubscribe()
	out, err := startSSE(c)
	if err != nil {
		return nil
	}
	stop := hub.done(c.Request())
	tick := time.NewTicker(streamTick)
	defer tick.Stop()
	pending := map[int64]jobs.Event{}
	lastState := map[int64]string{}
	videoOf := map[int64]int64{} // job → video, read once per job
	lastWrite := time.Now()
	send := func(e jobs.Event) error {
		lastState[e.JobID] = e.State
		lastWrite = time.Now()
		return out.event("job", s.jobEventData(c, e, videoOf))
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stop:
			return nil
		case e, ok := <-events:
			if !ok {
				return nil
			}
			if e.State == jobs.StateRunning && lastState[e.JobID] == jobs.StateRunning {
				pending[e.JobID] = e
				continue
			}
			delete(pending, e.JobID)
			if err := send(e); err != nil {
				return nil
			}
		case <-tick.C:
			ids := make([]int64, 0, len(pending))
			for id := range pending {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			for _, id := range ids {
				if err := send(pending[id]); err != nil {
					return nil
				}
				delete(pending, id)
			}
			if time.Since(lastWrite) >= streamHeartbeat {
				if err := out.comment("heartbeat"); err != nil {
					return nil
				}
				lastWrite = time.Now()
			}
		}
	}
}

// jobEventData adds a video job's speed and time left, which only the
// videos service knows, to the queue's event.
func (s *Server) jobEventData(c echo.Context, e jobs.Event, videoOf map[int64]int64) jobEvent {
	d := jobEvent{ID: e.JobID, Kind: e.Kind, State: e.State, Progress: round1(e.Progress), Attempts: e.Attempts, Error: e.Error}
	if e.Kind != videos.JobKind || e.State != jobs.StateRunning {
		return d
	}
	vid, ok := videoOf[e.JobID]
	if !ok {
		if j, err := s.Jobs.Get(c.Request().Context(), e.JobID); err == nil {
			vid = j.VideoID
		}
		videoOf[e.JobID] = vid
	}
	if lp, ok := s.Videos.LiveProgress(vid); vid != 0 && ok {
		d.Speed = round2(lp.Speed)
		d.Remaining = round1(lp.Remaining.Seconds())
	}
	return d
}
