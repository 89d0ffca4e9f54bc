// Package integration runs the real cabane binary against real ffmpeg and
// SQLite, the way a creator and a browser use it over HTTP.
package integration

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testrig.RemoveBinary()
	os.Exit(code)
}

// upload posts a file through the upload page's form, with its token, as
// the browser b, and returns the status, final URL and body.
func upload(t *testing.T, b *testrig.Browser, in *testrig.App, file, name string) (status int, final, body string) {
	t.Helper()
	_, _, tok := b.Get(in.URL("/upload"))
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("_csrf", tok)
		mw.WriteField("name", name)
		mw.WriteField("privacy", "1")
		fw, _ := mw.CreateFormFile("videofile", filepath.Base(file))
		f, err := os.Open(file)
		if err == nil {
			io.Copy(fw, f)
			f.Close()
		}
		pw.CloseWithError(mw.Close())
	}()
	resp, err := b.C.Post(in.URL("/upload"), mw.FormDataContentType(), pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.String(), string(raw)
}

type apiVideo struct {
	ID        int64  `json:"id"`
	UUID      string `json:"uuid"`
	ShortUUID string `json:"shortUUID"`
	Name      string `json:"name"`
	Duration  int    `json:"duration"`
	State     struct {
		ID    int    `json:"id"`
		Label string `json:"label"`
	} `json:"state"`
	ProcessingProgress float64 `json:"processingProgress"`
	ThumbnailPath      string  `json:"thumbnailPath"`
	PreviewPath        string  `json:"previewPath"`
	Error              string  `json:"error"`
	StreamingPlaylists []struct {
		PlaylistURL string `json:"playlistUrl"`
		Files       []struct {
			Height      int    `json:"height"`
			PlaylistURL string `json:"playlistUrl"`
		} `json:"files"`
	} `json:"streamingPlaylists"`
}

func video(t *testing.T, in *testrig.App, id string) apiVideo {
	t.Helper()
	var v apiVideo
	testrig.GetJSON(t, in.URL("/api/v1/videos/"+id), &v)
	return v
}

// waitVideo polls the video until cond holds.
func waitVideo(t *testing.T, in *testrig.App, id string, timeout time.Duration, what string, cond func(apiVideo) bool) apiVideo {
	t.Helper()
	var v apiVideo
	t.Logf("waiting for %s of video %s", what, id)
	testrig.WaitFor(t, timeout, func() bool {
		v = video(t, in, id)
		if v.State.ID == 7 {
			t.Fatalf("video failed: %s", v.Error)
		}
		return cond(v)
	})
	return v
}

func heights(v apiVideo) []int {
	var hs []int
	for _, p := range v.StreamingPlaylists {
		for _, f := range p.Files {
			if f.Height > 0 { // not the audio the renditions share
				hs = append(hs, f.Height)
			}
		}
	}
	return hs
}

// makeClip renders a test clip: codec "h264" is what a phone or a camera
// hands over (H.264 High at a sane bitrate, AAC), "vp9" is VP9/Opus.
func makeClip(t *testing.T, dir, name string, seconds int, size, codec string) string {
	c := testrig.Clip{Seconds: float64(seconds), Size: size, Video: codec}
	if codec == "h264" {
		c.Bitrate = 2500
	}
	return testrig.MakeClip(t, filepath.Join(dir, name), c)
}

// ffprobeStreams reads a URL or file with ffprobe and returns its video heights.
func ffprobeHeights(t *testing.T, target string) []int {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "stream=height", "-of", "json", target).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", target, err)
	}
	var r struct {
		Streams []struct {
			Height int `json:"height"`
		} `json:"streams"`
	}
	json.Unmarshal(out, &r)
	var hs []int
	for _, s := range r.Streams {
		hs = append(hs, s.Height)
	}
	return hs
}

// noStaging asserts no half-written rendition folder is left in the data dir.
func noStaging(t *testing.T, data string) {
	t.Helper()
	filepath.WalkDir(filepath.Join(data, "media"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".partial") {
			t.Errorf("staging left behind: %s", p)
		}
		return nil
	})
}
