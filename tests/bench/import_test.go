package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// FIGURE: the archive of TestFigureExport's channel (100 videos with
// their files) is imported into an account of a second, fresh Cabane
// through PeerTube's API (the resumable upload, 8 MiB chunks): how long
// the upload, the import job and the publication of every video (copied,
// not encoded) take, and how much the importing server's memory grows.
// Every video must be published, else the figure fails.
func TestFigureImport(t *testing.T) {
	benchEnabled(t)
	archive := exportFigure(t, exportVideos, 0)
	importFigure(t, archive, exportVideos)
}

func importFigure(t *testing.T, archive string, n int) {
	data := filepath.Join(t.TempDir(), "data2")
	testrig.CreateUser(t, data, "root", "correct horse root", true)
	testrig.CreateUser(t, data, "importer", "correct horse importer", false)
	s := startServer(t, data)
	token := s.Token("importer", "correct horse importer")
	var me struct{ ID int64 }
	apiJSON(t, http.MethodGet, s.URL("/api/v1/users/me"), token, nil, &me)
	time.Sleep(2 * time.Second) // settle after start
	before, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	rss := sampleRSS(s.Pid(), 20*time.Millisecond)
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	size := st.Size()
	start := time.Now()
	endpoint := s.URL(fmt.Sprintf("/api/v1/users/%d/imports/import-resumable", me.ID))
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(`{"filename":"export.zip"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Upload-Content-Length", fmt.Sprint(size))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusCreated || loc == "" {
		t.Fatalf("init: %d", resp.StatusCode)
	}
	buf := make([]byte, 8<<20)
	for off := int64(0); off < size; {
		k, _ := io.ReadFull(f, buf)
		req, _ := http.NewRequest(http.MethodPut, loc, bytes.NewReader(buf[:k]))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", off, off+int64(k)-1, size))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		off += int64(k)
		if off < size && resp.StatusCode != http.StatusPermanentRedirect || off == size && resp.StatusCode != http.StatusOK {
			t.Fatalf("chunk at %d: %d %s", off, resp.StatusCode, b)
		}
	}
	uploaded := time.Since(start)
	latest := s.URL(fmt.Sprintf("/api/v1/users/%d/imports/latest", me.ID))
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var l struct{ State struct{ ID int } }
		apiJSON(t, http.MethodGet, latest, token, nil, &l)
		if l.State.ID == 4 {
			t.Fatal("the import failed")
		}
		if l.State.ID == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import was not done within 10 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	imported := time.Since(start)
	for {
		var l struct{ Total int }
		apiJSON(t, http.MethodGet, s.URL("/api/v1/videos?count=1"), token, nil, &l)
		if l.Total == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d imported videos published within 10 minutes", l.Total, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	published := time.Since(start)
	peak, samples, err := rss.stop()
	if err != nil {
		t.Fatal(err)
	}
	growth := peak - before.RSS
	figure(t, "import of %d videos with files (archive %.1f MiB): upload %.1f s, import done %.1f s, all published %.1f s; server RSS %s before, peak %s (+%s, %d samples, goal +32 MiB: %s)",
		n, float64(size)/(1<<20), uploaded.Seconds(), imported.Seconds(), published.Seconds(), testrig.MiB(before.RSS), testrig.MiB(peak),
		testrig.MiB(growth), samples, goal(growth < 32<<10))
}
