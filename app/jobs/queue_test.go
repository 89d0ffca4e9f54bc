package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestEnqueueRunDone(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	type payload struct {
		Video string `json:"video"`
	}
	got := make(chan payload, 1)
	q.Register("transcode", func(ctx context.Context, j *Job) error {
		var p payload
		if err := j.Decode(&p); err != nil {
			return err
		}
		got <- p
		return nil
	})
	ctx := context.Background()
	id, err := q.Enqueue(ctx, "transcode", payload{Video: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := q.Get(ctx, id)
	if err != nil || j.State != StateQueued || j.Attempts != 0 || j.MaxAttempts != 5 {
		t.Fatalf("fresh job = %+v, %v; want queued, 0 attempts of 5", j, err)
	}
	start(t, q, 2)
	select {
	case p := <-got:
		if p.Video != "abc" {
			t.Fatalf("handler payload = %+v", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("handler never ran")
	}
	j = waitState(t, q, id, StateDone)
	if j.Attempts != 1 || j.Progress != 100 || j.LastError != "" {
		t.Fatalf("done job = %+v; want 1 attempt, progress 100, no error", j)
	}
	if _, owner, until := leaseOf(t, db, id); owner != "" || until.UnixMilli() != 0 {
		t.Fatalf("done job still leased: owner %q until %v", owner, until)
	}
	var raw map[string]string
	if err := json.Unmarshal(j.Payload, &raw); err != nil || raw["video"] != "abc" {
		t.Fatalf("stored payload %s", j.Payload)
	}
}

func TestEnqueueTxIsAtomic(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ctx := context.Background()

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rolled, err := q.EnqueueTx(ctx, tx, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Get(ctx, rolled); !errors.Is(err, ErrNotFound) {
		t.Fatalf("job of a rolled-back tx: err = %v, want ErrNotFound", err)
	}

	tx, err = db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := q.EnqueueTx(ctx, tx, "k", map[string]int{"n": 1}, WithPriority(3))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	j, err := q.Get(ctx, kept)
	if err != nil || j.State != StateQueued || j.Priority != 3 || string(j.Payload) != `{"n":1}` {
		t.Fatalf("committed job = %+v, %v", j, err)
	}
}

func TestPriorityThenAge(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ctx := context.Background()
	ran := recordOrder(t, q)
	for _, e := range []struct {
		name string
		prio int
	}{{"low-old", 0}, {"high", 5}, {"low-new", 0}, {"mid", 1}} {
		if _, err := q.Enqueue(ctx, "k", e.name, WithPriority(e.prio)); err != nil {
			t.Fatal(err)
		}
	}
	start(t, q, 1)
	order := ran(4, 5*time.Second)
	want := []string{"high", "mid", "low-old", "low-new"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("run order %v, want %v", order, want)
		}
	}
}

func TestDelayAndUnknownKind(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ctx := context.Background()
	ran := make(chan time.Time, 1)
	q.Register("later", func(ctx context.Context, j *Job) error {
		ran <- time.Now()
		return nil
	})
	enq := time.Now()
	delayed, err := q.Enqueue(ctx, "later", nil, WithDelay(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := q.Enqueue(ctx, "from-a-newer-version", nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 2)
	select {
	case at := <-ran:
		if d := at.Sub(enq); d < 300*time.Millisecond {
			t.Fatalf("delayed job ran after %v, before its 300 ms delay", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("delayed job never ran")
	}
	waitState(t, q, delayed, StateDone)
	if j, _ := q.Get(ctx, unknown); j.State != StateQueued || j.Attempts != 0 {
		t.Fatalf("job of an unregistered kind = %+v; want left queued, untouched", j)
	}
}

func TestGetListFilters(t *testing.T) {
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	ctx := context.Background()
	var ids []int64
	for i := 0; i < 5; i++ {
		kind := "a"
		if i%2 == 1 {
			kind = "b"
		}
		id, err := q.Enqueue(ctx, kind, i)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := q.Cancel(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	all, err := q.List(ctx, ListFilter{})
	if err != nil || len(all) != 5 || all[0].ID != ids[4] {
		t.Fatalf("List all = %d jobs (first %v), %v; want 5, newest first", len(all), all, err)
	}
	page, err := q.List(ctx, ListFilter{Limit: 2, Offset: 1})
	if err != nil || len(page) != 2 || page[0].ID != ids[3] || page[1].ID != ids[2] {
		t.Fatalf("List page = %+v, %v", page, err)
	}
	queued, err := q.List(ctx, ListFilter{State: StateQueued})
	if err != nil || len(queued) != 4 {
		t.Fatalf("List queued = %d, %v; want 4", len(queued), err)
	}
	bs, err := q.List(ctx, ListFilter{Kind: "b"})
	if err != nil || len(bs) != 2 {
		t.Fatalf("List kind b = %d, %v; want 2", len(bs), err)
	}
	if _, err := q.Get(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get missing: %v, want ErrNotFound", err)
	}
}
