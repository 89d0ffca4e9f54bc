package backup

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/durable"
)

// statePublished is PeerTube's VideoState 1 (model.StatePublished), read from
// the snapshot with SQL: a published video's files are complete and never
// rewritten in place (a re-transcode renames complete files over them).
const statePublished = 1

// Options tune Create.
type Options struct {
	Version  string // this binary's version, recorded in the header
	Log      *slog.Logger
	Progress Progress
	Now      func() time.Time
}

// Create writes a backup of the data directory l to dst while the box keeps
// serving. dst appears complete or not at all: the archive is written
// beside it under a hidden name, synced, then renamed.
//
// Consistency: the database is a VACUUM INTO snapshot taken on its own
// connection (WAL lets the server read and write meanwhile); the files are
// the ones that snapshot refers to. A published video's folder is taken
// whole; a video still being processed contributes its original and
// pictures but not its half-made hls/ folder, and its job, re-queued by
// Restore, makes it again. Hidden names (ffmpeg's staging folders, temp
// files before their rename) are never taken.
func Create(ctx context.Context, l config.Layout, dst string, opt Options) (m Manifest, err error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if _, err := os.Stat(l.DB()); err != nil {
		return m, fmt.Errorf("backup %s: no database: %w", l.Root, err)
	}
	if err := os.MkdirAll(l.Backups(), 0o750); err != nil {
		return m, fmt.Errorf("create %s: %w", l.Backups(), err)
	}
	// Scratch beside the data: the snapshot can be as large as the
	// database, more than /tmp (often RAM) holds on a small board.
	scratch, err := os.MkdirTemp(l.Backups(), ".scratch-")
	if err != nil {
		return m, fmt.Errorf("create scratch dir: %w", err)
	}
	defer os.RemoveAll(scratch)

	snap := filepath.Join(scratch, dbName)
	if err := snapshot(ctx, l.DB(), snap); err != nil {
		return m, err
	}
	vids, err := snapshotVideos(ctx, snap)
	if err != nil {
		return m, err
	}
	dbgz := filepath.Join(scratch, dbEntry)
	dbFile, err := gzipFile(snap, dbgz)
	if err != nil {
		return m, err
	}
	os.Remove(snap) // the gzipped copy is what goes in; free the space now

	abs, err := filepath.Abs(dst)
	if err != nil {
		return m, fmt.Errorf("backup to %s: %w", dst, err)
	}
	out, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".partial-")
	if err != nil {
		return m, fmt.Errorf("backup to %s: %w", dst, err)
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	if err := out.Chmod(0o600); err != nil { // it holds password hashes and keys
		return m, fmt.Errorf("restrict %s: %w", out.Name(), err)
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	w := &writer{tw: tar.NewWriter(bw), log: opt.Log, progress: opt.Progress}
	m.Header = Header{Format: FormatVersion, CabaneVersion: opt.Version, CreatedAt: opt.Now().UTC()}
	if err := w.json(headerName, m.Header); err != nil {
		return m, err
	}
	if err := w.raw(ctx, dbgz, dbEntry); err != nil {
		return m, err
	}
	w.files = append(w.files, dbFile)

	// What a creator owns besides the database and media. Left out on
	// purpose: backups/ (this), tmp/ (uploads in flight), run/, releases/
	// (binaries), the lock and the hardware probe cache (the new box's
	// hardware is its own).
	for _, d := range []string{l.Keys(), l.Avatars(), l.Certs()} {
		if err := w.tree(ctx, l.Root, d, nil); err != nil {
			return m, err
		}
	}
	if err := w.file(ctx, l.Root, l.SetupCode()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return m, err
	}
	for _, v := range vids {
		var skip func(rel string) bool
		if v.state != statePublished {
			hls := filepath.Join("media", v.uuid, "hls")
			skip = func(rel string) bool { return rel == hls }
		}
		if err := w.tree(ctx, l.Root, l.Video(v.uuid), skip); err != nil {
			return m, err
		}
	}

	m.Files = w.files
	if err := w.json(manifestName, m); err != nil {
		return m, err
	}
	if err := w.tw.Close(); err != nil {
		return m, fmt.Errorf("finish %s: %w", dst, err)
	}
	if err := bw.Flush(); err != nil {
		return m, fmt.Errorf("write %s: %w", dst, err)
	}
	if err := out.Sync(); err != nil {
		return m, fmt.Errorf("sync %s: %w", dst, err)
	}
	if err := out.Close(); err != nil {
		return m, fmt.Errorf("close %s: %w", dst, err)
	}
	if err := os.Rename(out.Name(), abs); err != nil {
		return m, fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := durable.SyncDir(filepath.Dir(abs)); err != nil {
		return m, err
	}
	return m, nil
}

// snapshot writes a consistent copy of the live database at db to dst with
// VACUUM INTO, on a connection of its own: the server's keep reading and
// writing (WAL), and no migration runs (a store.Open would migrate the
// running box's database to this binary's schema).
func snapshot(ctx context.Context, db, dst string) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // VACUUM INTO keeps an empty file's mode
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	f.Close()
	conn, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", db, err)
	}
	defer keepOwner(db)
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("snapshot %s: %w", db, err)
	}
	return nil
}

// keepOwner gives the database's -wal and -shm files back to the
// database's owner: `sudo cabane backup` on a stopped box creates them as
// root, and the service's user could then not open its own database.
func keepOwner(db string) {
	fi, err := os.Stat(db)
	if err != nil {
		return
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	for _, side := range []string{db + "-wal", db + "-shm"} {
		if sf, err := os.Lstat(side); err == nil {
			if ss, ok := sf.Sys().(*syscall.Stat_t); ok && (ss.Uid != st.Uid || ss.Gid != st.Gid) {
				os.Lchown(side, int(st.Uid), int(st.Gid))
			}
		}
	}
}

type video struct {
	uuid  string
	state int
}

func snapshotVideos(ctx context.Context, snap string) ([]video, error) {
	conn, err := sql.Open("sqlite", "file:"+snap+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("open snapshot: %w", err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT uuid, state FROM videos ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list videos of the snapshot: %w", err)
	}
	defer rows.Close()
	var vs []video
	for rows.Next() {
		var v video
		if err := rows.Scan(&v.uuid, &v.state); err != nil {
			return nil, fmt.Errorf("list videos of the snapshot: %w", err)
		}
		// A UUID names a folder: never let a row steer the walk elsewhere.
		if v.uuid == "" || strings.ContainsAny(v.uuid, `/\.`) {
			continue
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// gzipFile compresses src into dst and describes src (uncompressed) as the
// restore will find it.
func gzipFile(src, dst string) (File, error) {
	in, err := os.Open(src)
	if err != nil {
		return File{}, fmt.Errorf("open snapshot: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return File{}, fmt.Errorf("create %s: %w", dst, err)
	}
	defer out.Close()
	zw, _ := gzip.NewWriterLevel(out, gzip.BestSpeed) // the box is serving: cheap CPU over a few percent
	h := sha256.New()
	n, err := io.Copy(zw, io.TeeReader(in, h))
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return File{}, fmt.Errorf("compress snapshot: %w", err)
	}
	return File{Path: dbName, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, out.Close()
}

// writer streams entries into the tar, recording the data files.
type writer struct {
	tw       *tar.Writer
	log      *slog.Logger
	progress Progress
	files    []File
	bytes    int64
}

func (w *writer) json(name string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	if err := w.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := w.tw.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// raw copies a scratch file in as entry name, without recording it.
func (w *writer) raw(ctx context.Context, p, name string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("open %s: %w", p, err)
	}
	defer f.Close()
	_, err = w.copy(ctx, f, name)
	return err
}

// tree adds every regular file under dir (a path inside root), skipping
// hidden names and the relative paths skip says; a missing dir is nothing
// to add (a video deleted since the snapshot, a box without avatars).
func (w *writer) tree(ctx context.Context, root, dir string, skip func(rel string) bool) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if skip != nil && skip(rel) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil // links and devices are not the box's data
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	sort.Strings(files)
	for _, p := range files {
		if err := w.file(ctx, root, p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				w.log.Info("backup: file gone since it was listed", "file", p)
				continue
			}
			return err
		}
	}
	return nil
}

// file adds the regular file p as its path relative to root. The size is
// the open file's: a rename over p during the copy leaves this copy whole.
func (w *writer) file(ctx context.Context, root, p string) error {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return err
	}
	name := filepath.ToSlash(rel)
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("open %s: %w", p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", p, err)
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	sum, err := w.copy(ctx, f, name)
	if err != nil {
		return err
	}
	w.files = append(w.files, File{Path: name, Size: fi.Size(), SHA256: sum})
	return nil
}

// copy streams f as entry name, exactly its size at open time (a tar header
// states the size first), and returns its SHA-256.
func (w *writer) copy(ctx context.Context, f *os.File, name string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(w.tw, io.TeeReader(io.LimitReader(f, fi.Size()), h))
	if err != nil {
		return "", fmt.Errorf("copy %s: %w", f.Name(), err)
	}
	if n != fi.Size() {
		return "", fmt.Errorf("copy %s: it shrank from %d to %d bytes while being read (something rewrote it in place)", f.Name(), fi.Size(), n)
	}
	w.bytes += n
	if w.progress != nil {
		w.progress(len(w.files)+1, w.bytes)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
