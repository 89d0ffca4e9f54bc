package profile

import (
	"context"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// fakeProfiles holds avatars in memory and counts whole reads.
type fakeProfiles struct {
	repo.Profiles
	avatars map[int64]repo.Avatar
	loads   int
	// during runs inside a load, between the read and its return.
	during func()
}

func (f *fakeProfiles) Avatars(context.Context) (map[int64]repo.Avatar, error) {
	f.loads++
	out := map[int64]repo.Avatar{}
	for k, v := range f.avatars {
		out[k] = v
	}
	if f.during != nil {
		d := f.during
		f.during = nil
		d()
	}
	return out, nil
}

func (f *fakeProfiles) SetAvatar(_ context.Context, id int64, a repo.Avatar) (repo.Avatar, error) {
	old := f.avatars[id]
	if a.File == "" {
		delete(f.avatars, id)
	} else {
		f.avatars[id] = a
	}
	return old, nil
}

// TestAvatarCache: one load serves every account until an avatar changes;
// a load that raced with a change is not kept.
func TestAvatarCache(t *testing.T) {
	ctx := context.Background()
	f := &fakeProfiles{avatars: map[int64]repo.Avatar{7: {File: "a.jpg", UpdatedAt: time.Now()}}}
	s := &Service{Store: f, Layout: config.Layout{Root: t.TempDir()}}
	for _, id := range []int64{7, 8, 7, 9} {
		a, err := s.AvatarOf(ctx, id)
		if err != nil || (id == 7) != (a.File == "a.jpg") {
			t.Errorf("account %d: %+v %v", id, a, err)
		}
	}
	if f.loads != 1 {
		t.Errorf("%d loads for four lookups, want 1", f.loads)
	}
	if err := s.DeleteAvatar(ctx, visibility.Viewer{UserID: 1, AccountID: 7}); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.AvatarOf(ctx, 7); a.File != "" || f.loads != 2 {
		t.Errorf("after deletion: %+v, %d loads", a, f.loads)
	}
	// A change while a load is under way: that load's answer is not kept.
	f.avatars[8] = repo.Avatar{File: "b.jpg"}
	s.avatars.invalidate()
	f.during = func() { s.avatars.invalidate() }
	s.AvatarOf(ctx, 8)
	if a, _ := s.AvatarOf(ctx, 8); a.File != "b.jpg" || f.loads != 4 {
		t.Errorf("after a raced load: %+v, %d loads (want a second load)", a, f.loads)
	}
}
