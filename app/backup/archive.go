// Package backup writes a whole box (a consistent database snapshot, the
// media it refers to, keys, avatars, certificates) into one tar archive,
// and restores such an archive into a fresh data directory.
//
// The archive is a plain tar, readable with any tar tool: a header entry
// first (so a reader refuses an unknown format before extracting
// anything), the database gzipped (it compresses well; media files are
// already compressed and are stored as they are), the files, and a
// manifest last with every file's size and SHA-256 (known only once
// streamed, so last).
package backup

import (
	"errors"
	"time"
)

// FormatVersion is the archive format this binary writes and the only one it
// restores.
const FormatVersion = 1

// Entry names of the archive's own parts. Data files are named by their path
// inside the data directory, with forward slashes.
const (
	headerName   = "CABANE-BACKUP.json"
	manifestName = "MANIFEST.json"
	// dbEntry holds cabane.db, gzipped.
	dbEntry = "cabane.db.gz"
	dbName  = "cabane.db"
)

// Header is the archive's first entry.
type Header struct {
	Format        int       `json:"format"`
	CabaneVersion string    `json:"cabaneVersion"`
	CreatedAt     time.Time `json:"createdAt"`
}

// File is one restored file: its path in the data directory (the database
// as cabane.db, uncompressed), size and SHA-256 in hex.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest is the archive's last entry.
type Manifest struct {
	Header
	Files []File `json:"files"`
}

// Bytes is the total size of the manifest's files.
func (m Manifest) Bytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// ErrHostile is wrapped by every refusal of an archive's content: an entry
// that would write outside the target, a link, an oversized entry, a hash
// that does not match, an unknown format.
var ErrHostile = errors.New("refused archive")

// Progress is called as files are written or read: files and bytes so far.
type Progress func(files int, bytes int64)
