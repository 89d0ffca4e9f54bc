package videos

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/internal/testrig"
)

// The data directory on a small real tmpfs, filled up during the encode:
// nothing empty is published, the job says "the disk is full" and is back
// in the queue at once (not running for a lease, not failed, no attempt
// spent), and once room is made it publishes the video.
func TestDiskFullDuringTranscode(t *testing.T) {
	root := testrig.SmallDisk(t, "4m")
	r := newRig(t, root)
	r.svc.DiskFullRetry = 300 * time.Millisecond
	// VP9 must be encoded (no copy path), at a bitrate whose 360p output
	// does not fit in what is left.
	clip := r.makeClip(t, "in.webm", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=4",
		"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k")
	v, err := r.upload(t, clip)
	if err != nil {
		t.Fatal(err)
	}
	// Leave ~150 KB: thumbnails fit, the 360p rendition does not.
	freeDisk := testrig.FillDisk(t, root, 150<<10)
	ctx := context.Background()
	r.run(t)
	var j jobs.Job
	deadline := time.Now().Add(30 * time.Second)
	for {
		js, err := r.q.List(ctx, jobs.ListFilter{})
		if err != nil || len(js) != 1 {
			t.Fatalf("jobs %+v %v", js, err)
		}
		j = js[0]
		if j.LastError != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job never reported the full disk: %+v", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("job after the full disk: state %s, attempts %d, error %q", j.State, j.Attempts, j.LastError)
	if !strings.Contains(j.LastError, "the disk is full") {
		t.Errorf("job error %q does not say the disk is full", j.LastError)
	}
	if j.State == jobs.StateRunning || j.State == jobs.StateFailed || j.Attempts != 0 {
		t.Errorf("job after a full disk: state %s, attempts %d; want queued (or already retrying), no attempt spent", j.State, j.Attempts)
	}
	got, _ := r.st.Videos.ByUUID(ctx, v.UUID)
	if got.State != model.StateToTranscode {
		t.Errorf("video state %d (%s), want still waiting for processing", got.State, got.Error)
	}
	if rs, _ := r.st.Videos.Renditions(ctx, v.ID); len(rs) != 0 {
		t.Errorf("renditions published on a full disk: %+v", rs)
	}
	if es, _ := os.ReadDir(r.layout.HLS(v.UUID)); len(es) != 0 {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		// Only a staging folder of a retry in progress may be there.
		for _, n := range names {
			if !strings.HasPrefix(n, ".partial") {
				t.Errorf("hls folder holds %v on a full disk", names)
				break
			}
		}
	}
	// Room is made: the retry (no admin action) publishes the video.
	freeDisk()
	got = r.waitState(t, v, 60*time.Second, func(v model.Video) bool { return v.State != model.StateToTranscode })
	if got.State != model.StatePublished {
		t.Fatalf("after making room: state %d (%s), want published", got.State, got.Error)
	}
	rs, _ := r.st.Videos.Renditions(ctx, v.ID)
	if len(rs) != 1 || rs[0].Size == 0 {
		t.Fatalf("renditions after making room: %+v", rs)
	}
}
