package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Apply's statements come prepared once they are warm: they still run
// inside the activity's transaction (a failure leaves nothing), and many
// activities at once, more than the pool's connections, neither deadlock
// nor fail while the statements are being prepared beside them.
func TestApplyPreparedStatementsStayInTheTransaction(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := st.Follows()
	actor := func(i int) RemoteActor {
		return RemoteActor{IRI: fmt.Sprintf("https://r.example/users/a%d", i), Type: "Person", PreferredUsername: fmt.Sprintf("a%d", i),
			Host: "r.example", Inbox: "https://r.example/inbox", FetchedAt: time.Now()}
	}
	// Cold, from many goroutines at once (the pool has 4 connections).
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			_, err := f.Apply(c, fmt.Sprintf("https://r.example/act/%d", i), func(tx *FollowsTx) error {
				_, err := tx.PutActor(c, actor(i))
				return err
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Apply: %v", err)
		}
	}
	// Wait until the statements are prepared, then fail an activity
	// after its write: nothing of it may stay.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st.stmts.mu.Lock()
		warm := len(st.stmts.warming) == 0 && len(st.stmts.stmts) > 0
		st.stmts.mu.Unlock()
		if warm || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	boom := errors.New("boom")
	if _, err := f.Apply(ctx, "https://r.example/act/fail", func(tx *FollowsTx) error {
		if _, err := tx.PutActor(ctx, actor(99)); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failing Apply: %v", err)
	}
	if _, err := f.RemoteActor(ctx, actor(99).IRI); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed activity's write stayed (ran outside its transaction?): %v", err)
	}
	if dup, err := f.Apply(ctx, "https://r.example/act/fail", func(*FollowsTx) error { return nil }); err != nil || dup {
		t.Errorf("the failed activity's id stayed seen: dup %v, %v", dup, err)
	}
	for i := range 16 {
		if _, err := f.RemoteActor(ctx, actor(i).IRI); err != nil {
			t.Errorf("actor %d: %v", i, err)
		}
	}
}
