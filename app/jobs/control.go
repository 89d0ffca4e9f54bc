package jobs

import (
	"context"
	"fmt"
	"time"
)

// Cancel stops a job. A queued job becomes cancelled; a running one is marked
// cancelled at once and its handler's context is cancelled with cause
// ErrCancelled (its result, whatever it is, is dropped). Cancelling a
// cancelled job is a no-op; a done or failed one gives ErrState.
func (q *Queue) Cancel(ctx context.Context, id int64) error {
	now := time.Now()
	// Holding the running job's lock keeps its heartbeat from seeing the
	// cleared lease first and stopping it with ErrLeaseLost instead.
	q.mu.Lock()
	r := q.running[id]
	q.mu.Unlock()
	if r != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	// Clearing the lease also makes a handler in another process notice at
	// its next heartbeat (ErrLeaseLost), should anything else cancel a job.
	var kind string
	var attempts int
	var progress float64
	err := q.db.QueryRowContext(ctx, `UPDATE jobs SET state = 'cancelled', lease_owner = '', lease_until = 0, updated_at = ?
		WHERE id = ? AND state IN ('queued', 'running') RETURNING kind, attempts, progress`,
		ms(now), id).Scan(&kind, &attempts, &progress)
	if err != nil {
		st, gerr := q.state(ctx, id)
		switch {
		case gerr != nil:
			return fmt.Errorf("cancel job %d: %w", id, gerr)
		case st == StateCancelled:
			return nil
		case st == StateDone || st == StateFailed:
			return fmt.Errorf("cancel job %d: it is %s: %w", id, st, ErrState)
		}
		return fmt.Errorf("cancel job %d: %w", id, err)
	}
	if r == nil { // claimed between the look-up and the update
		q.mu.Lock()
		r = q.running[id]
		q.mu.Unlock()
	}
	if r != nil {
		r.cancel(ErrCancelled)
	}
	q.publish(Event{JobID: id, Kind: kind, State: StateCancelled, Progress: progress, Attempts: attempts, At: now})
	return nil
}

// Retry puts a failed or cancelled job back in the queue, ready now, with its
// attempts reset. A cancelled job whose handler has not returned yet gives
// ErrState: running it twice at once could clobber its files.
func (q *Queue) Retry(ctx context.Context, id int64) error {
	q.mu.Lock()
	_, busy := q.running[id]
	q.mu.Unlock()
	if busy {
		return fmt.Errorf("retry job %d: its handler is still stopping: %w", id, ErrState)
	}
	now := time.Now()
	var kind string
	err := q.db.QueryRowContext(ctx, `UPDATE jobs SET state = 'queued', attempts = 0, progress = 0,
		last_error = '', run_after = ?, lease_owner = '', lease_until = 0, updated_at = ?
		WHERE id = ? AND state IN ('failed', 'cancelled') RETURNING kind`,
		ms(now), ms(now), id).Scan(&kind)
	if err != nil {
		st, gerr := q.state(ctx, id)
		if gerr != nil {
			return fmt.Errorf("retry job %d: %w", id, gerr)
		}
		if st != StateFailed && st != StateCancelled {
			return fmt.Errorf("retry job %d: it is %s: %w", id, st, ErrState)
		}
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	q.publish(Event{JobID: id, Kind: kind, State: StateQueued, At: now})
	q.notify()
	return nil
}
