package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/store"
)

// openDB opens a real, migrated Cabane database in a temporary directory.
func openDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cabane.db")
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st.DB(), path
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fastOptions keeps tests quick: short polls and backoffs.
func fastOptions() Options {
	return Options{
		Poll:          20 * time.Millisecond,
		Backoff:       func(int) time.Duration { return 10 * time.Millisecond },
		ProgressEvery: 2 * time.Second,
	}
}

func newQueue(t *testing.T, db *sql.DB, opt Options) *Queue {
	return New(db, testLogger(t), opt)
}

// start runs q in the background; the returned stop cancels Run and waits
// for it to return (also done at cleanup).
func start(t *testing.T, q *Queue, workers int) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- q.Run(ctx, workers) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return 10 s after its context was cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitState waits until job id is in state and returns it.
func waitState(t *testing.T, q *Queue, id int64, state string) *Job {
	t.Helper()
	var j *Job
	waitFor(t, 5*time.Second, "job in state "+state, func() bool {
		var err error
		j, err = q.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("get job %d: %v", id, err)
		}
		return j.State == state
	})
	return j
}

// row reads the lease columns that Job does not expose.
func leaseOf(t *testing.T, db *sql.DB, id int64) (state, owner string, until time.Time) {
	t.Helper()
	var u int64
	if err := db.QueryRow(`SELECT state, lease_owner, lease_until FROM jobs WHERE id = ?`, id).Scan(&state, &owner, &u); err != nil {
		t.Fatalf("read lease of job %d: %v", id, err)
	}
	return state, owner, time.UnixMilli(u)
}

var errBoom = errors.New("boom")

// recordOrder registers a handler for kind "k" whose payload is a name and
// returns a function that waits until n jobs ran and gives their names in
// the order they ran.
func recordOrder(t *testing.T, q *Queue) (ran func(n int, within time.Duration) []string) {
	var mu sync.Mutex
	var order []string
	q.Register("k", func(ctx context.Context, j *Job) error {
		var name string
		if err := j.Decode(&name); err != nil {
			return err
		}
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
		return nil
	})
	return func(n int, within time.Duration) []string {
		t.Helper()
		waitFor(t, within, fmt.Sprintf("%d jobs", n), func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(order) >= n
		})
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(order)
	}
}
