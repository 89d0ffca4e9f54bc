package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/videos"
)

// resumableUpload uploads path as the upload page does (PeerTube's
// /api/v1/videos/upload-resumable, one chunk) and returns the video's UUID
// and the moment the last chunk's answer arrived.
func resumableUpload(t *testing.T, s *server, token, path, name string) (string, time.Time) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	meta := fmt.Sprintf(`{"name":%q,"privacy":1,"filename":%q}`, name, name+".bin")
	req, _ := http.NewRequest(http.MethodPost, s.URL("/api/v1/videos/upload-resumable"), strings.NewReader(meta))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Upload-Content-Length", strconv.Itoa(len(data)))
	req.Header.Set("X-Upload-Content-Type", "video/webm")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusCreated || loc == "" {
		t.Fatalf("resumable init: %d %q", resp.StatusCode, loc)
	}
	req, _ = http.NewRequest(http.MethodPut, loc, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(data)-1, len(data)))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	done := time.Now()
	m := regexp.MustCompile(`"uuid"\s*:\s*"([^"]+)"`).FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("resumable chunk: %d %s", resp.StatusCode, body)
	}
	return string(m[1]), done
}

var (
	variantRe = regexp.MustCompile(`(?m)^([^#\s][^\s]*\.m3u8)$`)
	mapRe     = regexp.MustCompile(`#EXT-X-MAP:URI="([^"]+)",BYTERANGE="(\d+)@(\d+)"`)
	rangeRe   = regexp.MustCompile(`#EXT-X-BYTERANGE:(\d+)@(\d+)\n([^\n]+)`)
)

func get(url string, rng string) ([]byte, int) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b, resp.StatusCode
}

// livePlayable is what a player needs to start, read as one does: the
// master playlist, a media playlist it names with a first segment, that
// segment's init and bytes fetched by range, and ffprobe decoding the
// master's first frame.
func livePlayable(s *server, id string) bool {
	base := s.URL("/static/streaming-playlists/hls/" + id + "/")
	master, code := get(base+"master.m3u8", "")
	if code != http.StatusOK {
		return false
	}
	vs := variantRe.FindAllSubmatch(master, -1)
	if len(vs) == 0 {
		return false
	}
	media, code := get(base+string(vs[0][1]), "")
	mm, rm := mapRe.FindSubmatch(media), rangeRe.FindSubmatch(media)
	if code != http.StatusOK || mm == nil || rm == nil {
		return false
	}
	n, _ := strconv.Atoi(string(rm[1]))
	off, _ := strconv.Atoi(string(rm[2]))
	seg, code := get(base+string(rm[3]), fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	if code != http.StatusPartialContent || len(seg) != n {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	hs, err := probeHeights(ctx, base+"master.m3u8")
	return err == nil && len(hs) > 0
}

// TestFigureLivePlayable: a VP9 upload is playable while its ladder
// encodes. Goal: ≤ 10 s from the end of the resumable upload to a
// playable master + media playlist with a fetchable, decodable segment.
func TestFigureLivePlayable(t *testing.T) {
	benchEnabled(t)
	in := clip(t, vp9Clip())
	s, token := publishing(t)
	id, uploaded := resumableUpload(t, s, token, in, "Live")
	deadline := time.Now().Add(10 * time.Minute)
	for !livePlayable(s, id) {
		if time.Now().After(deadline) {
			t.Fatalf("not playable while encoding\n%s", s.Log())
		}
		time.Sleep(pollEvery)
	}
	first := time.Since(uploaded)
	v := s.video(t, id)
	all := s.waitLog(t, `msg="job done"`, "kind="+videos.JobKind, 40*time.Minute)
	figure(t, "encode path, where the time to playable goes (from the upload's last answer): %s", liveBreakdown(t, s, uploaded))
	figure(t, "encode path, 60 s 1080p30 VP9/Opus, resumable upload's last answer → playable while encoding (master + media playlist + first segment fetched + ffprobe) %s (API state then %d); → job done %s; goal ≤ 10 s %s",
		secs(first), v.State.ID, secs(all.Sub(uploaded)), goal(first <= 10*time.Second))
}

// liveBreakdown reads the milestones of the time to playable from the
// server's log: job picked, probed, ffmpeg started, each rendition's first
// segment listed, master written.
func liveBreakdown(t *testing.T, s *server, from time.Time) string {
	t.Helper()
	var b strings.Builder
	at := func(label, want1, want2 string) {
		for _, line := range strings.Split(s.Log(), "\n") {
			if strings.Contains(line, want1) && strings.Contains(line, want2) {
				if when, err := logTime(line); err == nil {
					fmt.Fprintf(&b, "%s +%s; ", label, secs(when.Sub(from)))
				}
				return
			}
		}
		fmt.Fprintf(&b, "%s (no log line); ", label)
	}
	at("job started", `msg="job started"`, "kind="+videos.JobKind)
	at("probed", `msg=probed`, "")
	at("ffmpeg started", `msg="encode started"`, "live=true")
	for _, line := range strings.Split(s.Log(), "\n") {
		if strings.Contains(line, `msg="media: first segment listed"`) {
			_, r, _ := strings.Cut(line, "rendition=")
			r, _, _ = strings.Cut(r, " ")
			at("first segment "+r, `msg="media: first segment listed"`, "rendition="+r)
		}
	}
	at("master written", `msg="video playable while it encodes"`, "")
	return b.String()
}
