package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// jobListSize is how many jobs the admin page lists, newest first.
const jobListSize = 50

type jobList struct {
	Filter  string
	Filters []jobFilter
	Jobs    []jobRow
}

type jobFilter struct {
	State, Label string
	Current      bool
}

// jobRow is one job as the admin sees it.
type jobRow struct {
	ID          int64
	Kind        string
	State       string
	Progress    float64
	Percent     string // "42 %"
	Live        string // "1.3× · 12 s left", running video jobs only
	Attempts    int
	MaxAttempts int
	Error       string
	Updated     time.Time
	VideoName   string
	VideoLink   string
	CanRetry    bool
	CanCancel   bool
}

func (s *Server) jobList(c echo.Context) (jobList, error) {
	ctx, w := c.Request().Context(), s.pageWords(c)
	l := jobList{Filter: c.QueryParam("state")}
	valid := false
	for _, st := range []string{"", jobs.StateQueued, jobs.StateRunning, jobs.StateFailed, jobs.StateDone, jobs.StateCancelled} {
		f := jobFilter{State: st, Label: w.T("admin.job.filter.all")}
		if st != "" {
			f.Label = w.Label("admin.job.filter.", st)
		}
		f.Current = f.State == l.Filter
		valid = valid || f.Current
		l.Filters = append(l.Filters, f)
	}
	if !valid {
		return l, pageError(http.StatusBadRequest, "admin.job.bad_state")
	}
	js, err := s.Jobs.List(ctx, jobs.ListFilter{State: l.Filter, Limit: jobListSize})
	if err != nil {
		return l, fmt.Errorf("admin job list: %w", err)
	}
	for _, j := range js {
		r := jobRow{ID: j.ID, Kind: j.Kind, State: j.State, Progress: j.Progress, Percent: fmt.Sprintf("%.0f %%", j.Progress),
			Attempts: j.Attempts, MaxAttempts: j.MaxAttempts, Error: j.LastError, Updated: j.UpdatedAt,
			CanRetry:  j.State == jobs.StateFailed || j.State == jobs.StateCancelled,
			CanCancel: j.State == jobs.StateQueued || j.State == jobs.StateRunning}
		if id := j.VideoID; id != 0 {
			v, err := s.Videos.Get(ctx, viewer(c), strconv.FormatInt(id, 10))
			switch {
			case err == nil:
				r.VideoName, r.VideoLink = v.Name, uris.ShortWatch(v.ShortUUID)
			case errors.Is(err, model.ErrNotFound):
				r.VideoName = w.T("admin.job.deleted_video")
			default:
				return l, fmt.Errorf("admin job list: video of job %d: %w", j.ID, err)
			}
			if lp, ok := s.Videos.LiveProgress(id); ok && j.State == jobs.StateRunning {
				r.Live = liveWords(w, lp.Speed, lp.Remaining)
			}
		}
		l.Jobs = append(l.Jobs, r)
	}
	return l, nil
}

// liveWords is "1.3× · 12 s left", the same words admin.js writes.
func liveWords(w words, speed float64, left time.Duration) string {
	out := ""
	if speed > 0 {
		out = fmt.Sprintf("%.1f×", speed)
	}
	if left > 0 {
		if out != "" {
			out += " · "
		}
		out += w.T("admin.job.left", leftWords(left))
	}
	return out
}

func leftWords(d time.Duration) string {
	sec := int(d.Round(time.Second).Seconds())
	switch {
	case sec < 60:
		return fmt.Sprintf("%d s", sec)
	case sec < 3600:
		return fmt.Sprintf("%d min %02d s", sec/60, sec%60)
	}
	return fmt.Sprintf("%d h %02d min", sec/3600, sec/60%60)
}

func (s *Server) adminRetryJob(c echo.Context) error {
	return s.jobAction(c, "retried", s.Jobs.Retry)
}

// adminCancelJob cancels a job. For a running video job the queue cancels
// its handler's context: media kills ffmpeg's process group and removes
// its staging folder, and videos marks the video failed with the reason.
func (s *Server) adminCancelJob(c echo.Context) error {
	return s.jobAction(c, "cancelled", s.Jobs.Cancel)
}

// jobAction runs Retry or Cancel on the job in the path and goes back to
// the job list; a job in the wrong state is a 409 that says why.
func (s *Server) jobAction(c echo.Context, done string, act func(context.Context, int64) error) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return pageError(http.StatusNotFound, "admin.job.not_found")
	}
	err = act(c.Request().Context(), id)
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		return pageError(http.StatusNotFound, "admin.job.not_found")
	case errors.Is(err, jobs.ErrState):
		return pageError(http.StatusConflict, stateConflictKey(done))
	case err != nil:
		return fmt.Errorf("admin: job %d %s: %w", id, done, err)
	}
	s.Log.Info("job "+done+" by the administrator", "job", id, "user", currentUser(c).Username)
	return c.Redirect(http.StatusSeeOther, "/admin/transcoding?done="+done+"#jobs")
}

func stateConflictKey(done string) string {
	if done == "retried" {
		return "admin.job.cannot_retry"
	}
	return "admin.job.cannot_cancel"
}
