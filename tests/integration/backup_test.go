package integration

import (
	"database/sql"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"cabane.dev/cabane/internal/testrig"
)

// `cabane backup` of a running box, while an upload arrives, a transcode
// runs and a viewer plays a video; `cabane restore` into a fresh data
// directory; a box started on it serves the published video and finishes
// the interrupted transcode.
func TestBackupWhileBusyRestoresAPlayableBox(t *testing.T) {
	dir := t.TempDir()
	talk := makeClip(t, dir, "talk.mp4", 4, "1280x720", "h264")
	trip := makeClip(t, dir, "trip.webm", 12, "1280x720", "vp9")
	late := makeClip(t, dir, "late.mp4", 4, "640x360", "h264")
	in := testrig.Start(t, testrig.Options{Data: filepath.Join(dir, "data")})
	in.Setup()
	token := in.Token("alice", "correct horse")

	code, res := apiUpload(t, in, token, talk, map[string]string{"name": "Talk", "privacy": "1"})
	if code != 200 {
		t.Fatalf("upload: %d %v", code, res)
	}
	published := res["video"].(map[string]any)["uuid"].(string)
	pv := waitVideo(t, in, published, 60*time.Second, "publication", func(v apiVideo) bool { return v.State.ID == 1 })

	// The VP9 clip is encoded into the whole ladder: a transcode that runs
	// for seconds.
	code, res = apiUpload(t, in, token, trip, map[string]string{"name": "Trip", "privacy": "1"})
	if code != 200 {
		t.Fatalf("upload: %d %v", code, res)
	}
	transcoding := res["video"].(map[string]any)["uuid"].(string)

	// A viewer plays the published video during the whole backup.
	stop := make(chan struct{})
	var plays, failures atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := play(pv.StreamingPlaylists[0].PlaylistURL); err != nil {
				t.Logf("play: %v", err)
				failures.Add(1)
			} else {
				plays.Add(1)
			}
		}
	}()
	// And another upload arrives meanwhile.
	go func() {
		defer wg.Done()
		body, ctype := multipartBody(t, map[string]string{"name": "Late", "privacy": "1"}, late)
		req, _ := http.NewRequest("POST", in.URL("/api/v1/videos/upload"), body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()

	if v := video(t, in, transcoding); v.State.ID != 2 {
		t.Logf("the VP9 video is in state %d when the backup starts (want 2, being transcoded)", v.State.ID)
	}
	archive := filepath.Join(dir, "box.tar")
	start := time.Now()
	out, err := exec.Command(in.Bin, "backup", "--data", in.Data, archive).CombinedOutput()
	if err != nil {
		t.Fatalf("cabane backup: %v\n%s", err, out)
	}
	t.Logf("backup of a running box in %s: %s", time.Since(start), out)
	close(stop)
	wg.Wait()
	if failures.Load() != 0 || plays.Load() == 0 {
		t.Errorf("during the backup: %d plays, %d failures", plays.Load(), failures.Load())
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	out, err = exec.Command(in.Bin, "restore", archive, "--data", fresh).CombinedOutput()
	if err != nil {
		t.Fatalf("cabane restore: %v\n%s", err, out)
	}
	t.Logf("restore: %s", out)
	// Restoring again over it is refused without --force.
	if out, err := exec.Command(in.Bin, "restore", archive, "--data", fresh).CombinedOutput(); err == nil || !strings.Contains(string(out), "not empty") {
		t.Errorf("restore over a restored box: %v %s", err, out)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(fresh, "cabane.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check of the restored database: %q %v", ok, err)
	}
	db.Close()

	re := testrig.Start(t, testrig.Options{Data: fresh})
	rv := video(t, re, published)
	if rv.State.ID != 1 || len(rv.StreamingPlaylists) != 1 {
		t.Fatalf("restored video: %+v", rv)
	}
	if err := play(rv.StreamingPlaylists[0].PlaylistURL); err != nil {
		t.Errorf("the published video does not play on the restored box: %v", err)
	}
	if hs := ffprobeHeights(t, rv.StreamingPlaylists[0].PlaylistURL); !slices.Contains(hs, 720) {
		t.Errorf("ffprobe of the restored master playlist: heights %v, want 720", hs)
	}
	// The video caught mid-transcode is made again by its re-queued job.
	tv := waitVideo(t, re, transcoding, 120*time.Second, "the interrupted transcode", func(v apiVideo) bool { return v.State.ID == 1 })
	if err := play(tv.StreamingPlaylists[0].PlaylistURL); err != nil {
		t.Errorf("the interrupted video does not play once resumed: %v", err)
	}
	noStaging(t, fresh)
}

var uriLine = regexp.MustCompile(`(?m)^([^#\s][^\s]*)$`)
var mapURI = regexp.MustCompile(`#EXT-X-MAP:URI="([^"]+)"`)

// play fetches what a player fetches first: the master playlist, its first
// variant's playlist, that variant's init section and first segment.
func play(master string) error {
	get := func(u string, rng string) (string, error) {
		req, _ := http.NewRequest("GET", u, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != 200 && resp.StatusCode != 206 {
			return "", &httpError{u, resp.StatusCode}
		}
		if len(b) == 0 {
			return "", &httpError{u, 0}
		}
		return string(b), nil
	}
	rel := func(from, ref string) string {
		if strings.HasPrefix(ref, "http") {
			return ref
		}
		return from[:strings.LastIndex(from, "/")+1] + ref
	}
	m, err := get(master, "")
	if err != nil {
		return err
	}
	variants := uriLine.FindAllString(m, -1)
	if len(variants) == 0 {
		return &httpError{master + " (no variant)", 0}
	}
	vu := rel(master, variants[0])
	vp, err := get(vu, "")
	if err != nil {
		return err
	}
	if mm := mapURI.FindStringSubmatch(vp); mm != nil {
		if _, err := get(rel(vu, mm[1]), "bytes=0-1023"); err != nil {
			return err
		}
	}
	segs := uriLine.FindAllString(vp, -1)
	if len(segs) == 0 {
		return &httpError{vu + " (no segment)", 0}
	}
	_, err = get(rel(vu, segs[0]), "bytes=0-65535")
	return err
}

type httpError struct {
	url    string
	status int
}

func (e *httpError) Error() string { return e.url + ": status " + http.StatusText(e.status) }
