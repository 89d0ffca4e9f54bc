package inbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/model"
)

// TestLikesPerSecondFigure is the figure for #10: signed Likes verified
// and processed per second by the inbox, keys cached, through real HTTP
// POSTs to a listener on 127.0.0.1 (the request is read, checked and
// processed in its transaction; each Like is new, on one of 100 videos,
// alternating with Dislikes so that every one moves a counter), and the
// process's peak RSS. CABANE_BENCH=1 go test ./app/federation/inbox -run LikesPerSecond -v
func TestLikesPerSecondFigure(t *testing.T) {
	if os.Getenv("CABANE_BENCH") != "1" {
		t.Skip("figure: set CABANE_BENCH=1")
	}
	const likes, workers, nVideos = 5000, 8, 100
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	vs := make([]model.Video, nVideos)
	for i := range vs {
		vs[i] = r.video(model.PrivacyPublic, model.CommentsEnabled)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, MaxBody+1))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		out, err := r.svc.Receive(req.Context(), req, body, Box{})
		if err != nil {
			w.WriteHeader(Status(err))
			return
		}
		w.WriteHeader(out.Status())
	}))
	defer srv.Close()
	names := []string{"alice", "bob"}
	// Signed before the clock starts: signing is the sender's cost. The
	// signature covers Host, so each is made for the listener's address.
	type signed struct {
		body []byte
		hdr  http.Header
	}
	reqs := make([]signed, likes)
	for i := range reqs {
		name := names[i%2]
		typ := "Like"
		if (i/2)%2 == 1 {
			typ = "Dislike"
		}
		body := activityJSON(t, act(fmt.Sprintf("%s/likes/%d", rem.srv.URL, i), typ, rem.iri(name), videoIRI(vs[(i/4)%nVideos])))
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/inbox", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/activity+json")
		if err := (signature.Signer{}).Sign(req, rem.keys[name], rem.keyID(name), body); err != nil {
			t.Fatal(err)
		}
		reqs[i] = signed{body, req.Header}
	}
	// Warm: both keys fetched and cached, both accounts made.
	for _, name := range names {
		if st := r.post(rem, name, activityJSON(t, act(rem.srv.URL+"/warm/"+name, "Like", rem.iri(name), videoIRI(vs[0])))); st != http.StatusNoContent {
			t.Fatalf("warm-up Like: %d", st)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= likes {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/inbox", bytes.NewReader(reqs[i].body))
				req.Header = reqs[i].hdr.Clone()
				res, err := client.Do(req)
				if err != nil || res.StatusCode != http.StatusNoContent {
					failed.Add(1)
					if err == nil {
						res.Body.Close()
					}
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if failed.Load() > 0 {
		t.Fatalf("%d Likes refused", failed.Load())
	}
	var total int64
	for _, v := range vs {
		l, d := r.counts(v)
		total += l + d
	}
	if total == 0 {
		t.Fatal("no rating stored")
	}
	t.Logf("%d signed Likes/Dislikes over HTTP, %d workers: %v, %.0f/s; peak RSS %s", likes, workers, took.Round(time.Millisecond),
		float64(likes)/took.Seconds(), peakRSS())
}

// peakRSS is the process's VmHWM.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
