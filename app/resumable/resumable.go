// Package resumable keeps resumable uploads on disk, the mechanics that
// the videos' (PeerTube's /videos/upload-resumable, node-uploadx) and the
// user imports' uploads share: each upload is two files in a folder,
// <id>.part (the bytes so far) and <id>.json (its size, creation and the
// caller's payload), so that an upload survives a restart and resumes
// where it stopped. Who may touch an upload and what happens to a
// finished one are the caller's.
package resumable

import (
	"crypto/rand"
	"encoding/hex"
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
)

var (
	// ErrNotFound: no such upload (never started, finished, cancelled or
	// expired).
	ErrNotFound = errors.New("no such upload")
	// ErrConflict: a chunk that does not start where the stored part
	// ends, or a second request on the same upload at the same time.
	ErrConflict = errors.New("this chunk does not continue the upload")
	// ErrTooBig: more bytes than the upload announced. Callers say it in
	// their own words (what the file is, what the box takes).
	ErrTooBig = errors.New("more bytes than the upload announced")
)

// Locks keeps two requests from writing one upload at once; the zero
// value is ready. It lives as long as the service that owns the folder.
type Locks struct {
	mu   sync.Mutex
	held map[string]bool
}

// Lock takes id's lock, or says it is held.
func (l *Locks) Lock(id string) (unlock func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held == nil {
		l.held = map[string]bool{}
	}
	if l.held[id] {
		return nil, false
	}
	l.held[id] = true
	return func() {
		l.mu.Lock()
		delete(l.held, id)
		l.mu.Unlock()
	}, true
}

// Store is the uploads in Dir; P is the caller's payload, kept in each
// upload's state file beside the size and creation time.
type Store[P any] struct {
	Dir   string
	Locks *Locks
}

// Upload is what a state file says, with the bytes stored so far.
type Upload[P any] struct {
	ID        string
	Size      int64
	CreatedAt time.Time
	Payload   P
	Stored    int64
}

// header is the Store's part of the state file; the payload's fields sit
// beside it in the same JSON object (the shape the files had before this
// package, so that uploads under way across an upgrade still resume).
type header struct {
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"createdAt"`
}

// Paths are id's part and state files; an id that is not one of ours
// (32 hex digits) is ErrNotFound, so that no client's text becomes a path.
func (s Store[P]) Paths(id string) (part, state string, err error) {
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", "", ErrNotFound
	}
	return filepath.Join(s.Dir, id+".part"), filepath.Join(s.Dir, id+".json"), nil
}

// Start creates an empty upload of size bytes and gives its id.
func (s Store[P]) Start(size int64, payload P) (string, error) {
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return "", fmt.Errorf("create uploads folder: %w", err)
	}
	var rnd [16]byte
	rand.Read(rnd[:])
	id := hex.EncodeToString(rnd[:])
	part, state, _ := s.Paths(id)
	b, err := encodeState(header{Size: size, CreatedAt: time.Now()}, payload)
	if err != nil {
		return "", err
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
	if err := durable.SyncDir(s.Dir); err != nil {
		return "", err
	}
	return id, nil
}

func encodeState[P any](h header, payload P) ([]byte, error) {
	fields := map[string]json.RawMessage{}
	pb, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode upload state: %w", err)
	}
	if err := json.Unmarshal(pb, &fields); err != nil {
		return nil, fmt.Errorf("upload payload must be a JSON object: %w", err)
	}
	hb, _ := json.Marshal(h)
	if err := json.Unmarshal(hb, &fields); err != nil {
		return nil, fmt.Errorf("encode upload state: %w", err)
	}
	return json.Marshal(fields)
}

// Stat reads id's state and how many bytes are stored. check (nil: none)
// sees the payload before the part file is looked at: its refusal (an
// upload that is not the asker's) is returned as it is.
func (s Store[P]) Stat(id string, check func(P) error) (Upload[P], error) {
	u := Upload[P]{ID: id}
	part, state, err := s.Paths(id)
	if err != nil {
		return u, err
	}
	b, err := os.ReadFile(state)
	if errors.Is(err, os.ErrNotExist) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("read upload state: %w", err)
	}
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return u, fmt.Errorf("decode upload state %s: %w", id, err)
	}
	if err := json.Unmarshal(b, &u.Payload); err != nil {
		return u, fmt.Errorf("decode upload state %s: %w", id, err)
	}
	u.Size, u.CreatedAt = h.Size, h.CreatedAt
	if check != nil {
		if err := check(u.Payload); err != nil {
			return u, err
		}
	}
	fi, err := os.Stat(part)
	if errors.Is(err, os.ErrNotExist) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("stat upload: %w", err)
	}
	u.Stored = fi.Size()
	return u, nil
}

// Append writes body, which starts at byte offset of the file, after the
// stored part and syncs it: what a dropped connection delivered stays, and
// the client asks where to resume. It answers the bytes stored after it.
// When the last byte is stored, complete runs, still under the upload's
// lock, with the part file (which it moves away or removes); the state
// file goes after it, whatever it answers.
func (s Store[P]) Append(id string, check func(P) error, offset int64, body io.Reader, complete func(part string, u Upload[P]) error) (int64, error) {
	unlock, ok := s.Locks.Lock(id)
	if !ok {
		// The request before (perhaps a dropped one the server has not
		// yet seen end) still writes: the client retries from stored.
		u, err := s.Stat(id, check)
		if err != nil {
			return 0, err
		}
		return u.Stored, ErrConflict
	}
	defer unlock()
	u, err := s.Stat(id, check)
	if err != nil {
		return 0, err
	}
	stored := u.Stored
	if offset != stored {
		return stored, ErrConflict
	}
	part, state, _ := s.Paths(id)
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return stored, fmt.Errorf("open upload: %w", err)
	}
	// One byte more than is missing tells a client that sends too much.
	n, werr := io.CopyBuffer(f, io.LimitReader(body, u.Size-stored+1), make([]byte, 256<<10))
	if n > u.Size-stored {
		f.Truncate(u.Size) // keep what fits: the client may resend the rest correctly
		n = u.Size - stored
		werr = ErrTooBig
	}
	serr := f.Sync()
	f.Close()
	stored += n
	if werr != nil {
		return stored, werr
	}
	if serr != nil {
		return stored, fmt.Errorf("sync upload: %w", serr)
	}
	if stored < u.Size {
		return stored, nil
	}
	u.Stored = stored
	err = complete(part, u)
	// The state goes last: a crash before this line leaves a state whose
	// part is gone, which answers ErrNotFound and expires; the reverse
	// order could leave a part that no state names, which nothing would
	// ever remove.
	os.Remove(state)
	return stored, err
}

// Cancel removes the upload and its stored bytes, once check accepts it.
func (s Store[P]) Cancel(id string, check func(P) error) error {
	unlock, ok := s.Locks.Lock(id)
	if !ok {
		return ErrConflict
	}
	defer unlock()
	if _, err := s.Stat(id, check); err != nil {
		return err
	}
	return s.remove(id)
}

func (s Store[P]) remove(id string) error {
	part, state, err := s.Paths(id)
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

// Sweep removes the uploads untouched since before (the part's last
// write, or the state's creation for an empty one), except those being
// written now, and says how many went. Other files in Dir are left alone.
func (s Store[P]) Sweep(before time.Time) (int, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read uploads folder: %w", err)
	}
	n := 0
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		part, state, err := s.Paths(id)
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
		unlock, ok := s.Locks.Lock(id)
		if !ok {
			continue // being written now
		}
		err = s.remove(id)
		unlock()
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
