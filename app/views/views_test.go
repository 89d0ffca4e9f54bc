package views

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

type fakeVideos struct {
	videos map[string]model.Video
	counts map[int64]int
}

func (f *fakeVideos) Get(_ context.Context, _ visibility.Viewer, ref string) (model.Video, error) {
	v, ok := f.videos[ref]
	if !ok {
		return v, model.ErrNotFound
	}
	return v, nil
}
func (f *fakeVideos) CountView(id int64) { f.counts[id]++ }

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func fixture() (*Service, *fakeVideos, *clock) {
	fv := &fakeVideos{counts: map[int64]int{}, videos: map[string]model.Video{
		"long":    {ID: 1, State: model.StatePublished, Duration: 5 * time.Minute},
		"short":   {ID: 2, State: model.StatePublished, Duration: 6 * time.Second},
		"pending": {ID: 3, State: model.StateToTranscode, Duration: time.Minute},
	}}
	c := &clock{t: time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)}
	return &Service{Videos: fv, Now: c.now}, fv, c
}

var alice = Client{IP: "192.0.2.7", UserAgent: "Firefox"}

// play reports positions every step of wall time, as the player does.
func play(t *testing.T, s *Service, c *clock, ref string, cl Client, from, to float64, step time.Duration) {
	t.Helper()
	for pos := from; pos <= to; pos += step.Seconds() {
		if _, err := s.Watching(context.Background(), visibility.Anonymous(false), ref, cl, Report{CurrentTime: pos}); err != nil {
			t.Fatal(err)
		}
		if pos+step.Seconds() <= to {
			c.advance(step)
		}
	}
}

func TestViewCountsAfterTenSecondsOfPlayback(t *testing.T) {
	s, fv, c := fixture()
	play(t, s, c, "long", alice, 0, 5, 5*time.Second)
	if fv.counts[1] != 0 {
		t.Fatalf("counted after 5 s")
	}
	c.advance(4 * time.Second)
	s.Watching(context.Background(), visibility.Anonymous(false), "long", alice, Report{CurrentTime: 9})
	if fv.counts[1] != 0 {
		t.Fatalf("counted after 9 s")
	}
	c.advance(time.Second)
	counted, _ := s.Watching(context.Background(), visibility.Anonymous(false), "long", alice, Report{CurrentTime: 10})
	if !counted || fv.counts[1] != 1 {
		t.Fatalf("not counted after 10 s: %v %d", counted, fv.counts[1])
	}
}

// A position claimed faster than time passes is credited only the time
// that passed; a seek is no playback at all.
func TestViewNeedsRealPlayback(t *testing.T) {
	s, fv, c := fixture()
	ctx := context.Background()
	s.Watching(ctx, visibility.Anonymous(false), "long", alice, Report{CurrentTime: 0})
	c.advance(time.Second)
	s.Watching(ctx, visibility.Anonymous(false), "long", alice, Report{CurrentTime: 120})
	if fv.counts[1] != 0 {
		t.Fatal("a jump of 120 s in one second counted a view")
	}
	c.advance(5 * time.Second)
	s.Watching(ctx, visibility.Anonymous(false), "long", alice, Report{CurrentTime: 200, Seek: true})
	c.advance(5 * time.Second)
	s.Watching(ctx, visibility.Anonymous(false), "long", alice, Report{CurrentTime: 205})
	// 2 s (first jump, capped) + 0 (seek) + 5 s = 7 s: not yet.
	if fv.counts[1] != 0 {
		t.Fatal("a seek counted as playback")
	}
	c.advance(5 * time.Second)
	s.Watching(ctx, visibility.Anonymous(false), "long", alice, Report{CurrentTime: 210})
	if fv.counts[1] != 1 {
		t.Fatalf("12 s of real playback: %d views", fv.counts[1])
	}
}

func TestOneViewPerViewerPerHour(t *testing.T) {
	s, fv, c := fixture()
	play(t, s, c, "long", alice, 0, 10, 5*time.Second)
	c.advance(10 * time.Minute)
	play(t, s, c, "long", alice, 0, 30, 5*time.Second) // watched again
	if fv.counts[1] != 1 {
		t.Fatalf("%d views within the hour, want 1", fv.counts[1])
	}
	// Another browser at the same address is another viewer.
	play(t, s, c, "long", Client{IP: alice.IP, UserAgent: "Chromium"}, 0, 10, 5*time.Second)
	if fv.counts[1] != 2 {
		t.Fatalf("another user agent: %d views, want 2", fv.counts[1])
	}
	c.advance(time.Hour)
	play(t, s, c, "long", alice, 0, 10, 5*time.Second)
	if fv.counts[1] != 3 {
		t.Fatalf("an hour later: %d views, want 3", fv.counts[1])
	}
}

// The key changes every hour; a view just before the change still blocks
// another for an hour after it.
func TestOncePerHourAcrossKeyChange(t *testing.T) {
	s, fv, c := fixture()
	ctx := context.Background()
	s.Watching(ctx, visibility.Anonymous(false), "short", Client{IP: "198.51.100.9"}, Report{}) // 10:00: first key
	first := s.cur
	c.advance(50 * time.Minute)
	play(t, s, c, "long", alice, 0, 10, 5*time.Second) // counted at 10:50:10
	c.advance(15 * time.Minute)                        // 11:05:10: a new key
	play(t, s, c, "long", alice, 0, 10, 5*time.Second)
	if s.cur == first {
		t.Fatal("the key did not change after an hour")
	}
	if fv.counts[1] != 1 {
		t.Fatalf("%d views across the key change, want 1", fv.counts[1])
	}
	c.advance(46 * time.Minute) // 11:51:20: over an hour since the view
	play(t, s, c, "long", alice, 0, 10, 5*time.Second)
	if fv.counts[1] != 2 {
		t.Fatalf("%d views an hour after, want 2", fv.counts[1])
	}
}

func TestShortVideoCountsAtHalf(t *testing.T) {
	s, fv, c := fixture()
	play(t, s, c, "short", alice, 0, 3, time.Second)
	if fv.counts[2] != 0 {
		t.Fatal("counted at exactly half")
	}
	c.advance(time.Second)
	s.Watching(context.Background(), visibility.Anonymous(false), "short", alice, Report{CurrentTime: 4})
	if fv.counts[2] != 1 {
		t.Fatalf("4 s of a 6 s video: %d views", fv.counts[2])
	}
}

func TestNotCountedBeforePublicationOrForBadInput(t *testing.T) {
	s, fv, c := fixture()
	play(t, s, c, "pending", alice, 0, 20, 5*time.Second)
	if fv.counts[3] != 0 {
		t.Fatal("a video still processing counted a view")
	}
	ctx := context.Background()
	if _, err := s.Watching(ctx, visibility.Anonymous(false), "nope", alice, Report{}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("missing video: %v", err)
	}
	if _, err := s.Watching(ctx, visibility.Anonymous(false), "long", alice, Report{CurrentTime: -1}); !errors.Is(err, ErrBadTime) {
		t.Errorf("negative time: %v", err)
	}
}

// Nothing the service holds is the viewer's address or agent, or a hash of
// them anyone could recompute without the key; the keys are random, and
// after two hours none that hashed a viewer is left.
func TestNothingIdentifiesTheViewer(t *testing.T) {
	s, _, c := fixture()
	play(t, s, c, "long", alice, 0, 10, 5*time.Second) // counted
	play(t, s, c, "short", alice, 0, 1, time.Second)   // playing
	dump := fmt.Sprintf("%+v %+v", s.sessions, s.viewed)
	for _, secret := range []string{alice.IP, alice.UserAgent} {
		if bytes.Contains([]byte(dump), []byte(secret)) {
			t.Errorf("memory holds %q", secret)
		}
	}
	first := s.cur
	unkeyed := (&Service{}).hash([32]byte{}, 1, alice)
	if _, ok := s.viewed[unkeyed]; ok {
		t.Error("views are keyed by an unkeyed hash")
	}
	if _, ok := s.viewed[s.hash(first, 1, alice)]; !ok {
		t.Fatal("the view is not remembered under the current key")
	}
	c.advance(2*time.Hour + time.Second)
	s.Watching(context.Background(), visibility.Anonymous(false), "long", Client{IP: "198.51.100.1"}, Report{})
	if s.cur == first || (s.hasPrev && s.prev == first) {
		t.Error("the key that hashed alice is still held after two hours")
	}
	if sessions, views := s.Remembered(); views != 0 || sessions != 1 {
		t.Errorf("after two hours: %d sessions, %d views remembered", sessions, views)
	}
}
