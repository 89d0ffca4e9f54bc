package videos

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/ratelimit"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// slowPasswords answers PasswordMatches only once every guess of a burst
// has arrived (or a second has passed), as a slow argon2 check would: the
// widest window for a check-then-charge race.
type slowPasswords struct {
	repo.VideoPasswords
	arrived sync.WaitGroup
	right   string
}

func (p *slowPasswords) PasswordMatches(ctx context.Context, videoID int64, password string) (bool, error) {
	p.arrived.Done()
	done := make(chan struct{})
	go func() { p.arrived.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
	return password == p.right, nil
}

// Parallel wrong guesses from one client are each charged before they are
// checked: no more than the burst are ever checked, however many arrive
// together.
func TestParallelGuessesAreChargedBeforeTheCheck(t *testing.T) {
	const burst, parallel = 5, 40
	pw := &slowPasswords{right: "the right one"}
	pw.arrived.Add(parallel)
	s := &Service{Passwords: pw, Guesses: ratelimit.New(ratelimit.Config{Every: time.Hour, Burst: burst})}
	v := model.Video{ID: 1, UUID: "u1", Privacy: model.PrivacyPassword}

	var wrong, refused int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			viewer := visibility.Viewer{Client: "203.0.113.7", Password: "guess" + string(rune('a'+i))}
			err := s.unlock(context.Background(), &viewer, v)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrWrongPassword):
				wrong++
			case errors.Is(err, ErrTooManyGuesses):
				refused++
				pw.arrived.Done() // never reaches the check
			default:
				t.Errorf("guess %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if wrong != burst || refused != parallel-burst {
		t.Fatalf("%d guesses checked and %d refused; want %d checked", wrong, refused, burst)
	}
}

// A right password costs nothing: a viewer who types it after a few
// wrong ones keeps the rest of the allowance.
func TestRightPasswordIsRefunded(t *testing.T) {
	pw := &slowPasswords{right: "the right one"}
	s := &Service{Passwords: pw, Guesses: ratelimit.New(ratelimit.Config{Every: time.Hour, Burst: 2})}
	v := model.Video{ID: 1, UUID: "u1", Privacy: model.PrivacyPassword}
	for i := range 5 {
		pw.arrived.Add(1)
		viewer := visibility.Viewer{Client: "c", Password: "the right one"}
		if err := s.unlock(context.Background(), &viewer, v); err != nil {
			t.Fatalf("right password %d: %v", i, err)
		}
		if len(viewer.Unlocked) != 1 {
			t.Fatalf("right password %d did not unlock: %v", i, viewer.Unlocked)
		}
	}
	for i, want := range []error{ErrWrongPassword, ErrWrongPassword, ErrTooManyGuesses} {
		pw.arrived.Add(1)
		viewer := visibility.Viewer{Client: "c", Password: "wrong"}
		if err := s.unlock(context.Background(), &viewer, v); !errors.Is(err, want) {
			t.Fatalf("wrong password %d: %v, want %v", i, err, want)
		}
		if want == ErrTooManyGuesses {
			pw.arrived.Done()
		}
	}
}
