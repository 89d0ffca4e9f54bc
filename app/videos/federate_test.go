package videos

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"image"
	"image/jpeg"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
)

// change is one VideoChanged call.
type change struct{ before, after model.Video }

// fedRecorder is a Federator that keeps what it hears and can fail the
// write it is told of.
type fedRecorder struct {
	mu      sync.Mutex
	changes []change
	views   []int64
	fail    error
}

func (f *fedRecorder) VideoChanged(ctx context.Context, tx *sql.Tx, before, after model.Video) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.changes = append(f.changes, change{before, after})
	return nil
}

func (f *fedRecorder) ViewsCounted(ctx context.Context, ids []int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.views = append(f.views, ids...)
}

func (f *fedRecorder) take() []change {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.changes
	f.changes = nil
	return out
}

func jpegOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Every write remote servers must hear of tells the Federator inside its
// transaction, with the video before and after: publication, an edit, a
// new thumbnail, a deletion; views after they are stored. A Federator
// that fails fails the write, which changes nothing.
func TestWritesTellTheFederator(t *testing.T) {
	r := newRig(t, "")
	fed := &fedRecorder{}
	r.svc.Federate = fed
	ctx := context.Background()
	in := testrig.MakeClip(t, filepath.Join(r.dir, "in.mp4"), testrig.Clip{Seconds: 2, Size: "640x360", FPS: 25})
	v, err := r.upload(t, in)
	if err != nil {
		t.Fatal(err)
	}
	r.run(t)
	v = r.waitState(t, v, 60*time.Second, func(v model.Video) bool { return v.State != model.StateToTranscode && v.HasThumbnail })
	if v.State != model.StatePublished {
		t.Fatalf("state %d (%s), want published", v.State, v.Error)
	}
	cs := fed.take()
	if len(cs) == 0 || cs[0].before.Published() || !cs[0].after.Published() || cs[0].after.UUID != v.UUID {
		t.Fatalf("publication told as %+v, want unpublished → published first", cs)
	}
	for _, c := range cs[1:] {
		if !c.before.Published() {
			t.Errorf("a later rendition was told as a publication again")
		}
	}

	acct, err := r.st.Accounts.AccountByID(ctx, r.ch.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	owner := visibility.Viewer{UserID: acct.UserID, AccountID: acct.ID}
	name, private := "Renamed", model.PrivacyPrivate
	if _, err := r.svc.Update(ctx, owner, v.UUID, Edit{Name: &name, Privacy: &private}); err != nil {
		t.Fatal(err)
	}
	cs = fed.take()
	if len(cs) != 1 || cs[0].before.Privacy != model.PrivacyPublic || cs[0].before.Name != "v" ||
		cs[0].after.Privacy != model.PrivacyPrivate || cs[0].after.Name != "Renamed" || cs[0].after.Channel.Account.Name == "" {
		t.Fatalf("edit told as %+v, want public \"v\" → private \"Renamed\" with its account", cs)
	}

	// A Federator that cannot queue the news fails the edit: nothing changes.
	fed.fail = errors.New("disk full")
	public := model.PrivacyPublic
	if _, err := r.svc.Update(ctx, owner, v.UUID, Edit{Privacy: &public}); err == nil {
		t.Fatal("the edit succeeded though its news could not be queued")
	}
	if got, _ := r.st.Videos.ByUUID(ctx, v.UUID); got.Privacy != model.PrivacyPrivate {
		t.Fatalf("privacy %d after a failed edit, want still private", got.Privacy)
	}
	fed.fail = nil

	if err := r.svc.SetImages(ctx, owner, v.UUID, Image{Field: "thumbnailfile", Data: jpegOf(t, 640, 360)}); err != nil {
		t.Fatal(err)
	}
	if cs = fed.take(); len(cs) != 1 || cs[0].after.ID != v.ID {
		t.Fatalf("new thumbnail told as %+v, want one change", cs)
	}

	r.svc.CountView(v.ID)
	if err := r.svc.FlushViews(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fed.views, []int64{v.ID}) {
		t.Errorf("views counted told as %v, want [%d]", fed.views, v.ID)
	}

	if err := r.svc.Delete(ctx, owner, v.UUID); err != nil {
		t.Fatal(err)
	}
	if cs = fed.take(); len(cs) != 1 || cs[0].before.UUID != v.UUID || cs[0].after.ID != 0 {
		t.Fatalf("deletion told as %+v, want before → nothing", cs)
	}
}
