package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// exportVideos is the channel size of the export figure.
const exportVideos = 100

// dirSize is the bytes of the regular files under dir, skip excepted.
func dirSize(t *testing.T, dir, skip string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p == skip {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// seedExport gives a creator a channel of n videos, each with a real
// encoded original (a 4 s clip at 2 Mb/s) and a real thumbnail, the
// first one's original big bytes long instead when big > 0 (zeros: the
// archive copies bytes, whatever they are), and returns the creator's
// user id.
func seedExport(t *testing.T, data string, n int, big int64) int64 {
	t.Helper()
	ctx := context.Background()
	uuids := seed.Videos(t, data, n)
	testrig.CreateUser(t, data, "creator", "correct horse creator", false)
	l := config.Layout{Root: data}
	clip := testrig.MakeClip(t, filepath.Join(t.TempDir(), "clip.mp4"), testrig.Clip{Seconds: 4, Size: "640x360", FPS: 25, Bitrate: 2000, Args: []string{"-f", "mp4"}})
	thumb := filepath.Join(t.TempDir(), "thumb.jpg")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360", "-frames:v", "1", thumb).CombinedOutput(); err != nil {
		t.Fatalf("thumbnail: %v %s", err, out)
	}
	clipData, _ := os.ReadFile(clip)
	thumbData, _ := os.ReadFile(thumb)
	for i, u := range uuids {
		if i == 0 && big > 0 {
			f, err := os.Create(l.Original(u, "original.mp4"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, newFiller(big)); err != nil {
				t.Fatal(err)
			}
			f.Close()
		} else if err := os.WriteFile(l.Original(u, "original.mp4"), clipData, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(l.Thumbnail(u), thumbData, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.Open(ctx, l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The seeded channel becomes the creator's (the seed user has no
	// password to log in with).
	var userID int64
	if err := st.DB().QueryRowContext(ctx, `SELECT user_id FROM accounts WHERE name = 'creator'`).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE channels SET account_id = (SELECT id FROM accounts WHERE name = 'creator')
		WHERE name = 'seed_channel'`); err != nil {
		t.Fatal(err)
	}
	return userID
}

func apiJSON(t *testing.T, method, u, token string, body, into any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("%s %s: %d %s", method, u, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

// FIGURE: a creator exports a channel of 100 videos with their files
// (PeerTube's user export): how long the archive takes, how much the
// server's memory grows while it streams, and the archive's size against
// the data directory's. The archive is opened and must hold every video
// and every file, else the figure fails. Then the archive is imported
// into a second Cabane (importFigure, import_test.go).
func TestFigureExport(t *testing.T) {
	benchEnabled(t)
	archive := exportFigure(t, exportVideos, 0)
	importFigure(t, archive, exportVideos)
}

// FIGURE: the same with one 2 GiB video file among 10: memory must not
// follow the file's size (the archive streams it through a fixed buffer).
func TestFigureExportBigFile(t *testing.T) {
	benchEnabled(t)
	exportFigure(t, 10, 2<<30)
}

// exportFigure measures one export and returns the downloaded archive.
func exportFigure(t *testing.T, n int, big int64) string {
	data := filepath.Join(t.TempDir(), "data")
	userID := seedExport(t, data, n, big)
	dataSize := dirSize(t, data, filepath.Join(data, "exports"))
	s := startServer(t, data)
	token := s.Token("creator", "correct horse creator")
	time.Sleep(2 * time.Second) // settle after start
	before, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	rss := sampleRSS(s.Pid(), 20*time.Millisecond)
	exports := s.URL(fmt.Sprintf("/api/v1/users/%d/exports", userID))
	start := time.Now()
	if code := apiJSON(t, http.MethodPost, exports+"/request", token, map[string]any{"withVideoFiles": true}, nil); code != http.StatusOK {
		t.Fatalf("request: %d", code)
	}
	type export struct {
		State struct{ ID int }
		Size  int64
		URL   string `json:"privateDownloadUrl"`
	}
	var done export
	deadline := time.Now().Add(10 * time.Minute)
	for done.State.ID != 3 {
		if time.Now().After(deadline) {
			t.Fatal("the export was not ready within 10 minutes")
		}
		var l struct{ Data []export }
		apiJSON(t, http.MethodGet, exports, token, nil, &l)
		if len(l.Data) > 0 {
			done = l.Data[0]
			if done.State.ID == 4 {
				t.Fatalf("the export failed")
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(start)
	peak, samples, err := rss.stop()
	if err != nil {
		t.Fatal(err)
	}

	// The archive holds every video's entry and file.
	resp, err := http.Get(done.URL)
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "export.zip")
	f, _ := os.Create(archive)
	io.Copy(f, resp.Body)
	resp.Body.Close()
	f.Close()
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	defer zr.Close()
	files, videosJSON := 0, 0
	for _, e := range zr.File {
		if strings.HasPrefix(e.Name, "files/videos/video-files/") {
			files++
		}
		if e.Name == "peertube/videos.json" {
			rc, _ := e.Open()
			var v struct{ Videos []json.RawMessage }
			json.NewDecoder(rc).Decode(&v)
			rc.Close()
			videosJSON = len(v.Videos)
		}
	}
	if files != n || videosJSON != n {
		t.Fatalf("archive holds %d video files and %d videos.json entries, want %d", files, videosJSON, n)
	}
	growth := peak - before.RSS
	what := fmt.Sprintf("%d videos with files", n)
	if big > 0 {
		what += fmt.Sprintf(" (one of %.0f GiB)", float64(big)/(1<<30))
	}
	figure(t, "export of %s: %.1f s; server RSS %s before, peak %s (+%s, %d samples, goal +32 MiB: %s); archive %.1f MiB for a data directory of %.1f MiB (%.0f%%)",
		what, took.Seconds(), testrig.MiB(before.RSS), testrig.MiB(peak), testrig.MiB(growth), samples, goal(growth < 32<<10),
		float64(done.Size)/(1<<20), float64(dataSize)/(1<<20), 100*float64(done.Size)/float64(dataSize))
	return archive
}
