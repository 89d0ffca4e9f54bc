package jobs

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A Queue that claimed jobs and then vanished (its Run abandoned, the rows
// still running under its owner, leases far from expired) is replaced by a
// new one: the new Run re-queues them at once instead of waiting out a lease.
func TestNewQueueResumesAbandonedJobs(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	old := newQueue(t, db, Options{Owner: "old-process"})
	old.Register("encode", func(context.Context, *Job) error { return nil })
	resumable, err := old.Enqueue(ctx, "encode", nil)
	if err != nil {
		t.Fatal(err)
	}
	exhausted, err := old.Enqueue(ctx, "encode", nil, WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if j, err := old.claim(ctx); err != nil || j == nil {
			t.Fatalf("claim: %v, %v", j, err)
		}
	}
	if st, owner, until := leaseOf(t, db, resumable); st != StateRunning || owner != "old-process" || time.Until(until) < 50*time.Second {
		t.Fatalf("abandoned job = %s by %q until %v; want running, old-process, ~60 s lease", st, owner, until)
	}

	q := newQueue(t, db, fastOptions())
	q.Register("encode", func(context.Context, *Job) error { return nil })
	began := time.Now()
	start(t, q, 1)
	j := waitState(t, q, resumable, StateDone)
	if took := time.Since(began); took > 2*time.Second {
		t.Fatalf("resumed after %v; start-up recovery should not wait for the lease", took)
	}
	if j.Attempts != 2 {
		t.Fatalf("resumed job attempts = %d, want 2 (the interrupted one counts)", j.Attempts)
	}
	j = waitState(t, q, exhausted, StateFailed)
	if j.Attempts != 1 || !strings.Contains(j.LastError, "interrupted") {
		t.Fatalf("interrupted job on its last attempt = %+v; want failed with the interruption as error", j)
	}
}

// While running, a lease that expires (its owner stopped heartbeating) is
// re-queued and run here.
func TestExpiredLeaseIsReclaimed(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	opt := fastOptions()
	opt.Lease = 300 * time.Millisecond
	q := newQueue(t, db, opt)
	q.Register("k", func(context.Context, *Job) error { return nil })
	start(t, q, 1)
	// Once a first job is done, Run is past its start-up recovery.
	first, err := q.Enqueue(ctx, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, q, first, StateDone)

	// A job that another owner leased and stopped heartbeating, written as
	// one row so the live queue cannot claim it first.
	now := time.Now().UnixMilli()
	var id int64
	if err := db.QueryRow(`INSERT INTO jobs (kind, state, attempts, run_after, lease_owner, lease_until, created_at, updated_at)
		VALUES ('k', 'running', 1, ?, 'ghost', ?, ?, ?) RETURNING id`, now, now-1, now, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	done := waitState(t, q, id, StateDone)
	if done.Attempts != 2 {
		t.Fatalf("reclaimed job attempts = %d, want 2", done.Attempts)
	}
}

// The heartbeat keeps a job that outlives its lease from being reclaimed.
func TestHeartbeatExtendsLease(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	opt := fastOptions()
	opt.Lease = 300 * time.Millisecond
	q := newQueue(t, db, opt)
	var runs atomic.Int32
	q.Register("long", func(ctx context.Context, j *Job) error {
		runs.Add(1)
		select {
		case <-time.After(1200 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	id, err := q.Enqueue(ctx, "long", nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 2)
	waitState(t, q, id, StateRunning)
	time.Sleep(800 * time.Millisecond) // well past the first 300 ms lease
	if st, owner, until := leaseOf(t, db, id); st != StateRunning || owner != q.Owner() || !until.After(time.Now()) {
		t.Fatalf("after 800 ms: %s by %q until %v; want still running here with a lease in the future", st, owner, until)
	}
	j := waitState(t, q, id, StateDone)
	if runs.Load() != 1 || j.Attempts != 1 {
		t.Fatalf("handler ran %d times, attempts %d; want once", runs.Load(), j.Attempts)
	}
}

// A clean stop cancels handlers, waits for them, and re-queues their jobs
// ready at once with the attempt not counted; the next start resumes them.
func TestCleanStopRequeuesWithoutCountingAttempt(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	q := newQueue(t, db, fastOptions())
	var returned atomic.Bool
	q.Register("encode", func(ctx context.Context, j *Job) error {
		if err := q.SetProgress(ctx, j.ID, 40); err != nil {
			return err
		}
		<-ctx.Done()
		time.Sleep(200 * time.Millisecond) // killing ffmpeg, removing temp files
		returned.Store(true)
		return ctx.Err()
	})
	id, err := q.Enqueue(ctx, "encode", nil, WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, q, 1)
	waitState(t, q, id, StateRunning)
	stop()
	if !returned.Load() {
		t.Fatal("Run returned before the handler did")
	}
	j, err := q.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != StateQueued || j.Attempts != 0 || j.RunAfter.After(time.Now()) || j.LastError != "" {
		t.Fatalf("after a clean stop job = %+v; want queued, 0 attempts, ready now, no error", j)
	}
	if st, owner, _ := leaseOf(t, db, id); owner != "" {
		t.Fatalf("after a clean stop job %s still leased by %q", st, owner)
	}

	next := newQueue(t, db, Options{Poll: time.Hour}) // must not need a poll
	next.Register("encode", func(ctx context.Context, j *Job) error { return nil })
	start(t, next, 1)
	j = waitState(t, next, id, StateDone)
	if j.Attempts != 1 {
		t.Fatalf("resumed job attempts = %d; want 1 (max 1: the stop must not have used it)", j.Attempts)
	}
}

// A handler whose row was taken from it (re-queued by another process's
// sweep, or cancelled by another tool) is stopped with ErrLeaseLost at its
// next heartbeat, and its result does not overwrite the row.
func TestLostLeaseStopsHandler(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	opt := fastOptions()
	opt.Lease = 150 * time.Millisecond
	q := newQueue(t, db, opt)
	causes := make(chan error, 1)
	var runs atomic.Int32
	q.Register("k", func(ctx context.Context, j *Job) error {
		if runs.Add(1) > 1 {
			return nil
		}
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return nil // "success" that must be ignored
	})
	id, err := q.Enqueue(ctx, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	waitState(t, q, id, StateRunning)
	if _, err := db.Exec(`UPDATE jobs SET state = 'failed', last_error = 'taken', lease_owner = '' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-causes:
		if c != ErrLeaseLost {
			t.Fatalf("cause = %v, want ErrLeaseLost", c)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("handler not stopped after losing its lease")
	}
	waitFor(t, 2*time.Second, "handler to return", func() bool { _, ok := q.Progress(id); return !ok })
	if j, _ := q.Get(ctx, id); j.State != StateFailed || j.LastError != "taken" {
		t.Fatalf("row after the stopped handler returned = %+v; want left as the other writer set it", j)
	}
}
