package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// A job's video and owner are columns, read back on every path (Get, List,
// the claimed job a handler receives), whatever the payload holds.
func TestVideoAndOwnerAreColumns(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ctx := context.Background()
	got := make(chan Job, 1)
	q.Register("k", func(ctx context.Context, j *Job) error { got <- *j; return nil })
	id, err := q.Enqueue(ctx, "k", map[string]string{"opaque": "x"}, WithVideo(42), WithOwner(7))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := q.Enqueue(ctx, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	if j, err := q.Get(ctx, id); err != nil || j.VideoID != 42 || j.OwnerAccountID != 7 {
		t.Fatalf("Get: %+v %v; want video 42 owner 7", j, err)
	}
	js, err := q.List(ctx, ListFilter{})
	if err != nil || len(js) != 2 || js[0].ID != plain || js[0].VideoID != 0 || js[0].OwnerAccountID != 0 || js[1].VideoID != 42 {
		t.Fatalf("List: %+v %v", js, err)
	}
	var video, owner any
	if err := db.QueryRow(`SELECT video_id, owner_account_id FROM jobs WHERE id = ?`, plain).Scan(&video, &owner); err != nil || video != nil || owner != nil {
		t.Fatalf("a job about no video stores video %v owner %v (%v), want NULLs", video, owner, err)
	}
	start(t, q, 1)
	for range 2 {
		select {
		case j := <-got:
			if j.ID == id && (j.VideoID != 42 || j.OwnerAccountID != 7) {
				t.Errorf("handler got %+v", j)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("handler never ran")
		}
	}
}

// One account's batch does not make another account's single job wait
// behind all of it: the account with the fewest running or recent jobs goes
// first, then priority, then age.
func TestClaimIsFairBetweenAccounts(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ctx := context.Background()
	ran := recordOrder(t, q)
	enq := func(name string, owner int64, opts ...EnqueueOption) {
		t.Helper()
		if _, err := q.Enqueue(ctx, "k", name, append(opts, WithOwner(owner))...); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct run_after
	}
	// Alice uploads four, then Bob one, then Carol one (urgent) and one
	// normal; the instance's own job has no owner.
	enq("a1", 1)
	enq("a2", 1)
	enq("a3", 1)
	enq("a4", 1)
	enq("b1", 2)
	enq("c1", 3)
	enq("c2", 3, WithPriority(5))
	if _, err := q.Enqueue(ctx, "k", "sys", nil...); err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	order := ran(8, 10*time.Second)
	// Everyone starts at 0: priority first (c2), then the oldest (a1).
	// Then b1 and sys (still at 0) before anyone who already ran one; a2
	// and c1 tie at one each and the older goes first; Alice's rest last.
	want := []string{"c2", "a1", "b1", "sys", "a2", "c1", "a3", "a4"}
	if !slices.Equal(order, want) {
		t.Fatalf("run order %v, want %v", order, want)
	}
}

// WithMaxPerOwner bounds each account's queued and running jobs; finished
// ones free the place, and other accounts are not affected.
func TestMaxPerOwner(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ctx := context.Background()
	var ids []int64
	for i := range 2 {
		id, err := q.Enqueue(ctx, "k", i, WithOwner(1), WithMaxPerOwner(2))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := q.Enqueue(ctx, "k", 3, WithOwner(1), WithMaxPerOwner(2)); !errors.Is(err, ErrOwnerQueueFull) {
		t.Fatalf("third job of owner 1: %v, want ErrOwnerQueueFull", err)
	}
	if _, err := q.Enqueue(ctx, "k", 1, WithOwner(2), WithMaxPerOwner(2)); err != nil {
		t.Fatalf("another owner: %v", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.EnqueueTx(ctx, tx, "k", 3, WithOwner(1), WithMaxPerOwner(2)); !errors.Is(err, ErrOwnerQueueFull) {
		t.Fatalf("EnqueueTx of a third job: %v, want ErrOwnerQueueFull", err)
	}
	tx.Rollback()
	if err := q.Cancel(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, "k", 3, WithOwner(1), WithMaxPerOwner(2)); err != nil {
		t.Fatalf("after one was cancelled: %v", err)
	}
}

// RetryAfter releases the job at once, back to queued with its attempt
// given back and the reason kept, and runs it again after the delay even
// when it had a single attempt.
func TestRetryAfterRequeuesWithoutSpendingAnAttempt(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ctx := context.Background()
	release := make(chan struct{})
	var calls int
	var mu sync.Mutex
	q.Register("k", func(ctx context.Context, j *Job) error {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			return RetryAfter(fmt.Errorf("encode: %w", errBoom), 300*time.Millisecond)
		}
		<-release
		return nil
	})
	id, err := q.Enqueue(ctx, "k", nil, WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	j := waitState(t, q, id, StateQueued)
	waitFor(t, 2*time.Second, "the first run's result", func() bool {
		j, _ = q.Get(ctx, id)
		return j.LastError != ""
	})
	if j.Attempts != 0 || j.LastError != "encode: boom" || time.Until(j.RunAfter) < 100*time.Millisecond {
		t.Fatalf("after RetryAfter: %+v; want queued, 0 attempts, the error, due in ~300 ms", j)
	}
	if _, owner, _ := leaseOf(t, db, id); owner != "" {
		t.Fatalf("lease still held by %q", owner)
	}
	j = waitState(t, q, id, StateRunning)
	close(release)
	j = waitState(t, q, id, StateDone)
	if j.Attempts != 1 {
		t.Errorf("attempts %d, want 1", j.Attempts)
	}
}
