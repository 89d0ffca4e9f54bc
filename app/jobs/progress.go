package jobs

import (
	"context"
	"fmt"
	"time"
)

// SetProgress records a running job's progress in percent (clamped to
// 0..100). Progress and subscribers see it at once; the row is written at
// most once per Options.ProgressEvery, the last value of a burst included
// (a timer writes it when the interval is up), because SD cards wear out.
func (q *Queue) SetProgress(ctx context.Context, id int64, pct float64) error {
	pct = min(max(pct, 0), 100)
	q.mu.Lock()
	r := q.running[id]
	q.mu.Unlock()
	if r == nil {
		return fmt.Errorf("set progress of job %d: not running in this process: %w", id, ErrState)
	}
	r.mu.Lock()
	if r.finished || pct == r.progress {
		r.mu.Unlock()
		return nil
	}
	r.progress = pct
	var err error
	if wait := q.opt.ProgressEvery - time.Since(r.lastWrite); wait <= 0 {
		err = q.writeLease(ctx, r)
	} else if r.flush == nil {
		r.flush = time.AfterFunc(wait, func() { q.flushProgress(r) })
	}
	r.mu.Unlock()
	q.publish(Event{JobID: id, Kind: r.job.Kind, State: StateRunning, Progress: pct, Attempts: r.job.Attempts, At: time.Now()})
	if err != nil {
		return fmt.Errorf("set progress: %w", err)
	}
	return nil
}

// flushProgress writes the trailing value of a burst of SetProgress calls.
func (q *Queue) flushProgress(r *runningJob) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flush = nil
	if r.finished || r.progress == r.written {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.writeLease(ctx, r); err != nil {
		q.log.Error("write job progress", "job", r.job.ID, "err", err)
	}
}

// Progress is the latest progress of a job running in this process, fresher
// than the row; ok is false when the job is not running here.
func (q *Queue) Progress(id int64) (pct float64, ok bool) {
	q.mu.Lock()
	r := q.running[id]
	q.mu.Unlock()
	if r == nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.progress, true
}
