package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/delivery"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/internal/testrig"
)

// The delivery figure: one activity to 1,000 followers spread over 100
// hosts. The receiving inboxes run in a child process (this test binary
// again, TestDeliveryReceiverChild) so that the RSS measured here is the
// sender's alone; one listener answers for h0.test … h99.test, which the
// sender's resolver points at 127.0.0.1, and counts requests per Host.

const (
	deliveryHosts     = 100
	deliveryFollowers = 1000
	receiverEnv       = "CABANE_DELIVERY_RECEIVER"
	receiverKeyEnv    = "CABANE_DELIVERY_RECEIVER_KEY"
)

func TestFigureDelivery(t *testing.T) {
	benchEnabled(t)
	for _, shared := range []bool{true, false} {
		name := "shared inboxes"
		if !shared {
			name = "no shared inbox"
		}
		t.Run(name, func(t *testing.T) { deliveryFigure(t, shared) })
	}
}

func deliveryFigure(t *testing.T, shared bool) {
	key, err := rsa.GenerateKey(rand.Reader, keys.Bits)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := keys.EncodePublicPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rc := startReceiver(t, pubPEM)

	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	privPEM, err := keys.EncodePrivatePEM(key)
	if err != nil {
		t.Fatal(err)
	}
	from := federation.LocalActor{Key: keys.Actor{Kind: keys.Channel, ID: 1}, IRI: "https://cabane.example/video-channels/garden"}
	if _, err := st.ActorKeys().AddLocal(ctx, string(from.Key.Kind), from.Key.ID, privPEM, pubPEM); err != nil {
		t.Fatal(err)
	}
	client := httpclient.New(httpclient.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Resolver: testResolver{}})
	q := jobs.New(st.DB(), quietLog(), jobs.Options{})
	svc := delivery.New(st.Delivery(), q, client, keys.NewKeyring(st.ActorKeys()), quietLog(), delivery.Options{})

	to := make([]federation.Recipient, 0, deliveryFollowers)
	for i := range deliveryFollowers {
		host := fmt.Sprintf("h%d.test", i%deliveryHosts)
		base := fmt.Sprintf("http://%s:%d", host, rc.port)
		r := federation.Recipient{Actor: fmt.Sprintf("%s/users/u%d", base, i), Inbox: fmt.Sprintf("%s/users/u%d/inbox", base, i)}
		if shared {
			r.SharedInbox = base + "/inbox"
		}
		to = append(to, r)
	}
	activity := createVideo(from.IRI)
	want := deliveryHosts
	if !shared {
		want = deliveryFollowers
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	idleHeap := ms.HeapInuse
	idle, err := testrig.ReadMem(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	rss := sampleRSS(os.Getpid(), 10*time.Millisecond)
	memPeak, stopMem := sampleMem(10 * time.Millisecond)

	runCtx, cancel := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	start := time.Now()
	go func() { runDone <- svc.Run(runCtx) }()
	if err := svc.Send(ctx, from, activity, to); err != nil {
		t.Fatal(err)
	}
	queued := time.Since(start)
	deadline := time.Now().Add(2 * time.Minute)
	done := 0
	for done < want && time.Now().Before(deadline) {
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'done'`, delivery.JobKind).Scan(&done); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(start)
	stopMem()
	peak, samples, err := rss.stop()
	cancel()
	if err := <-runDone; err != nil {
		t.Errorf("Run: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if done < want {
		var left []string
		rows, err := st.DB().Query(`SELECT state, attempts, last_error FROM jobs WHERE kind = ? AND state != 'done' LIMIT 5`, delivery.JobKind)
		if err == nil {
			for rows.Next() {
				var state, why string
				var attempts int
				rows.Scan(&state, &attempts, &why)
				left = append(left, fmt.Sprintf("%s after %d runs: %s", state, attempts, why))
			}
			rows.Close()
		}
		t.Fatalf("%d of %d deliveries done after %v; left: %q", done, want, time.Since(start).Round(time.Second), left)
	}
	counts := rc.finish(t)
	if counts.Bad != 0 {
		t.Fatalf("%d requests failed signature verification at the receiver", counts.Bad)
	}
	total, most := 0, 0
	for _, n := range counts.PerHost {
		total += n
		most = max(most, n)
	}
	if len(counts.PerHost) != deliveryHosts || total != want {
		t.Fatalf("receiver saw %d requests on %d hosts, want %d on %d", total, len(counts.PerHost), want, deliveryHosts)
	}
	extraMB := float64(peak-idle.RSS) / 1024
	heapPeak, anonPeak := memPeak()
	heapMB := float64(int64(heapPeak)-int64(idleHeap)) / (1 << 20)
	anonMB := float64(anonPeak-idle.Anon) / 1024
	mode := "one per shared inbox"
	if !shared {
		mode = "no shared inbox: one per follower"
	}
	figure(t, "deliver one %d-byte Create to %d followers on %d hosts (%s): %.2f s (queued in %v; goal ≤ 10 s %s), %d requests (%d at most per host; goal ≤ 100 with shared inboxes %s), "+
		"peak VmRSS +%.1f MB over %.1f MB before (%d samples; goal ≤ 10 MB %s), of which RssAnon +%.1f MB (the rest: the binary's pages first used), peak heap in use +%.1f MB; %d workers, %d per host, signatures verified by the receiver",
		len(activity), deliveryFollowers, deliveryHosts, mode, took.Seconds(), queued.Round(time.Millisecond), goal(took <= 10*time.Second),
		total, most, goal(!shared || total <= 100), extraMB, float64(idle.RSS)/1024, samples, goal(extraMB <= 10), anonMB, heapMB, 8, 2)
}

// createVideo is a Create of a Video about the size of PeerTube's (a few
// kB of JSON).
func createVideo(actor string) []byte {
	obj := map[string]any{"type": "Video", "id": "https://cabane.example/videos/watch/4f1c", "name": "Spring in the garden",
		"attributedTo": []string{actor}, "content": strings.Repeat("A walk through the vegetable beds. ", 120),
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"}}
	b, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Create",
		"id": "https://cabane.example/videos/watch/4f1c/activity", "actor": actor, "object": obj})
	return b
}

type testResolver struct{}

func (testResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if strings.HasSuffix(host, ".test") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, fmt.Errorf("no such host %s", host)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// sampleMem records the peak HeapInuse and the peak RssAnon (KiB: the
// heap, stacks and SQLite's caches, without the binary's pages that the
// first use of a code path faults in) until stopped.
func sampleMem(every time.Duration) (peak func() (heap uint64, anon int64), stop func()) {
	var mu sync.Mutex
	var topHeap uint64
	var topAnon int64
	stopc, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			m, _ := testrig.ReadMem(os.Getpid())
			mu.Lock()
			topHeap, topAnon = max(topHeap, ms.HeapInuse), max(topAnon, m.Anon)
			mu.Unlock()
			select {
			case <-stopc:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, int64) {
			mu.Lock()
			defer mu.Unlock()
			return topHeap, topAnon
		}, func() {
			close(stopc)
			<-done
		}
}

// receiverProc is the child process that plays the 100 hosts.
type receiverProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
	port  int
}

type receiverCounts struct {
	PerHost map[string]int
	Bad     int
}

func startReceiver(t *testing.T, pubPEM string) *receiverProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeliveryReceiverChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), receiverEnv+"=1", receiverKeyEnv+"="+pubPEM)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	rp := &receiverProc{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	rp.out.Buffer(make([]byte, 1<<20), 1<<20)
	for rp.out.Scan() {
		if _, err := fmt.Sscanf(rp.out.Text(), "PORT %d", &rp.port); err == nil {
			return rp
		}
	}
	t.Fatalf("the receiver process did not say its port: %v", rp.out.Err())
	return nil
}

// finish stops the receiver and returns what it counted.
func (rp *receiverProc) finish(t *testing.T) receiverCounts {
	t.Helper()
	rp.stdin.Close()
	for rp.out.Scan() {
		if v, ok := strings.CutPrefix(rp.out.Text(), "COUNTS "); ok {
			var c receiverCounts
			if err := json.Unmarshal([]byte(v), &c); err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("the receiver process gave no counts: %v", rp.out.Err())
	return receiverCounts{}
}

// TestDeliveryReceiverChild is the receiver of TestFigureDelivery when run
// as its child process; run directly it does nothing.
func TestDeliveryReceiverChild(t *testing.T) {
	if os.Getenv(receiverEnv) != "1" {
		return
	}
	pub, err := keys.ParsePublicPEM(os.Getenv(receiverKeyEnv))
	if err != nil {
		t.Fatal(err)
	}
	v := signature.Verifier{Keys: oneKey{pub: pub}}
	var mu sync.Mutex
	c := receiverCounts{PerHost: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		_, verr := v.Verify(r.Context(), r, body)
		host, _, _ := net.SplitHostPort(r.Host)
		mu.Lock()
		c.PerHost[host]++
		if err != nil || verr != nil {
			c.Bad++
		}
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})}
	go srv.Serve(ln)
	fmt.Printf("PORT %d\n", ln.Addr().(*net.TCPAddr).Port)
	io.Copy(io.Discard, os.Stdin) // until the parent closes it
	srv.Close()
	mu.Lock()
	b, _ := json.Marshal(c)
	mu.Unlock()
	fmt.Printf("COUNTS %s\n", b)
}

type oneKey struct{ pub *rsa.PublicKey }

func (k oneKey) Key(_ context.Context, keyID string) (*keys.Remote, error) {
	return &keys.Remote{KeyID: keyID, Owner: strings.TrimSuffix(keyID, "#main-key"), Public: k.pub}, nil
}

func (k oneKey) Refresh(context.Context, string) (*keys.Remote, error) {
	return nil, keys.ErrRefreshLimited
}
