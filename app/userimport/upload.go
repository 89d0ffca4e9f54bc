package userimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"cabane.dev/cabane/app/resumable"
	"cabane.dev/cabane/app/visibility"
)

// Resumable uploads of archives, PeerTube's
// /users/{id}/imports/import-resumable: the same protocol as the videos'
// (app/videos/resumable.go, node-uploadx), two files per upload in the
// imports folder (<id>.part and <id>.json), so that an upload survives a
// restart and resumes where it stopped. The last chunk queues the import.

var (
	// ErrUploadNotFound: no such upload (finished, cancelled, expired).
	ErrUploadNotFound = resumable.ErrNotFound
	// ErrUploadConflict: a chunk that does not continue the upload, or
	// one while another is being written.
	ErrUploadConflict = resumable.ErrConflict
	// ErrUploadTooBig: more bytes than announced, or than the disk holds.
	ErrUploadTooBig = errors.New("the archive is larger than announced or than this box can hold")
)

// uploadState is the imports' payload in the upload's <id>.json
// (app/resumable keeps the size and creation time beside it).
type uploadState struct {
	UserID   int64  `json:"userId"`   // whose account the archive goes into
	ByUserID int64  `json:"byUserId"` // who uploads it (the user, or an admin)
	Filename string `json:"filename"`
}

func (s *Service) uploads() resumable.Store[uploadState] {
	return resumable.Store[uploadState]{Dir: s.Dir(), Locks: &s.up}
}

// uploadOf accepts the uploads v started into userID's account: another
// uploader's is forbidden, one into another account is not there.
func uploadOf(v visibility.Viewer, userID int64) func(uploadState) error {
	return func(st uploadState) error {
		if st.ByUserID != v.UserID {
			return ErrForbidden
		}
		if st.UserID != userID {
			return ErrUploadNotFound
		}
		return nil
	}
}

// StartUpload checks who imports where, that no import is waiting or
// running for the account and that the archive fits on the disk, and
// creates the empty upload.
func (s *Service) StartUpload(ctx context.Context, v visibility.Viewer, userID int64, filename string, size int64) (string, error) {
	if err := s.mayManage(ctx, v, userID); err != nil {
		return "", err
	}
	if size <= 0 {
		return "", fmt.Errorf("%w: announce the archive's size in X-Upload-Content-Length", ErrBadArchive)
	}
	if latest, err := s.Store.Latest(ctx, userID); err == nil && (latest.State == StatePending || latest.State == StateProcessing) {
		return "", ErrBusy
	}
	room, err := s.Room()
	if err != nil {
		return "", err
	}
	if size > room {
		return "", fmt.Errorf("%w: %s, and this box has room for %s", ErrUploadTooBig, bytes(size), bytes(room))
	}
	return s.uploads().Start(size, uploadState{UserID: userID, ByUserID: v.UserID, Filename: filepath.Base(filename)})
}

// Room is the largest archive the disk takes now, its reserve kept.
func (s *Service) Room() (int64, error) {
	free, err := s.freeSpace()
	if err != nil {
		return 0, err
	}
	return max(free-s.Limits.orDefault().Reserve, 0), nil
}

// UploadStatus is how many bytes of the upload are stored, of size.
func (s *Service) UploadStatus(v visibility.Viewer, userID int64, id string) (stored, size int64, err error) {
	u, err := s.uploads().Stat(id, uploadOf(v, userID))
	if err != nil {
		return 0, u.Size, err
	}
	return u.Stored, u.Size, nil
}

// WriteUpload appends body, which starts at byte start, and syncs it.
// When the last byte is stored the import is queued and its id returned.
func (s *Service) WriteUpload(ctx context.Context, v visibility.Viewer, userID int64, id string, start int64, body io.Reader) (int64, int64, error) {
	var importID int64
	stored, err := s.uploads().Append(id, uploadOf(v, userID), start, body, func(part string, _ resumable.Upload[uploadState]) error {
		var err error
		importID, err = s.Import(ctx, v, userID, part) // moves the part away, or removes it
		return err
	})
	if errors.Is(err, resumable.ErrTooBig) {
		err = ErrUploadTooBig
	}
	return stored, importID, err
}

// CancelUpload removes the upload and its stored bytes.
func (s *Service) CancelUpload(v visibility.Viewer, userID int64, id string) error {
	return s.uploads().Cancel(id, uploadOf(v, userID))
}

// expireUploads removes the uploads untouched since before; the archives
// waiting for their import are other files, which it leaves alone.
func (s *Service) expireUploads(before time.Time) error {
	_, err := s.uploads().Sweep(before)
	return err
}
