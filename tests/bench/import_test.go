package bench

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/internal/testrig"
)

// importFigure (TestFigureExport's second half): the archive of the
// exported channel (100 videos with their files) is imported into an
// account of a second, fresh Cabane through PeerTube's API (the resumable
// upload, 8 MiB chunks): how long the upload, the import job and the
// publication of every video (copied, not encoded) take, and how much the
// importing server's memory grows. Every video must be published, else
// the figure fails.
func importFigure(t *testing.T, archive string, n int) {
	r := measureImport(t, archive, func(s *server, token string) {
		deadline := time.Now().Add(10 * time.Minute)
		for {
			var l struct{ Total int }
			apiJSON(t, http.MethodGet, s.URL("/api/v1/videos?count=1"), token, nil, &l)
			if l.Total == n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d imported videos published within 10 minutes", l.Total, n)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	figure(t, "import of %d videos with files (archive %.1f MiB): upload %.1f s, import done %.1f s, all published %.1f s; server RSS %s before, peak %s (+%s, %d samples, goal +32 MiB: %s)",
		n, float64(r.size)/(1<<20), r.uploaded.Seconds(), r.imported.Seconds(), r.settled.Seconds(), testrig.MiB(r.before), testrig.MiB(r.peak),
		testrig.MiB(r.peak-r.before), r.samples, goal(r.peak-r.before < 32<<10))
}

// importRun is one import measured on a fresh Cabane: the archive's size,
// the times from the upload's start, and the server's resident memory.
type importRun struct {
	size                        int64
	uploaded, imported, settled time.Duration // settled: once then returned
	before, peak                int64         // VmRSS, KiB
	samples                     int
}

// measureImport uploads archive to a fresh Cabane's user, waits for the
// import, then for then (nil: nothing more), sampling the server's memory
// throughout.
func measureImport(t *testing.T, archive string, then func(s *server, token string)) importRun {
	s, token, userID := importServer(t)
	before, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	rss := sampleRSS(s.Pid(), 20*time.Millisecond)
	start := time.Now()
	r := importRun{before: before.RSS}
	r.size = uploadArchive(t, s, token, userID, archive)
	r.uploaded = time.Since(start)
	waitImported(t, s, token, userID)
	r.imported = time.Since(start)
	if then != nil {
		then(s, token)
	}
	r.settled = time.Since(start)
	if r.peak, r.samples, err = rss.stop(); err != nil {
		t.Fatal(err)
	}
	return r
}

// importServer starts a fresh Cabane with a user to import into: the
// server, the user's token and id.
func importServer(t *testing.T) (*server, string, int64) {
	data := filepath.Join(t.TempDir(), "data2")
	testrig.CreateUser(t, data, "root", "correct horse root", true)
	testrig.CreateUser(t, data, "importer", "correct horse importer", false)
	s := startServer(t, data)
	token := s.Token("importer", "correct horse importer")
	var me struct{ ID int64 }
	apiJSON(t, http.MethodGet, s.URL("/api/v1/users/me"), token, nil, &me)
	time.Sleep(2 * time.Second) // settle after start
	return s, token, me.ID
}

// uploadArchive sends the archive with PeerTube's resumable protocol in
// 8 MiB chunks, and returns its size.
func uploadArchive(t *testing.T, s *server, token string, userID int64, archive string) int64 {
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	size := st.Size()
	endpoint := s.URL(fmt.Sprintf("/api/v1/users/%d/imports/import-resumable", userID))
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
	return size
}

// waitImported waits for the user's latest import to be done.
func waitImported(t *testing.T, s *server, token string, userID int64) {
	latest := s.URL(fmt.Sprintf("/api/v1/users/%d/imports/latest", userID))
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var l struct{ State struct{ ID int } }
		apiJSON(t, http.MethodGet, latest, token, nil, &l)
		if l.State.ID == 4 {
			t.Fatal("the import failed")
		}
		if l.State.ID == 3 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the import was not done within 10 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FIGURE: one 1 GiB video (a real H.264 clip looped, stored in the
// archive as it is) imported: memory must not follow the file's size
// (the entry is streamed from the archive on disk through a fixed
// buffer, then copied into HLS by ffmpeg, a process of its own).
func TestFigureImportBigFile(t *testing.T) {
	benchEnabled(t)
	dir := t.TempDir()
	clip := testrig.MakeClip(t, filepath.Join(dir, "clip.mp4"), testrig.Clip{Seconds: 4, Size: "640x360", FPS: 25, Bitrate: 8000, Args: []string{"-f", "mp4"}})
	st, _ := os.Stat(clip)
	loops := int((1 << 30) / st.Size())
	big := filepath.Join(dir, "big.mp4")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-stream_loop", fmt.Sprint(loops), "-i", clip, "-c", "copy", "-f", "mp4", big).CombinedOutput(); err != nil {
		t.Fatalf("big clip: %v %s", err, out)
	}
	bst, _ := os.Stat(big)
	archive := filepath.Join(dir, "big.zip")
	af, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(af)
	add := func(name string, v any) {
		w, _ := zw.Create(name)
		json.NewEncoder(w).Encode(v)
	}
	const uuid = "5e5e5e5e-0a1e-4e4a-a1d4-4b1c2f3e4d5a"
	file := "../files/videos/video-files/" + uuid + ".mp4"
	add("peertube/channels.json", userexport.ChannelsJSON{Channels: []userexport.ChannelJSON{{Name: "big_channel", DisplayName: "Big"}}})
	add("peertube/videos.json", map[string]any{"videos": []userexport.VideoJSON{{UUID: uuid, Name: "A long recording", Privacy: 1,
		Duration: loops * 4, URL: "https://peertube.example/videos/watch/" + uuid, Channel: userexport.NameJSON{Name: "big_channel"},
		CommentsPolicy: 1, DownloadEnabled: true, ArchiveFiles: userexport.VideoFilesJSON{VideoFile: &file}}}})
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "files/videos/video-files/" + uuid + ".mp4", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	bf, _ := os.Open(big)
	io.Copy(w, bf)
	bf.Close()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	af.Close()
	os.Remove(big)

	r := measureImport(t, archive, nil)
	figure(t, "import of one %.2f GiB video (archive %.2f GiB): upload %.1f s, import done %.1f s; server RSS %s before, peak %s (+%s, %d samples, goal +32 MiB: %s)",
		float64(bst.Size())/(1<<30), float64(r.size)/(1<<30), r.uploaded.Seconds(), r.imported.Seconds(), testrig.MiB(r.before), testrig.MiB(r.peak),
		testrig.MiB(r.peak-r.before), r.samples, goal(r.peak-r.before < 32<<10))
}
