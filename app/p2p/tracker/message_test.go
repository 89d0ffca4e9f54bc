package tracker

import (
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"
)

// FuzzMessage: whatever a client sends, the parser returns a request whose
// ids are 20 bytes, or an error; and what the tracker builds from it
// encodes to JSON that gives back the same ids.
func FuzzMessage(f *testing.F) {
	id := latin1("\x00\x01\x7f\x80\xff" + "abcdefghijklmno")
	for _, s := range []string{
		`{"action":"announce","info_hash":"` + id + `","peer_id":"` + id + `","event":"started","numwant":10,"offers":[{"offer":{"type":"offer","sdp":"v=0"},"offer_id":"` + id + `"}]}`,
		`{"action":"announce","info_hash":"` + id + `","peer_id":"` + id + `","to_peer_id":"` + id + `","answer":{"type":"answer","sdp":"v=0"},"offer_id":"x"}`,
		`{"action":"announce","info_hash":"` + id + `","peer_id":"` + id + `","event":"stopped","left":0}`,
		`{"action":"scrape","info_hash":["` + id + `"]}`,
		`{"action":"scrape","info_hash":"` + id + `"}`,
		`{"action":"scrape"}`,
		`{"action":"announce","info_hash":"\u0100bcdefghijklmnopqrs","peer_id":null}`,
		`{}`, `[]`, `null`, `"`, `{"action":"announce","offers":[{"offer":1}]}`,
		// An answer to checkTracker's member.
		`{"action":"announce","info_hash":"` + id + `","peer_id":"` + id + `","to_peer_id":"` + latin1("\x01\x02\x03\x04\x05"+"abcdefghijklmno") + `","answer":{"type":"answer","sdp":"v=0"},"offer_id":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTracker(t, data, id)
		r, err := parseMessage(data, 10)
		if err != nil {
			if r.action != "" {
				t.Fatalf("error with a request: %+v", r)
			}
			if err.Error() == "" {
				t.Fatal("empty failure reason")
			}
			return
		}
		switch r.action {
		case "announce":
			if len(r.infoHashes) != 1 || len(r.peerID) != idLen {
				t.Fatalf("announce: %+v", r)
			}
			if r.answer != nil && (len(r.toPeerID) != idLen || !isObject(r.answer)) {
				t.Fatalf("answer: %+v", r)
			}
			if len(r.offers) > 10 {
				t.Fatalf("%d offers kept", len(r.offers))
			}
		case "scrape":
			if len(r.infoHashes) > maxScrapeHashes {
				t.Fatalf("%d hashes", len(r.infoHashes))
			}
		default:
			t.Fatalf("action %q", r.action)
		}
		for _, ih := range r.infoHashes {
			if len(ih) != idLen {
				t.Fatalf("info hash of %d bytes", len(ih))
			}
			// What the tracker sends back decodes to the same bytes.
			var o relayedOffer
			if len(r.offers) > 0 {
				o = relayedOffer{Action: "announce", Offer: r.offers[0].sdp, OfferID: r.offers[0].id, PeerID: latin1(r.peerID), InfoHash: latin1(ih)}
			} else {
				o = relayedOffer{Action: "announce", Offer: json.RawMessage(`{}`), PeerID: latin1(r.peerID), InfoHash: latin1(ih)}
			}
			b, err := json.Marshal(o)
			if err != nil {
				t.Fatalf("encode %+v: %v", o, err)
			}
			if !utf8.Valid(b) {
				t.Fatalf("invalid UTF-8 out: %q", b)
			}
			var back wireMessage
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			var hash string
			json.Unmarshal(back.InfoHash, &hash)
			if got, ok := fromLatin1(hash); !ok || got != ih {
				t.Fatalf("info hash round trip: %q -> %q", ih, got)
			}
		}
	})
}

func TestLatin1RoundTrip(t *testing.T) {
	var b [idLen]byte
	for i := range b {
		b[i] = byte(i * 13)
	}
	got, ok := fromLatin1(latin1(string(b[:])))
	if !ok || got != string(b[:]) {
		t.Fatalf("%q", got)
	}
	for _, bad := range []string{"", "short", latin1(string(b[:])) + "x", "\u0100" + latin1(string(b[:19]))} {
		if _, ok := fromLatin1(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// fakeConn is a connection without a socket: what the tracker sends it
// waits in its queue (and is dropped once that is full).
func fakeConn() *conn {
	return &conn{out: make(chan []byte, sendQueue), done: make(chan struct{}), swarms: map[string]*peer{}, allow: map[string]allowance{}}
}

// checkTracker runs data through a small tracker from two connections
// around a member's announce, and checks the swarms' bookkeeping after.
func checkTracker(t *testing.T, data []byte, id string) {
	tr := New(Options{Allow: func(*http.Request, string) bool { return true }, MaxPeersPerSwarm: 3, MaxSwarms: 3, MaxSwarmsPerConn: 2})
	a, b := fakeConn(), fakeConn()
	tr.conns[a], tr.conns[b] = struct{}{}, struct{}{}
	other := latin1("\x01\x02\x03\x04\x05" + "abcdefghijklmno")
	tr.handle(a, []byte(`{"action":"announce","info_hash":"`+id+`","peer_id":"`+other+`","event":"started"}`))
	tr.handle(b, data)
	tr.handle(a, data)
	tr.handle(b, data)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	peers := 0
	for ih, sw := range tr.swarms {
		if len(sw.list) == 0 || len(sw.list) != len(sw.peers) || len(sw.list) > 3 || sw.seeders < 0 || sw.seeders > len(sw.list) {
			t.Fatalf("swarm %x: %d listed, %d by id, %d seeders", ih, len(sw.list), len(sw.peers), sw.seeders)
		}
		for i, p := range sw.list {
			if p.idx != i || sw.peers[p.id] != p || p.ih != ih || p.c.swarms[ih] != p {
				t.Fatalf("swarm %x: peer %d out of place", ih, i)
			}
		}
		peers += len(sw.list)
	}
	if len(tr.swarms) > 3 || len(a.swarms)+len(b.swarms) != peers || len(a.swarms) > 2 || len(b.swarms) > 2 {
		t.Fatalf("%d swarms, %d peers, connections in %d and %d", len(tr.swarms), peers, len(a.swarms), len(b.swarms))
	}
	for _, c := range []*conn{a, b} {
		for len(c.out) > 0 {
			if msg := <-c.out; !json.Valid(msg) {
				t.Fatalf("sent invalid JSON %q", msg)
			}
		}
	}
}
