package jobs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestCancelQueued(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ran := make(chan struct{}, 1)
	q.Register("k", func(ctx context.Context, j *Job) error { ran <- struct{}{}; return nil })
	ctx := context.Background()
	id, err := q.Enqueue(ctx, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := q.Cancel(ctx, id); err != nil {
		t.Fatalf("second Cancel: %v, want no-op", err)
	}
	start(t, q, 1)
	select {
	case <-ran:
		t.Fatal("a cancelled job ran")
	case <-time.After(150 * time.Millisecond):
	}
	if j, _ := q.Get(ctx, id); j.State != StateCancelled || j.Attempts != 0 {
		t.Fatalf("job = %+v, want cancelled and never attempted", j)
	}
	if err := q.Cancel(ctx, 424242); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Cancel missing job: %v, want ErrNotFound", err)
	}
}

func TestCancelRunningThenRetry(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	started := make(chan int, 2)
	causes := make(chan error, 1)
	var runs atomic.Int32
	q.Register("encode", func(ctx context.Context, j *Job) error {
		started <- j.Attempts
		if j.Attempts > 1 {
			t.Errorf("attempts = %d after Retry, want reset to 1", j.Attempts)
		}
		if runs.Add(1) > 1 {
			return nil // the run after Retry finishes
		}
		select {
		case <-ctx.Done():
			causes <- context.Cause(ctx)
			return ctx.Err()
		case <-time.After(5 * time.Second):
			return errors.New("handler was never cancelled")
		}
	})
	ctx := context.Background()
	id, err := q.Enqueue(ctx, "encode", nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	<-started
	if err := q.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-causes:
		if !errors.Is(c, ErrCancelled) {
			t.Fatalf("handler's context cause = %v, want ErrCancelled", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler's context was not cancelled")
	}
	j := waitState(t, q, id, StateCancelled)
	waitFor(t, 2*time.Second, "handler to return", func() bool { _, ok := q.Progress(id); return !ok })
	// The cancelled row must stay cancelled: the handler's return is not a failure to retry.
	time.Sleep(100 * time.Millisecond)
	if j, _ = q.Get(ctx, id); j.State != StateCancelled {
		t.Fatalf("after the handler returned the job is %s, want cancelled", j.State)
	}
	if err := q.Cancel(ctx, id); err != nil {
		t.Fatalf("Cancel again: %v", err)
	}
	if err := q.Retry(ctx, id); err != nil {
		t.Fatal(err)
	}
	<-started
	waitState(t, q, id, StateDone)
	if err := q.Cancel(ctx, id); !errors.Is(err, ErrState) {
		t.Fatalf("Cancel of a done job: %v, want ErrState", err)
	}
}
