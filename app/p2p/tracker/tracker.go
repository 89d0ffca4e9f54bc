// Package tracker is the WebSocket WebTorrent tracker that the player's
// p2p-media-loader announces to: it keeps, per video stream (an info
// hash), the live swarm of viewers' browsers, and relays their WebRTC
// offers and answers so they can connect to each other. It speaks
// bittorrent-tracker's WebSocket protocol (lib/server/parse-websocket.js
// and server.js in webtorrent's bittorrent-tracker).
//
// Nothing about a viewer outlives their connection: the swarm holds a
// peer id and the connection it came on, in memory, and no address is
// logged.
package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"
)

// Options are the tracker's rules. Zero limits get the defaults below.
type Options struct {
	// Allow says whether the viewer of this upgrade request may join the
	// swarm of infoHash (lower-case hex of the 20 bytes). nil refuses every
	// announce.
	Allow func(r *http.Request, infoHash string) bool
	// AllowTTL is how long an answer of Allow is kept for a connection
	// before it is asked again (a revoked supporter is dropped from the
	// swarm then). Default 30 s.
	AllowTTL time.Duration

	MaxPeersPerSwarm  int     // default 500
	MaxSwarms         int     // default 2000
	MaxMessageBytes   int     // the WebSocket read limit; default 64 KiB
	MessagesPerSecond float64 // per connection; default 5
	Burst             int     // default 40
	MaxOffers         int     // offers relayed per announce (and peers given); default 10
	MaxConnsPerIP     int     // default 32
	MaxConns          int     // default 1000: ~60 KiB each, measured (tests/bench), so ~60 MB
	MaxSwarmsPerConn  int     // swarms one connection may join; default 32

	// AnnounceInterval is the interval the clients are told; a peer not
	// heard of in twice that is dropped. Default 2 minutes (bittorrent-
	// tracker's for WebSocket).
	AnnounceInterval time.Duration
	// OriginPatterns are the other hosts whose pages may open the tracker
	// (WebSocket Origin check, path.Match patterns on the host); empty: the
	// request's own host only. Clients that send no Origin (not browsers)
	// are let through: Allow still decides who joins a swarm.
	OriginPatterns []string
	// CrossOrigin lets pages of any origin open the tracker, as PeerTube's
	// (bittorrent-tracker) does, OriginPatterns unused: the players of a
	// video on other servers' pages (PeerTube's, for a video it federates)
	// join the swarm of the box's own viewers. The upgrade request then
	// carries the viewer's cookies for this box to a page of another site:
	// Allow must not grant that page what the cookies would (see the web
	// server's trackerAllow).
	CrossOrigin bool
	// ClientIP is the address connections are counted under for
	// MaxConnsPerIP; nil: the connection's remote address.
	ClientIP func(r *http.Request) netip.Addr
	Log      *slog.Logger
}

// Stats is what the tracker holds now and what it has refused since it
// started.
type Stats struct {
	Swarms      int
	Peers       int
	Connections int
	// RefusedAnnounces: announces for a swarm Allow refused.
	RefusedAnnounces int64
	// RefusedFull: announces refused because a swarm, the tracker or the
	// connection had reached its limit.
	RefusedFull int64
	// RefusedConnections: upgrades refused (too many connections from one
	// address or in all, or after Run ended).
	RefusedConnections int64
	// Dropped: messages over a connection's rate, or not sent to a peer
	// whose queue was full.
	Dropped int64
	// Invalid: messages that did not parse, and answers from a peer that
	// is not in the swarm.
	Invalid int64
	// Messages: client messages read (dropped ones included).
	Messages int64
}

// Tracker is the WebSocket tracker. Its zero value is not usable: New.
type Tracker struct {
	o   Options
	log *slog.Logger

	mu     sync.Mutex
	swarms map[string]*swarm // by binary info hash
	conns  map[*conn]struct{}
	perIP  map[netip.Addr]int
	closed bool

	pingEvery time.Duration // pingEvery, shorter in tests

	refusedAnnounces, refusedFull, refusedConns, dropped, invalid, messages atomic.Int64
}

// sendQueue is how many messages wait for a slow reader before more are
// dropped.
const sendQueue = 64

// writeTimeout bounds one message's write to a peer.
const writeTimeout = 10 * time.Second

// New builds a tracker with o's rules.
func New(o Options) *Tracker {
	if o.AllowTTL <= 0 {
		o.AllowTTL = 30 * time.Second
	}
	if o.MaxPeersPerSwarm <= 0 {
		o.MaxPeersPerSwarm = 500
	}
	if o.MaxSwarms <= 0 {
		o.MaxSwarms = 2000
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 64 << 10
	}
	if o.MessagesPerSecond <= 0 {
		o.MessagesPerSecond = 5
	}
	if o.Burst <= 0 {
		o.Burst = 40
	}
	if o.MaxOffers <= 0 {
		o.MaxOffers = 10
	}
	if o.MaxConnsPerIP <= 0 {
		o.MaxConnsPerIP = 32
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 1000
	}
	if o.MaxSwarmsPerConn <= 0 {
		o.MaxSwarmsPerConn = 32
	}
	if o.AnnounceInterval <= 0 {
		o.AnnounceInterval = 2 * time.Minute
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tracker{o: o, log: log, swarms: map[string]*swarm{}, conns: map[*conn]struct{}{}, perIP: map[netip.Addr]int{},
		pingEvery: pingEvery}
}

// Stats counts swarms, peers and connections now, and refusals so far.
func (t *Tracker) Stats() Stats {
	t.mu.Lock()
	s := Stats{Swarms: len(t.swarms), Connections: len(t.conns)}
	for _, sw := range t.swarms {
		s.Peers += len(sw.list)
	}
	t.mu.Unlock()
	s.RefusedAnnounces = t.refusedAnnounces.Load()
	s.RefusedFull = t.refusedFull.Load()
	s.RefusedConnections = t.refusedConns.Load()
	s.Dropped = t.dropped.Load()
	s.Invalid = t.invalid.Load()
	s.Messages = t.messages.Load()
	return s
}

// idleTimeout is how long a connection may stay silent: clients announce
// every interval.
func (t *Tracker) idleTimeout() time.Duration { return 2*t.o.AnnounceInterval + 30*time.Second }

// Run drops the peers not heard of in two intervals, asks Allow again for
// the swarms whose answer is older than AllowTTL, and closes every
// connection when ctx ends.
func (t *Tracker) Run(ctx context.Context) error {
	every := min(t.o.AllowTTL, t.o.AnnounceInterval/2)
	tick := time.NewTicker(max(every, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			t.shutdown()
			return nil
		case now := <-tick.C:
			t.sweep(now)
		}
	}
}

func (t *Tracker) shutdown() {
	t.mu.Lock()
	t.closed = true
	conns := make([]*conn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	// Closed side by side: each close waits a moment for the client's
	// close frame.
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { c.ws.Close(websocket.StatusGoingAway, "shutting down") })
	}
	wg.Wait()
}

// sweep drops stale peers, then rechecks the allowances that expired.
func (t *Tracker) sweep(now time.Time) {
	stale := now.Add(-t.idleTimeout())
	type check struct {
		c  *conn
		ih string
	}
	var checks []check
	t.mu.Lock()
	for ih, sw := range t.swarms {
		for i := 0; i < len(sw.list); {
			p := sw.list[i]
			if p.seen.Before(stale) {
				t.removePeer(sw, p)
				continue // the last peer took index i
			}
			if p.c.allowExpired(ih, now, t.o.AllowTTL) {
				checks = append(checks, check{p.c, ih})
			}
			i++
		}
	}
	t.mu.Unlock()
	// Allow may query the database: never under the tracker's lock.
	for _, ch := range checks {
		if t.allowed(ch.c, ch.ih, now) {
			continue
		}
		t.mu.Lock()
		if sw := t.swarms[ch.ih]; sw != nil {
			if p := ch.c.swarms[ch.ih]; p != nil {
				t.removePeer(sw, p)
			}
		}
		t.mu.Unlock()
	}
}

// ServeHTTP upgrades to a WebSocket and serves the connection until the
// client leaves, goes silent, breaks a limit, or Run ends.
func (t *Tracker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ip := t.clientIP(r)
	t.mu.Lock()
	switch {
	case t.closed:
		t.mu.Unlock()
		t.refusedConns.Add(1)
		http.Error(w, "tracker stopped", http.StatusServiceUnavailable)
		return
	case len(t.conns) >= t.o.MaxConns || t.perIP[ip] >= t.o.MaxConnsPerIP:
		t.mu.Unlock()
		t.refusedConns.Add(1)
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many connections", http.StatusTooManyRequests)
		return
	}
	t.perIP[ip]++ // held before the upgrade, so a burst cannot overshoot
	t.mu.Unlock()
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: t.o.OriginPatterns, InsecureSkipVerify: t.o.CrossOrigin,
		CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		// Accept has answered (403 for a foreign origin, 426 for a plain GET).
		t.mu.Lock()
		t.release(ip)
		t.mu.Unlock()
		return
	}
	ws.SetReadLimit(int64(t.o.MaxMessageBytes))
	c := &conn{ws: ws, r: r, ip: ip, out: make(chan []byte, sendQueue), done: make(chan struct{}),
		lim: rate.NewLimiter(rate.Limit(t.o.MessagesPerSecond), t.o.Burst), swarms: map[string]*peer{}, allow: map[string]allowance{}}
	t.mu.Lock()
	if t.closed {
		t.release(ip)
		t.mu.Unlock()
		ws.Close(websocket.StatusGoingAway, "shutting down")
		return
	}
	t.conns[c] = struct{}{}
	t.mu.Unlock()
	go c.writeLoop(t.pingEvery)
	err = t.readLoop(c)
	close(c.done)
	t.mu.Lock()
	for ih, p := range c.swarms {
		if sw := t.swarms[ih]; sw != nil {
			t.removePeer(sw, p)
		}
	}
	delete(t.conns, c)
	t.release(ip)
	t.mu.Unlock()
	// How it ended is not logged: a network error's text holds the
	// viewer's address.
	if websocket.CloseStatus(err) == websocket.StatusMessageTooBig {
		t.invalid.Add(1)
	}
	ws.CloseNow()
}

func (t *Tracker) release(ip netip.Addr) {
	if t.perIP[ip]--; t.perIP[ip] <= 0 {
		delete(t.perIP, ip)
	}
}

// clientIP is the address a connection counts under: an IPv6 client's
// /64, since one home or phone holds a whole /64 to pick from.
func (t *Tracker) clientIP(r *http.Request) netip.Addr {
	var a netip.Addr
	if t.o.ClientIP != nil {
		a = t.o.ClientIP(r)
	} else if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		a = ap.Addr()
	}
	a = a.Unmap()
	if a.Is6() {
		a = netip.PrefixFrom(a, 64).Masked().Addr()
	}
	return a
}

// errFlood ends a connection that keeps sending over its rate.
var errFlood = errors.New("over the message rate")

func (t *Tracker) readLoop(c *conn) error {
	flood := 0 // messages dropped in a row
	for {
		ctx, cancel := context.WithTimeout(context.Background(), t.idleTimeout())
		typ, data, err := c.ws.Read(ctx)
		cancel()
		if err != nil {
			return err
		}
		t.messages.Add(1)
		if !c.lim.Allow() {
			t.dropped.Add(1)
			// A browser's burst fits in Burst; one that goes on sending
			// regardless is not a player.
			if flood++; flood > 4*t.o.Burst {
				c.ws.Close(websocket.StatusPolicyViolation, "too many messages")
				return errFlood
			}
			continue
		}
		flood = 0
		if typ != websocket.MessageText {
			t.invalid.Add(1)
			continue
		}
		t.handle(c, data)
	}
}

// handle answers one message.
func (t *Tracker) handle(c *conn, data []byte) {
	req, err := parseMessage(data, t.o.MaxOffers)
	if err != nil {
		t.invalid.Add(1)
		reason := err.Error()
		if errors.Is(err, errMessage) {
			reason = errMessage.Error()
		}
		c.send(t, failureReply{Reason: reason})
		return
	}
	now := time.Now()
	if req.action == "scrape" {
		t.scrape(c, req, now)
		return
	}
	ih := req.infoHashes[0]
	if !t.allowed(c, ih, now) {
		t.refusedAnnounces.Add(1)
		// Not a member any more, if it was one (a revoked access).
		t.mu.Lock()
		if sw, p := t.swarms[ih], c.swarms[ih]; sw != nil && p != nil {
			t.removePeer(sw, p)
		}
		t.mu.Unlock()
		c.send(t, failureReply{Action: "announce", Reason: "not allowed", InfoHash: latin1(ih)})
		return
	}
	if req.answer != nil {
		t.relayAnswer(c, req)
		return
	}
	t.announce(c, req, now)
}

func (t *Tracker) announce(c *conn, req request, now time.Time) {
	ih := req.infoHashes[0]
	var targets []*conn
	t.mu.Lock()
	sw := t.swarms[ih]
	if req.event == "stopped" {
		if p := c.swarms[ih]; sw != nil && p != nil && p.id == req.peerID {
			t.removePeer(sw, p)
		}
		complete, incomplete := sw.counts()
		t.mu.Unlock()
		c.send(t, announceReply{Action: "announce", InfoHash: latin1(ih), Interval: t.interval(), Complete: complete, Incomplete: incomplete})
		return
	}
	if sw == nil {
		if len(t.swarms) >= t.o.MaxSwarms {
			t.mu.Unlock()
			t.refuse(c, ih, "tracker full")
			return
		}
		sw = &swarm{peers: map[string]*peer{}}
		t.swarms[ih] = sw
	}
	p := sw.peers[req.peerID]
	switch {
	case p != nil && p.c != c && p.c.ip == c.ip && len(c.swarms) < t.o.MaxSwarmsPerConn:
		// The same browser on a new socket (its client reconnects with
		// its peer id) while the old one is not yet seen dead: the peer
		// moves. From another address it would be a theft of the answers
		// meant for that peer, refused below.
		if old := c.swarms[ih]; old != nil && old != p {
			t.removePeer(sw, old)
			t.swarms[ih] = sw
		}
		delete(p.c.swarms, ih)
		p.c = c
		c.swarms[ih] = p
	case p != nil && p.c != c:
		t.mu.Unlock()
		t.refuse(c, ih, "peer_id in use")
		return
	case p == nil:
		if old := c.swarms[ih]; old != nil {
			t.removePeer(sw, old) // the same browser, a new peer id
			t.swarms[ih] = sw     // kept, though that emptied it
		}
		reason := ""
		if len(sw.list) >= t.o.MaxPeersPerSwarm {
			reason = "swarm full"
		} else if len(c.swarms) >= t.o.MaxSwarmsPerConn {
			reason = "too many swarms on this connection"
		}
		if reason != "" {
			if len(sw.list) == 0 {
				delete(t.swarms, ih)
			}
			t.mu.Unlock()
			t.refuse(c, ih, reason)
			return
		}
		p = &peer{id: req.peerID, ih: ih, c: c}
		sw.add(p)
		c.swarms[ih] = p
	}
	p.seen = now
	if p.seeder != req.seeder {
		sw.setSeeder(p, req.seeder)
	}
	if len(req.offers) > 0 {
		targets = sw.sample(p, len(req.offers))
	}
	complete, incomplete := sw.counts()
	t.mu.Unlock()
	c.send(t, announceReply{Action: "announce", InfoHash: latin1(ih), Interval: t.interval(), Complete: complete, Incomplete: incomplete})
	from, hash := latin1(req.peerID), latin1(ih)
	for i, to := range targets {
		o := req.offers[i]
		to.send(t, relayedOffer{Action: "announce", Offer: o.sdp, OfferID: o.id, PeerID: from, InfoHash: hash})
	}
}

// relayAnswer passes an answer to the peer whose offer it answers. Only a
// member of the swarm answers, under its own peer id.
func (t *Tracker) relayAnswer(c *conn, req request) {
	ih := req.infoHashes[0]
	var to *conn
	t.mu.Lock()
	if sw := t.swarms[ih]; sw != nil {
		if p := c.swarms[ih]; p != nil && p.id == req.peerID {
			if dst := sw.peers[req.toPeerID]; dst != nil && dst.c != c {
				to = dst.c
			}
		}
	}
	t.mu.Unlock()
	if to == nil {
		t.invalid.Add(1)
		return
	}
	to.send(t, relayedAnswer{Action: "announce", Answer: req.answer, OfferID: req.offerID, PeerID: latin1(req.peerID), InfoHash: latin1(ih)})
}

// scrape counts the asked swarms the viewer may see; others read as empty.
func (t *Tracker) scrape(c *conn, req request, now time.Time) {
	reply := scrapeReply{Action: "scrape", Files: map[string]scrapeFile{}, Flags: scrapeFlags{MinRequestInterval: t.interval()}}
	for _, ih := range req.infoHashes {
		var f scrapeFile
		if t.allowed(c, ih, now) {
			t.mu.Lock()
			f.Complete, f.Incomplete = t.swarms[ih].counts()
			t.mu.Unlock()
		}
		reply.Files[latin1(ih)] = f
	}
	c.send(t, reply)
}

func (t *Tracker) refuse(c *conn, ih, reason string) {
	t.refusedFull.Add(1)
	c.send(t, failureReply{Action: "announce", Reason: reason, InfoHash: latin1(ih)})
}

func (t *Tracker) interval() int { return int((t.o.AnnounceInterval + time.Second - 1) / time.Second) }

// allowed asks Allow, or the connection's answer of less than AllowTTL.
func (t *Tracker) allowed(c *conn, ih string, now time.Time) bool {
	c.mu.Lock()
	a, ok := c.allow[ih]
	c.mu.Unlock()
	if ok && now.Sub(a.at) < t.o.AllowTTL {
		return a.ok
	}
	yes := t.o.Allow != nil && t.o.Allow(c.r, fmt.Sprintf("%x", ih))
	c.mu.Lock()
	if len(c.allow) >= 4*t.o.MaxSwarmsPerConn {
		clear(c.allow) // a connection asking about many hashes: forget, ask again
	}
	c.allow[ih] = allowance{ok: yes, at: now}
	c.mu.Unlock()
	return yes
}

// removePeer takes p out of sw and its connection; the caller holds t.mu.
func (t *Tracker) removePeer(sw *swarm, p *peer) {
	sw.remove(p)
	if p.c.swarms[p.ih] == p {
		delete(p.c.swarms, p.ih)
	}
	if len(sw.list) == 0 && t.swarms[p.ih] == sw {
		delete(t.swarms, p.ih)
	}
}

// conn is one client's WebSocket.
type conn struct {
	ws   *websocket.Conn
	r    *http.Request // for Allow: the viewer's cookies
	ip   netip.Addr
	lim  *rate.Limiter
	out  chan []byte
	done chan struct{}

	swarms map[string]*peer // by info hash; guarded by the tracker's mu

	mu    sync.Mutex
	allow map[string]allowance
}

type allowance struct {
	ok bool
	at time.Time
}

func (c *conn) allowExpired(ih string, now time.Time, ttl time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.allow[ih]
	return !ok || now.Sub(a.at) >= ttl
}

// send queues v for the client; a client too slow to read loses it.
func (c *conn) send(t *Tracker, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		t.log.Error("tracker: encode a message", "err", err)
		return
	}
	select {
	case c.out <- b:
	default:
		t.dropped.Add(1)
	}
}

// pingEvery keeps a quiet connection alive through reverse proxies (nginx
// closes one silent for 60 s by default) and home routers' NAT tables;
// clients announce only every AnnounceInterval.
const pingEvery = 45 * time.Second

func (c *conn) writeLoop(every time.Duration) {
	ping := time.NewTicker(every)
	defer ping.Stop()
	for {
		select {
		case <-ping.C:
			// The pong is read by readLoop's Read.
			ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
			err := c.ws.Ping(ctx)
			cancel()
			if err != nil {
				c.ws.CloseNow()
				return
			}
		case b := <-c.out:
			ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				c.ws.CloseNow() // the reader sees it and cleans up
				return
			}
		case <-c.done:
			return
		}
	}
}

// swarm is the peers of one info hash; guarded by the tracker's mu.
type swarm struct {
	peers   map[string]*peer // by binary peer id
	list    []*peer          // the same, for random choice
	seeders int
}

type peer struct {
	id     string
	ih     string // the swarm's info hash
	c      *conn
	seeder bool
	seen   time.Time
	idx    int // in list
}

func (s *swarm) add(p *peer) {
	p.idx = len(s.list)
	s.list = append(s.list, p)
	s.peers[p.id] = p
	if p.seeder {
		s.seeders++
	}
}

func (s *swarm) remove(p *peer) {
	if s.peers[p.id] != p {
		return
	}
	delete(s.peers, p.id)
	last := s.list[len(s.list)-1]
	s.list[p.idx], last.idx = last, p.idx
	s.list[len(s.list)-1] = nil
	s.list = s.list[:len(s.list)-1]
	if p.seeder {
		s.seeders--
	}
}

func (s *swarm) setSeeder(p *peer, seeder bool) {
	if seeder {
		s.seeders++
	} else {
		s.seeders--
	}
	p.seeder = seeder
}

// counts is (complete, incomplete): seeders and leechers. A nil swarm is
// empty.
func (s *swarm) counts() (int, int) {
	if s == nil {
		return 0, 0
	}
	return s.seeders, len(s.list) - s.seeders
}

// sample picks up to n other peers' connections at random.
func (s *swarm) sample(self *peer, n int) []*conn {
	others := len(s.list) - 1
	if others <= 0 {
		return nil
	}
	out := make([]*conn, 0, min(n, others))
	if others <= n {
		for _, p := range s.list {
			if p != self {
				out = append(out, p.c)
			}
		}
		return out
	}
	// Rejection sampling: n is small beside the swarm here.
	picked := make(map[int]struct{}, n)
	for len(out) < n {
		i := rand.IntN(len(s.list))
		if _, dup := picked[i]; dup || s.list[i] == self {
			continue
		}
		picked[i] = struct{}{}
		out = append(out, s.list[i].c)
	}
	return out
}
