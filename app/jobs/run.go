package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Run processes jobs with up to workers handlers at once. It blocks until
// ctx is done, then cancels the running handlers' contexts and waits for
// them to return (bound it with a timeout around the call's caller if a
// handler may not). Jobs interrupted that way go back to the queue with
// their attempt uncounted, so the next start resumes them at once.
// It returns nil after a clean stop.
func (q *Queue) Run(ctx context.Context, workers int) error {
	if workers < 1 {
		workers = 1
	}
	q.mu.Lock()
	if q.active {
		q.mu.Unlock()
		return errors.New("jobs: Run is already running on this queue")
	}
	q.active = true
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.active = false
		q.mu.Unlock()
	}()

	if err := q.recoverOrphans(ctx, true); err != nil {
		return fmt.Errorf("jobs start: %w", err)
	}
	q.log.Info("job queue started", "workers", workers)

	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, workers)
	poll := time.NewTimer(q.opt.Poll)
	defer poll.Stop()
	lastReap := time.Now()
	for {
		// A free slot first: claiming a job with no worker to run it would
		// only hold its lease.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		if time.Since(lastReap) >= q.opt.Lease/2 {
			lastReap = time.Now()
			if err := q.recoverOrphans(ctx, false); err != nil && ctx.Err() == nil {
				q.log.Error("recover expired leases", "err", err)
			}
		}
		// Not cancellable half-way: a claim whose commit raced a shutdown
		// would leave a job leased to a process that then forgets it.
		j, err := q.claim(context.WithoutCancel(ctx))
		if err != nil && ctx.Err() == nil {
			q.log.Error("claim", "err", err)
		}
		if j != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				q.execute(ctx, j)
			}()
			continue // there may be more ready jobs
		}
		<-slots
		poll.Reset(q.opt.Poll) // Go ≥ 1.23 timers: Reset drops a stale tick
		select {
		case <-ctx.Done():
			return nil
		case <-q.wake:
		case <-poll.C:
		}
	}
}
