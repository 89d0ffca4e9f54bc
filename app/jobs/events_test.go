package jobs

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestSubscribeReceivesEvents(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	q := newQueue(t, db, fastOptions())
	events, unsubscribe := q.Subscribe()
	stalled, _ := q.Subscribe() // never read: must not block the queue
	q.Register("encode", func(ctx context.Context, j *Job) error {
		for p := range 30 { // fewer than the buffer: none may be dropped here
			if err := q.SetProgress(ctx, j.ID, float64(p)+0.5); err != nil {
				return err
			}
		}
		return nil
	})
	id, err := q.Enqueue(ctx, "encode", nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, q, 1)
	var seen []string
	progress := 0
	timeout := time.After(5 * time.Second)
	for done := false; !done; {
		select {
		case e := <-events:
			if e.JobID != id || e.Kind != "encode" {
				t.Fatalf("event for %d/%s, want job %d", e.JobID, e.Kind, id)
			}
			if e.State == StateRunning && e.Progress > 0 {
				progress++
				continue
			}
			seen = append(seen, e.State)
			done = e.State == StateDone
		case <-timeout:
			t.Fatalf("events so far %v; no done event", seen)
		}
	}
	if fmt.Sprint(seen) != "[queued running done]" {
		t.Fatalf("state events %v, want [queued running done]", seen)
	}
	if progress == 0 {
		t.Fatal("no progress event")
	}
	unsubscribe()
	if _, open := <-events; open {
		t.Fatal("channel still open after unsubscribe")
	}
	unsubscribe() // twice is harmless

	// More events than the stalled subscriber's buffer: the queue goes on.
	last := id
	for range subscriberBuffer {
		if last, err = q.Enqueue(ctx, "encode", nil); err != nil {
			t.Fatal(err)
		}
	}
	waitState(t, q, last, StateDone)
	if len(stalled) != subscriberBuffer {
		t.Fatalf("stalled subscriber holds %d events, want its full buffer (%d) and the rest dropped", len(stalled), subscriberBuffer)
	}
}
