package tracker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The wire format is webtorrent's bittorrent-tracker over WebSocket, as
// p2p-media-loader's client speaks it: JSON text messages whose binary
// fields (info_hash, peer_id, to_peer_id) are 20-byte strings written one
// character per byte (latin1), so a byte above 0x7f arrives as a two-byte
// UTF-8 sequence.

// idLen is the length of an info hash or a peer id, in bytes.
const idLen = 20

// maxScrapeHashes bounds the info hashes one scrape may ask about.
const maxScrapeHashes = 20

// request is a parsed client message. Binary fields hold the raw bytes.
type request struct {
	action     string   // "announce" or "scrape"
	infoHashes []string // announce: exactly one
	peerID     string
	event      string // "", "started", "stopped", "completed", "update"
	seeder     bool   // left == 0 or event completed
	offers     []offer
	answer     json.RawMessage // an SDP answer to relay to toPeerID
	toPeerID   string
	offerID    string // the offer this answer answers (opaque, relayed as sent)
}

type offer struct {
	sdp json.RawMessage // relayed as sent: {type, sdp}
	id  string
}

// wireMessage is what a client may send; unknown fields are ignored
// (uploaded, downloaded, numwant: the number of peers asked of the swarm is
// the number of offers, as in bittorrent-tracker).
type wireMessage struct {
	Action   string          `json:"action"`
	InfoHash json.RawMessage `json:"info_hash"`
	PeerID   *string         `json:"peer_id"`
	Event    string          `json:"event"`
	Left     json.RawMessage `json:"left"`
	Offers   []wireOffer     `json:"offers"`
	Answer   json.RawMessage `json:"answer"`
	ToPeerID *string         `json:"to_peer_id"`
	OfferID  *string         `json:"offer_id"`
}

type wireOffer struct {
	Offer   json.RawMessage `json:"offer"`
	OfferID string          `json:"offer_id"`
}

// errMessage is the failure reason for a message that does not parse; the
// details stay here (they would only help a fuzzer).
var errMessage = errors.New("invalid message")

// parseMessage checks one client message. maxOffers caps the offers kept
// (the rest are ignored, as a client asking for fewer peers).
func parseMessage(data []byte, maxOffers int) (request, error) {
	var m wireMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return request{}, fmt.Errorf("%w: %v", errMessage, err)
	}
	var r request
	switch m.Action {
	case "announce":
		r.action = m.Action
		var ih string
		if err := json.Unmarshal(m.InfoHash, &ih); err != nil {
			return request{}, errors.New("invalid info_hash")
		}
		b, ok := fromLatin1(ih)
		if !ok {
			return request{}, errors.New("invalid info_hash")
		}
		r.infoHashes = []string{b}
		if m.PeerID == nil {
			return request{}, errors.New("invalid peer_id")
		}
		if r.peerID, ok = fromLatin1(*m.PeerID); !ok {
			return request{}, errors.New("invalid peer_id")
		}
		switch m.Event {
		case "", "started", "stopped", "completed", "update", "paused":
			r.event = m.Event
		default:
			return request{}, errors.New("invalid event")
		}
		r.seeder = m.Event == "completed" || bytes.Equal(bytes.TrimSpace(m.Left), []byte("0"))
		if len(m.Answer) > 0 && !bytes.Equal(m.Answer, []byte("null")) {
			if !isObject(m.Answer) {
				return request{}, errors.New("invalid answer")
			}
			if m.ToPeerID == nil {
				return request{}, errors.New("invalid `to_peer_id` (required with `answer`)")
			}
			if r.toPeerID, ok = fromLatin1(*m.ToPeerID); !ok {
				return request{}, errors.New("invalid `to_peer_id` (required with `answer`)")
			}
			if m.OfferID == nil {
				return request{}, errors.New("invalid offer_id")
			}
			r.answer, r.offerID = m.Answer, *m.OfferID
			return r, nil
		}
		for _, o := range m.Offers {
			if len(r.offers) == maxOffers {
				break
			}
			if !isObject(o.Offer) {
				return request{}, errors.New("invalid offer")
			}
			r.offers = append(r.offers, offer{sdp: o.Offer, id: o.OfferID})
		}
	case "scrape":
		r.action = m.Action
		var list []string
		raw := bytes.TrimSpace(m.InfoHash)
		switch {
		case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		case raw[0] == '"':
			var one string
			if err := json.Unmarshal(raw, &one); err != nil {
				return request{}, errors.New("invalid info_hash")
			}
			list = []string{one}
		default:
			if err := json.Unmarshal(raw, &list); err != nil {
				return request{}, errors.New("invalid info_hash")
			}
		}
		if len(list) > maxScrapeHashes {
			return request{}, errors.New("too many info_hash")
		}
		for _, s := range list {
			b, ok := fromLatin1(s)
			if !ok {
				return request{}, errors.New("invalid info_hash")
			}
			r.infoHashes = append(r.infoHashes, b)
		}
	default:
		return request{}, errors.New("invalid action")
	}
	return r, nil
}

// isObject says whether raw (valid JSON) is an object.
func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// fromLatin1 turns a JSON string of 20 characters U+0000..U+00FF into its
// 20 bytes.
func fromLatin1(s string) (string, bool) {
	var b [idLen]byte
	n := 0
	for _, r := range s {
		if r > 0xff || n == idLen {
			return "", false
		}
		b[n] = byte(r)
		n++
	}
	if n != idLen {
		return "", false
	}
	return string(b[:]), true
}

// latin1 writes bytes as a string of one character per byte, the way the
// client reads them back.
func latin1(b string) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for i := 0; i < len(b); i++ {
		sb.WriteRune(rune(b[i]))
	}
	return sb.String()
}

// The server's messages.

type announceReply struct {
	Action     string `json:"action"`
	InfoHash   string `json:"info_hash"`
	Interval   int    `json:"interval"`
	Complete   int    `json:"complete"`
	Incomplete int    `json:"incomplete"`
}

// relayedOffer is sent to each peer chosen for one of an announce's offers.
type relayedOffer struct {
	Action   string          `json:"action"`
	Offer    json.RawMessage `json:"offer"`
	OfferID  string          `json:"offer_id"`
	PeerID   string          `json:"peer_id"`
	InfoHash string          `json:"info_hash"`
}

// relayedAnswer is sent to the peer whose offer was answered.
type relayedAnswer struct {
	Action   string          `json:"action"`
	Answer   json.RawMessage `json:"answer"`
	OfferID  string          `json:"offer_id"`
	PeerID   string          `json:"peer_id"`
	InfoHash string          `json:"info_hash"`
}

type failureReply struct {
	Action   string `json:"action,omitempty"`
	Reason   string `json:"failure reason"`
	InfoHash string `json:"info_hash,omitempty"`
}

type scrapeReply struct {
	Action string                `json:"action"`
	Files  map[string]scrapeFile `json:"files"` // keyed by the latin1 info hash
	Flags  scrapeFlags           `json:"flags"`
}

type scrapeFile struct {
	Complete   int `json:"complete"`
	Incomplete int `json:"incomplete"`
	Downloaded int `json:"downloaded"`
}

type scrapeFlags struct {
	MinRequestInterval int `json:"min_request_interval"`
}
