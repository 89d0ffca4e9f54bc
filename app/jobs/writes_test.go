package jobs

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// dataVersion reads SQLite's data_version on a pinned connection: it changes
// when any other connection commits a change to the file.
func dataVersion(t *testing.T, c *sql.Conn) int64 {
	t.Helper()
	var v int64
	if err := c.QueryRowContext(context.Background(), "PRAGMA data_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// An idle queue polls often but writes nothing: SD cards wear out.
func TestIdlePollingWritesNothing(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	watch, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	opt := fastOptions()
	opt.Poll = 5 * time.Millisecond
	opt.Lease = 20 * time.Millisecond // the expired-lease sweep runs every 10 ms too
	q := newQueue(t, db, opt)
	q.Register("k", func(context.Context, *Job) error { return nil })
	id, err := q.Enqueue(ctx, "k", nil, WithDelay(time.Hour)) // present but not due
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 2)
	time.Sleep(50 * time.Millisecond) // past start-up
	before := dataVersion(t, watch)
	time.Sleep(300 * time.Millisecond) // ~60 polls and ~30 sweeps
	if after := dataVersion(t, watch); after != before {
		t.Fatalf("idle queue changed the database (data_version %d → %d)", before, after)
	}
	// The probe does see a real write.
	if err := q.Cancel(ctx, id); err != nil {
		t.Fatal(err)
	}
	if after := dataVersion(t, watch); after == before {
		t.Fatal("data_version did not move on a real write; the probe proves nothing")
	}
}
