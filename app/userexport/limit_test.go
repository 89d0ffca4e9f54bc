package userexport_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/app/visibility"
)

// An archive is capped: a request with the video files is refused at once
// when the videos already weigh more than twice the quota; a build that
// goes past the cap fails with a clear error and leaves no file.
func TestExportSizeCap(t *testing.T) {
	ctx := context.Background()
	s, st, _ := newService(t)
	u, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "alice", Email: "alice@example.org", PasswordHash: "!", ChannelName: "alice_channel"})
	if err != nil {
		t.Fatal(err)
	}
	me := visibility.Viewer{UserID: u.ID, AccountID: u.AccountID}
	quota, used := int64(200<<20), int64(600<<20)
	s.Quota = func(context.Context, int64) (int64, int64, error) { return quota, used, nil }

	_, err = s.Request(ctx, me, u.ID, true)
	var tl *userexport.TooLargeError
	if !errors.As(err, &tl) || !errors.Is(err, userexport.ErrTooLarge) || !tl.Quota || tl.Limit != 400<<20 {
		t.Fatalf("600 MB of videos, 200 MB quota, with files: %v", err)
	}
	if !strings.Contains(err.Error(), "twice your video quota") {
		t.Errorf("unclear: %v", err)
	}
	if list, _ := s.List(ctx, me, u.ID); len(list) != 0 {
		t.Fatalf("a refused request was recorded: %+v", list)
	}
	// Without the files it is small: accepted, and built.
	id, err := s.Request(ctx, me, u.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Build(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	e, _ := st.UserExports().Get(ctx, id)
	if err := s.Delete(ctx, me, u.ID, id); err != nil {
		t.Fatal(err)
	}

	// A configured limit smaller than that archive: the build fails
	// cleanly, says why, and leaves nothing.
	s.MaxBytes = e.Size / 2
	quota = -1 // unlimited: only the configured limit holds
	id, err = s.Request(ctx, me, u.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Build(ctx, id, nil)
	if !errors.Is(err, userexport.ErrTooLarge) {
		t.Fatalf("build past the limit: %v", err)
	}
	e, _ = st.UserExports().Get(ctx, id)
	if e.State != userexport.StateErrored || !strings.Contains(e.Error, "larger than this box allows") || !strings.Contains(e.Error, "limit for exports") {
		t.Errorf("after a build past the limit: state %d, error %q", e.State, e.Error)
	}
	if left, _ := filepath.Glob(filepath.Join(s.Dir(), "*")); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
	if _, err := os.Stat(s.Path(e)); !os.IsNotExist(err) {
		t.Errorf("an archive past the limit is there: %v", err)
	}
}
