package delivery

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/store"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// signingKey is one RSA-2048 key per test binary: generating one per test
// would cost more than the tests.
func signingKey(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, keys.Bits)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

// sender is the local channel that signs in the tests.
var sender = federation.LocalActor{Key: keys.Actor{Kind: keys.Channel, ID: 7}, IRI: "https://cabane.example/video-channels/garden"}

const note = `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://cabane.example/videos/watch/1/announces/7","type":"Announce","actor":"https://cabane.example/video-channels/garden","object":"https://cabane.example/videos/watch/1"}`

// resolver makes every *.test name resolve to 127.0.0.1: one listener
// plays many hosts, told apart by the Host header.
type resolver struct{}

func (resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if strings.HasSuffix(host, ".test") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, fmt.Errorf("no such host %s", host)
}

// rig is a database, a keyring holding the sender's key, an outbound
// client allowed to reach 127.0.0.0/8, and a delivery service on them.
type rig struct {
	t      *testing.T
	st     *store.Store
	kr     *keys.Keyring
	client *httpclient.Client
	opt    Options
	svc    *Service
	q      *jobs.Queue
	stop   func()
}

func newRig(t *testing.T, opt Options) *rig {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k := signingKey(t)
	priv, err := keys.EncodePrivatePEM(k)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := keys.EncodePublicPEM(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ActorKeys().AddLocal(ctx, string(sender.Key.Kind), sender.Key.ID, priv, pub); err != nil {
		t.Fatal(err)
	}
	client := httpclient.New(httpclient.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Resolver: resolver{},
		Timeout: 5 * time.Second})
	r := &rig{t: t, st: st, kr: keys.NewKeyring(st.ActorKeys()), client: client, opt: opt}
	r.build()
	return r
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// build makes a new queue and service on the rig's database, as a new
// process would.
func (r *rig) build() {
	log := testLog(r.t)
	r.q = jobs.New(r.st.DB(), log, jobs.Options{Owner: "test", Poll: 20 * time.Millisecond})
	r.svc = New(r.st.Delivery(), r.q, r.client, r.kr, log, r.opt)
}

// start runs the service in the background until stop (or the test's end).
func (r *rig) start() {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- r.svc.Run(ctx) }()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					r.t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				r.t.Errorf("Run did not return after its context ended")
			}
		})
	}
	r.t.Cleanup(r.stop)
}

func (r *rig) send(to ...federation.Recipient) {
	r.t.Helper()
	if err := r.svc.Send(context.Background(), sender, []byte(note), to); err != nil {
		r.t.Fatalf("Send: %v", err)
	}
}

// count runs a COUNT(*) query.
func (r *rig) count(query string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.st.DB().QueryRow(query, args...).Scan(&n); err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// jobStates counts delivery jobs by state.
func (r *rig) jobStates() map[string]int {
	r.t.Helper()
	rows, err := r.st.DB().Query(`SELECT state, COUNT(*) FROM jobs WHERE kind = ? GROUP BY state`, JobKind)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			r.t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

func (r *rig) failures() []store.DeliveryFailure {
	r.t.Helper()
	f, err := r.svc.Failures(context.Background(), "", 100)
	if err != nil {
		r.t.Fatal(err)
	}
	return f
}

func (r *rig) health(host string) HostHealth {
	r.t.Helper()
	hs, err := r.svc.Health(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	for _, h := range hs {
		if name, _, _ := strings.Cut(h.Host, ":"); name == host {
			return h
		}
	}
	return HostHealth{}
}

// waitFor polls cond until it holds or within passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// hit is one request a receiver got.
type hit struct {
	host, path string
	body       []byte
	at         time.Time
}

// receiver is a remote server's inbox for many *.test hosts: it verifies
// every request's signature as a real inbox would, counts requests per
// host and how many run at once, and answers what respond says.
type receiver struct {
	t       *testing.T
	ln      net.Listener
	srv     *http.Server
	port    int
	verify  signature.Verifier
	delay   time.Duration // how long each answer takes
	respond func(host string, n int) (code int, header http.Header, body string)

	mu        sync.Mutex
	hits      []hit
	perHost   map[string]int
	active    map[string]int
	maxActive map[string]int
	bad       []string // what a real inbox would have refused
}

// fixedKeys is the verifier's key source: the sender's public key.
type fixedKeys struct{ pub *rsa.PublicKey }

func (f fixedKeys) Key(_ context.Context, keyID string) (*keys.Remote, error) {
	if keyID != signature.KeyID(sender.IRI) {
		return nil, fmt.Errorf("unknown key %s", keyID)
	}
	return &keys.Remote{KeyID: keyID, Owner: sender.IRI, Public: f.pub}, nil
}

func (f fixedKeys) Refresh(ctx context.Context, keyID string) (*keys.Remote, error) {
	return nil, keys.ErrRefreshLimited
}

// newReceiver listens on 127.0.0.1 (on port, or any port when 0).
func newReceiver(t *testing.T, port int) *receiver {
	t.Helper()
	rc := &receiver{t: t, verify: signature.Verifier{Keys: fixedKeys{pub: &signingKey(t).PublicKey}},
		perHost: map[string]int{}, active: map[string]int{}, maxActive: map[string]int{}}
	rc.listen(port)
	return rc
}

func (rc *receiver) listen(port int) {
	rc.t.Helper()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		rc.t.Fatal(err)
	}
	rc.ln, rc.port = ln, ln.Addr().(*net.TCPAddr).Port
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 5 * time.Second}
	go rc.srv.Serve(ln)
	rc.t.Cleanup(func() { rc.srv.Close() })
}

// close stops answering: connections are refused.
func (rc *receiver) close() { rc.srv.Close() }

// inbox is host's inbox URL at path on this receiver.
func (rc *receiver) inbox(host, path string) string {
	return fmt.Sprintf("http://%s:%d%s", host, rc.port, path)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	res, verr := rc.verify.Verify(r.Context(), r, body)
	rc.mu.Lock()
	switch {
	case verr != nil:
		rc.bad = append(rc.bad, "signature: "+verr.Error())
	case res.Owner != sender.IRI || res.KeyID != signature.KeyID(sender.IRI):
		rc.bad = append(rc.bad, "signed by "+res.KeyID)
	case r.Method != http.MethodPost:
		rc.bad = append(rc.bad, "method "+r.Method)
	case r.Header.Get("Content-Type") != ContentType || r.Header.Get("Accept") != ContentType:
		rc.bad = append(rc.bad, "Content-Type "+r.Header.Get("Content-Type")+", Accept "+r.Header.Get("Accept"))
	}
	rc.perHost[host]++
	n := rc.perHost[host]
	rc.hits = append(rc.hits, hit{host: host, path: r.URL.Path, body: body, at: time.Now()})
	rc.active[host]++
	rc.maxActive[host] = max(rc.maxActive[host], rc.active[host])
	respond := rc.respond
	rc.mu.Unlock()
	defer func() {
		rc.mu.Lock()
		rc.active[host]--
		rc.mu.Unlock()
	}()
	if rc.delay > 0 {
		time.Sleep(rc.delay)
	}
	code, hdr, msg := http.StatusAccepted, http.Header(nil), ""
	if respond != nil {
		code, hdr, msg = respond(host, n)
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.WriteHeader(code)
	io.WriteString(w, msg)
}

func (rc *receiver) count(host string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.perHost[host]
}

func (rc *receiver) total() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.hits)
}

func (rc *receiver) snapshot() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

// checkSigned fails the test if any request would have been refused by a
// real inbox.
func (rc *receiver) checkSigned() {
	rc.t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, b := range rc.bad {
		rc.t.Errorf("receiver refused a request: %s", b)
	}
}

// freePort is a port nothing listens on (for a receiver that is down).
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}
