package resumable

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type owner struct {
	UserID int64  `json:"userId"`
	Name   string `json:"name"`
}

var errNotYours = errors.New("not yours")

func ownedBy(id int64) func(owner) error {
	return func(o owner) error {
		if o.UserID != id {
			return errNotYours
		}
		return nil
	}
}

func newStore(t *testing.T) Store[owner] {
	return Store[owner]{Dir: filepath.Join(t.TempDir(), "up"), Locks: &Locks{}}
}

func TestAppendInOrderCompletes(t *testing.T) {
	s := newStore(t)
	id, err := s.Start(10, owner{UserID: 7, Name: "a.zip"})
	if err != nil {
		t.Fatal(err)
	}
	// The state file is one flat object: the payload's fields beside size
	// and createdAt, as the files were before this package.
	_, state, _ := s.Paths(id)
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"userId":7`, `"name":"a.zip"`, `"size":10`, `"createdAt":`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("state %s lacks %s", b, k)
		}
	}
	if _, err := s.Stat(id, ownedBy(8)); !errors.Is(err, errNotYours) {
		t.Errorf("another's stat: %v", err)
	}
	if n, err := s.Append(id, ownedBy(7), 0, strings.NewReader("hello"), nil); err != nil || n != 5 {
		t.Fatalf("first chunk: %d %v", n, err)
	}
	if n, err := s.Append(id, ownedBy(7), 3, strings.NewReader("xx"), nil); !errors.Is(err, ErrConflict) || n != 5 {
		t.Errorf("chunk at the wrong offset: %d %v", n, err)
	}
	var got []byte
	n, err := s.Append(id, ownedBy(7), 5, strings.NewReader("world"), func(part string, u Upload[owner]) error {
		got, _ = os.ReadFile(part)
		if u.Payload.Name != "a.zip" || u.Size != 10 || u.Stored != 10 {
			t.Errorf("completed upload: %+v", u)
		}
		return os.Remove(part)
	})
	if err != nil || n != 10 || string(got) != "helloworld" {
		t.Fatalf("last chunk: %d %v %q", n, err, got)
	}
	if _, err := s.Stat(id, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("finished upload still there: %v", err)
	}
}

func TestAppendTooMuchKeepsWhatFits(t *testing.T) {
	s := newStore(t)
	id, _ := s.Start(4, owner{UserID: 1})
	n, err := s.Append(id, nil, 0, bytes.NewReader([]byte("abcdef")), nil)
	if !errors.Is(err, ErrTooBig) || n != 4 {
		t.Fatalf("too much: %d %v", n, err)
	}
	if u, err := s.Stat(id, nil); err != nil || u.Stored != 4 {
		t.Errorf("after too much: %+v %v", u, err)
	}
}

func TestLockedUploadConflicts(t *testing.T) {
	s := newStore(t)
	id, _ := s.Start(4, owner{UserID: 1})
	unlock, ok := s.Locks.Lock(id)
	if !ok {
		t.Fatal("lock")
	}
	if _, err := s.Append(id, nil, 0, strings.NewReader("ab"), nil); !errors.Is(err, ErrConflict) {
		t.Errorf("append while locked: %v", err)
	}
	if err := s.Cancel(id, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("cancel while locked: %v", err)
	}
	if n, _ := s.Sweep(time.Now().Add(time.Hour)); n != 0 {
		t.Errorf("swept a locked upload")
	}
	unlock()
	if err := s.Cancel(id, ownedBy(2)); !errors.Is(err, errNotYours) {
		t.Errorf("another's cancel: %v", err)
	}
	if err := s.Cancel(id, ownedBy(1)); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(s.Dir); len(entries) != 0 {
		t.Errorf("left after cancel: %v", entries)
	}
}

func TestSweepLeavesRecentAndForeignFiles(t *testing.T) {
	s := newStore(t)
	old, _ := s.Start(4, owner{UserID: 1})
	recent, _ := s.Start(4, owner{UserID: 1})
	past := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{old + ".part", old + ".json"} {
		os.Chtimes(filepath.Join(s.Dir, p), past, past)
	}
	foreign := filepath.Join(s.Dir, "archive.json")
	os.WriteFile(foreign, []byte("{}"), 0o640)
	os.Chtimes(foreign, past, past)
	n, err := s.Sweep(time.Now().Add(-time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if _, err := s.Stat(old, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("old upload kept: %v", err)
	}
	if _, err := s.Stat(recent, nil); err != nil {
		t.Errorf("recent upload: %v", err)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("foreign file: %v", err)
	}
	if _, err := s.Stat("../../etc/passwd", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("a client's path: %v", err)
	}
}
