package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/userimport"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig"
)

// stopAfterIngest is the videos service, which stops the import (as a
// shutdown does) once it has ingested n videos.
type stopAfterIngest struct {
	userimport.Videos
	n      int
	cancel context.CancelFunc
}

func (s *stopAfterIngest) Ingest(ctx context.Context, tmp string, meta videos.UploadMeta) (model.Video, error) {
	v, err := s.Videos.Ingest(ctx, tmp, meta)
	if s.n--; s.n == 0 {
		s.cancel()
	}
	return v, err
}

// An import stopped half-way (the box shut down) keeps what it made and
// waits; its next run skips what is done and imports the rest, so the
// account ends with each video once.
func TestUserImportResumes(t *testing.T) {
	ctx := context.Background()
	a, base := fedApp(t)
	frank, _, _ := fedUser(t, a, base, "frank")
	// Another account holds the archive's channel name: frank's copy is
	// nature_sounds_2, and the resumed run must find it, not make a third.
	other, _, _ := fedUser(t, a, base, "other")
	if _, err := a.Store.DB().ExecContext(ctx, `INSERT INTO channels(id, account_id, name, display_name, created_at)
		VALUES ((SELECT MAX(id) + 1000 FROM channels), ?, 'nature_sounds', 'Not frank''s', 0)`, other.AccountID); err != nil {
		t.Fatal(err)
	}
	clip := testrig.MakeClip(t, filepath.Join(t.TempDir(), "clip.mp4"), testrig.Clip{Seconds: 1, Size: "160x120", FPS: 10, Args: []string{"-f", "mp4"}})
	mp4, _ := os.ReadFile(clip)
	es := peertubeArchive(t, "peertube.example", []string{"nature_sounds"}, []ptVideo{
		{uuid: "9c9de5e8-0a1e-4e4a-a1d4-4b1c2f3e4d5a", name: "First recording", channel: "nature_sounds", file: mp4},
		{uuid: "2b2b3c4d-0a1e-4e4a-a1d4-4b1c2f3e4d5a", name: "Second recording", channel: "nature_sounds", file: mp4},
	}, nil)
	// The row and the archive as an upload leaves them, without the job:
	// this test runs the import itself.
	if err := os.MkdirAll(a.Imports.Dir(), 0o750); err != nil {
		t.Fatal(err)
	}
	im := repo.UserImport{UserID: frank.ID, State: userimport.StatePending, Filename: "resume.zip", CreatedAt: time.Now()}
	writeZip(t, filepath.Join(a.Imports.Dir(), im.Filename), es)
	if err := a.Store.UserImports().Create(ctx, &im); err != nil {
		t.Fatal(err)
	}
	real := a.Imports.Videos
	stopCtx, cancel := context.WithCancel(ctx)
	a.Imports.Videos = &stopAfterIngest{Videos: real, n: 1, cancel: cancel}
	err := a.Imports.Run(stopCtx, im.ID, nil)
	a.Imports.Videos = real
	if err == nil {
		t.Fatal("the stopped import says it is done")
	}
	row, _ := a.Store.UserImports().Get(ctx, im.ID)
	tagged, _ := a.Store.UserImports().Tagged(ctx, im.ID)
	if row.State != userimport.StatePending || len(tagged) == 0 {
		t.Fatalf("after the stop: state %d, %d objects kept", row.State, len(tagged))
	}
	if err := a.Imports.Run(ctx, im.ID, nil); err != nil {
		t.Fatal(err)
	}
	row, _ = a.Store.UserImports().Get(ctx, im.ID)
	if row.State != userimport.StateCompleted {
		t.Fatalf("resumed import: %d %s", row.State, row.Error)
	}
	chs, _ := a.Store.Accounts.ChannelsOfAccount(ctx, frank.AccountID)
	var names []string
	for _, c := range chs {
		names = append(names, c.Name)
	}
	if len(chs) != 2 || chs[1].Name != "nature_sounds_2" {
		t.Errorf("frank's channels after the resumed import: %v, want his own and nature_sounds_2", names)
	}
	vs := waitPublished(t, a, frank.AccountID, 2)
	if _, ok := vs["First recording"]; !ok {
		t.Errorf("videos after the resumed import: %v", vs)
	}
	if _, ok := vs["Second recording"]; !ok {
		t.Errorf("videos after the resumed import: %v", vs)
	}
}
