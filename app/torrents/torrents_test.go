package torrents

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

func TestPieceLengthIsCreateTorrents(t *testing.T) {
	// create-torrent's piece-length: max(16 KiB, 2^round(log2(size/1024))).
	for size, want := range map[int64]int64{
		0: 16 << 10, 1000: 16 << 10, 10 << 20: 8 << 10 << 1, // 10 MiB / 1024 = 10 KiB → 8 KiB → floor 16 KiB
		30 << 20: 32 << 10, 20 << 20: 16 << 10, 23 << 20: 32 << 10, 100 << 20: 128 << 10, 1 << 30: 1 << 20, 1400 << 20: 1 << 20, 1500 << 20: 2 << 20, 1600 << 20: 2 << 20,
	} {
		if got := PieceLength(size); got != want {
			t.Errorf("PieceLength(%d) = %d, want %d", size, got, want)
		}
	}
}

// video makes a data directory with one video's fragmented MP4 of n
// random bytes; returns the service, the uuid and the file's name.
func video(t *testing.T, n int) (*Service, string, string) {
	t.Helper()
	l := config.Layout{Root: t.TempDir()}
	const uuid = "0b6e5f3a-9c1d-4c77-8a0e-2f1f3c4d5e6f"
	if err := os.MkdirAll(l.HLS(uuid), 0o750); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	rand.New(rand.NewSource(1)).Read(b)
	name := uuid + "-720-fragmented.mp4"
	if err := os.WriteFile(filepath.Join(l.HLS(uuid), name), b, 0o640); err != nil {
		t.Fatal(err)
	}
	return &Service{Layout: l, Log: slog.New(slog.DiscardHandler)}, uuid, name
}

// TestTorrentDescribesTheFile parses a generated torrent as a client does
// and checks every piece against the file, the info hash against the info
// dictionary's bytes, and the web seed and name.
func TestTorrentDescribesTheFile(t *testing.T) {
	s, uuid, name := video(t, 3<<20+12345) // not a whole number of pieces
	p, err := s.Pieces(context.Background(), uuid, name)
	if err != nil {
		t.Fatal(err)
	}
	f := File{Pieces: p, Name: InfoName(`Été: "au lac"?`, "720", ".mp4"), WebSeed: "https://cabane.test/static/streaming-playlists/hls/" + uuid + "/" + name}
	raw := f.Torrent()
	v, err := Decode(raw)
	if err != nil {
		t.Fatalf("the torrent does not decode: %v", err)
	}
	tor := v.(map[string]any)
	info := tor["info"].(map[string]any)
	if got := info["name"]; got != "Été- -au lac-- 720p.mp4" {
		t.Errorf("info name = %q", got)
	}
	if seeds, _ := tor["url-list"].([]any); len(seeds) != 1 || seeds[0] != f.WebSeed {
		t.Errorf("url-list = %v, want [%s]", tor["url-list"], f.WebSeed)
	}
	if _, ok := tor["announce"]; ok {
		t.Error("an announce URL names a tracker Cabane does not run")
	}
	// The info hash is the SHA-1 of the info dictionary's exact bytes in
	// the file.
	start := strings.Index(string(raw), "4:infod") + len("4:info")
	infoBytes, _ := Encode(info)
	if string(raw[start:start+len(infoBytes)]) != string(infoBytes) {
		t.Fatal("the info dictionary does not re-encode to its bytes in the file")
	}
	sum := sha1.Sum(infoBytes)
	if f.InfoHash() != hex.EncodeToString(sum[:]) {
		t.Errorf("InfoHash %s, want %x", f.InfoHash(), sum)
	}
	// Every piece's hash matches the file's bytes.
	data, _ := os.ReadFile(filepath.Join(s.Layout.HLS(uuid), name))
	pl := info["piece length"].(int64)
	pieces := info["pieces"].(string)
	if info["length"].(int64) != int64(len(data)) || pl != PieceLength(int64(len(data))) {
		t.Fatalf("length %v, piece length %v for %d bytes", info["length"], pl, len(data))
	}
	if want := (int64(len(data)) + pl - 1) / pl * 20; int64(len(pieces)) != want {
		t.Fatalf("%d bytes of piece hashes, want %d", len(pieces), want)
	}
	for i := int64(0); i*pl < int64(len(data)); i++ {
		sum := sha1.Sum(data[i*pl : min(int64(len(data)), (i+1)*pl)])
		if pieces[i*20:(i+1)*20] != string(sum[:]) {
			t.Fatalf("piece %d's hash does not match the file", i)
		}
	}
	m := f.Magnet("Été au lac", "https://cabane.test/lazy-static/torrents/x-720.torrent")
	if !strings.HasPrefix(m, "magnet:?xt=urn:btih:"+f.InfoHash()+"&dn=%C3%89t%C3%A9+au+lac&xs=https%3A%2F%2F") || !strings.Contains(m, "&ws=https%3A%2F%2Fcabane.test%2F") {
		t.Errorf("magnet %s", m)
	}
	// The same file gives the same bytes: clients and caches agree.
	if f2 := (File{Pieces: p, Name: f.Name, WebSeed: f.WebSeed}); string(f2.Torrent()) != string(raw) {
		t.Error("the torrent changed between two builds")
	}
}

// TestPiecesAreRecordedAndFollowTheFile: the record is read back instead
// of hashing again, and a file replaced (a re-encode) is hashed anew.
func TestPiecesAreRecordedAndFollowTheFile(t *testing.T) {
	s, uuid, name := video(t, 100_000)
	ctx := context.Background()
	p1, err := s.Pieces(ctx, uuid, name)
	if err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(s.Layout.Video(uuid), "torrents", name+".pieces")
	if _, err := os.Stat(record); err != nil {
		t.Fatalf("no record: %v", err)
	}
	// A record that claims other hashes for the same file is believed:
	// proof that it is read rather than the file hashed again.
	fake := p1
	fake.Hashes = append([]byte(nil), p1.Hashes...)
	fake.Hashes[0] ^= 0xff
	if err := os.WriteFile(record, fake.marshal(), 0o640); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Pieces(ctx, uuid, name); p.Hashes[0] != fake.Hashes[0] {
		t.Fatal("the record was not used")
	}
	// The file replaced: hashed again, the record rewritten.
	path := filepath.Join(s.Layout.HLS(uuid), name)
	w, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	io.WriteString(w, "more")
	w.Close()
	os.Chtimes(path, time.Now(), time.Now().Add(time.Second))
	p2, err := s.Pieces(ctx, uuid, name)
	if err != nil || p2.Length != 100_004 {
		t.Fatalf("after the change: %+v %v", p2.Length, err)
	}
	b, _ := os.ReadFile(record)
	if got, err := unmarshalPieces(b); err != nil || got.Length != 100_004 {
		t.Fatalf("record after the change: %v %v", got.Length, err)
	}
}

// TestSweepHashesEveryFile: the start-up sweep leaves a record for each
// published file of the data directory.
func TestSweepHashesEveryFile(t *testing.T) {
	s, uuid, name := video(t, 5000)
	if err := s.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Layout.Video(uuid), "torrents", name+".pieces")); err != nil {
		t.Fatalf("no record after the sweep: %v", err)
	}
}

// describeFixture is the video of video() as Describe is given it.
func describeFixture(uuid, title string) (uris.Builder, model.Video, model.Rendition) {
	return uris.New("https://cabane.test"), model.Video{UUID: uuid, Name: title, Privacy: model.PrivacyPublic}, model.Rendition{Name: "720p"}
}

// TestDescribeKeepsWhatTheFileGives: once a file is described, describing
// it again reads nothing but its metadata: the piece record, deleted, is
// neither read nor written again, and the info hash and the torrent's
// bytes are the ones built the first time.
func TestDescribeKeepsWhatTheFileGives(t *testing.T) {
	s, uuid, name := video(t, 200_000)
	ctx := context.Background()
	u, v, r := describeFixture(uuid, "Au lac")
	f1, d1, err := s.describe(ctx, u, v, r)
	if err != nil {
		t.Fatal(err)
	}
	tor1 := s.derived.torrent(d1, f1)
	record := filepath.Join(s.Layout.Video(uuid), "torrents", name+".pieces")
	if err := os.Remove(record); err != nil {
		t.Fatal(err)
	}
	f2, d2, err := s.describe(ctx, u, v, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(record); !os.IsNotExist(err) {
		t.Error("the second description hashed the file again (its record came back)")
	}
	if f2.InfoHash() != f1.InfoHash() || f2.InfoHash() != f2.computeInfoHash() {
		t.Errorf("info hash %s, then %s (computed: %s)", f1.InfoHash(), f2.InfoHash(), f2.computeInfoHash())
	}
	if tor2 := s.derived.torrent(d2, f2); &tor2[0] != &tor1[0] {
		t.Error("the torrent was built again")
	}
	// What follows the title and the host is not frozen by the cache.
	v.Name = "Au lac, le soir"
	f3, d3, _ := s.describe(ctx, u, v, r)
	if f3.InfoHash() == f1.InfoHash() || f3.InfoHash() != f3.computeInfoHash() {
		t.Errorf("after a title change: info hash %s (was %s, computed %s)", f3.InfoHash(), f1.InfoHash(), f3.computeInfoHash())
	}
	f4, d4, _ := s.describe(ctx, uris.New("http://cabane.local"), v, r)
	if tor3, tor4 := s.derived.torrent(d3, f3), s.derived.torrent(d4, f4); string(tor3) == string(tor4) || string(tor4) != string(f4.Torrent()) {
		t.Error("the torrent for another host is not its own")
	}
}

// TestDescribeFollowsTheFile: a file replaced under the same name (a
// re-encode renames its new file into place) or deleted is never
// described from what the cache kept of the old one.
func TestDescribeFollowsTheFile(t *testing.T) {
	s, uuid, name := video(t, 200_000)
	ctx := context.Background()
	u, v, r := describeFixture(uuid, "Au lac")
	old, _, err := s.describe(ctx, u, v, r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Layout.HLS(uuid), name)
	st, _ := os.Stat(path)
	for i, size := range []int{150_000, 200_000} { // another size; then the same size and modification time
		b := make([]byte, size)
		rand.New(rand.NewSource(int64(i + 2))).Read(b)
		tmp := path + ".new"
		if err := os.WriteFile(tmp, b, 0o640); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			os.Chtimes(tmp, st.ModTime(), st.ModTime().Add(time.Duration(i)*time.Second))
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		f, _, err := s.describe(ctx, u, v, r)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := HashFile(ctx, path)
		if f.Length != int64(size) || string(f.Hashes) != string(want.Hashes) || f.InfoHash() == old.InfoHash() {
			t.Errorf("replacement %d: described %d bytes, hashes match the new file: %v", i, f.Length, string(f.Hashes) == string(want.Hashes))
		}
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.describe(ctx, u, v, r); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a deleted file described: %v", err)
	}
	if _, ok := s.derived.m[derivedKey(uuid, name)]; ok {
		t.Error("a deleted file's entry is kept")
	}
}

// TestDerivedCacheIsBounded: past its byte budget the cache forgets the
// least recently used files.
func TestDerivedCacheIsBounded(t *testing.T) {
	c := derivedCache{max: 10_000}
	p := Pieces{Length: 1, PieceLength: minPieceLength, Hashes: make([]byte, 2000)}
	for i := range 10 {
		c.put(fmt.Sprint(i), fileID{ino: uint64(i)}, p)
		c.get("0", fileID{ino: 0}) // a file being watched: kept

	}
	if c.size > c.max || c.ll.Len() != 4 {
		t.Errorf("%d bytes in %d entries, budget %d", c.size, c.ll.Len(), c.max)
	}
	if _, ok := c.get("0", fileID{ino: 0}); !ok {
		t.Error("the recently used entry was dropped")
	}
	if _, ok := c.get("1", fileID{ino: 1}); ok {
		t.Error("the least recently used entry was kept")
	}
	if _, ok := c.get("9", fileID{ino: 8}); ok {
		t.Error("an entry was served for another file")
	}
}
