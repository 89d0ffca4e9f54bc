package tracker

import (
	"encoding/json"
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
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
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
