package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/internal/testrig/seed"
)

// box is a data directory with two videos: a published one with its HLS
// files and ffmpeg's staging folder, and one being transcoded (its job
// running, half its renditions written).
type box struct {
	l                   config.Layout
	published, inFlight string
}

func newBox(t *testing.T) box {
	t.Helper()
	l := config.Layout{Root: filepath.Join(t.TempDir(), "data")}
	ids := seed.Videos(t, l.Root, 2)
	b := box{l: l, published: ids[0], inFlight: ids[1]}
	write := func(p, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		write(l.Original(id, "original.mp4"), "original of "+id)
		write(l.Thumbnail(id), "jpeg of "+id)
		write(l.HLSFile(id, "master.m3u8"), "#EXTM3U "+id)
		write(l.HLSFile(id, "1080p.mp4"), strings.Repeat("frag", 10000))
		write(filepath.Join(l.HLS(id), ".partial-123", "720p.mp4"), "half written")
	}
	write(filepath.Join(l.Keys(), "server.pem"), "private key")
	write(filepath.Join(l.Avatars(), "1.jpg"), "avatar")
	write(filepath.Join(l.Root, "tmp", "uploads", "up-1"), "upload in flight")
	write(filepath.Join(l.Run(), "ffmpeg.pid"), "123")
	db := openDB(t, l.DB())
	exec(t, db, `UPDATE videos SET state = 2 WHERE uuid = ?`, b.inFlight)
	exec(t, db, `INSERT INTO jobs (kind, payload, state, attempts, run_after, lease_until, lease_owner, created_at, updated_at)
		VALUES ('video.process', '{}', 'running', 1, 0, 99999999999999, 'the old box', 0, 0)`)
	db.Close()
	return b
}

func openDB(t *testing.T, p string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+p)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	b := newBox(t)
	archive := filepath.Join(t.TempDir(), "box.tar")
	m, err := Create(ctx, b.l, archive, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != FormatVersion || m.CabaneVersion != "test" {
		t.Errorf("header %+v", m.Header)
	}
	// Nothing but the archive is left beside it.
	if entries, _ := os.ReadDir(filepath.Dir(archive)); len(entries) != 1 {
		t.Errorf("beside the archive: %v", entries)
	}
	if scratch, _ := os.ReadDir(b.l.Backups()); len(scratch) != 0 {
		t.Errorf("scratch left in backups/: %v", scratch)
	}

	target := filepath.Join(t.TempDir(), "restored")
	res, err := Restore(ctx, archive, target, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requeued != 1 || res.Previous != "" {
		t.Errorf("result %+v, want 1 job re-queued and nothing moved aside", res)
	}
	r := config.Layout{Root: target}
	same := func(p string) {
		t.Helper()
		rel, _ := filepath.Rel(b.l.Root, p)
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(target, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s restored as %d bytes (%v), want %d", rel, len(got), err, len(want))
		}
	}
	absent := func(rel string) {
		t.Helper()
		if _, err := os.Stat(filepath.Join(target, rel)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s restored, want left out (%v)", rel, err)
		}
	}
	for _, id := range []string{b.published, b.inFlight} {
		same(b.l.Original(id, "original.mp4"))
		same(b.l.Thumbnail(id))
		absent(filepath.Join("media", id, "hls", ".partial-123"))
	}
	same(b.l.HLSFile(b.published, "master.m3u8"))
	same(b.l.HLSFile(b.published, "1080p.mp4"))
	absent(filepath.Join("media", b.inFlight, "hls", "1080p.mp4")) // made again by its job
	same(filepath.Join(b.l.Keys(), "server.pem"))
	same(filepath.Join(b.l.Avatars(), "1.jpg"))
	absent("tmp/uploads/up-1")
	absent("run/ffmpeg.pid")
	for _, d := range []string{r.Media(), r.Uploads(), r.Backups(), r.Run()} {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			t.Errorf("%s missing after restore: %v", d, err)
		}
	}

	db := openDB(t, r.DB())
	defer db.Close()
	var ok string
	var videos int
	var state, owner string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check %q %v", ok, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM videos`).Scan(&videos); err != nil || videos != 2 {
		t.Errorf("%d videos restored (%v), want 2", videos, err)
	}
	if err := db.QueryRow(`SELECT state, lease_owner FROM jobs`).Scan(&state, &owner); err != nil || state != "queued" || owner != "" {
		t.Errorf("job %q owned by %q (%v), want queued and free", state, owner, err)
	}

	// A second restore into the now full directory is refused, then
	// accepted with Force, which keeps the old one.
	if _, err := Restore(ctx, archive, target, RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore over a full directory: %v", err)
	}
	res, err = Restore(ctx, archive, target, RestoreOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(res.Previous, "cabane.db")); err != nil {
		t.Errorf("the replaced directory was not kept at %q: %v", res.Previous, err)
	}
}

// rewrite copies archive src to a new file, passing each entry through fn
// (which may change it, or return nil to drop it), then appends extra.
func rewrite(t *testing.T, src string, fn func(h *tar.Header, body []byte) (*tar.Header, []byte), extra ...entry) string {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dst := filepath.Join(t.TempDir(), "forged.tar")
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	tr, tw := tar.NewReader(in), tar.NewWriter(out)
	put := func(h *tar.Header, body []byte) {
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if h.Name == manifestName {
			for _, e := range extra {
				put(e.h, e.body)
			}
		}
		if fn != nil {
			h, body = fn(h, body)
		}
		if h != nil {
			put(h, body)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

type entry struct {
	h    *tar.Header
	body []byte
}

func TestRestoreRefusesHostileArchives(t *testing.T) {
	ctx := context.Background()
	b := newBox(t)
	good := filepath.Join(t.TempDir(), "box.tar")
	if _, err := Create(ctx, b.l, good, Options{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "outside")
	reg := func(name, body string) entry {
		return entry{&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644}, []byte(body)}
	}
	hls := "media/" + b.published + "/hls/1080p.mp4"
	cases := map[string]string{
		"traversal": rewrite(t, good, nil, reg("media/../../outside", "x")),
		"absolute":  rewrite(t, good, nil, reg(outside, "x")),
		"symlink": rewrite(t, good, nil, entry{&tar.Header{Name: "keys/link", Typeflag: tar.TypeSymlink,
			Linkname: outside, Mode: 0o777}, nil}),
		"hardlink": rewrite(t, good, nil, entry{&tar.Header{Name: "keys/hard", Typeflag: tar.TypeLink,
			Linkname: "/etc/passwd", Mode: 0o777}, nil}),
		"bad hash": rewrite(t, good, func(h *tar.Header, body []byte) (*tar.Header, []byte) {
			if h.Name == hls {
				body = bytes.Clone(body)
				body[7] ^= 1
			}
			return h, body
		}),
		"not in manifest": rewrite(t, good, nil, reg("keys/extra.pem", "sneaked in")),
		"missing file": rewrite(t, good, func(h *tar.Header, body []byte) (*tar.Header, []byte) {
			if h.Name == hls {
				return nil, nil
			}
			return h, body
		}),
		"no manifest": rewrite(t, good, func(h *tar.Header, body []byte) (*tar.Header, []byte) {
			if h.Name == manifestName {
				return nil, nil
			}
			return h, body
		}),
		"unknown format": rewrite(t, good, func(h *tar.Header, body []byte) (*tar.Header, []byte) {
			if h.Name == headerName {
				body = bytes.Replace(body, []byte(`"format": 1`), []byte(`"format": 99`), 1)
			}
			return h, body
		}),
	}
	for name, archive := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			target := filepath.Join(parent, "data")
			_, err := Restore(ctx, archive, target, RestoreOptions{})
			if !errors.Is(err, ErrHostile) {
				t.Fatalf("restore: %v, want a refusal", err)
			}
			t.Log(err)
			// Nothing was written: no target, no scratch, nothing outside.
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("left behind: %v", entries)
			}
			if _, err := os.Lstat(outside); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s written outside the target", outside)
			}
		})
	}
	t.Run("oversized", func(t *testing.T) {
		_, err := Restore(ctx, good, filepath.Join(t.TempDir(), "data"), RestoreOptions{MaxEntry: 1000})
		if !errors.Is(err, ErrHostile) || !strings.Contains(err.Error(), "limit") {
			t.Fatalf("restore with a 1000-byte limit: %v", err)
		}
	})
	t.Run("not an archive", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk")
		os.WriteFile(junk, []byte("hello"), 0o600)
		if _, err := Restore(ctx, junk, filepath.Join(t.TempDir(), "data"), RestoreOptions{}); !errors.Is(err, ErrHostile) {
			t.Fatalf("restore of a text file: %v", err)
		}
	})
}

// The admin's background backups: one at a time, kept newest first, the
// oldest deleted past Keep, and nothing but archives listed or served.
func TestManagerKeepsTheNewest(t *testing.T) {
	b := newBox(t)
	clock := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	m := &Manager{Layout: b.l, Version: "test", Keep: 2, Now: func() time.Time { return clock }}
	os.WriteFile(filepath.Join(b.l.Backups(), "cabane.db.before-0019"), []byte("a migration's copy"), 0o600)
	for i := range 3 {
		clock = clock.Add(time.Hour)
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := m.Start(); !errors.Is(err, ErrBusy) {
				t.Errorf("second start while running: %v", err)
			}
		}
		m.Wait()
		if st := m.Status(); st.Running || st.Err != "" || st.Name == "" || st.Files == 0 {
			t.Fatalf("status after backup %d: %+v", i, st)
		}
	}
	as, err := m.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].Name != "cabane-20261201-130000.tar" || as[1].Name != "cabane-20261201-120000.tar" {
		t.Fatalf("kept %+v, want the two newest", as)
	}
	if _, err := os.Stat(filepath.Join(b.l.Backups(), "cabane.db.before-0019")); err != nil {
		t.Errorf("pruning removed a file that is not an archive: %v", err)
	}
	for _, name := range []string{"../cabane.db", "cabane.db.before-0019", "cabane-20261201-110000.tar"} {
		if f, err := m.Open(name); !errors.Is(err, ErrNoArchive) {
			f.Close()
			t.Errorf("Open(%q): %v, want ErrNoArchive", name, err)
		}
	}
	f, err := m.Open(as[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Restore(context.Background(), f.Name(), filepath.Join(t.TempDir(), "data"), RestoreOptions{}); err != nil {
		t.Errorf("restore of a background backup: %v", err)
	}
}

// Root restores for the service's user: every file and folder is theirs.
func TestRestoreGivesTheFilesToTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	b := newBox(t)
	archive := filepath.Join(t.TempDir(), "box.tar")
	if _, err := Create(context.Background(), b.l, archive, Options{}); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "data")
	if _, err := Restore(context.Background(), archive, target, RestoreOptions{Owner: &Owner{UID: 4321, GID: 4322}}); err != nil {
		t.Fatal(err)
	}
	n := 0
	filepath.WalkDir(target, func(p string, d fs.DirEntry, err error) error {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 4321 || st.Gid != 4322 {
			t.Errorf("%s owned by %d:%d", p, st.Uid, st.Gid)
		}
		n++
		return nil
	})
	if n < 10 {
		t.Errorf("only %d paths restored", n)
	}
}

// A crashed backup's scratch folder and partial archive go once they are
// old; a running backup's (young) and the kept archives stay.
func TestSweepLeftovers(t *testing.T) {
	l := config.Layout{Root: t.TempDir()}
	dir := l.Backups()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	mk := func(name string, isDir bool, at time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		if isDir {
			if err := os.MkdirAll(filepath.Join(p, "inner"), 0o700); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	mk(".scratch-old", true, old)
	mk(".cabane-20260101-000000.tar.partial-old", false, old)
	mk(".scratch-young", true, time.Now())
	mk(".cabane-20260102-000000.tar.partial-young", false, time.Now())
	mk("cabane-20250101-000000.tar", false, old)
	n, err := SweepLeftovers(l, time.Now())
	if err != nil || n != 2 {
		t.Fatalf("SweepLeftovers = %d, %v; want 2", n, err)
	}
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	want := []string{".cabane-20260102-000000.tar.partial-young", ".scratch-young", "cabane-20250101-000000.tar"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("left %v, want %v", names, want)
	}
}
