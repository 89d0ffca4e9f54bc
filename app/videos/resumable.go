package videos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/model"
)

// Resumable uploads, PeerTube's /videos/upload-resumable (node-uploadx):
// an init announces the metadata and size, chunks are appended in order,
// and the last one ingests the file as the multipart path does. Each
// upload is two files in the data directory, <id>.part and <id>.json, so
// that one survives a restart of Cabane and resumes where it stopped.

// ResumableExpiry is how long an untouched partial upload is kept.
const ResumableExpiry = 24 * time.Hour

var (
	// ErrUploadNotFound: no such upload (never started, finished,
	// cancelled or expired).
	ErrUploadNotFound = errors.New("no such upload")
	// ErrUploadNotYours: the upload is another user's.
	ErrUploadNotYours = errors.New("this upload is not yours")
	// ErrUploadConflict: a chunk that does not start where the stored part
	// ends, or a second request on the same upload at the same time.
	ErrUploadConflict = errors.New("this chunk does not continue the upload")
	// ErrUploadTooBig: more bytes than announced, or than the box accepts.
	ErrUploadTooBig = errors.New("the file is larger than announced or than this box accepts")
)

// ResumableInit is what a resumable upload's first request says.
type ResumableInit struct {
	UserID int64
	Meta   UploadMeta
	// Size is X-Upload-Content-Length; MaxBytes the box's upload limit.
	Size, MaxBytes int64
	ContentType    string
}

// resumableState is the <id>.json beside the part file.
type resumableState struct {
	UserID      int64      `json:"userId"`
	Meta        UploadMeta `json:"meta"`
	Size        int64      `json:"size"`
	ContentType string     `json:"contentType"`
	CreatedAt   time.Time  `json:"createdAt"`
}

// resumableDir is kept across starts (config.Layout.Resumable), unlike
// the multipart uploads folder.
func (s *Service) resumableDir() string { return s.Layout.Resumable() }

func (s *Service) resumablePaths(id string) (part, state string, err error) {
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", "", ErrUploadNotFound // never a path from a client's text
	}
	d := s.resumableDir()
	return filepath.Join(d, id+".part"), filepath.Join(d, id+".json"), nil
}

// StartResumable checks who uploads where, the size against the box's
// limit and the user's quotas, and creates the empty upload. Nothing is
// stored when a check fails.
func (s *Service) StartResumable(ctx context.Context, in ResumableInit) (string, error) {
	if in.Size <= 0 {
		return "", fmt.Errorf("%w: announce the file's size in X-Upload-Content-Length", ErrBadUpload)
	}
	if in.MaxBytes > 0 && in.Size > in.MaxBytes {
		return "", ErrUploadTooBig
	}
	if err := s.notBlocked(ctx, in.Meta.UploaderAccountID); err != nil {
		return "", err
	}
	ch, err := s.uploadChannel(ctx, in.Meta.UploaderAccountID, in.Meta.ChannelID)
	if err != nil {
		return "", err
	}
	in.Meta.ChannelID = ch.ID
	if err := s.CheckQuota(ctx, in.UserID, in.Size); err != nil {
		return "", err
	}
	if err := os.MkdirAll(s.resumableDir(), 0o750); err != nil {
		return "", fmt.Errorf("create resumable uploads dir: %w", err)
	}
	var rnd [16]byte
	rand.Read(rnd[:])
	id := hex.EncodeToString(rnd[:])
	part, state, _ := s.resumablePaths(id)
	st := resumableState{UserID: in.UserID, Meta: in.Meta, Size: in.Size, ContentType: in.ContentType, CreatedAt: time.Now()}
	b, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("encode upload state: %w", err)
	}
	if err := durable.WriteFile(state, b, 0o640); err != nil {
		return "", fmt.Errorf("write upload state: %w", err)
	}
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		os.Remove(state)
		return "", fmt.Errorf("create upload file: %w", err)
	}
	f.Close()
	if err := durable.SyncDir(s.resumableDir()); err != nil {
		return "", err
	}
	return id, nil
}

// load reads an upload's state and how many bytes are stored, checking
// that it is userID's.
func (s *Service) loadResumable(userID int64, id string) (resumableState, int64, error) {
	var st resumableState
	part, state, err := s.resumablePaths(id)
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
	if st.UserID != userID {
		return st, 0, ErrUploadNotYours
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

// ResumableStatus is how many bytes of the upload are stored, of size.
func (s *Service) ResumableStatus(userID int64, id string) (stored, size int64, err error) {
	st, stored, err := s.loadResumable(userID, id)
	return stored, st.Size, err
}

// lockResumable keeps two requests from writing one upload at once.
func (s *Service) lockResumable(id string) (unlock func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resuming == nil {
		s.resuming = map[string]bool{}
	}
	if s.resuming[id] {
		return nil, false
	}
	s.resuming[id] = true
	return func() {
		s.mu.Lock()
		delete(s.resuming, id)
		s.mu.Unlock()
	}, true
}

// WriteResumable appends body, which starts at byte start of the file, and
// syncs it: what a dropped connection delivered stays, and the client asks
// where to resume. When the last byte is stored the upload is ingested
// (the part file renamed into the video's folder) and the video returned.
func (s *Service) WriteResumable(ctx context.Context, userID int64, id string, start int64, body io.Reader) (int64, *model.Video, error) {
	unlock, ok := s.lockResumable(id)
	if !ok {
		// The request before (perhaps a dropped one the server has not
		// yet seen end) still writes: the client retries from stored.
		_, stored, err := s.loadResumable(userID, id)
		if err != nil {
			return 0, nil, err
		}
		return stored, nil, ErrUploadConflict
	}
	defer unlock()
	st, stored, err := s.loadResumable(userID, id)
	if err != nil {
		return 0, nil, err
	}
	if start != stored {
		return stored, nil, ErrUploadConflict
	}
	part, state, _ := s.resumablePaths(id)
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return stored, nil, fmt.Errorf("open upload: %w", err)
	}
	// One byte more than is missing tells a client that sends too much.
	n, werr := io.CopyBuffer(f, io.LimitReader(body, st.Size-stored+1), make([]byte, 256<<10))
	if n > st.Size-stored {
		f.Truncate(st.Size) // keep what fits: the client may resend the rest correctly
		n = st.Size - stored
		werr = ErrUploadTooBig
	}
	serr := f.Sync()
	f.Close()
	stored += n
	if werr != nil {
		return stored, nil, werr
	}
	if serr != nil {
		return stored, nil, fmt.Errorf("sync upload: %w", serr)
	}
	if stored < st.Size {
		return stored, nil, nil
	}
	// The quota may have been used by another upload meanwhile.
	if err := s.CheckQuota(ctx, userID, st.Size); err != nil {
		s.removeResumable(id)
		return stored, nil, err
	}
	v, err := s.Ingest(ctx, part, st.Meta) // moves the part away, or removes it on failure
	// The state goes last: a crash before this line leaves a state whose
	// part is gone, which answers "no such upload" and expires; the
	// reverse order could leave a part that no state names, which nothing
	// would ever remove.
	os.Remove(state)
	if err != nil {
		return stored, nil, err
	}
	return stored, &v, nil
}

// CancelResumable removes the upload and its stored bytes.
func (s *Service) CancelResumable(userID int64, id string) error {
	unlock, ok := s.lockResumable(id)
	if !ok {
		return ErrUploadConflict
	}
	defer unlock()
	if _, _, err := s.loadResumable(userID, id); err != nil {
		return err
	}
	return s.removeResumable(id)
}

func (s *Service) removeResumable(id string) error {
	part, state, err := s.resumablePaths(id)
	if err != nil {
		return err
	}
	if err := os.Remove(part); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove upload: %w", err)
	}
	if err := os.Remove(state); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove upload state: %w", err)
	}
	return nil
}

// ExpireResumable removes the uploads untouched since before (the part's
// last write, or the state's creation for an empty one) and says how
// many went. Housekeeping calls it with now minus ResumableExpiry.
func (s *Service) ExpireResumable(before time.Time) (int, error) {
	entries, err := os.ReadDir(s.resumableDir())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read resumable uploads: %w", err)
	}
	n := 0
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		part, state, err := s.resumablePaths(id)
		if err != nil {
			continue // not ours
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
		unlock, ok := s.lockResumable(id)
		if !ok {
			continue // being written now
		}
		err = s.removeResumable(id)
		unlock()
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
