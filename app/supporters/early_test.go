package supporters

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// changes records what the outbox would hear.
type changes struct{ before, after []model.Video }

func (c *changes) VideoChanged(_ context.Context, _ *sql.Tx, before, after model.Video) error {
	c.before, c.after = append(c.before, before), append(c.after, after)
	return nil
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestEarlyAccessSurvivesRestart: a supporter-only video with a public
// date stays supporter-only before it, turns public at it (published
// then, so it federates as new) even when the date passed while the box
// was off, and the outbox hears of it in the same transaction.
func TestEarlyAccessSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cabane.db")
	st := openStore(t, path)
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "creator", Email: "c@example.org", PasswordHash: "h", ChannelName: "creator_ch"})
	if err != nil {
		t.Fatal(err)
	}
	v := model.Video{UUID: "00000000-0000-4000-8000-000000000007", ShortUUID: "s7", ChannelID: ch.ID, Name: "Early", Privacy: model.PrivacySupporters}
	if err := st.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	if err := st.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "360p", Width: 640, Height: 360, Bandwidth: 800_000}); err != nil {
		t.Fatal(err)
	}
	v, _ = st.Videos.ByID(ctx, v.ID)
	start := time.Now()
	clock := start
	fed := &changes{}
	svc := &Service{Store: st, Federate: fed, Now: func() time.Time { return clock }}
	if err := svc.SetEarlyAccess(ctx, v, start.Add(-time.Minute)); err != ErrPastDate {
		t.Errorf("a past date: %v, want ErrPastDate", err)
	}
	publicAt := start.Add(time.Hour)
	if err := svc.SetEarlyAccess(ctx, v, publicAt); err != nil {
		t.Fatal(err)
	}
	clock = start.Add(59 * time.Minute)
	if n, err := svc.PublishDue(ctx); err != nil || n != 0 {
		t.Fatalf("before the date: %d published, %v", n, err)
	}
	if got, _ := st.Videos.ByID(ctx, v.ID); got.Privacy != model.PrivacySupporters || visibility.Federates(got) {
		t.Fatalf("before the date: privacy %d, federates %v", got.Privacy, visibility.Federates(got))
	}
	// The box stops before the date and starts after it.
	st.Close()
	st = openStore(t, path)
	defer st.Close()
	clock = start.Add(3 * time.Hour)
	svc = &Service{Store: st, Federate: fed, Now: func() time.Time { return clock }}
	if at, err := svc.EarlyAccess(ctx, v.ID); err != nil || !at.Equal(publicAt.Truncate(time.Millisecond)) {
		t.Fatalf("date after a restart: %v %v", at, err)
	}
	ctx2, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { svc.Run(ctx2, time.Hour); close(done) }() // its first pass runs at start
	deadline := time.Now().Add(5 * time.Second)
	var got model.Video
	for time.Now().Before(deadline) {
		if got, _ = st.Videos.ByID(ctx, v.ID); got.Privacy == model.PrivacyPublic {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if got.Privacy != model.PrivacyPublic || !visibility.Federates(got) {
		t.Fatalf("after the date: privacy %d", got.Privacy)
	}
	if !got.PublishedAt.Equal(clock.Truncate(time.Millisecond)) {
		t.Errorf("published at %v, want the moment it turned public %v", got.PublishedAt, clock)
	}
	if len(fed.after) != 1 || fed.before[0].Privacy != model.PrivacySupporters || fed.after[0].Privacy != model.PrivacyPublic {
		t.Fatalf("outbox heard %d changes", len(fed.after))
	}
	if at, _ := svc.EarlyAccess(ctx, v.ID); !at.IsZero() {
		t.Errorf("the date is still stored: %v", at)
	}
	if n, err := svc.PublishDue(ctx); err != nil || n != 0 {
		t.Errorf("a second pass: %d published, %v", n, err)
	}
}
