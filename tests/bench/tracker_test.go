package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"cabane.dev/cabane/app/p2p/tracker"
	"cabane.dev/cabane/internal/testrig"
)

// The tracker's figure (#12): its memory and CPU with 1,000 simulated
// viewers in 50 swarms, churning. The tracker runs here, in this process
// (what is measured); the viewers run in a child process (this test
// binary again, TestTrackerPeersChild), so their own cost is not counted.
// Each viewer announces with 5 offers (1 KB of SDP each) every 3 to 5
// seconds, answers every offer it is relayed, and one announce in ten
// leaves (stopped, closed) and comes back as a new peer: about 25 times
// the announce rate of real players (every 2 minutes), so the CPU figure
// is an upper bound.
const (
	trackerPeersEnv = "CABANE_BENCH_TRACKER_CHILD" // the tracker's URL, in the child
	trackerPeers    = 1000
	trackerSwarms   = 50
	trackerChurn    = 30 * time.Second
)

type trackerLoad struct {
	Announces, Replies, Offers, Answers, Failures, Reconnects, Errors int64
}

func TestFigureTracker(t *testing.T) {
	benchEnabled(t)
	tr := tracker.New(tracker.Options{
		Allow:         func(*http.Request, string) bool { return true },
		MaxConnsPerIP: 2 * trackerPeers, // every viewer comes from 127.0.0.1 here
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: tr, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan struct{})
	go func() { tr.Run(ctx); close(runDone) }()
	defer func() { cancel(); <-runDone; srv.Close() }()

	runtime.GC()
	base, err := testrig.ReadMem(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap := ms.HeapInuse

	cmd := exec.Command(os.Args[0], "-test.run=^TestTrackerPeersChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), trackerPeersEnv+"=ws://"+ln.Addr().String()+"/tracker/socket")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	rampStart := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	out := bufio.NewScanner(stdout)
	waitLine := func(prefix string) string {
		for out.Scan() {
			if v, ok := strings.CutPrefix(out.Text(), prefix); ok {
				return v
			}
		}
		t.Fatalf("the viewers' process never said %q: %v", prefix, out.Err())
		return ""
	}
	waitLine("READY")
	ramp := time.Since(rampStart)
	ready := tr.Stats()
	// What 1,000 idle viewers hold, garbage collected.
	runtime.GC()
	runtime.ReadMemStats(&ms)
	liveHeap := int64(ms.HeapInuse) - int64(baseHeap)
	idle, _ := testrig.ReadMem(os.Getpid())
	cpu0, err := testrig.CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	peak, stopSampling := sampleMem(200 * time.Millisecond)
	var minPeers, maxPeers atomic.Int64
	minPeers.Store(int64(ready.Peers))
	stopPeers := make(chan struct{})
	go func() {
		tk := time.NewTicker(500 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stopPeers:
				return
			case <-tk.C:
				p := int64(tr.Stats().Peers)
				if p < minPeers.Load() {
					minPeers.Store(p)
				}
				if p > maxPeers.Load() {
					maxPeers.Store(p)
				}
			}
		}
	}()
	raw := waitLine("COUNTS ")
	elapsed := time.Since(start)
	cpu1, _ := testrig.CPUTime(os.Getpid())
	end := tr.Stats()
	close(stopPeers)
	stopSampling()
	topHeap, topAnon := peak()
	cmd.Wait()
	var load trackerLoad
	if err := json.Unmarshal([]byte(raw), &load); err != nil {
		t.Fatal(err)
	}
	t.Logf("viewers: %+v", load)
	t.Logf("tracker at ready: %+v; at the end: %+v", ready, end)
	if ready.Peers != trackerPeers || ready.Swarms != trackerSwarms {
		t.Fatalf("after the ramp: %d peers in %d swarms, want %d in %d", ready.Peers, ready.Swarms, trackerPeers, trackerSwarms)
	}
	if load.Offers == 0 || load.Answers == 0 || load.Errors > trackerPeers/100 {
		t.Fatalf("offers or answers not relayed, or errors: %+v", load)
	}
	msgs := end.Messages - ready.Messages
	cpuSec := (cpu1 - cpu0).Seconds()
	anonDelta := topAnon - base.Anon
	figure(t, "tracker, %d viewers in %d swarms, connected and idle: Go heap +%.1f KiB per viewer after a GC, RssAnon +%s",
		trackerPeers, trackerSwarms, float64(liveHeap)/1024/trackerPeers, testrig.MiB(idle.Anon-base.Anon))
	figure(t, "tracker, %d viewers in %d swarms, %s of churn (%.0f client messages/s, %.0f offers and %.0f answers relayed/s, peers %d-%d): "+
		"RSS +%s at peak (RssAnon %s -> %s; %.1f KiB per viewer), Go heap +%s; CPU %.3f core (%.1f CPU-ms per 1,000 messages); ramp to %d connections %.1fs",
		trackerPeers, trackerSwarms, elapsed.Round(time.Second), float64(msgs)/elapsed.Seconds(), float64(load.Offers)/elapsed.Seconds(),
		float64(load.Answers)/elapsed.Seconds(), minPeers.Load(), maxPeers.Load(),
		testrig.MiB(anonDelta), testrig.MiB(base.Anon), testrig.MiB(topAnon), float64(anonDelta)/trackerPeers,
		testrig.MiB(int64(topHeap-baseHeap)/1024), cpuSec/elapsed.Seconds(), 1000*cpuSec/float64(msgs)*1000, trackerPeers, ramp.Seconds())
}

// TestTrackerPeersChild plays TestFigureTracker's viewers when run as its
// child; run directly it does nothing.
func TestTrackerPeersChild(t *testing.T) {
	url := os.Getenv(trackerPeersEnv)
	if url == "" {
		return
	}
	var load trackerLoad
	hashes := make([]string, trackerSwarms)
	for i := range hashes {
		hashes[i] = randomID()
	}
	sdp := strings.Repeat("a=candidate:0 1 UDP 2122252543 192.0.2.1 50000 typ host\r\n", 17) // ~1 KB
	ctx, cancel := context.WithCancel(context.Background())
	var ready sync.WaitGroup
	var wg sync.WaitGroup
	ready.Add(trackerPeers)
	var churn atomic.Bool
	for i := range trackerPeers {
		wg.Go(func() { viewer(ctx, url, hashes[i%trackerSwarms], sdp, &load, &ready, &churn) })
		if i%50 == 49 {
			time.Sleep(20 * time.Millisecond) // a ramp, not a SYN flood
		}
	}
	ready.Wait()
	churn.Store(true)
	fmt.Println("READY")
	time.Sleep(trackerChurn)
	cancel()
	wg.Wait()
	b, _ := json.Marshal(&load)
	fmt.Printf("COUNTS %s\n", b)
}

// randomID is 20 random bytes as the client writes them (latin1).
func randomID() string {
	var b [20]byte
	rand.Read(b[:])
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

type loadMsg struct {
	Action   string           `json:"action"`
	InfoHash string           `json:"info_hash"`
	PeerID   string           `json:"peer_id"`
	Event    string           `json:"event,omitempty"`
	Numwant  int              `json:"numwant,omitempty"`
	Offers   []loadOffer      `json:"offers,omitempty"`
	Answer   *loadSDP         `json:"answer,omitempty"`
	ToPeerID string           `json:"to_peer_id,omitempty"`
	OfferID  string           `json:"offer_id,omitempty"`
	Offer    *json.RawMessage `json:"offer,omitempty"`
	Failure  string           `json:"failure reason,omitempty"`
}

type loadOffer struct {
	Offer   loadSDP `json:"offer"`
	OfferID string  `json:"offer_id"`
}

type loadSDP struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

// viewer is one simulated player: sessions of announces until ctx ends.
func viewer(ctx context.Context, url, ih, sdp string, load *trackerLoad, ready *sync.WaitGroup, churn *atomic.Bool) {
	first := true
	for ctx.Err() == nil {
		if !session(ctx, url, ih, sdp, load, func() {
			if first {
				first = false
				ready.Done()
			}
		}, churn) {
			atomic.AddInt64(&load.Errors, 1)
			time.Sleep(time.Second)
		}
	}
}

// session is one connection with one peer id; false on an error.
func session(ctx context.Context, url, ih, sdp string, load *trackerLoad, joined func(), churn *atomic.Bool) bool {
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	ws, _, err := websocket.Dial(dctx, url, nil)
	cancel()
	if err != nil {
		return ctx.Err() != nil
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	id := randomID()
	send := func(m loadMsg) error {
		b, _ := json.Marshal(m)
		wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return ws.Write(wctx, websocket.MessageText, b)
	}
	announce := func(event string) error {
		m := loadMsg{Action: "announce", InfoHash: ih, PeerID: id, Event: event, Numwant: 5}
		for i := range 5 {
			m.Offers = append(m.Offers, loadOffer{Offer: loadSDP{"offer", sdp}, OfferID: randomID()[:19] + strconv.Itoa(i)})
		}
		atomic.AddInt64(&load.Announces, 1)
		return send(m)
	}
	replied := make(chan struct{}, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			var m loadMsg
			if json.Unmarshal(b, &m) != nil {
				atomic.AddInt64(&load.Errors, 1)
				continue
			}
			switch {
			case m.Failure != "":
				atomic.AddInt64(&load.Failures, 1)
			case m.Offer != nil:
				atomic.AddInt64(&load.Offers, 1)
				send(loadMsg{Action: "announce", InfoHash: ih, PeerID: id, ToPeerID: m.PeerID, OfferID: m.OfferID, Answer: &loadSDP{"answer", sdp}})
			case m.Answer != nil:
				atomic.AddInt64(&load.Answers, 1)
			default:
				atomic.AddInt64(&load.Replies, 1)
				select {
				case replied <- struct{}{}:
				default:
				}
			}
		}
	}()
	if announce("started") != nil {
		return false
	}
	select {
	case <-replied:
		joined()
	case <-readDone:
		return false
	case <-time.After(30 * time.Second):
		return false
	}
	for {
		wait := time.Duration(3000+mrand.IntN(2000)) * time.Millisecond
		select {
		case <-ctx.Done():
			ws.Close(websocket.StatusGoingAway, "")
			return true
		case <-readDone:
			return false
		case <-time.After(wait):
		}
		if churn.Load() && mrand.IntN(10) == 0 {
			atomic.AddInt64(&load.Reconnects, 1)
			send(loadMsg{Action: "announce", InfoHash: ih, PeerID: id, Event: "stopped"})
			ws.Close(websocket.StatusNormalClosure, "")
			return true
		}
		if announce("") != nil {
			return false
		}
	}
}
