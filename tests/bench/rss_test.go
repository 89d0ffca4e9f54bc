package bench

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// seededVideos is the library size of the idle memory figure.
const seededVideos = 1000

// browse does what a family browsing the box does to an idle server: the
// home page, and pages of the API listing as apps fetch it. It returns the
// listing's total.
func browse(t *testing.T, s *server) int {
	t.Helper()
	total := -1
	for i := range 3 {
		resp, err := http.Get(s.URL("/"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /: %d", resp.StatusCode)
		}
		if total > 0 && !strings.Contains(string(body), "Seeded video") {
			t.Errorf("home page lists no seeded video")
		}
		for start := 0; start < 500; start += 100 {
			var list struct {
				Total int `json:"total"`
				Data  []struct {
					Name string `json:"name"`
				} `json:"data"`
			}
			if code := testrig.GetJSON(t, s.URL(fmt.Sprintf("/api/v1/videos?count=100&start=%d&sort=-publishedAt", start)), &list); code != http.StatusOK {
				t.Fatalf("GET /api/v1/videos: %d", code)
			}
			if i == 0 && start == 0 {
				total = list.Total
			}
			if want := min(100, max(0, total-start)); len(list.Data) != want {
				t.Errorf("listing from %d: %d videos, want %d", start, len(list.Data), want)
			}
		}
	}
	return total
}

// idleMem starts a server on data, browses it, lets it settle 5 s and reads
// its memory.
func idleMem(t *testing.T, data string) (testrig.Mem, int) {
	t.Helper()
	s := startServer(t, data)
	total := browse(t, s)
	time.Sleep(5 * time.Second)
	m, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	return m, total
}

// TestFigureIdleRSS: the server's resident memory, idle after browsing, with
// a thousand published videos. Reference: the same with no video. Goal:
// ≤ 30 MB.
func TestFigureIdleRSS(t *testing.T) {
	benchEnabled(t)

	empty := t.TempDir()
	seed.Videos(t, empty, 0)
	ref, n := idleMem(t, empty)
	if n != 0 {
		t.Fatalf("empty instance lists %d videos", n)
	}

	full := t.TempDir()
	start := time.Now()
	seed.Videos(t, full, seededVideos)
	t.Logf("seeded %d videos in %s", seededVideos, time.Since(start).Round(time.Millisecond))
	m, n := idleMem(t, full)
	if n != seededVideos {
		t.Fatalf("the seeded instance lists %d videos, want %d", n, seededVideos)
	}
	const goalKiB = 30 * 1000 * 1000 / 1024 // 30 MB
	figure(t, "idle memory with %d published videos, after 3× (/ + 5 pages of /api/v1/videos?count=100) and 5 s: %s; "+
		"with no video: %s; goal VmRSS ≤ 30 MB %s", seededVideos, m, ref, goal(m.RSS <= goalKiB))
}

// uploadSize is the body of the streaming upload figure.
const uploadSize = 2 << 30

// TestFigureUploadRSS: the server's memory while a 2 GiB upload streams in.
// The body is zeros, so the server stores all of it and then refuses it at
// probe time, which is the answer this test checks: what matters is the
// memory while receiving. Goal: a few MB above idle.
func TestFigureUploadRSS(t *testing.T) {
	benchEnabled(t)
	// The file lands in the data directory, under TMPDIR: make sure it fits
	// rather than fill a shared disk.
	free, err := freeBytes(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if need := int64(uploadSize) + 200<<20; free < need {
		t.Fatalf("%s has %d MiB free, the 2 GiB upload needs %d MiB: set TMPDIR to a roomier disk", os.TempDir(), free>>20, need>>20)
	}
	data := t.TempDir()
	testrig.CreateUser(t, data, benchUser, benchPass, true)
	s := startServer(t, data, "--max-upload", "3G")
	token := s.Token(benchUser, benchPass)
	time.Sleep(2 * time.Second)
	idle, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}

	body, err := newUploadBody("Two gigabytes", "big.mp4", newFiller(uploadSize), uploadSize)
	if err != nil {
		t.Fatal(err)
	}
	sampler := sampleRSS(s.Pid(), 100*time.Millisecond)
	start := time.Now()
	code, res, done := upload(t, s, token, body)
	peak, samples, err := sampler.stop()
	if err != nil {
		t.Fatal(err)
	}
	after, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("2 GiB of zeros: %d %v, want 422 (received, then refused as not a video)", code, res)
	}
	if left, _ := os.ReadDir(filepath.Join(data, "tmp", "uploads")); len(left) != 0 {
		t.Errorf("the refused upload left %d files in tmp/uploads", len(left))
	}
	if media, _ := os.ReadDir(filepath.Join(data, "media")); len(media) != 0 {
		t.Errorf("the refused upload left %d folders in media", len(media))
	}
	took := done.Sub(start)
	figure(t, "memory while a 2 GiB upload streams in (multipart, Content-Length, --max-upload 3G): idle VmRSS %s, "+
		"peak sampled VmRSS %s (+%s over idle, %d samples every 100 ms), VmHWM after %s; %.0f MiB/s over %s, stored, fsynced then refused (422); "+
		"goal a few MB above idle %s",
		testrig.MiB(idle.RSS), testrig.MiB(peak), testrig.MiB(peak-idle.RSS), samples, testrig.MiB(after.HWM), float64(uploadSize)/(1<<20)/took.Seconds(), secs(took),
		goal(peak-idle.RSS <= 8*1024))
}
