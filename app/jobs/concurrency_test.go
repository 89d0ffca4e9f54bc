package jobs

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// 50 jobs on 4 workers: each runs exactly once, and they do run in parallel.
func TestWorkersRunEachJobOnce(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	q := newQueue(t, db, fastOptions())
	var mu sync.Mutex
	runs := map[int64]int{}
	var inFlight, peak atomic.Int32
	q.Register("k", func(ctx context.Context, j *Job) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		mu.Lock()
		runs[j.ID]++
		mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		return nil
	})
	const n = 50
	for i := range n {
		if _, err := q.Enqueue(ctx, "k", i); err != nil {
			t.Fatal(err)
		}
	}
	start(t, q, 4)
	waitFor(t, 10*time.Second, "all jobs done", func() bool {
		done, err := q.List(ctx, ListFilter{State: StateDone, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(done) == n
	})
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != n {
		t.Fatalf("%d distinct jobs ran, want %d", len(runs), n)
	}
	for id, c := range runs {
		if c != 1 {
			t.Fatalf("job %d ran %d times", id, c)
		}
	}
	if p := peak.Load(); p < 2 || p > 4 {
		t.Fatalf("peak concurrency %d, want between 2 and 4", p)
	}
}

// Claims racing from two queues (two owners, as two processes would be) on
// separate connections never hand out the same job twice.
func TestConcurrentClaimsAreExclusive(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	qs := []*Queue{newQueue(t, db, Options{Owner: "a"}), newQueue(t, db, Options{Owner: "b"})}
	for _, q := range qs {
		q.Register("k", nil)
	}
	const n = 50
	for range n {
		if _, err := qs[0].Enqueue(ctx, "k", nil); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	claimed := map[int64]string{}
	var wg sync.WaitGroup
	for g := range 8 {
		q := qs[g%2]
		wg.Go(func() {
			for {
				j, err := q.claim(ctx)
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if j == nil {
					return
				}
				mu.Lock()
				if prev, dup := claimed[j.ID]; dup {
					t.Errorf("job %d claimed by %s and again by %s", j.ID, prev, q.Owner())
				}
				claimed[j.ID] = q.Owner()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Fatalf("%d jobs claimed, want %d", len(claimed), n)
	}
}

// Enqueue wakes an idle worker at once, without waiting for a poll.
func TestEnqueueWakesIdleWorker(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	q := newQueue(t, db, Options{Poll: time.Hour})
	started := make(chan time.Time, 1)
	q.Register("upload", func(ctx context.Context, j *Job) error {
		started <- time.Now()
		return nil
	})
	start(t, q, 2)
	time.Sleep(100 * time.Millisecond) // let the worker go idle
	var worst time.Duration
	for range 3 {
		id, err := q.Enqueue(ctx, "upload", nil)
		if err != nil {
			t.Fatal(err)
		}
		enqueued := time.Now()
		select {
		case at := <-started:
			worst = max(worst, at.Sub(enqueued))
		case <-time.After(2 * time.Second):
			t.Fatal("idle worker not woken by Enqueue")
		}
		waitState(t, q, id, StateDone)
	}
	t.Logf("Enqueue → handler start: worst %v", worst)
	if worst > 50*time.Millisecond {
		t.Fatalf("Enqueue → handler start took %v, want within 50 ms", worst)
	}
}
