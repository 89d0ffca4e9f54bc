package jobs

import (
	"context"
	"testing"
	"time"
)

func TestPruneKeepsWhatIsNotEndedOrRecent(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	q := newQueue(t, db, fastOptions())
	now := time.Now()
	old, recent := now.Add(-10*24*time.Hour), now.Add(-time.Hour)
	veryOld := now.Add(-40 * 24 * time.Hour)
	rows := []struct {
		state string
		at    time.Time
		kept  bool
	}{
		{StateDone, old, false}, {StateCancelled, old, false}, {StateDone, recent, true},
		{StateFailed, old, true}, {StateFailed, veryOld, false},
		{StateQueued, veryOld, true}, {StateRunning, veryOld, true},
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		id, err := q.Enqueue(ctx, "k", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?`, r.state, ms(r.at), id); err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	// Enough old done jobs to need several batches.
	for range pruneBatch + 10 {
		id, err := q.Enqueue(ctx, "k", nil)
		if err != nil {
			t.Fatal(err)
		}
		db.ExecContext(ctx, `UPDATE jobs SET state = 'done', updated_at = ? WHERE id = ?`, ms(old), id)
	}
	n, err := q.Prune(ctx, now.Add(-KeepDone), now.Add(-KeepFailed))
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(3 + pruneBatch + 10); n != want {
		t.Errorf("pruned %d, want %d", n, want)
	}
	for i, r := range rows {
		_, err := q.Get(ctx, ids[i])
		if kept := err == nil; kept != r.kept {
			t.Errorf("%s job from %s: kept %v, want %v (%v)", r.state, r.at.Format(time.DateTime), kept, r.kept, err)
		}
	}
}
