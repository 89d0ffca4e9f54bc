package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// runningJob is this process's in-memory side of a claimed job: how to stop
// its handler and its latest progress, written to the row only now and then.
type runningJob struct {
	job    *Job
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	progress  float64
	written   float64   // progress as last written to the row
	lastWrite time.Time // when progress was last written
	flush     *time.Timer
	finished  bool // no progress write may follow the final one
}

// execute runs one claimed job to its next state.
func (q *Queue) execute(runCtx context.Context, j *Job) {
	hctx, cancel := context.WithCancelCause(runCtx)
	defer cancel(nil)
	r := &runningJob{job: j, cancel: cancel, progress: j.Progress, written: j.Progress, lastWrite: time.Now()}
	q.mu.Lock()
	q.running[j.ID] = r
	q.mu.Unlock()

	log := q.log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	log.Info("job started")
	q.publish(Event{JobID: j.ID, Kind: j.Kind, State: StateRunning, Progress: j.Progress, Attempts: j.Attempts, At: time.Now()})

	hbDone := make(chan struct{})
	var hbWG sync.WaitGroup
	hbWG.Add(1)
	go func() {
		defer hbWG.Done()
		q.heartbeat(hctx, r, hbDone)
	}()
	start := time.Now()
	err := q.call(hctx, j)
	close(hbDone)
	hbWG.Wait()

	// Writes below must happen even when Run's ctx is cancelled (that is
	// the clean-stop path), but not hang a shutdown forever.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(runCtx), 10*time.Second)
	defer wcancel()
	r.mu.Lock()
	r.finished = true
	if r.flush != nil {
		r.flush.Stop()
	}
	progress := r.progress
	r.mu.Unlock()
	// The handler is gone: from here Retry may re-queue the job (once the
	// row below is written) without risking two handlers at once.
	q.mu.Lock()
	delete(q.running, j.ID)
	q.mu.Unlock()

	cause := context.Cause(hctx)
	later, retryLater := retryDelay(err)
	switch {
	case errors.Is(cause, ErrCancelled):
		// Cancel already wrote the row and published the event.
		log.Info("job cancelled", "took", time.Since(start))
	case errors.Is(cause, ErrLeaseLost):
		log.Warn("job lease lost; result dropped", "err", err)
	case err == nil:
		q.finish(wctx, log, j, StateDone, 100, "", 0)
		log.Info("job done", "took", time.Since(start))
	case runCtx.Err() != nil:
		// Stopped by shutdown, not by its own fault: resume first thing
		// next start, and don't spend one of its attempts.
		q.requeueUncounted(wctx, log, j, progress)
		log.Info("job interrupted by shutdown; re-queued", "err", err)
	case retryLater:
		q.requeueLater(wctx, log, j, progress, err.Error(), later)
		log.Warn("job cannot run now; re-queued without spending an attempt", "err", err, "retry_in", later)
	case errors.Is(err, ErrPermanent) || j.Attempts >= j.MaxAttempts:
		q.finish(wctx, log, j, StateFailed, progress, err.Error(), 0)
		log.Error("job failed", "err", err, "attempts", j.Attempts, "max_attempts", j.MaxAttempts)
	default:
		delay := q.opt.Backoff(j.Attempts)
		q.finish(wctx, log, j, StateQueued, progress, err.Error(), delay)
		log.Warn("job failed; will retry", "err", err, "retry_in", delay)
	}
}

// call runs the handler, turning a panic into an error so that one bad job
// cannot take the whole server down.
func (q *Queue) call(ctx context.Context, j *Job) (err error) {
	h := q.handler(j.Kind)
	if h == nil { // unregistered between claim and now
		return fmt.Errorf("%w: no handler for kind %q", ErrPermanent, j.Kind)
	}
	defer func() {
		if p := recover(); p != nil {
			q.log.Error("job handler panicked", "job", j.ID, "kind", j.Kind, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return h(ctx, j)
}

// heartbeat keeps the lease alive until done is closed: every Lease/3 it
// extends it, unless a progress write just did (that write extends it too).
func (q *Queue) heartbeat(ctx context.Context, r *runningJob, done <-chan struct{}) {
	every := max(q.opt.Lease/3, time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		var err error
		if time.Since(r.lastWrite) >= every/2 {
			err = q.writeLease(ctx, r)
		}
		r.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			q.log.Error("job heartbeat", "job", r.job.ID, "err", err)
		}
	}
}

// writeLease extends the lease and stores the latest progress; r.mu is held.
// When the row is no longer running under this owner (the lease expired and
// was re-queued, or the job was cancelled) it stops the handler with
// ErrLeaseLost: its result would be dropped anyway.
func (q *Queue) writeLease(ctx context.Context, r *runningJob) error {
	now := time.Now()
	res, err := q.db.ExecContext(ctx, `UPDATE jobs SET lease_until = ?, progress = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'running'`,
		ms(now.Add(q.opt.Lease)), r.progress, ms(now), r.job.ID, q.opt.Owner)
	if err != nil {
		return fmt.Errorf("extend lease of job %d: %w", r.job.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("extend lease of job %d: %w", r.job.ID, err)
	}
	r.written, r.lastWrite = r.progress, now
	if n == 0 {
		r.cancel(ErrLeaseLost)
	}
	return nil
}

// finish moves the job out of running, if it is still ours. A queued state
// means a retry after delay.
func (q *Queue) finish(ctx context.Context, log *slog.Logger, j *Job, state string, progress float64, lastErr string, delay time.Duration) {
	now := time.Now()
	lastErr = truncate(lastErr, 4000)
	res, err := q.db.ExecContext(ctx, `UPDATE jobs SET state = ?, progress = ?, last_error = ?,
		run_after = ?, lease_owner = '', lease_until = 0, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'running'`,
		state, progress, lastErr, ms(now.Add(delay)), ms(now), j.ID, q.opt.Owner)
	if q.checkOwned(log, j, res, err) {
		q.publish(Event{JobID: j.ID, Kind: j.Kind, State: state, Progress: progress, Attempts: j.Attempts, Error: lastErr, At: now})
		if state == StateQueued {
			q.notify()
		}
	}
}

// requeueUncounted gives a job interrupted by shutdown back to the queue,
// ready at once, with the attempt it was on given back too.
func (q *Queue) requeueUncounted(ctx context.Context, log *slog.Logger, j *Job, progress float64) {
	now := time.Now()
	res, err := q.db.ExecContext(ctx, `UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0),
		progress = ?, run_after = ?, lease_owner = '', lease_until = 0, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'running'`,
		progress, ms(now), ms(now), j.ID, q.opt.Owner)
	if q.checkOwned(log, j, res, err) {
		q.publish(Event{JobID: j.ID, Kind: j.Kind, State: StateQueued, Progress: progress, Attempts: j.Attempts - 1, At: now})
	}
}

// requeueLater gives the job back to the queue, ready after delay, with the
// attempt it was on given back (see RetryAfter).
func (q *Queue) requeueLater(ctx context.Context, log *slog.Logger, j *Job, progress float64, lastErr string, delay time.Duration) {
	now := time.Now()
	lastErr = truncate(lastErr, 4000)
	res, err := q.db.ExecContext(ctx, `UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0),
		progress = ?, last_error = ?, run_after = ?, lease_owner = '', lease_until = 0, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'running'`,
		progress, lastErr, ms(now.Add(delay)), ms(now), j.ID, q.opt.Owner)
	if q.checkOwned(log, j, res, err) {
		q.publish(Event{JobID: j.ID, Kind: j.Kind, State: StateQueued, Progress: progress, Attempts: j.Attempts - 1, Error: lastErr, At: now})
		q.notify()
	}
}

// checkOwned logs a failed final write and reports whether it changed the
// row (it does not when the lease was lost or the job cancelled meanwhile).
func (q *Queue) checkOwned(log *slog.Logger, j *Job, res sql.Result, err error) bool {
	if err != nil {
		// The lease will expire and the job run again: at-least-once.
		log.Error("write job result", "err", err)
		return false
	}
	n, err := res.RowsAffected()
	if err != nil {
		log.Error("write job result", "err", err)
		return false
	}
	return n == 1
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
