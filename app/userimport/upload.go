package userimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/visibility"
)

// Resumable uploads of archives, PeerTube's
// /users/{id}/imports/import-resumable: the same protocol as the videos'
// (app/videos/resumable.go, node-uploadx), two files per upload in the
// imports folder (<id>.part and <id>.json), so that an upload survives a
// restart and resumes where it stopped. The last chunk queues the import.

var (
	// ErrUploadNotFound: no such upload (finished, cancelled, expired).
	ErrUploadNotFound = errors.New("no such upload")
	// ErrUploadConflict: a chunk that does not continue the upload, or
	// one while another is being written.
	ErrUploadConflict = errors.New("this chunk does not continue the upload")
	// ErrUploadTooBig: more bytes than announced, or than the disk holds.
	ErrUploadTooBig = errors.New("the archive is larger than announced or than this box can hold")
)

// uploads keeps two requests from writing one upload at once.
type uploads struct {
	mu      sync.Mutex
	writing map[string]bool
}

func (u *uploads) lock(id string) (func(), bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.writing == nil {
		u.writing = map[string]bool{}
	}
	if u.writing[id] {
		return nil, false
	}
	u.writing[id] = true
	return func() {
		u.mu.Lock()
		delete(u.writing, id)
		u.mu.Unlock()
	}, true
}

type uploadState struct {
	UserID    int64     `json:"userId"`   // whose account the archive goes into
	ByUserID  int64     `json:"byUserId"` // who uploads it (the user, or an admin)
	Filename  string    `json:"filename"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"createdAt"`
}

func (s *Service) uploadPaths(id string) (part, state string, err error) {
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", "", ErrUploadNotFound // never a path from a client's text
	}
	return filepath.Join(s.Dir(), id+".part"), filepath.Join(s.Dir(), id+".json"), nil
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
	if err := os.MkdirAll(s.Dir(), 0o750); err != nil {
		return "", fmt.Errorf("imports folder: %w", err)
	}
	id := randomHex(16)
	part, state, _ := s.uploadPaths(id)
	b, _ := json.Marshal(uploadState{UserID: userID, ByUserID: v.UserID, Filename: filepath.Base(filename), Size: size, CreatedAt: time.Now()})
	if err := durable.WriteFile(state, b, 0o640); err != nil {
		return "", fmt.Errorf("write upload state: %w", err)
	}
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		os.Remove(state)
		return "", fmt.Errorf("create upload file: %w", err)
	}
	f.Close()
	return id, nil
}

// Room is the largest archive the disk takes now, its reserve kept.
func (s *Service) Room() (int64, error) {
	free, err := s.freeSpace()
	if err != nil {
		return 0, err
	}
	return max(free-s.Limits.orDefault().Reserve, 0), nil
}

func (s *Service) loadUpload(v visibility.Viewer, id string) (uploadState, int64, error) {
	var st uploadState
	part, state, err := s.uploadPaths(id)
	if err != nil {
		return st, 0, err
	}
	b, err := os.ReadFile(state)
	if errors.Is(err, os.ErrNotExist) {
		return st, 0, ErrUploadNotFound
	}
	if err != nil {
		return st, 0, fmt.Errorf("read upload state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, 0, fmt.Errorf("decode upload state %s: %w", id, err)
	}
	if st.ByUserID != v.UserID {
		return st, 0, ErrForbidden
	}
	fi, err := os.Stat(part)
	if errors.Is(err, os.ErrNotExist) {
		return st, 0, ErrUploadNotFound
	}
	if err != nil {
		return st, 0, fmt.Errorf("stat upload: %w", err)
	}
	return st, fi.Size(), nil
}

// UploadStatus is how many bytes of the upload are stored, of size.
func (s *Service) UploadStatus(v visibility.Viewer, userID int64, id string) (stored, size int64, err error) {
	st, stored, err := s.loadUpload(v, id)
	if err == nil && st.UserID != userID {
		err = ErrUploadNotFound
	}
	return stored, st.Size, err
}

// WriteUpload appends body, which starts at byte start, and syncs it.
// When the last byte is stored the import is queued and its id returned.
func (s *Service) WriteUpload(ctx context.Context, v visibility.Viewer, userID int64, id string, start int64, body io.Reader) (int64, int64, error) {
	unlock, ok := s.up.lock(id)
	if !ok {
		_, stored, err := s.loadUpload(v, id)
		if err != nil {
			return 0, 0, err
		}
		return stored, 0, ErrUploadConflict
	}
	defer unlock()
	st, stored, err := s.loadUpload(v, id)
	if err != nil {
		return 0, 0, err
	}
	if st.UserID != userID {
		return 0, 0, ErrUploadNotFound
	}
	if start != stored {
		return stored, 0, ErrUploadConflict
	}
	part, state, _ := s.uploadPaths(id)
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return stored, 0, fmt.Errorf("open upload: %w", err)
	}
	n, werr := io.CopyBuffer(f, io.LimitReader(body, st.Size-stored+1), make([]byte, 256<<10))
	if n > st.Size-stored {
		f.Truncate(st.Size)
		n = st.Size - stored
		werr = ErrUploadTooBig
	}
	serr := f.Sync()
	f.Close()
	stored += n
	if werr != nil {
		return stored, 0, werr
	}
	if serr != nil {
		return stored, 0, fmt.Errorf("sync upload: %w", serr)
	}
	if stored < st.Size {
		return stored, 0, nil
	}
	importID, err := s.Import(ctx, v, userID, part) // moves the part away, or removes it
	os.Remove(state)
	return stored, importID, err
}

// CancelUpload removes the upload and its stored bytes.
func (s *Service) CancelUpload(v visibility.Viewer, userID int64, id string) error {
	unlock, ok := s.up.lock(id)
	if !ok {
		return ErrUploadConflict
	}
	defer unlock()
	if _, _, err := s.UploadStatus(v, userID, id); err != nil {
		return err
	}
	part, state, _ := s.uploadPaths(id)
	os.Remove(part)
	return os.Remove(state)
}

// expireUploads removes the uploads untouched since before, and the
// archives no import row names (a crash between the two).
func (s *Service) expireUploads(before time.Time) error {
	entries, err := os.ReadDir(s.Dir())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read imports folder: %w", err)
	}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		part, state, err := s.uploadPaths(id)
		if err != nil {
			continue
		}
		last := time.Time{}
		for _, p := range []string{part, state} {
			if fi, err := os.Stat(p); err == nil && fi.ModTime().After(last) {
				last = fi.ModTime()
			}
		}
		if !last.Before(before) {
			continue
		}
		if unlock, ok := s.up.lock(id); ok {
			os.Remove(part)
			os.Remove(state)
			unlock()
		}
	}
	return nil
}
