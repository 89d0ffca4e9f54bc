package profile

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"slices"
	"testing"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// nameStore keeps display names, and can refuse them.
type nameStore struct {
	fakeProfiles
	names map[int64]string
	fail  error
}

func (n *nameStore) SetDisplayName(_ context.Context, id int64, name string) error {
	if n.fail != nil {
		return n.fail
	}
	n.names[id] = name
	return nil
}

func (n *nameStore) SetDefaultPrivacy(context.Context, int64, int) error { return nil }

// What other servers show of an account (its display name, its avatar)
// is reported once stored, and only then; the default privacy is not.
func TestPublicChangesAreReported(t *testing.T) {
	ctx := context.Background()
	st := &nameStore{fakeProfiles: fakeProfiles{avatars: map[int64]repo.Avatar{}}, names: map[int64]string{}}
	var told []int64
	s := &Service{Store: st, Layout: config.Layout{Root: t.TempDir()},
		Changed: func(_ context.Context, id int64) { told = append(told, id) }}
	me := visibility.Viewer{UserID: 1, AccountID: 7}
	name, privacy := "Alice B.", 2
	if err := s.Apply(ctx, me, Update{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(ctx, me, Update{DefaultPrivacy: &privacy}); err != nil {
		t.Fatal(err)
	}
	st.fail = errors.New("disk full")
	if err := s.Apply(ctx, me, Update{DisplayName: &name}); err == nil {
		t.Fatal("a failed write reported success")
	}
	st.fail = nil
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 64, 64)), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAvatar(ctx, me, &pic); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAvatar(ctx, me); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(told, []int64{7, 7, 7}) {
		t.Errorf("reported %v, want account 7 for the name, the new avatar and its removal", told)
	}
}
