package jobs

import (
	"context"
	"fmt"
	"time"
)

// How long ended jobs stay listed: long enough for the admin's jobs page
// to show last week's work and last month's failures, short enough that
// a box publishing and federating for years does not grow the table (and
// the SD card) without end. Each published video leaves a handful of jobs;
// federation adds one per activity.
const (
	KeepDone   = 7 * 24 * time.Hour
	KeepFailed = 30 * 24 * time.Hour
)

// pruneBatch bounds one delete, so that a first prune of a large table
// does not hold the write lock for seconds while uploads wait.
const pruneBatch = 500

// Prune deletes jobs that ended (done or cancelled) before doneBefore, and
// failed ones before failedBefore; queued and running jobs are never
// touched. It returns how many went.
func (q *Queue) Prune(ctx context.Context, doneBefore, failedBefore time.Time) (int64, error) {
	var total int64
	for _, p := range []struct {
		states string
		before time.Time
	}{{`'done', 'cancelled'`, doneBefore}, {`'failed'`, failedBefore}} {
		for {
			res, err := q.db.ExecContext(ctx, `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
				WHERE state IN (`+p.states+`) AND updated_at < ? LIMIT ?)`, ms(p.before), pruneBatch)
			if err != nil {
				return total, fmt.Errorf("prune jobs (%s): %w", p.states, err)
			}
			n, _ := res.RowsAffected()
			total += n
			if n < pruneBatch {
				break
			}
		}
	}
	return total, nil
}

// RunPrune prunes with the Keep durations now and then every period,
// until ctx ends.
func (q *Queue) RunPrune(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := time.Now()
		if n, err := q.Prune(ctx, now.Add(-KeepDone), now.Add(-KeepFailed)); err != nil && ctx.Err() == nil {
			q.log.Warn("jobs: prune", "err", err)
		} else if n > 0 {
			q.log.Info("jobs: pruned ended jobs", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
