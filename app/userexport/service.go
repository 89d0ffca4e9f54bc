// Package userexport builds a user's archive in PeerTube's user-export
// format (PeerTube 6.1+): a ZIP with peertube/*.json (Cabane's data in
// PeerTube's model types, format.go), activity-pub/*.json (the actor,
// outbox and collections as Cabane serves them) and files/ (avatar,
// thumbnails, captions and, on request, the video files), which PeerTube's
// importer accepts. The archive is built by a background job, streamed to
// a temporary file then renamed, offered for download with a private
// token, and deleted when it expires.
//
// Import is the other half and not here: an importer would read the same
// types (format.go) from the archive's peertube/ folder.
package userexport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// JobKind is the job that builds one archive.
const JobKind = "user-export"

// PeerTube's UserExportState.
const (
	StatePending    = 1
	StateProcessing = 2
	StateCompleted  = 3
	StateErrored    = 4
)

// Keep is how long a finished archive stays (PeerTube keeps 2 days).
const Keep = 48 * time.Hour

var (
	// ErrForbidden: a user may only export themselves (or an admin,
	// PeerTube's MANAGE_USER_EXPORTS right).
	ErrForbidden = errors.New("you may only manage your own exports")
	// ErrBusy: the user has an export pending, being built or ready (one
	// at a time, as PeerTube: delete it first), or the one to delete is
	// being built.
	ErrBusy = errors.New("an export already exists or is being built")
	// ErrNotReady: the archive is not (or no longer) there to download.
	ErrNotReady = errors.New("this export is not ready")
)

// ActivityPub gives the account and its videos as Cabane serves them to
// other servers (app/federation.Service).
type ActivityPub interface {
	Person(ctx context.Context, name string) (vocab.Actor, error)
	Video(ctx context.Context, ref string) (vocab.Video, error)
	Comment(ctx context.Context, ref string, id int64) (federation.CommentDocument, error)
}

// Service requests, builds, lists, serves and expires user exports.
type Service struct {
	Store  repo.UserExports
	Jobs   *jobs.Queue // nil: Request records the export; Build runs it
	Layout config.Layout
	URIs   uris.Builder
	// AP is nil when federation is off: activity-pub/ then holds the
	// collections without the actor and videos' objects.
	AP ActivityPub
	// Notifications are the user's notification settings in PeerTube's
	// shape; nil: none.
	Notifications func(ctx context.Context, v visibility.Viewer) (map[string]int, error)
	Log           *slog.Logger
	Now           func() time.Time // nil: time.Now
	// Quota is a user's video quota (-1: unlimited) and what their
	// videos use, in bytes; nil: archives are capped by MaxBytes only.
	Quota func(ctx context.Context, userID int64) (quota, used int64, err error)
	// MaxBytes caps every archive (0: only the quota does; limit.go).
	MaxBytes int64
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Dir is where archives are kept, in the data directory.
func (s *Service) Dir() string { return filepath.Join(s.Layout.Root, "exports") }

// Path is the archive's file.
func (s *Service) Path(e repo.UserExport) string { return filepath.Join(s.Dir(), e.Filename) }

// mayManage: visibility.ManageUserData, for a user that exists.
func (s *Service) mayManage(ctx context.Context, v visibility.Viewer, userID int64) error {
	if !visibility.ManageUserData(v, userID) {
		return ErrForbidden
	}
	if v.UserID == userID {
		return nil
	}
	_, err := s.Store.ExportUser(ctx, userID)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type payload struct {
	ExportID int64 `json:"exportId"`
}

// Request records an export of userID and queues its job.
func (s *Service) Request(ctx context.Context, v visibility.Viewer, userID int64, withVideoFiles bool) (int64, error) {
	if err := s.mayManage(ctx, v, userID); err != nil {
		return 0, err
	}
	// With its video files, an archive is at least what the videos
	// weigh: refused now rather than after an hour of writing.
	lim, byQuota, used, err := s.limit(ctx, userID)
	if err != nil {
		return 0, err
	}
	if withVideoFiles && lim >= 0 && used > lim {
		return 0, &TooLargeError{Limit: lim, Quota: byQuota}
	}
	e := repo.UserExport{UserID: userID, State: StatePending, WithVideoFiles: withVideoFiles,
		Filename: fmt.Sprintf("user-export-%d-%s.zip", userID, randomHex(8)), Token: randomHex(24), CreatedAt: s.now()}
	if err := s.Store.Create(ctx, &e); err != nil {
		if errors.Is(err, model.ErrConflict) {
			return 0, ErrBusy
		}
		return 0, err
	}
	if s.Jobs != nil {
		if _, err := s.Jobs.Enqueue(ctx, JobKind, payload{ExportID: e.ID}, jobs.WithMaxAttempts(1)); err != nil {
			s.Store.SetState(ctx, e.ID, StateErrored, 0, err.Error(), time.Time{})
			return 0, fmt.Errorf("queue export %d: %w", e.ID, err)
		}
	}
	return e.ID, nil
}

// List is userID's exports, newest first.
func (s *Service) List(ctx context.Context, v visibility.Viewer, userID int64) ([]repo.UserExport, error) {
	if err := s.mayManage(ctx, v, userID); err != nil {
		return nil, err
	}
	return s.Store.ListOf(ctx, userID)
}

// Delete removes one of userID's exports and its archive; one being
// built is refused (PeerTube's 409).
func (s *Service) Delete(ctx context.Context, v visibility.Viewer, userID, id int64) error {
	if err := s.mayManage(ctx, v, userID); err != nil {
		return err
	}
	e, err := s.Store.Get(ctx, id)
	if err != nil {
		return err
	}
	if e.UserID != userID {
		return ErrForbidden // PeerTube: "Export is not associated to this user"
	}
	if e.State == StateProcessing {
		return ErrBusy
	}
	return s.remove(ctx, e)
}

func (s *Service) remove(ctx context.Context, e repo.UserExport) error {
	if err := os.Remove(s.Path(e)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove archive %s: %w", e.Filename, err)
	}
	return s.Store.Delete(ctx, e.ID)
}

// Open is the archive named filename for whoever holds its download token
// (DownloadToken, a JWT), or for its owner signed in: the file, open, and its row. The caller closes it.
func (s *Service) Open(ctx context.Context, v visibility.Viewer, filename, token string) (*os.File, repo.UserExport, error) {
	var e repo.UserExport
	var err error
	if token != "" {
		e, err = s.verifyJWT(ctx, token) // jwt.go
		if errors.Is(err, ErrBadToken) || err == nil && e.Filename != filename {
			return nil, e, ErrForbidden
		}
	} else {
		if v.UserID == 0 {
			return nil, e, ErrForbidden
		}
		var list []repo.UserExport
		list, err = s.Store.ListOf(ctx, v.UserID)
		err = ErrForbidden
		for _, x := range list {
			if x.Filename == filename {
				e, err = x, nil
			}
		}
	}
	if err != nil {
		return nil, e, err
	}
	if e.State != StateCompleted || !e.ExpiresAt.IsZero() && !s.now().Before(e.ExpiresAt) {
		return nil, e, ErrNotReady
	}
	f, err := os.Open(s.Path(e))
	if errors.Is(err, os.ErrNotExist) {
		return nil, e, ErrNotReady
	}
	return f, e, err
}

// Handle is the job: build the archive, then mark it completed (and the
// user's failed attempts gone) or errored.
func (s *Service) Handle(ctx context.Context, j *jobs.Job) error {
	var p payload
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %v", jobs.ErrPermanent, err)
	}
	err := s.Build(ctx, p.ExportID, func(pct float64) {
		if s.Jobs != nil {
			s.Jobs.SetProgress(ctx, j.ID, pct)
		}
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("%w: %v", jobs.ErrPermanent, err)
	}
	return err
}

// Build builds export id's archive now (the job calls it).
func (s *Service) Build(ctx context.Context, id int64, progress func(float64)) error {
	e, err := s.Store.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.SetState(ctx, id, StateProcessing, 0, "", time.Time{}); err != nil {
		return err
	}
	last := -1
	step := func(pct float64) {
		// One row write per whole percent: the SD card's sake.
		if int(pct) == last {
			return
		}
		last = int(pct)
		s.Store.SetProgress(ctx, id, pct)
		if progress != nil {
			progress(pct)
		}
	}
	size, err := s.write(ctx, e, step)
	if err != nil {
		// A fresh context: the job's may be the reason it stopped.
		bg := context.WithoutCancel(ctx)
		if ctx.Err() != nil {
			// Stopped, not failed: the queue runs the job again after
			// the restart; until then it waits.
			s.Store.SetState(bg, id, StatePending, 0, "", time.Time{})
			return err
		}
		s.log().Warn("user export failed", "export", id, "user", e.UserID, "err", err)
		s.Store.SetState(bg, id, StateErrored, 0, err.Error(), time.Time{})
		return err
	}
	if err := s.Store.SetState(ctx, id, StateCompleted, size, "", s.now().Add(Keep)); err != nil {
		return err
	}
	older, err := s.Store.ListOf(ctx, e.UserID)
	// Failed attempts have no archive worth keeping once one succeeded.
	if err != nil {
		return nil // the new one is ready; the old ones expire anyway
	}
	for _, o := range older {
		if o.ID != id && o.State == StateErrored {
			if err := s.remove(ctx, o); err != nil {
				s.log().Warn("remove older export", "export", o.ID, "err", err)
			}
		}
	}
	return nil
}

// Prune deletes the expired archives and their rows, the archives whose
// row went with their user (deleted by an admin), and the temporary files
// a build killed half-way left (a day old: no build takes that long on a
// box, and a running one rewrites its own).
func (s *Service) Prune(ctx context.Context) (int, error) {
	tmps, _ := filepath.Glob(filepath.Join(s.Dir(), "*.tmp"))
	for _, p := range tmps {
		if st, err := os.Stat(p); err == nil && s.now().Sub(st.ModTime()) > 24*time.Hour {
			os.Remove(p)
		}
	}
	zips, _ := filepath.Glob(filepath.Join(s.Dir(), "*.zip"))
	for _, p := range zips {
		// The row is written before the file: a file without one is
		// an orphan, never one being made.
		if _, err := s.Store.ByFilename(ctx, filepath.Base(p)); errors.Is(err, model.ErrNotFound) {
			os.Remove(p)
		}
	}
	list, err := s.Store.Expired(ctx, s.now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range list {
		if err := s.remove(ctx, e); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RunPrune prunes every interval until ctx is done.
func (s *Service) RunPrune(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
			s.log().Warn("prune user exports", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
