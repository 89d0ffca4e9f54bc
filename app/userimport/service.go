// Package userimport imports an account archive in PeerTube's user-export
// format (PeerTube 6.1+, or Cabane's own, app/userexport) into an existing
// account: channels, videos with their files (through the videos
// service's ingest, which copies H.264 instead of encoding it),
// thumbnails, captions, playlists, likes and dislikes, and the channels
// the creator followed (re-followed through the subscriptions service).
//
// The archive is read in place (a zip.Reader on the file, each entry
// streamed), checked whole before anything is created (structure, JSON,
// limits, paths, quota, disk), and imported by a durable job that
// resumes after a crash: every object it creates is tagged with the
// import (user_import_objects), so a resumed import skips what is done
// and a failed one removes all it made, leaving the account as it was.
package userimport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/ratings"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/resumable"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// JobKind is the job that imports one archive.
const JobKind = "user-import"

// PeerTube's UserImportState.
const (
	StatePending    = 1
	StateProcessing = 2
	StateCompleted  = 3
	StateErrored    = 4
)

var (
	// ErrForbidden: a user may only import into their own account (or an
	// admin, into anyone's).
	ErrForbidden = errors.New("you may only import into your own account")
	// ErrBusy: the user has an import waiting or running.
	ErrBusy = errors.New("an import is already waiting or running for this account")
)

// Videos is what the import needs of the videos service.
type Videos interface {
	Ingest(ctx context.Context, tmpPath string, meta videos.UploadMeta) (model.Video, error)
	Delete(ctx context.Context, viewer visibility.Viewer, ref string) error
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
	SetImages(ctx context.Context, viewer visibility.Viewer, ref string, imgs ...videos.Image) error
	CheckQuota(ctx context.Context, userID, size int64) error
	QuotaLeft(ctx context.Context, userID int64) (int64, error)
}

// Captions adds a video's captions (app/captions).
type Captions interface {
	Put(ctx context.Context, viewer visibility.Viewer, ref, language string, file io.Reader) error
}

// Chapters sets a video's chapters (app/chapters).
type Chapters interface {
	Replace(ctx context.Context, viewer visibility.Viewer, ref string, cs []model.Chapter) error
}

// Playlists creates playlists and their elements (app/playlists).
type Playlists interface {
	Create(ctx context.Context, viewer visibility.Viewer, in playlists.Input) (model.Playlist, error)
	AddVideo(ctx context.Context, viewer visibility.Viewer, ref, videoRef string, t playlists.Times) (model.Playlist, playlists.Element, error)
	Delete(ctx context.Context, viewer visibility.Viewer, ref string) error
}

// Ratings likes and dislikes (app/ratings).
type Ratings interface {
	Rate(ctx context.Context, viewer visibility.Viewer, ref, rating string) (ratings.Counts, error)
	Mine(ctx context.Context, viewer visibility.Viewer, ref string) (int64, string, error)
}

// Subscriptions follows channels, here or elsewhere (app/subscriptions).
type Subscriptions interface {
	Subscribe(ctx context.Context, viewer visibility.Viewer, handle, here string) (model.Channel, error)
	Unsubscribe(ctx context.Context, viewer visibility.Viewer, handle, here string) error
	Mine(ctx context.Context, viewer visibility.Viewer, handle, here string) (model.Channel, error)
}

// Profile gives the account its display name and avatar (app/profile).
type Profile interface {
	Apply(ctx context.Context, viewer visibility.Viewer, u profile.Update) error
	SetAvatar(ctx context.Context, viewer visibility.Viewer, r io.Reader) (repo.Avatar, error)
}

// Service receives archives, imports them and reports on them.
type Service struct {
	Store    repo.UserImports
	Accounts repo.Accounts
	Jobs     *jobs.Queue // nil: Import records the import; Run runs it
	Layout   config.Layout
	Limits   Limits

	Videos        Videos
	Captions      Captions
	Chapters      Chapters // nil: chapters are left out
	Playlists     Playlists
	Ratings       Ratings
	Subscriptions Subscriptions
	Profile       Profile // nil: the account's name and avatar are left out
	// RemoteVideo stores the remote video a URL names and gives its id
	// here, so that a like of it is kept (following.Service.Know); nil
	// while federation is off: likes of remote videos are skipped.
	RemoteVideo func(ctx context.Context, url string) (int64, error)
	// Here is this server's host, as handles and URLs name it.
	Here string
	// FreeSpace is the free bytes of the data directory's disk; nil:
	// statfs.
	FreeSpace func(dir string) (int64, error)
	Log       *slog.Logger

	up resumable.Locks // resumable uploads being written (upload.go)
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Dir keeps the archives waiting to be imported and partial uploads.
func (s *Service) Dir() string { return filepath.Join(s.Layout.Root, "imports") }

func (s *Service) path(i repo.UserImport) string { return filepath.Join(s.Dir(), i.Filename) }

func (s *Service) freeSpace() (int64, error) {
	if s.FreeSpace != nil {
		return s.FreeSpace(s.Layout.Root)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(s.Layout.Root, &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", s.Layout.Root, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// mayManage: visibility.ManageUserData, for a user that exists.
func (s *Service) mayManage(ctx context.Context, v visibility.Viewer, userID int64) error {
	if !visibility.ManageUserData(v, userID) {
		return ErrForbidden
	}
	if v.UserID == userID {
		return nil
	}
	_, err := s.Accounts.UserByID(ctx, userID)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type payload struct {
	ImportID int64 `json:"importId"`
}

// Import takes the archive at src (in the data directory: it is moved,
// or removed when refused) and queues its import into userID's account.
func (s *Service) Import(ctx context.Context, v visibility.Viewer, userID int64, src string) (int64, error) {
	keep := false
	defer func() {
		if !keep {
			os.Remove(src)
		}
	}()
	if err := s.mayManage(ctx, v, userID); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(s.Dir(), 0o750); err != nil {
		return 0, fmt.Errorf("imports folder: %w", err)
	}
	st, err := os.Stat(src)
	if err != nil {
		return 0, fmt.Errorf("archive: %w", err)
	}
	im := repo.UserImport{UserID: userID, State: StatePending, Size: st.Size(),
		Filename: fmt.Sprintf("user-import-%d-%s.zip", userID, randomHex(8)), CreatedAt: time.Now()}
	if err := os.Rename(src, s.path(im)); err != nil {
		return 0, fmt.Errorf("keep archive: %w", err)
	}
	if err := s.Store.Create(ctx, &im); err != nil {
		os.Remove(s.path(im))
		if errors.Is(err, model.ErrConflict) {
			return 0, ErrBusy
		}
		return 0, err
	}
	keep = true
	if s.Jobs != nil {
		if _, err := s.Jobs.Enqueue(ctx, JobKind, payload{ImportID: im.ID}, jobs.WithMaxAttempts(3)); err != nil {
			s.Store.SetState(ctx, im.ID, StateErrored, err.Error(), "")
			os.Remove(s.path(im))
			return 0, fmt.Errorf("queue import %d: %w", im.ID, err)
		}
	}
	return im.ID, nil
}

// Latest is userID's newest import; model.ErrNotFound when none.
func (s *Service) Latest(ctx context.Context, v visibility.Viewer, userID int64) (repo.UserImport, error) {
	if err := s.mayManage(ctx, v, userID); err != nil {
		return repo.UserImport{}, err
	}
	return s.Store.Latest(ctx, userID)
}

// Handle is the job.
func (s *Service) Handle(ctx context.Context, j *jobs.Job) error {
	var p payload
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %v", jobs.ErrPermanent, err)
	}
	err := s.Run(ctx, p.ImportID, func(pct float64) {
		if s.Jobs != nil {
			s.Jobs.SetProgress(ctx, j.ID, pct)
		}
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("%w: %v", jobs.ErrPermanent, err)
	}
	return err
}

// Summary is PeerTube's UserImportResultSummary: per kind of object, how
// many were imported, were there already, or could not be.
type Summary struct {
	Stats map[string]*Count `json:"stats"`
}

// Count is one kind's line of a Summary.
type Count struct {
	Success    int `json:"success"`
	Duplicates int `json:"duplicates"`
	Errors     int `json:"errors"`
}

func newSummary() *Summary {
	s := &Summary{Stats: map[string]*Count{}}
	for _, k := range []string{"channels", "videos", "videoPlaylists", "likes", "dislikes", "following", "account"} {
		s.Stats[k] = &Count{}
	}
	return s
}

// Run imports archive id now (the job calls it). A refused archive, or
// a failure half-way, removes everything the import created and marks it
// errored with the reason; a stop (ctx ended: the box shuts down) leaves
// what is done for the job's next run, which skips it.
func (s *Service) Run(ctx context.Context, id int64, progress func(float64)) error {
	im, err := s.Store.Get(ctx, id)
	if err != nil {
		return err
	}
	if im.State == StateCompleted || im.State == StateErrored {
		return nil
	}
	if err := s.Store.SetState(ctx, id, StateProcessing, "", ""); err != nil {
		return err
	}
	last := -1
	step := func(pct float64) {
		if int(pct) == last { // one row write per whole percent
			return
		}
		last = int(pct)
		s.Store.SetProgress(ctx, id, pct)
		if progress != nil {
			progress(pct)
		}
	}
	sum, err := s.importArchive(ctx, im, step)
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if ctx.Err() != nil {
			s.Store.SetState(bg, id, StatePending, "", "")
			return err
		}
		s.log().Warn("user import failed; rolling back", "import", id, "user", im.UserID, "err", err)
		if rerr := s.rollback(bg, im); rerr != nil {
			s.log().Error("user import rollback incomplete", "import", id, "err", rerr)
			err = errors.Join(err, rerr)
		}
		s.Store.SetState(bg, id, StateErrored, err.Error(), "")
		os.Remove(s.path(im))
		return err
	}
	b, _ := json.Marshal(sum)
	if err := s.Store.SetState(bg, id, StateCompleted, "", string(b)); err != nil {
		return err
	}
	os.Remove(s.path(im))
	s.log().Info("user import done", "import", id, "user", im.UserID, "summary", string(b))
	return nil
}

// Prune removes the partial uploads untouched for a day, as the videos'
// resumable uploads expire (a crashed import resumes by its job).
func (s *Service) Prune(ctx context.Context) error {
	return s.expireUploads(time.Now().Add(-24 * time.Hour))
}

// viewerOf is the account's owner as the services know them.
func (s *Service) viewerOf(ctx context.Context, userID int64) (visibility.Viewer, error) {
	u, err := s.Accounts.UserByID(ctx, userID)
	if err != nil {
		return visibility.Viewer{}, fmt.Errorf("user %d: %w", userID, err)
	}
	return visibility.Viewer{UserID: u.ID, AccountID: u.AccountID, IsAdmin: u.IsAdmin()}, nil
}

// RunPrune prunes every interval until ctx is done.
func (s *Service) RunPrune(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Prune(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("prune user import uploads", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
