package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
)

// TestVideoEventsProgressThenPublished watches a real transcode through
// the watch page's stream: progress that moves, then published.
func TestVideoEventsProgressThenPublished(t *testing.T) {
	r := newRig(t)
	v := r.ingest(clip(t, t.TempDir(), 640, 360, 12, 25), model.PrivacyPublic)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, events := r.openStream(ctx, "/videos/"+v.UUID+"/events", "")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	r.runQueue()

	var percents []float64
	var published publishedEvent
	sawSpeed := false
	for ev := range events {
		switch ev.Name {
		case "progress":
			var p progressEvent
			if err := json.Unmarshal([]byte(ev.Data), &p); err != nil {
				t.Fatalf("progress data %q: %v", ev.Data, err)
			}
			if p.State != model.StateToTranscode {
				t.Errorf("progress state %d, want %d", p.State, model.StateToTranscode)
			}
			percents = append(percents, p.Percent)
			sawSpeed = sawSpeed || p.Speed > 0 && p.Remaining > 0
		case "published":
			if err := json.Unmarshal([]byte(ev.Data), &published); err != nil {
				t.Fatalf("published data %q: %v", ev.Data, err)
			}
		default:
			t.Fatalf("unexpected event %s: %s", ev.Name, ev.Data)
		}
		if published.PlaylistURL != "" {
			break
		}
	}
	if ctx.Err() != nil {
		t.Fatal("timed out before the video was published")
	}
	t.Logf("progress: %v", percents)
	// Progress that moves (above 0, below 100, each above the last) before
	// "published". The growing playlists make a video playable after its
	// first segment, so one moving step may be all a quick encode shows.
	var moving []float64
	for _, p := range percents {
		if p > 0 && p < 100 {
			moving = append(moving, p)
		}
	}
	if len(moving) < 1 {
		t.Fatalf("want a progress event strictly between 0 and 100, got %v", percents)
	}
	for i := 1; i < len(percents); i++ {
		if percents[i] <= percents[i-1] {
			t.Errorf("percent did not increase: %v", percents)
		}
	}
	if !sawSpeed {
		t.Error("no progress event carried speed and time left")
	}
	// "published" comes as soon as the video plays: while its ladder still
	// encodes (state 2, videos.Growing) or once done.
	if (published.State != model.StatePublished && published.State != model.StateToTranscode) || !strings.HasSuffix(published.PlaylistURL, "/static/streaming-playlists/hls/"+v.UUID+"/master.m3u8") {
		t.Errorf("published event %+v", published)
	}
	if published.PreviewPath != "/lazy-static/previews/"+v.UUID+".jpg" {
		t.Errorf("preview path %q", published.PreviewPath)
	}
	// The player can load what the event points to at once.
	pl, err := http.Get(published.PlaylistURL)
	if err != nil {
		t.Fatal(err)
	}
	pl.Body.Close()
	if pl.StatusCode != http.StatusOK {
		t.Errorf("master playlist: %d", pl.StatusCode)
	}
	// The stream ends after published.
	select {
	case ev, ok := <-events:
		if ok {
			t.Errorf("event after published: %+v", ev)
		}
	case <-time.After(2 * time.Second):
		t.Error("the stream stayed open after published")
	}
}

// TestVideoEventsEnds covers the other ends of a stream: a failed video,
// a video the visitor may not see, and the server shutting down.
func TestVideoEventsEnds(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.ingest(clip(t, t.TempDir(), 160, 90, 1, 10), model.PrivacyPublic)

	// Queued (the queue is not running): the stored progress, then only
	// heartbeats, until the server shuts down.
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, events := r.openStream(sctx, "/videos/"+v.ShortUUID+"/events", "")
	ev := <-events
	if ev.Name != "progress" || !strings.Contains(ev.Data, `"state":2`) {
		t.Fatalf("first event %+v, want progress with state 2", ev)
	}
	start := time.Now()
	shut, shutCancel := context.WithTimeout(ctx, 5*time.Second)
	defer shutCancel()
	if err := r.http.Config.Shutdown(shut); err != nil {
		t.Fatalf("shutdown waited for the stream: %v", err)
	}
	for range events {
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the stream ended %v after shutdown began", d)
	}
}

func TestVideoEventsFailedAndPrivate(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := r.ingest(clip(t, t.TempDir(), 160, 90, 1, 10), model.PrivacyPrivate)
	if code, _ := r.page(request{method: http.MethodGet, path: "/videos/" + v.UUID + "/events"}); code != http.StatusNotFound {
		t.Errorf("private video's stream for an anonymous visitor: %d, want 404", code)
	}
	if code, _ := r.page(request{method: http.MethodGet, path: "/videos/" + v.UUID + "/events", who: "user"}); code != http.StatusNotFound {
		t.Errorf("private video's stream for another user: %d, want 404", code)
	}
	if err := r.store.Videos.SetFailed(ctx, v.ID, "the file has no video stream"); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, events := r.openStream(sctx, "/videos/"+v.UUID+"/events", "admin")
	var got []sseEvent
	for ev := range events {
		got = append(got, ev)
	}
	if len(got) != 1 || got[0].Name != "failed" || !strings.Contains(got[0].Data, `"error":"the file has no video stream"`) {
		t.Errorf("failed video's stream %+v, want one failed event with the reason", got)
	}
	if sctx.Err() != nil {
		t.Error("the stream did not end after failed")
	}
}

// TestAdminCancelRunningTranscode cancels a real ffmpeg through the admin
// form and checks that it leaves nothing behind, while the admin's job
// stream shows the progress and the cancellation live.
func TestAdminCancelRunningTranscode(t *testing.T) {
	r := newRig(t)
	r.mu.Lock()
	r.heights = []int{720, 480, 360} // long enough to be caught running
	r.mu.Unlock()
	v := r.ingest(clip(t, t.TempDir(), 1280, 720, 20, 12), model.PrivacyPublic)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, jobEvents := r.openStream(ctx, "/admin/jobs/events", "admin")
	r.runQueue()

	js, err := r.jobs.List(ctx, jobs.ListFilter{})
	if err != nil || len(js) != 1 {
		t.Fatalf("jobs %v %v", js, err)
	}
	id := js[0].ID
	// Wait for a running event with progress: ffmpeg is encoding.
	var running jobEvent
	for running.Progress == 0 {
		select {
		case ev, ok := <-jobEvents:
			if !ok {
				t.Fatal("job stream ended")
			}
			var je jobEvent
			if err := json.Unmarshal([]byte(ev.Data), &je); err != nil || ev.Name != "job" {
				t.Fatalf("job event %+v: %v", ev, err)
			}
			if je.ID == id && je.State == jobs.StateRunning {
				running = je
			}
		case <-ctx.Done():
			t.Fatal("no running progress on the job stream")
		}
	}
	if len(ffmpegChildren()) == 0 {
		t.Fatal("no ffmpeg child while the job reports progress")
	}
	if len(r.stagingDirs(v)) == 0 {
		t.Fatal("no staging folder while ffmpeg runs")
	}
	_, page := r.page(request{method: http.MethodGet, path: "/admin/transcoding", who: "admin"})
	if row := jobRowHTML(t, page, id); !strings.Contains(row, `data-state="running"`) || strings.Contains(row, `class="job-cancel" hidden`) {
		t.Errorf("running job's row:\n%s", row)
	}

	res := r.do(ctx, request{method: http.MethodPost, path: "/admin/jobs/" + jsonID(id) + "/cancel", who: "admin", withCSRF: true})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	eventually(t, 10*time.Second, "ffmpeg gone and staging removed", func() bool {
		return len(ffmpegChildren()) == 0 && len(r.stagingDirs(v)) == 0
	})
	eventually(t, 10*time.Second, "video marked failed", func() bool {
		got, err := r.store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.State == model.StateTranscodingFailed && strings.Contains(got.Error, "cancelled by the administrator")
	})
	j, err := r.jobs.Get(ctx, id)
	if err != nil || j.State != jobs.StateCancelled {
		t.Fatalf("job after cancel: %+v %v", j, err)
	}
	for {
		select {
		case ev := <-jobEvents:
			if strings.Contains(ev.Data, `"state":"cancelled"`) {
				return
			}
		case <-ctx.Done():
			t.Fatal("the job stream did not report the cancellation")
		}
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }
