package jobs

import (
	"context"
	"errors"
	"testing"
	"time"
)

func rowProgress(t *testing.T, q *Queue, id int64) float64 {
	t.Helper()
	var p float64
	if err := q.db.QueryRow(`SELECT progress FROM jobs WHERE id = ?`, id).Scan(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Progress is visible in memory at once but written to the row at most once
// per ProgressEvery, the last value of a burst included.
func TestProgressIsThrottled(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	opt := fastOptions()
	opt.ProgressEvery = 400 * time.Millisecond
	q := newQueue(t, db, opt)
	release := make(chan struct{})
	burstDone := make(chan time.Time, 1)
	q.Register("encode", func(ctx context.Context, j *Job) error {
		time.Sleep(opt.ProgressEvery) // so the first value is written at once
		for p := 1; p <= 50; p++ {
			if err := q.SetProgress(ctx, j.ID, float64(p)); err != nil {
				return err
			}
		}
		burstDone <- time.Now()
		<-release
		return nil
	})
	id, err := q.Enqueue(ctx, "encode", nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	burstAt := <-burstDone
	if p, ok := q.Progress(id); !ok || p != 50 {
		t.Fatalf("in-memory progress = %v, %v; want 50 at once", p, ok)
	}
	if j, _ := q.Get(ctx, id); j.Progress != 50 {
		t.Fatalf("Get progress = %v, want the in-memory 50", j.Progress)
	}
	if p := rowProgress(t, q, id); p != 1 {
		t.Fatalf("row progress right after the burst = %v; want only the first value (1) written", p)
	}
	waitFor(t, 2*time.Second, "trailing progress write", func() bool { return rowProgress(t, q, id) == 50 })
	if d := time.Since(burstAt); d < opt.ProgressEvery/2 {
		t.Fatalf("trailing write came %v after the burst; want it held back by the throttle", d)
	}
	close(release)
	waitState(t, q, id, StateDone)
	if _, ok := q.Progress(id); ok {
		t.Fatal("Progress still reports a finished job")
	}
	if err := q.SetProgress(ctx, id, 10); !errors.Is(err, ErrState) {
		t.Fatalf("SetProgress on a finished job: %v, want ErrState", err)
	}
	if p := rowProgress(t, q, id); p != 100 {
		t.Fatalf("done job progress = %v, want 100", p)
	}
}
