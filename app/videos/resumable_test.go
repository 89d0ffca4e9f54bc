package videos

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/internal/testrig"
)

func (r *rig) startResumable(t *testing.T, size int64) string {
	t.Helper()
	id, err := r.svc.StartResumable(context.Background(), ResumableInit{UserID: r.ch.AccountID, Size: size,
		Meta: UploadMeta{UploaderAccountID: r.ch.AccountID, ChannelID: r.ch.ID, Name: "v", Privacy: model.PrivacyPublic, OriginalName: "v.mp4"}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func resumableLeft(t *testing.T, r *rig) []string {
	t.Helper()
	entries, err := os.ReadDir(r.svc.resumableDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// The last chunk ingests the upload: neither its part nor its state is
// left behind.
func TestResumableLastChunkLeavesNothing(t *testing.T) {
	r := newRig(t, "")
	data, err := os.ReadFile(testrig.MakeClip(t, filepath.Join(r.dir, "in.mp4"), testrig.Clip{Seconds: 1}))
	if err != nil {
		t.Fatal(err)
	}
	id := r.startResumable(t, int64(len(data)))
	stored, v, err := r.svc.WriteResumable(context.Background(), r.ch.AccountID, id, 0, bytes.NewReader(data))
	if err != nil || v == nil || stored != int64(len(data)) {
		t.Fatalf("last chunk: %d, %v, %v", stored, v, err)
	}
	if left := resumableLeft(t, r); len(left) != 0 {
		t.Errorf("left in the resumable folder: %v", left)
	}
}

// A crash after the last chunk's file was moved into the video's folder
// but before its state was removed leaves a state without a part: the
// upload answers "no such upload", and expiry removes the state.
func TestResumableStateWithoutPartExpires(t *testing.T) {
	r := newRig(t, "")
	id := r.startResumable(t, 1000)
	part, _, _ := r.svc.resumablePaths(id)
	if err := os.Remove(part); err != nil { // Ingest's rename, then the crash
		t.Fatal(err)
	}
	if _, _, err := r.svc.ResumableStatus(r.ch.AccountID, id); !errors.Is(err, ErrUploadNotFound) {
		t.Fatalf("status of the interrupted upload: %v, want ErrUploadNotFound", err)
	}
	if n, err := r.svc.ExpireResumable(time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("expired %d, %v; want 1", n, err)
	}
	if left := resumableLeft(t, r); len(left) != 0 {
		t.Errorf("left in the resumable folder: %v", left)
	}
}
