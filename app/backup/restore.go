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
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/durable"
)

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Force replaces a non-empty target; the old directory is kept beside
	// it, renamed (Result.Previous), never deleted.
	Force bool
	// MaxEntry bounds one file's size (the database's once uncompressed);
	// DefaultMaxEntry when 0.
	MaxEntry int64
	Progress Progress
	Now      func() time.Time
	// Owner, when set, owns every restored file and folder: root restores
	// for the service's user (the target's parent is root's, so only root
	// can create beside it).
	Owner *Owner
}

// Owner is a numeric user and group.
type Owner struct{ UID, GID int }

// DefaultMaxEntry is larger than any upload Cabane accepts, and small
// enough that a forged size is refused before it fills a disk.
const DefaultMaxEntry int64 = 256 << 30

// maxMeta bounds the header and the manifest.
const maxMeta = 64 << 20

// Result says what Restore did.
type Result struct {
	Manifest Manifest
	// Previous is where a replaced data directory was moved; empty when
	// the target was absent or empty.
	Previous string
	// Requeued is the number of jobs that were running when the backup was
	// taken, queued again to resume on the restored box.
	Requeued int
}

// Restore extracts the archive at src into the data directory target. It
// refuses a non-empty target unless opt.Force, and refuses an archive that
// is not exactly what Create writes (ErrHostile). Everything is extracted
// into a hidden directory beside the target, checked (hashes against the
// manifest, PRAGMA integrity_check), and only then renamed into place: a
// failure leaves the target as it was.
func Restore(ctx context.Context, src, target string, opt RestoreOptions) (res Result, err error) {
	if opt.MaxEntry <= 0 {
		opt.MaxEntry = DefaultMaxEntry
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	target, err = filepath.Abs(target)
	if err != nil {
		return res, err
	}
	empty, err := emptyDir(target)
	if err != nil {
		return res, err
	}
	if !empty && !opt.Force {
		return res, fmt.Errorf("restore into %s: the directory is not empty (--force moves it aside)", target)
	}
	f, err := os.Open(src)
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return res, fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(target)+".restore-")
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o750); err != nil {
		return res, err
	}
	m, err := extract(ctx, bufio.NewReaderSize(f, 256<<10), tmp, opt)
	if err != nil {
		return res, fmt.Errorf("restore %s: %w", src, err)
	}
	res.Manifest = m
	if res.Requeued, err = checkDB(ctx, filepath.Join(tmp, dbName)); err != nil {
		return res, fmt.Errorf("restore %s: %w", src, err)
	}
	if err := (config.Layout{Root: tmp}).Prepare(); err != nil {
		return res, err
	}
	if o := opt.Owner; o != nil {
		err := filepath.WalkDir(tmp, func(p string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, o.UID, o.GID)
		})
		if err != nil {
			return res, fmt.Errorf("give the restored files to %d:%d: %w", o.UID, o.GID, err)
		}
	}
	if !empty {
		res.Previous = fmt.Sprintf("%s.before-restore-%s", target, opt.Now().UTC().Format("20060102T150405Z"))
		if err := os.Rename(target, res.Previous); err != nil {
			return res, fmt.Errorf("move %s aside: %w", target, err)
		}
	} else if err := os.Remove(target); err != nil && !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("replace %s: %w", target, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return res, fmt.Errorf("move restored data into %s: %w", target, err)
	}
	return res, durable.SyncDir(parent)
}

func emptyDir(dir string) (bool, error) {
	d, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("restore into %s: %w", dir, err)
	}
	defer d.Close()
	names, err := d.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("restore into %s: %w", dir, err)
	}
	return len(names) == 0, nil
}

func hostile(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrHostile}, a...)...)
}

// extract reads the archive into dir and checks it against its manifest.
func extract(ctx context.Context, r io.Reader, dir string, opt RestoreOptions) (Manifest, error) {
	tr := tar.NewReader(r)
	var m Manifest
	hdr, err := tr.Next()
	if err != nil {
		return m, hostile("not a Cabane backup: %v", err)
	}
	if hdr.Name != headerName {
		return m, hostile("not a Cabane backup: first entry is %q, not %s", hdr.Name, headerName)
	}
	if err := readJSON(tr, hdr, &m.Header); err != nil {
		return m, err
	}
	if m.Format != FormatVersion {
		return m, hostile("unknown backup format version %d (this Cabane restores version %d)", m.Format, FormatVersion)
	}
	got := map[string]File{}
	var manifest *Manifest
	var bytes int64
	for {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, hostile("damaged archive: %v", err)
		}
		if manifest != nil {
			return m, hostile("entry %q after the manifest", hdr.Name)
		}
		if hdr.Name == manifestName {
			manifest = &Manifest{}
			if err := readJSON(tr, hdr, manifest); err != nil {
				return m, err
			}
			continue
		}
		name, err := checkEntry(hdr, opt.MaxEntry)
		if err != nil {
			return m, err
		}
		var src io.Reader = tr
		if name == dbEntry {
			zr, err := gzip.NewReader(tr)
			if err != nil {
				return m, hostile("database entry: %v", err)
			}
			src, name = zr, dbName
		}
		if _, dup := got[name]; dup {
			return m, hostile("entry %q appears twice", name)
		}
		f, err := writeFile(filepath.Join(dir, filepath.FromSlash(name)), src, opt.MaxEntry)
		if err != nil {
			return m, fmt.Errorf("extract %s: %w", name, err)
		}
		f.Path = name
		got[name] = f
		bytes += f.Size
		if opt.Progress != nil {
			opt.Progress(len(got), bytes)
		}
	}
	if manifest == nil {
		return m, hostile("no manifest: the archive is truncated")
	}
	if manifest.Header != m.Header {
		return m, hostile("the manifest's header differs from the archive's")
	}
	for _, want := range manifest.Files {
		f, ok := got[want.Path]
		if !ok {
			return m, hostile("%s is in the manifest but not in the archive", want.Path)
		}
		if f.Size != want.Size || f.SHA256 != want.SHA256 {
			return m, hostile("%s does not match the manifest (size %d sha256 %s, manifest says %d %s)", want.Path, f.Size, f.SHA256, want.Size, want.SHA256)
		}
		delete(got, want.Path)
	}
	for name := range got {
		return m, hostile("%s is in the archive but not in the manifest", name)
	}
	if _, err := os.Stat(filepath.Join(dir, dbName)); err != nil {
		return m, hostile("the archive holds no database")
	}
	return *manifest, nil
}

func readJSON(tr *tar.Reader, hdr *tar.Header, v any) error {
	if hdr.Typeflag != tar.TypeReg || hdr.Size > maxMeta {
		return hostile("%s is not a small regular file", hdr.Name)
	}
	dec := json.NewDecoder(io.LimitReader(tr, maxMeta))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return hostile("%s: %v", hdr.Name, err)
	}
	return nil
}

// checkEntry accepts only what Create writes: regular files with a clean,
// relative, local slash path of bounded size.
func checkEntry(hdr *tar.Header, maxEntry int64) (string, error) {
	name := hdr.Name
	if hdr.Typeflag != tar.TypeReg {
		return "", hostile("%q is not a regular file (type %q): links and devices are refused", name, string(hdr.Typeflag))
	}
	if name == "" || strings.Contains(name, `\`) || strings.HasPrefix(name, "/") || path.Clean(name) != name ||
		!filepath.IsLocal(filepath.FromSlash(name)) || name == "." {
		return "", hostile("%q is not a plain relative path inside the data directory", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." || strings.HasPrefix(part, ".") {
			return "", hostile("%q is not a plain relative path inside the data directory", name)
		}
	}
	if hdr.Size < 0 || hdr.Size > maxEntry {
		return "", hostile("%q is %d bytes, over the %d-byte limit", name, hdr.Size, maxEntry)
	}
	return name, nil
}

// writeFile creates p (never an existing one) from r, at most max bytes.
func writeFile(p string, r io.Reader, max int64) (File, error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return File{}, err
	}
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return File{}, err
	}
	defer out.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(r, max+1))
	if err != nil {
		return File{}, err
	}
	if n > max {
		return File{}, hostile("over the %d-byte limit", max)
	}
	if err := out.Sync(); err != nil {
		return File{}, err
	}
	return File{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, out.Close()
}

// checkDB runs PRAGMA integrity_check on the restored database and queues
// again the jobs that were running when the backup was taken (their process
// is not this box's), so that a video caught mid-transcode is made again
// from its original. It returns how many it re-queued.
func checkDB(ctx context.Context, p string) (int, error) {
	conn, err := sql.Open("sqlite", "file:"+p+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, fmt.Errorf("open restored database: %w", err)
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return 0, fmt.Errorf("integrity_check: %w", err)
	}
	if res != "ok" {
		return 0, fmt.Errorf("%w: the database fails integrity_check: %s", ErrHostile, res)
	}
	now := time.Now().UnixMilli()
	r, err := conn.ExecContext(ctx, `UPDATE jobs SET
		state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
		last_error = 'interrupted: restored from a backup', lease_owner = '', lease_until = 0, run_after = ?, updated_at = ?
		WHERE state = 'running'`, now, now)
	if err != nil {
		return 0, fmt.Errorf("re-queue interrupted jobs: %w", err)
	}
	n, _ := r.RowsAffected()
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return 0, fmt.Errorf("checkpoint restored database: %w", err)
	}
	return int(n), nil
}
