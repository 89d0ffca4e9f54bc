package bench

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/internal/testrig"
)

// wrkSeconds is how long each wrk run lasts.
const wrkSeconds = 5

// TestFigureHLSServing: a published 1080p video's files, served by Cabane
// and by nginx (sendfile on, the same files, the same run) under wrk at 10
// and 200 connections: the largest media file of the video's HLS folder
// (a segment, or a 1 MiB byte range of a single-file rendition) and the
// master playlist. Goals (issue 9): ≥ 0.9× nginx for the media, ≥ 0.5× for
// the master playlist. Also the CPU each spends per request.
func TestFigureHLSServing(t *testing.T) {
	benchEnabled(t)
	for _, tool := range []string{"wrk", "nginx"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (scripts/install-deps.sh test installs it): %v", tool, err)
		}
	}
	s, token := publishing(t)
	id, _ := uploadFile(t, s, token, clip(t, h264Clip()), "Serving")
	s.waitPlayable(t, id, 1080, 5*time.Minute)
	dir := config.Layout{Root: s.Data}.HLS(id)
	media, size := largestMedia(t, dir)
	rel, _ := filepath.Rel(dir, media)
	prefix := "/static/streaming-playlists/hls/" + id + "/"
	ng := startNginx(t, prefix, dir)

	var rng string
	if size > 4<<20 { // one file per rendition: a player asks ranges of it
		from := size / 2
		rng = fmt.Sprintf("bytes=%d-%d", from, from+1<<20-1)
	}
	cases := []struct{ what, path, rng string }{
		{fmt.Sprintf("media %s (%d bytes%s)", filepath.ToSlash(rel), size, map[bool]string{true: ", range " + rng}[rng != ""]), prefix + filepath.ToSlash(rel), rng},
		{"master playlist", prefix + "master.m3u8", ""},
	}
	for _, c := range cases {
		// Both must answer the same bytes, or the ratio means nothing.
		a, b := fetch(t, s.URL(c.path), c.rng), fetch(t, ng.url+c.path, c.rng)
		if !bytes.Equal(a, b) || len(a) == 0 {
			t.Fatalf("%s: Cabane sends %d bytes, nginx %d, not the same", c.what, len(a), len(b))
		}
		for _, conns := range []int{10, 200} {
			cab, cabCPU := wrk(t, s.URL(c.path), c.rng, conns, []int{s.Pid()})
			ngx, ngxCPU := wrk(t, ng.url+c.path, c.rng, conns, ng.pids(t))
			ratio := cab.rps / ngx.rps
			want := 0.9
			if c.path == prefix+"master.m3u8" {
				want = 0.5
			}
			figure(t, "HLS %s at %d connections (wrk %d s): Cabane %.0f req/s (p99 %s, %.0f µs CPU/req), nginx sendfile %.0f req/s (p99 %s, %.0f µs CPU/req): %.2f× (goal ≥ %.1f× %s)",
				c.what, conns, wrkSeconds, cab.rps, cab.p99, cabCPU, ngx.rps, ngx.p99, ngxCPU, ratio, want, goal(ratio >= want))
		}
	}
}

// largestMedia is the biggest file under dir that is not a playlist or an
// index: a segment in the segment layout, a rendition's fragmented MP4 in
// the single-file one.
func largestMedia(t *testing.T, dir string) (string, int64) {
	t.Helper()
	var best string
	var size int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".m3u8", ".json":
			return nil
		}
		if st, err := d.Info(); err == nil && st.Size() > size {
			best, size = p, st.Size()
		}
		return nil
	})
	if err != nil || best == "" {
		t.Fatalf("no media file under %s: %v", dir, err)
	}
	return best, size
}

func fetch(t *testing.T, u, rng string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode/100 != 2 {
		t.Fatalf("GET %s: %d %v", u, res.StatusCode, err)
	}
	return b
}

type nginx struct {
	url string
	cmd *exec.Cmd
}

// startNginx serves dir at prefix as a box's nginx would: sendfile on,
// no access log, one worker per core.
func startNginx(t *testing.T, prefix, dir string) *nginx {
	t.Helper()
	tmp := t.TempDir()
	addr := testrig.FreeAddr(t)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the files are in the test's private temp dir
	}
	conf := fmt.Sprintf(`%s
daemon off;
worker_processes auto;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path %[2]s; proxy_temp_path %[2]s; fastcgi_temp_path %[2]s; uwsgi_temp_path %[2]s; scgi_temp_path %[2]s;
	types { application/vnd.apple.mpegurl m3u8; video/mp4 mp4; video/iso.segment m4s; }
	server {
		listen %[3]s;
		location %[4]s { alias %[5]s/; add_header Access-Control-Allow-Origin *; }
	}
}
`, user, tmp, addr, prefix, dir)
	path := filepath.Join(tmp, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ng := &nginx{url: "http://" + addr, cmd: exec.Command("nginx", "-c", path, "-e", filepath.Join(tmp, "error.log"))}
	var out bytes.Buffer
	ng.cmd.Stdout, ng.cmd.Stderr = &out, &out
	if err := ng.cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	t.Cleanup(func() { ng.cmd.Process.Signal(os.Interrupt); ng.cmd.Wait() })
	testrig.WaitFor(t, 10*time.Second, func() bool {
		res, err := http.Get(ng.url + prefix + "master.m3u8")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	return ng
}

// pids are nginx's master and its workers.
func (n *nginx) pids(t *testing.T) []int {
	t.Helper()
	pids := []int{n.cmd.Process.Pid}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", n.cmd.Process.Pid, n.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(raw)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids
}

type wrkResult struct {
	rps float64
	p99 string
}

var (
	wrkRPS = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99 = regexp.MustCompile(`\s99%\s+(\S+)`)
	wrkBad = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)|Socket errors: .*timeout (\d+)`)
)

// wrk loads u for wrkSeconds and returns its figures and the CPU time the
// serving processes spent per request, in microseconds.
func wrk(t *testing.T, u, rng string, conns int, pids []int) (wrkResult, float64) {
	t.Helper()
	cpu := func() time.Duration {
		var sum time.Duration
		for _, p := range pids {
			d, err := testrig.CPUTime(p)
			if err != nil {
				t.Fatal(err)
			}
			sum += d
		}
		return sum
	}
	args := []string{"-t2", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(wrkSeconds) + "s", "--latency", "--timeout", "5s"}
	if rng != "" {
		args = append(args, "-H", "Range: "+rng)
	}
	before := cpu()
	out, err := exec.Command("wrk", append(args, u)...).CombinedOutput()
	used := cpu() - before
	if err != nil {
		t.Fatalf("wrk %s: %v\n%s", u, err, out)
	}
	m := wrkRPS.FindSubmatch(out)
	p := wrkP99.FindSubmatch(out)
	if m == nil || p == nil {
		t.Fatalf("wrk %s: no figures in\n%s", u, out)
	}
	if bad := wrkBad.FindSubmatch(out); bad != nil {
		t.Logf("wrk %s at %d connections: %s", u, conns, bad[0])
	}
	rps, _ := strconv.ParseFloat(string(m[1]), 64)
	reqs := rps * wrkSeconds
	return wrkResult{rps: rps, p99: string(p[1])}, float64(used.Microseconds()) / max(reqs, 1)
}

// gzipSize is len(b) gzipped at the default level: what a page would
// weigh were it sent compressed.
func gzipSize(b []byte) int {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Len()
}
