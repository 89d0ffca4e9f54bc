package jobs

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// drain enqueues n no-op jobs without owner (as federation deliveries are)
// and returns how long 8 workers take to run them, per job.
func drain(t *testing.T, n int) time.Duration {
	t.Helper()
	db, _ := openDB(t)
	q := newQueue(t, db, Options{Poll: 20 * time.Millisecond})
	var done atomic.Int64
	q.Register("noop", func(context.Context, *Job) error { done.Add(1); return nil })
	for range n {
		if _, err := q.Enqueue(context.Background(), "noop", nil); err != nil {
			t.Fatal(err)
		}
	}
	began := time.Now()
	stop := start(t, q, 8)
	defer stop()
	waitFor(t, 2*time.Minute, "the queue drained", func() bool { return done.Load() == int64(n) })
	return time.Since(began) / time.Duration(n)
}

// A claim must not cost more with more ready jobs: counting each account's
// load once per candidate made it grow with the queue (each claim scanning
// candidates × finished jobs), so 1,000 queued deliveries took a minute.
func TestClaimCostDoesNotGrowWithTheQueue(t *testing.T) {
	small, large := drain(t, 100), drain(t, 800)
	t.Logf("per job: %v with 100 queued, %v with 800", small, large)
	if large > 4*small+time.Millisecond {
		t.Errorf("a job costs %v with 800 queued, %v with 100: claims grow with the queue", large, small)
	}
}
