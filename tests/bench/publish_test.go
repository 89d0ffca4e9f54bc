package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig"
)

const (
	benchUser = "bench"
	benchPass = "bench password"
)

// publishing is a server with an administrator logged in through the API.
func publishing(t *testing.T) (*server, string) {
	t.Helper()
	data := t.TempDir()
	testrig.CreateUser(t, data, benchUser, benchPass, true)
	s := startServer(t, data)
	return s, s.Token(benchUser, benchPass)
}

// anyHeight asks playable for a video stream of whatever height.
const anyHeight = 0

// playable is the viewer's definition: the API says published (state 1),
// the master playlist is served, and ffprobe reads a video stream of the
// wanted height through it. It returns the video, whether it is playable,
// and why not.
func (s *server) playable(t *testing.T, id string, height int) (apiVideo, bool, string) {
	t.Helper()
	v := s.video(t, id)
	if v.State.ID == stateFailed {
		t.Fatalf("video %s failed: %s", id, v.Error)
	}
	if v.State.ID != statePublished || v.master() == "" {
		return v, false, fmt.Sprintf("state %d", v.State.ID)
	}
	resp, err := http.Get(v.master())
	if err != nil {
		t.Fatalf("GET %s: %v", v.master(), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return v, false, fmt.Sprintf("state 1 but master playlist answers %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hs, err := probeHeights(ctx, v.master())
	if err != nil || len(hs) == 0 || (height != anyHeight && !slices.Contains(hs, height)) {
		return v, false, fmt.Sprintf("state 1 but ffprobe of the master playlist: heights %v, %v", hs, err)
	}
	return v, true, ""
}

// waitPlayable polls until playable and returns the moment it became so and
// the not-yet-playable states it saw after publication (a published video
// without a readable playlist is a bug worth reporting).
func (s *server) waitPlayable(t *testing.T, id string, height int, timeout time.Duration) (apiVideo, time.Time, []string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var seen []string
	for time.Now().Before(deadline) {
		v, ok, why := s.playable(t, id, height)
		if ok {
			return v, time.Now(), seen
		}
		if v.State.ID == statePublished && !slices.Contains(seen, why) {
			seen = append(seen, why)
		}
		time.Sleep(pollEvery)
	}
	t.Fatalf("video %s not playable at %dp within %s\n%s", id, height, timeout, s.Log())
	return apiVideo{}, time.Time{}, nil
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func notes(seen []string) string {
	if len(seen) == 0 {
		return ""
	}
	return "; seen before playable: " + strings.Join(seen, ", ")
}

// TestFigureCopyPath: an H.264/AAC 1080p upload is published by copying its
// streams into HLS. Goal: playable within 2 s of the upload's answer.
func TestFigureCopyPath(t *testing.T) {
	benchEnabled(t)
	in := clip(t, h264Clip())
	// The reference runs first, with nothing of ours beside it, as the
	// server's copy will: after publication the server goes on encoding
	// the lower renditions, which would slow a reference run then.
	bare := bareCopyHLS(t, in)
	s, token := publishing(t)

	id, uploaded := uploadFile(t, s, token, in, "Copy path")
	_, published := s.waitFor(t, id, 5*time.Minute, "publication", func(v apiVideo) bool { return v.State.ID == statePublished })
	_, playable, seen := s.waitPlayable(t, id, 1080, 5*time.Minute)
	took := playable.Sub(uploaded)
	if rs := testrig.Renditions(t, s.Data, id); len(rs) == 0 || rs[0].Height != 1080 || !rs[0].Copied {
		t.Errorf("the 1080p rendition was not published through the copy path: %+v", rs)
	}
	figure(t, "copy path, 60 s 1080p30 H.264/AAC 4 Mb/s: upload answered → playable (state 1 + master playlist ffprobe-readable) %s "+
		"(state 1 after %s); bare `ffmpeg -c copy -f hls` %s; ratio %.1f×; goal ≤ 2 s %s%s",
		secs(took), secs(published.Sub(uploaded)), secs(bare), took.Seconds()/bare.Seconds(), goal(took <= 2*time.Second), notes(seen))
	figure(t, "copy path (multipart), where the time to playable goes (from the upload's answer): %s", copyBreakdown(t, s, id, uploaded))
}

// copyBreakdown reads the copy path's milestones from the server's log
// (the times the server wrote, to the millisecond), from the upload's
// answer: job started, original probed (or Ingest's probe reused),
// streams copied into HLS, published (renditions recorded, master
// written), and the thumbnails that follow publication.
func copyBreakdown(t *testing.T, s *server, id string, from time.Time) string {
	t.Helper()
	// The thumbnails come after publication: wait for them (a while: an
	// older server does not log them) so the breakdown shows where they
	// fall.
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end) && !strings.Contains(s.Log(), `msg="thumbnails made"`); {
		time.Sleep(pollEvery)
	}
	var b strings.Builder
	lines := strings.Split(s.Log(), "\n")
	for _, m := range []struct{ label, want1, want2 string }{
		{"job started", `msg="job started"`, "kind=" + videos.JobKind},
		{"probed", `msg=probed`, "video=" + id},
		{"streams copied", `msg="streams copied"`, "video=" + id},
		{"published", `msg="rendition published"`, "video=" + id},
		{"thumbnails", `msg="thumbnails made"`, "video=" + id},
	} {
		i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, m.want1) && strings.Contains(l, m.want2) })
		if i < 0 {
			fmt.Fprintf(&b, "%s (no log line); ", m.label)
			continue
		}
		if when, err := logTime(lines[i]); err == nil {
			extra := ""
			if m.label == "probed" && strings.Contains(lines[i], "reused=true") {
				extra = " (Ingest's probe reused)"
			}
			fmt.Fprintf(&b, "%s +%s%s; ", m.label, secs(when.Sub(from)), extra)
		}
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// TestFigureEncodePath: a VP9/Opus 1080p upload must be encoded. Which
// rungs, and how many ffmpeg processes, is the server's policy for this
// board (a 2-core box skips the 1080p encode), so "all renditions done" is
// the moment the processing job reports done, and the figure names the
// rungs it got.
func TestFigureEncodePath(t *testing.T) {
	benchEnabled(t)
	in := clip(t, vp9Clip())
	s, token := publishing(t)

	id, uploaded := uploadFile(t, s, token, in, "Encode path")
	_, published := s.waitFor(t, id, 40*time.Minute, "publication", func(v apiVideo) bool { return v.State.ID == statePublished })
	_, playable, seen := s.waitPlayable(t, id, anyHeight, 5*time.Minute)
	all := s.waitLog(t, `msg="job done"`, "kind="+videos.JobKind, 40*time.Minute)
	v := s.video(t, id)
	for _, r := range testrig.Renditions(t, s.Data, id) {
		if r.Copied {
			t.Errorf("a VP9 source took the copy path: %+v", r)
		}
	}
	var hs []int
	for _, f := range v.StreamingPlaylists[0].Files {
		hs = append(hs, f.Height)
	}
	if len(hs) == 0 || slices.ContainsFunc(hs, func(h int) bool { return h > 1080 || h < 144 }) {
		t.Errorf("renditions %v after the job, want 1 to 4 rungs of 1080p or less", hs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := probeHeights(ctx, v.master())
	slices.Sort(got)
	want := slices.Sorted(slices.Values(hs))
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ffprobe of the master playlist after the job: %v, %v; want %v", got, err, want)
	}
	first, ladder := playable.Sub(uploaded), all.Sub(uploaded)
	figure(t, "encode path, 60 s 1080p30 VP9/Opus → H.264/AAC HLS (libx264, the server's ladder for this box: %s): upload answered → first playable %s "+
		"(state 1 after %s), → all %d renditions done (job done) %s (%.2f× the clip's duration)%s",
		rungs(hs), secs(first), secs(published.Sub(uploaded)), len(hs), secs(ladder), ladder.Seconds()/clipSeconds, notes(seen))
}

func rungs(hs []int) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = fmt.Sprintf("%dp", h)
	}
	return strings.Join(parts, "/")
}

// TestFigureCopyPathResumable: the copy path through PeerTube's resumable
// upload, as the web uploader and the apps send it. Goal: about 0.6 s from
// the last chunk's answer to playable.
func TestFigureCopyPathResumable(t *testing.T) {
	benchEnabled(t)
	in := clip(t, h264Clip())
	s, token := publishing(t)
	id, uploaded := resumableUpload(t, s, token, in, "Copy path resumable")
	_, playable, seen := s.waitPlayable(t, id, 1080, 5*time.Minute)
	took := playable.Sub(uploaded)
	if rs := testrig.Renditions(t, s.Data, id); len(rs) == 0 || rs[0].Height != 1080 || !rs[0].Copied {
		t.Errorf("the 1080p rendition was not published through the copy path: %+v", rs)
	}
	figure(t, "copy path, 60 s 1080p30 H.264/AAC, resumable upload's last answer → playable (state 1 + master ffprobe-readable) %s; goal about 0.6 s %s%s",
		secs(took), goal(took <= 600*time.Millisecond), notes(seen))
	figure(t, "copy path (resumable), where the time to playable goes (from the last chunk's answer): %s", copyBreakdown(t, s, id, uploaded))
}
