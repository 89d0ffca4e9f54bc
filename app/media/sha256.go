package media

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/hardware"
)

// SegmentsSha256Name is the file, beside the master playlist, that lists
// the sha256 of every media segment: PeerTube's segments-sha256.json,
// which PeerTube's player and peers check each fetched range against.
const SegmentsSha256Name = "segments-sha256.json"

// SegmentHashes is segments-sha256.json: per single file's name, per
// "start-end" byte range (end inclusive, as PeerTube writes it), the hex
// sha256 of those bytes. The init section is not listed (PeerTube lists
// the EXT-X-BYTERANGE segments only).
type SegmentHashes map[string]map[string]string

// HashRendition hashes the byte ranges that rendition name's playlist in
// hlsDir addresses.
func HashRendition(hlsDir, name string) (file string, ranges map[string]string, err error) {
	mp, err := readMediaPlaylist(filepath.Join(hlsDir, hardware.MediaPlaylistName(name)))
	if err != nil {
		return "", nil, fmt.Errorf("hash rendition %s: %w", name, err)
	}
	ranges = map[string]string{}
	var f *os.File
	for _, s := range mp.segments {
		if s.uri != filepath.Base(s.uri) || s.length <= 0 {
			return "", nil, fmt.Errorf("hash rendition %s: segment %q has no byte range", name, s.uri)
		}
		if f == nil {
			file = s.uri
			if f, err = os.Open(filepath.Join(hlsDir, file)); err != nil {
				return "", nil, fmt.Errorf("hash rendition %s: %w", name, err)
			}
			defer f.Close()
		} else if s.uri != file {
			return "", nil, fmt.Errorf("hash rendition %s: segments in two files", name)
		}
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, s.offset, s.length)); err != nil {
			return "", nil, fmt.Errorf("hash rendition %s: %w", name, err)
		}
		ranges[strconv.FormatInt(s.offset, 10)+"-"+strconv.FormatInt(s.offset+s.length-1, 10)] = hex.EncodeToString(h.Sum(nil))
	}
	return file, ranges, nil
}

// WriteSegmentHashes rewrites hlsDir's segments-sha256.json: the entries
// of keep (file names) already there, plus the renditions names hashed
// now. Written atomically and durably, like the master playlist.
func WriteSegmentHashes(hlsDir string, keep []string, names ...string) error {
	path := filepath.Join(hlsDir, SegmentsSha256Name)
	old := SegmentHashes{}
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &old) // a bad file is rebuilt from what is hashed now
	}
	out := SegmentHashes{}
	for _, f := range keep {
		if r, ok := old[f]; ok {
			out[f] = r
		}
	}
	for _, n := range names {
		file, ranges, err := HashRendition(hlsDir, n)
		if err != nil {
			return err
		}
		out[file] = ranges
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("encode %s: %w", SegmentsSha256Name, err)
	}
	if err := durable.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", SegmentsSha256Name, err)
	}
	return nil
}
