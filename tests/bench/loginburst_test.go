package bench

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/seed"
)

// burstSize is the number of wrong-password logins in one burst, sent all
// at once, as the issue measured them (200 drove the server to 3.6 GB).
const burstSize = 200

// burstResult is what one burst measured.
type burstResult struct {
	wall     time.Duration
	cpu      time.Duration // the server's user+system CPU during the burst
	hwm      int64         // VmHWM in KiB: the server's peak since it started
	idle     int64         // VmHWM in KiB before the burst
	statuses map[int]int
	retry    int // 429 answers that carried Retry-After
	idleSeg  testrig.Latencies
	busySeg  testrig.Latencies
}

// burstTarget is the running server a burst measures: the rig's App for
// this tree's binary, or a beforeServer for an older one.
type burstTarget interface {
	URL(p string) string
	Pid() int
	Stop()
}

// beforeServer is an older cabane binary (CABANE_BENCH_BEFORE_BIN) run with
// the flags every version knows; the rig only starts this tree's binary.
type beforeServer struct {
	t       *testing.T
	addr    string
	cmd     *exec.Cmd
	log     *testrig.LockedBuffer
	done    chan struct{} // closed when the process has exited
	waitErr error
}

func (b *beforeServer) URL(p string) string { return "http://" + b.addr + p }

func (b *beforeServer) Pid() int { return b.cmd.Process.Pid }

// Stop sends SIGTERM, kills the process group after 30 s and fails the
// test unless the process exited cleanly.
func (b *beforeServer) Stop() {
	b.t.Helper()
	select {
	case <-b.done:
		return
	default:
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
		if b.waitErr != nil {
			b.t.Errorf("%s did not stop cleanly: %v", b.cmd.Path, b.waitErr)
		}
	case <-time.After(30 * time.Second):
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-b.done
		b.t.Errorf("%s did not stop within 30 s", b.cmd.Path)
	}
}

// startBefore runs bin serve on data, as startServer does with the rig, and
// waits for /healthz.
func startBefore(t *testing.T, bin, data string) *beforeServer {
	t.Helper()
	b := &beforeServer{t: t, addr: testrig.FreeAddr(t), log: &testrig.LockedBuffer{}, done: make(chan struct{})}
	b.cmd = exec.Command(bin, "serve", "--data", data, "--listen", b.addr, "--log-level", "info")
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a kill reaches its ffmpeg too
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		b.waitErr = b.cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() {
		b.Stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", bin, b.log)
		}
	})
	testrig.WaitFor(t, 30*time.Second, func() bool {
		select {
		case <-b.done:
			t.Fatalf("%s exited at start: %v\n%s", bin, b.waitErr, b.log)
		default:
		}
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(b.URL("/healthz"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return b
}

// loginBurst starts bin (this tree's binary when empty) on a fresh data
// directory with one published video, then sends burstSize wrong-password
// logins at once from `addrs` loopback addresses while another client
// fetches an HLS segment in a loop.
func loginBurst(t *testing.T, bin string, addrs int) burstResult {
	t.Helper()
	data := t.TempDir()
	seed.Videos(t, data, 1)
	var s burstTarget
	if bin == "" {
		s = startServer(t, data)
	} else {
		s = startBefore(t, bin, data)
	}
	defer s.Stop()
	var list struct {
		Data []struct {
			UUID string `json:"uuid"`
		} `json:"data"`
	}
	if code := testrig.GetJSON(t, s.URL("/api/v1/videos"), &list); code != http.StatusOK || len(list.Data) != 1 {
		t.Fatalf("video list: %d %+v", code, list)
	}
	// A 256 KiB segment: what a 360p player fetches every few seconds.
	hls := config.Layout{Root: data}.HLS(list.Data[0].UUID)
	if err := os.MkdirAll(filepath.Join(hls, "360p"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hls, "360p", "seg-00001.m4s"), make([]byte, 256<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	seg := s.URL("/static/streaming-playlists/hls/" + list.Data[0].UUID + "/360p/seg-00001.m4s")
	player := testrig.ClientFrom("127.0.0.250")
	fetch := func() time.Duration {
		start := time.Now()
		res, err := player.Get(seg)
		if err != nil {
			t.Errorf("segment: %v", err)
			return 0
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || n != 256<<10 {
			t.Errorf("segment: %d, %d bytes", res.StatusCode, n)
		}
		return time.Since(start)
	}
	var r burstResult
	for range 200 {
		r.idleSeg = append(r.idleSeg, fetch())
	}

	m0, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	r.idle = m0.HWM
	cpu0, err := testrig.CPUTime(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	clients := make([]*http.Client, addrs)
	for i := range clients {
		clients[i] = testrig.ClientFrom(fmt.Sprintf("127.0.0.%d", 10+i))
	}
	const csrf = "bench-csrf-token-0123456789abcdefghijklmnopqrstuvwxyz"
	form := url.Values{"_csrf": {csrf}, "username": {"nobody"}, "password": {"not the password"}}.Encode()
	r.statuses = map[int]int{}
	var mu sync.Mutex
	var burst sync.WaitGroup
	start := time.Now()
	begin := make(chan struct{})
	for i := range burstSize {
		burst.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, s.URL("/login"), strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "cabane_csrf", Value: csrf})
			<-begin
			res, err := clients[i%addrs].Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.statuses[0]++
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			r.statuses[res.StatusCode]++
			if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") != "" {
				r.retry++
			}
		})
	}
	done := make(chan struct{})
	var playing sync.WaitGroup
	playing.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			r.busySeg = append(r.busySeg, fetch())
		}
	})
	close(begin)
	burst.Wait()
	r.wall = time.Since(start)
	close(done)
	playing.Wait()
	cpu1, err := testrig.CPUTime(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	r.cpu = cpu1 - cpu0
	m, err := testrig.ReadMem(s.Pid())
	if err != nil {
		t.Fatal(err)
	}
	r.hwm = m.HWM
	return r
}

// TestFigureLoginBurst: the server's CPU time, peak memory and an HLS
// segment's latency during a burst of 200 wrong-password logins, from one
// address and from 20. With CABANE_BENCH_BEFORE_BIN naming an older cabane
// binary, the same for it. Goal: VmHWM ≤ 100 MB.
func TestFigureLoginBurst(t *testing.T) {
	benchEnabled(t)
	bins := [][2]string{{"after", ""}} // "": the rig's build of this tree
	if before := os.Getenv("CABANE_BENCH_BEFORE_BIN"); before != "" {
		bins = append([][2]string{{"before", before}}, bins...)
	}
	for _, b := range bins {
		for _, addrs := range burstAddrs() {
			r := loginBurst(t, b[1], addrs)
			if r.statuses[0] > 0 {
				t.Errorf("%s, %d addresses: %d requests failed without an answer", b[0], addrs, r.statuses[0])
			}
			codes := slices.Sorted(maps.Keys(r.statuses))
			var st []string
			for _, c := range codes {
				st = append(st, fmt.Sprintf("%d×%d", r.statuses[c], c))
			}
			const goalKiB = 100 * 1000 * 1000 / 1024
			figure(t, "login burst (%s): %d wrong-password POST /login from %d address(es): wall %.2f s, server CPU %.2f s, "+
				"VmHWM %s (before the burst %s; goal ≤ 100 MB %s), answers %s (%d with Retry-After); HLS segment during burst %s, idle %s",
				b[0], burstSize, addrs, r.wall.Seconds(), r.cpu.Seconds(), testrig.MiB(r.hwm), testrig.MiB(r.idle), goal(r.hwm <= goalKiB),
				strings.Join(st, " "), r.retry, r.busySeg, r.idleSeg)
		}
	}
}

// burstAddrs are the client address counts to measure: 1 and 20, or the
// list in CABANE_BENCH_BURST_ADDRS ("20") to rerun one.
func burstAddrs() []int {
	v := os.Getenv("CABANE_BENCH_BURST_ADDRS")
	if v == "" {
		return []int{1, 20}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 && n <= 200 {
			out = append(out, n)
		}
	}
	return out
}
