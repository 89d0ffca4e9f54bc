package auth

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cabane.dev/cabane/app/store"
)

// The gate never lets more than its size run at once, and every caller
// eventually runs.
func TestGateBoundsConcurrency(t *testing.T) {
	g := NewGate(3)
	var running, peak, done atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			err := g.Do(context.Background(), func() {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(2 * time.Millisecond)
				running.Add(-1)
				done.Add(1)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if peak.Load() != 3 || done.Load() != 50 {
		t.Errorf("peak %d running at once (want 3), %d of 50 ran", peak.Load(), done.Load())
	}
}

// A caller waiting for a slot gives up when its context ends, without
// running its function.
func TestGateWaitRespectsContext(t *testing.T) {
	g := NewGate(1)
	release := make(chan struct{})
	started := make(chan struct{})
	go g.Do(context.Background(), func() { close(started); <-release })
	<-started
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	ran := false
	err := g.Do(ctx, func() { ran = true })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Errorf("err %v, ran %v: want a deadline error and no run", err, ran)
	}
}

func TestHashSlotsSizing(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		cores int
		mem   uint64
		want  int
	}{
		{4, 4096 * mib, 2}, // Pi 4 with 4 GB: half the cores
		{4, 300 * mib, 1},  // little memory left: 300/(8*19) = 1
		{16, 800 * mib, 5}, // memory binds before cores: 800/152 = 5
		{1, 0, 1},          // unknown memory: cores only
		{2, 10 * mib, 1},   // never below one
		{64, 64 << 30, 32}, // big machine: half the cores
	} {
		if got := HashSlots(c.cores, c.mem); got != c.want {
			t.Errorf("HashSlots(%d cores, %d MiB) = %d, want %d", c.cores, c.mem/mib, got, c.want)
		}
	}
}

// Login and CreateUser hash through the service's gate: while its only slot
// is taken, they wait and give up with their context instead of hashing.
func TestServiceHashesThroughGate(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := &Service{Store: st.Repo(), Hashing: NewGate(1)}
	if _, _, err := svc.CreateUser(ctx, NewUserRequest{Username: "alice", Email: "a@example.org", Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	held := make(chan struct{})
	go svc.Hashing.Do(ctx, func() { close(held); <-release })
	<-held
	for _, login := range []string{"alice", "nobody"} {
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, err := svc.Login(short, login, "correct horse")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Login(%s) with the gate full: %v, want a deadline error", login, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, _, err = svc.CreateUser(short, NewUserRequest{Username: "bob", Email: "b@example.org", Password: "correct horse"})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CreateUser with the gate full: %v", err)
	}
	close(release)
	if _, err := svc.Login(ctx, "alice", "correct horse"); err != nil {
		t.Errorf("Login once the gate is free: %v", err)
	}
	if _, err := svc.Login(ctx, "nobody", "not a real password"); !errors.Is(err, ErrBadPassword) {
		t.Errorf("unknown user with the dummy hash's password: %v", err)
	}
}
