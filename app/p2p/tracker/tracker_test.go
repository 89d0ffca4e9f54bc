package tracker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// clientMsg is what the simulated browsers send (bittorrent-tracker's
// client fields).
type clientMsg struct {
	Action   string        `json:"action"`
	InfoHash string        `json:"info_hash,omitempty"`
	PeerID   string        `json:"peer_id,omitempty"`
	Event    string        `json:"event,omitempty"`
	Numwant  int           `json:"numwant,omitempty"`
	Offers   []clientOffer `json:"offers,omitempty"`
	Answer   *sdp          `json:"answer,omitempty"`
	ToPeerID string        `json:"to_peer_id,omitempty"`
	OfferID  string        `json:"offer_id,omitempty"`
}

type clientOffer struct {
	Offer   sdp    `json:"offer"`
	OfferID string `json:"offer_id"`
}

type sdp struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

// serverMsg is every field the tracker may send.
type serverMsg struct {
	Action     string `json:"action"`
	Failure    string `json:"failure reason"`
	InfoHash   string `json:"info_hash"`
	PeerID     string `json:"peer_id"`
	Interval   int    `json:"interval"`
	Complete   int    `json:"complete"`
	Incomplete int    `json:"incomplete"`
	Offer      *sdp   `json:"offer"`
	Answer     *sdp   `json:"answer"`
	OfferID    string `json:"offer_id"`
	Files      map[string]scrapeFile
}

// id20 is a random 20-byte id written as the client writes it (latin1),
// with bytes above 0x7f so the decoding is exercised.
func id20(t testing.TB) string {
	var b [idLen]byte
	rand.Read(b[:])
	b[0] = 0xff
	return latin1(string(b[:]))
}

func hexOf(t testing.TB, latin string) string {
	b, ok := fromLatin1(latin)
	if !ok {
		t.Fatalf("not a latin1 id: %q", latin)
	}
	return hex.EncodeToString([]byte(b))
}

type peerClient struct {
	t  testing.TB
	ws *websocket.Conn
	id string // latin1
}

func startTracker(t testing.TB, o Options) (*Tracker, *httptest.Server) {
	t.Helper()
	tr := New(o)
	srv := httptest.NewServer(tr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		srv.Close()
	})
	return tr, srv
}

func wsURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/tracker/socket"
}

func dial(t testing.TB, srv *httptest.Server) *peerClient { t.Helper(); return dialFrom(t, srv, "") }

// dialFrom connects as a client of address ip (testIP's header) when not
// empty.
func dialFrom(t testing.TB, srv *httptest.Server, ip string) *peerClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var o *websocket.DialOptions
	if ip != "" {
		o = &websocket.DialOptions{HTTPHeader: http.Header{testIPHeader: {ip}}}
	}
	ws, _, err := websocket.Dial(ctx, wsURL(srv), o)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	return &peerClient{t: t, ws: ws, id: id20(t)}
}

func (p *peerClient) send(m clientMsg) {
	p.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		p.t.Fatal(err)
	}
	p.sendRaw(b)
}

func (p *peerClient) sendRaw(b []byte) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.ws.Write(ctx, websocket.MessageText, b); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// recv waits up to d for a message; ok false on timeout (the connection
// is then unusable: coder/websocket closes it when a read's context ends,
// so use it last).
func (p *peerClient) recv(d time.Duration) (serverMsg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_, b, err := p.ws.Read(ctx)
	if err != nil {
		return serverMsg{}, err
	}
	var m serverMsg
	if err := json.Unmarshal(b, &m); err != nil {
		p.t.Fatalf("tracker sent %q: %v", b, err)
	}
	return m, nil
}

func (p *peerClient) must() serverMsg {
	p.t.Helper()
	m, err := p.recv(5 * time.Second)
	if err != nil {
		p.t.Fatalf("no message: %v", err)
	}
	return m
}

// announce joins (or refreshes) the swarm with n offers and returns the
// tracker's reply.
func (p *peerClient) announce(ih string, n int) serverMsg {
	p.t.Helper()
	m := clientMsg{Action: "announce", InfoHash: ih, PeerID: p.id, Event: "started", Numwant: n}
	for i := range n {
		m.Offers = append(m.Offers, clientOffer{Offer: sdp{"offer", "v=0 from " + hexOf(p.t, p.id)}, OfferID: offerID(p, i)})
	}
	p.send(m)
	return p.must()
}

func offerID(p *peerClient, i int) string { return p.id[:19] + string(rune('a'+i)) }

func allowAll(*http.Request, string) bool { return true }

const testIPHeader = "X-Test-Client"

// testIP is the client address of dialFrom's connections, 127.0.0.1 for
// dial's.
func testIP(r *http.Request) netip.Addr {
	if a, err := netip.ParseAddr(r.Header.Get(testIPHeader)); err == nil {
		return a
	}
	return netip.MustParseAddr("127.0.0.1")
}

func waitStats(t testing.TB, tr *Tracker, ok func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := tr.Stats()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats never matched: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOffersRelayedAnswersRouted(t *testing.T) {
	tr, srv := startTracker(t, Options{Allow: allowAll})
	ih := id20(t)
	a, b, c := dial(t, srv), dial(t, srv), dial(t, srv)
	if r := a.announce(ih, 0); r.Action != "announce" || r.Failure != "" || r.Interval != 120 || r.Incomplete != 1 || r.InfoHash != ih {
		t.Fatalf("first announce: %+v", r)
	}
	if r := b.announce(ih, 0); r.Incomplete != 2 {
		t.Fatalf("second announce: %+v", r)
	}
	if r := c.announce(ih, 5); r.Incomplete != 3 {
		t.Fatalf("third announce: %+v", r)
	}
	// Two others in the swarm: each gets one of c's offers.
	seen := map[string]bool{}
	for _, p := range []*peerClient{a, b} {
		m := p.must()
		if m.Offer == nil || m.PeerID != c.id || m.InfoHash != ih || !strings.HasPrefix(m.Offer.SDP, "v=0 from "+hexOf(t, c.id)) {
			t.Fatalf("relayed offer: %+v", m)
		}
		seen[m.OfferID] = true
	}
	if len(seen) != 2 {
		t.Fatalf("the two peers got the same offer: %v", seen)
	}
	// a answers: the answer reaches c alone, with a's id and the offer id.
	var aOffer string
	for id := range seen {
		aOffer = id
		break
	}
	a.send(clientMsg{Action: "announce", InfoHash: ih, PeerID: a.id, ToPeerID: c.id, OfferID: aOffer, Answer: &sdp{"answer", "v=0 answer"}})
	m := c.must()
	if m.Answer == nil || m.Answer.SDP != "v=0 answer" || m.PeerID != a.id || m.OfferID != aOffer || m.InfoHash != ih {
		t.Fatalf("relayed answer: %+v", m)
	}
	// b leaves: c's next offers reach a only.
	b.send(clientMsg{Action: "announce", InfoHash: ih, PeerID: b.id, Event: "stopped"})
	if r := b.must(); r.Incomplete != 2 {
		t.Fatalf("stopped reply: %+v", r)
	}
	if s := tr.Stats(); s.Peers != 2 || s.Swarms != 1 || s.Connections != 3 {
		t.Fatalf("after stopped: %+v", s)
	}
	if r := c.announce(ih, 3); r.Incomplete != 2 {
		t.Fatalf("re-announce: %+v", r)
	}
	if m := a.must(); m.Offer == nil || m.PeerID != c.id {
		t.Fatalf("a: %+v", m)
	}
	if m, err := b.recv(300 * time.Millisecond); err == nil {
		t.Fatalf("b left the swarm but got %+v", m)
	}
	// A closed connection leaves every swarm it was in.
	a.ws.Close(websocket.StatusNormalClosure, "")
	waitStats(t, tr, func(s Stats) bool { return s.Peers == 1 && s.Connections == 1 })
	// A seeder is counted as complete.
	c.send(clientMsg{Action: "announce", InfoHash: ih, PeerID: c.id, Event: "completed"})
	if r := c.must(); r.Complete != 1 || r.Incomplete != 0 {
		t.Fatalf("completed: %+v", r)
	}
	// Scrape counts it.
	c.send(clientMsg{Action: "scrape", InfoHash: ih})
	if r := c.must(); r.Action != "scrape" || r.Files[ih].Complete != 1 {
		t.Fatalf("scrape: %+v", r)
	}
}

func TestRefusedInfoHash(t *testing.T) {
	open, closed := id20(t), id20(t)
	var asked atomic.Int32
	tr, srv := startTracker(t, Options{Allow: func(r *http.Request, infoHash string) bool {
		asked.Add(1)
		return infoHash == hexOf(t, open)
	}})
	a, b := dial(t, srv), dial(t, srv)
	a.announce(open, 0)
	a.announce(closed, 0) // refused: a stays out of that swarm
	for range 2 {
		r := b.announce(closed, 2)
		if r.Failure != "not allowed" || r.InfoHash != closed {
			t.Fatalf("refused announce: %+v", r)
		}
	}
	s := tr.Stats()
	if s.RefusedAnnounces != 3 || s.Swarms != 1 || s.Peers != 1 {
		t.Fatalf("stats: %+v", s)
	}
	// Nothing relayed to a, on either swarm (a's read timing out closes
	// it: last).
	if m, err := a.recv(300 * time.Millisecond); err == nil {
		t.Fatalf("a got %+v", m)
	}
	// Allow asked once per connection and hash (a: 2, b: 1), not per announce.
	if n := asked.Load(); n != 3 {
		t.Fatalf("Allow asked %d times, want 3", n)
	}
	// Scrape says nothing of a refused swarm.
	c := dial(t, srv)
	c.send(clientMsg{Action: "scrape", InfoHash: closed})
	if r := c.must(); r.Files[closed] != (scrapeFile{}) {
		t.Fatalf("scrape of a refused swarm: %+v", r)
	}
}

func TestNilAllowRefusesAll(t *testing.T) {
	tr, srv := startTracker(t, Options{})
	a := dial(t, srv)
	if r := a.announce(id20(t), 0); r.Failure != "not allowed" {
		t.Fatalf("%+v", r)
	}
	if s := tr.Stats(); s.Peers != 0 || s.RefusedAnnounces != 1 {
		t.Fatalf("%+v", s)
	}
}

func TestSwarmLimits(t *testing.T) {
	tr, srv := startTracker(t, Options{Allow: allowAll, MaxPeersPerSwarm: 2, MaxSwarms: 2, ClientIP: testIP})
	ih := id20(t)
	a, b, c := dial(t, srv), dial(t, srv), dial(t, srv)
	a.announce(ih, 0)
	b.announce(ih, 0)
	if r := c.announce(ih, 2); r.Failure != "swarm full" {
		t.Fatalf("third peer: %+v", r)
	}
	if r := c.announce(id20(t), 0); r.Failure != "" {
		t.Fatalf("second swarm: %+v", r)
	}
	if r := c.announce(id20(t), 0); r.Failure != "tracker full" {
		t.Fatalf("third swarm: %+v", r)
	}
	// A peer id already in the swarm on another connection is not taken
	// from another address.
	d := dialFrom(t, srv, "192.0.2.9")
	d.id = b.id
	if r := d.announce(ih, 0); r.Failure != "peer_id in use" {
		t.Fatalf("stolen peer id: %+v", r)
	}
	if s := tr.Stats(); s.RefusedFull != 3 || s.Peers != 3 || s.Swarms != 2 {
		t.Fatalf("%+v", s)
	}
	// The refused peer's offers went nowhere.
	if m, err := a.recv(300 * time.Millisecond); err == nil {
		t.Fatalf("a got %+v", m)
	}
}

func TestOversizedMessageClosesConnection(t *testing.T) {
	tr, srv := startTracker(t, Options{Allow: allowAll, MaxMessageBytes: 1024})
	a := dial(t, srv)
	a.announce(id20(t), 0)
	big := clientMsg{Action: "announce", InfoHash: id20(t), PeerID: a.id, Offers: []clientOffer{{Offer: sdp{"offer", strings.Repeat("x", 2048)}}}}
	a.send(big)
	_, err := a.recv(5 * time.Second)
	if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("want a close with 1009, got %v", err)
	}
	waitStats(t, tr, func(s Stats) bool { return s.Connections == 0 && s.Peers == 0 })
}

func TestRateLimitDrops(t *testing.T) {
	tr, srv := startTracker(t, Options{Allow: allowAll, MessagesPerSecond: 1, Burst: 5})
	a := dial(t, srv)
	ih := id20(t)
	for range 20 {
		a.send(clientMsg{Action: "announce", InfoHash: ih, PeerID: a.id})
	}
	s := waitStats(t, tr, func(s Stats) bool { return s.Dropped >= 14 })
	got := 0
	for {
		if _, err := a.recv(300 * time.Millisecond); err != nil {
			break
		}
		got++
	}
	// The last message may still have been on its way when s was read.
	s = waitStats(t, tr, func(s Stats) bool { return s.Dropped+int64(got) >= 20 })
	if got < 5 || got > 6 || s.Dropped+int64(got) != 20 {
		t.Fatalf("answered %d, dropped %d of 20", got, s.Dropped)
	}

	// A client that goes on sending well past its burst is shut out.
	b := dial(t, srv)
	for range 30 {
		b.send(clientMsg{Action: "announce", InfoHash: ih, PeerID: b.id})
	}
	for {
		if _, err := b.recv(5 * time.Second); err != nil {
			if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
				t.Fatalf("flood: %v", err)
			}
			break
		}
	}
	waitStats(t, tr, func(s Stats) bool { return s.Connections == 0 })
}

func TestOriginCheck(t *testing.T) {
	_, srv := startTracker(t, Options{Allow: allowAll, OriginPatterns: []string{"friend.example"}})
	try := func(origin string) int {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		ws, resp, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			ws.CloseNow()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("dial %q: %v", origin, err)
		}
		return resp.StatusCode
	}
	for origin, want := range map[string]int{
		"":                         http.StatusSwitchingProtocols, // not a browser
		srv.URL:                    http.StatusSwitchingProtocols, // same host
		"https://friend.example":   http.StatusSwitchingProtocols,
		"https://evil.example":     http.StatusForbidden,
		"https://friend.example.x": http.StatusForbidden,
	} {
		if got := try(origin); got != want {
			t.Errorf("origin %q: %d, want %d", origin, got, want)
		}
	}
}

// With CrossOrigin, a page of any site opens the tracker (PeerTube's
// players of a federated video), and Allow still decides the swarms.
func TestCrossOrigin(t *testing.T) {
	ih := id20(t)
	tr, srv := startTracker(t, Options{CrossOrigin: true, Allow: func(r *http.Request, h string) bool {
		return r.Header.Get("Origin") == "https://peertube.example" && h == hexOf(t, ih)
	}})
	from := func(origin string) *peerClient {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ws, _, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
		if err != nil {
			t.Fatalf("origin %s: %v", origin, err)
		}
		t.Cleanup(func() { ws.CloseNow() })
		return &peerClient{t: t, ws: ws, id: id20(t)}
	}
	if m := from("https://peertube.example").announce(ih, 0); m.Failure != "" {
		t.Fatalf("announce from a foreign page Allow accepts: %+v", m)
	}
	if m := from("https://elsewhere.example").announce(ih, 0); m.Failure == "" {
		t.Fatalf("announce Allow refuses: %+v", m)
	}
	waitStats(t, tr, func(s Stats) bool { return s.Peers == 1 && s.RefusedAnnounces == 1 })
}

func TestConnectionsPerAddress(t *testing.T) {
	tr, srv := startTracker(t, Options{Allow: allowAll, MaxConnsPerIP: 2})
	dial(t, srv)
	dial(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, wsURL(srv), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third connection: %v %v", resp, err)
	}
	// The client's Dial returns at the 101 answer, before the handler has
	// put its connection in the table: wait for both to be counted.
	waitStats(t, tr, func(s Stats) bool { return s.Connections == 2 })
	if s := tr.Stats(); s.RefusedConnections != 1 {
		t.Fatalf("%+v", s)
	}
}

// A revoked viewer leaves the swarm once the cached answer is older than
// AllowTTL, without announcing again (Run's sweep asks Allow).
func TestRevokedAccessLeavesSwarm(t *testing.T) {
	var ok atomic.Bool
	ok.Store(true)
	tr, srv := startTracker(t, Options{Allow: func(*http.Request, string) bool { return ok.Load() }, AllowTTL: 200 * time.Millisecond})
	ih := id20(t)
	a, b := dial(t, srv), dial(t, srv)
	a.announce(ih, 0)
	b.announce(ih, 0)
	ok.Store(false)
	waitStats(t, tr, func(s Stats) bool { return s.Peers == 0 && s.Swarms == 0 })
	if r := a.announce(ih, 0); r.Failure != "not allowed" {
		t.Fatalf("%+v", r)
	}
}

func TestBadMessagesAnswered(t *testing.T) {
	tr, srv := startTracker(t, Options{Allow: allowAll})
	a := dial(t, srv)
	for _, raw := range []string{`{`, `[]`, `{"action":"announce","info_hash":"short","peer_id":"x"}`,
		`{"action":"dance"}`, `{"action":"announce","info_hash":12}`} {
		a.sendRaw([]byte(raw))
		if r := a.must(); r.Failure == "" {
			t.Fatalf("%s: %+v", raw, r)
		}
	}
	// The connection still works.
	if r := a.announce(id20(t), 0); r.Failure != "" || r.Incomplete != 1 {
		t.Fatalf("%+v", r)
	}
	if s := tr.Stats(); s.Invalid != 5 {
		t.Fatalf("%+v", s)
	}
}

func TestRunEndClosesConnections(t *testing.T) {
	tr := New(Options{Allow: allowAll})
	srv := httptest.NewServer(tr)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	a := dial(t, srv)
	a.announce(id20(t), 0)
	// Reading, as a browser is: the close handshake completes at once.
	got := make(chan error, 1)
	go func() { _, err := a.recv(5 * time.Second); got <- err }()
	start := time.Now()
	cancel()
	<-done
	if err := <-got; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("want going away, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	waitStats(t, tr, func(s Stats) bool { return s.Connections == 0 && s.Peers == 0 })
	resp, err := http.Get(srv.URL)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("after Run: %v %v", resp, err)
	}
}

// Connections count per address, an IPv6 client's whole /64 as one.
func TestClientAddressGrouping(t *testing.T) {
	tr := New(Options{})
	for remote, want := range map[string]string{
		"192.0.2.7:5000":                  "192.0.2.7",
		"[::ffff:192.0.2.7]:5000":         "192.0.2.7",
		"[2001:db8:1:2:aaaa::1]:443":      "2001:db8:1:2::",
		"[2001:db8:1:2:ffff:ffff::9]:443": "2001:db8:1:2::",
		"nonsense":                        "invalid IP",
	} {
		r := httptest.NewRequest(http.MethodGet, "/tracker/socket", nil)
		r.RemoteAddr = remote
		if got := tr.clientIP(r).String(); got != want {
			t.Errorf("%s: %s, want %s", remote, got, want)
		}
	}
}

// The server pings a quiet connection (proxies and NAT tables forget
// silent ones); a client that answers stays, and still gets its relays.
func TestPingsKeepQuietConnections(t *testing.T) {
	tr := New(Options{Allow: allowAll})
	tr.pingEvery = 20 * time.Millisecond
	srv := httptest.NewServer(tr)
	defer srv.Close()
	ih := id20(t)
	a, b := dial(t, srv), dial(t, srv)
	a.announce(ih, 0)
	// a reads (answering pings) for a while with nothing else to read.
	got := make(chan serverMsg, 1)
	go func() {
		m, err := a.recv(5 * time.Second)
		if err != nil {
			t.Errorf("a: %v", err)
		}
		got <- m
	}()
	time.Sleep(300 * time.Millisecond)
	if s := tr.Stats(); s.Connections != 2 || s.Peers != 1 {
		t.Fatalf("%+v", s)
	}
	b.announce(ih, 1)
	if m := <-got; m.Offer == nil || m.PeerID != b.id {
		t.Fatalf("a got %+v", m)
	}
}

// A browser that reconnects (same address, same peer id) before its old
// socket is seen dead takes its place in the swarm: offers reach the new
// socket, and the old one's end does not remove it.
func TestReconnectTakesOverPeer(t *testing.T) {
	tr, srv := startTracker(t, Options{Allow: allowAll})
	ih := id20(t)
	old, other := dial(t, srv), dial(t, srv)
	old.announce(ih, 0)
	other.announce(ih, 0)
	fresh := dial(t, srv)
	fresh.id = old.id
	if r := fresh.announce(ih, 0); r.Failure != "" || r.Incomplete != 2 {
		t.Fatalf("reconnect: %+v", r)
	}
	old.ws.Close(websocket.StatusNormalClosure, "")
	waitStats(t, tr, func(s Stats) bool { return s.Connections == 2 })
	if s := tr.Stats(); s.Peers != 2 {
		t.Fatalf("the old socket's end took the peer away: %+v", s)
	}
	other.announce(ih, 1)
	if m := fresh.must(); m.Offer == nil || m.PeerID != other.id {
		t.Fatalf("fresh got %+v", m)
	}
}
