package jobs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRetryWithBackoffThenFailed(t *testing.T) {
	db, _ := openDB(t)
	opt := fastOptions()
	var mu sync.Mutex
	var backoffs []int
	var calls []time.Time
	opt.Backoff = func(attempt int) time.Duration {
		mu.Lock()
		backoffs = append(backoffs, attempt)
		mu.Unlock()
		return 100 * time.Millisecond
	}
	q := newQueue(t, db, opt)
	q.Register("flaky", func(ctx context.Context, j *Job) error {
		mu.Lock()
		calls = append(calls, time.Now())
		mu.Unlock()
		return fmt.Errorf("attempt %d: %w", j.Attempts, errBoom)
	})
	id, err := q.Enqueue(context.Background(), "flaky", nil, WithMaxAttempts(3))
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	j := waitState(t, q, id, StateFailed)
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 3 || j.Attempts != 3 {
		t.Fatalf("handler ran %d times, attempts %d; want 3 and 3", len(calls), j.Attempts)
	}
	if fmt.Sprint(backoffs) != "[1 2]" {
		t.Fatalf("backoff asked for attempts %v, want [1 2]", backoffs)
	}
	for i := 1; i < len(calls); i++ {
		if d := calls[i].Sub(calls[i-1]); d < 100*time.Millisecond {
			t.Fatalf("retry %d came %v after the failure, before its 100 ms backoff", i, d)
		}
	}
	if j.LastError != "attempt 3: boom" {
		t.Fatalf("last_error = %q, want the last attempt's error", j.LastError)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	var calls int
	var mu sync.Mutex
	q.Register("bad-upload", func(ctx context.Context, j *Job) error {
		mu.Lock()
		calls++
		mu.Unlock()
		return fmt.Errorf("probe: not a video: %w", ErrPermanent)
	})
	id, err := q.Enqueue(context.Background(), "bad-upload", nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	j := waitState(t, q, id, StateFailed)
	time.Sleep(100 * time.Millisecond) // a wrong retry would run within 10 ms backoff + 20 ms poll
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 || j.Attempts != 1 || !strings.Contains(j.LastError, "not a video") {
		t.Fatalf("calls %d, job %+v; want one attempt of 5 and its error kept", calls, j)
	}
}

func TestPanicIsAnError(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	q.Register("panics", func(ctx context.Context, j *Job) error {
		var m map[string]int
		m["x"] = 1 // nil map write
		return nil
	})
	q.Register("fine", func(ctx context.Context, j *Job) error { return nil })
	ctx := context.Background()
	bad, err := q.Enqueue(ctx, "panics", nil, WithMaxAttempts(2))
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	j := waitState(t, q, bad, StateFailed)
	if j.Attempts != 2 || !strings.Contains(j.LastError, "panic") || !strings.Contains(j.LastError, "nil map") {
		t.Fatalf("panicking job = %+v; want failed after 2 attempts with the panic as error", j)
	}
	// The queue survived the panics.
	good, err := q.Enqueue(ctx, "fine", nil)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, q, good, StateDone)
}

func TestRetryAfterFailure(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	var mu sync.Mutex
	disk := "full"
	q.Register("k", func(ctx context.Context, j *Job) error {
		mu.Lock()
		defer mu.Unlock()
		if disk == "full" {
			return fmt.Errorf("write segment: no space left: %w", ErrPermanent)
		}
		return nil
	})
	ctx := context.Background()
	id, err := q.Enqueue(ctx, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Retry(ctx, id); err == nil {
		t.Fatal("Retry of a queued job succeeded; want ErrState")
	}
	start(t, q, 1)
	waitState(t, q, id, StateFailed)
	mu.Lock()
	disk = "freed"
	mu.Unlock()
	if err := q.Retry(ctx, id); err != nil {
		t.Fatal(err)
	}
	j := waitState(t, q, id, StateDone)
	if j.Attempts != 1 || j.LastError != "" {
		t.Fatalf("retried job = %+v; want attempts reset (1) and error cleared", j)
	}
	if err := q.Retry(ctx, id); err == nil {
		t.Fatal("Retry of a done job succeeded; want ErrState")
	}
}

func TestDefaultBackoff(t *testing.T) {
	for _, c := range []struct {
		attempt int
		max     time.Duration
	}{{1, 5 * time.Second}, {2, 10 * time.Second}, {4, 40 * time.Second}, {8, 10 * time.Minute}, {60, 10 * time.Minute}} {
		seen := map[time.Duration]bool{}
		for i := 0; i < 50; i++ {
			d := DefaultBackoff(c.attempt)
			if d < c.max/2 || d > c.max {
				t.Fatalf("DefaultBackoff(%d) = %v, want within [%v, %v]", c.attempt, d, c.max/2, c.max)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Fatalf("DefaultBackoff(%d) has no jitter: always %v", c.attempt, seen)
		}
	}
}
