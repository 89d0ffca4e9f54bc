package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/lan"
	"cabane.dev/cabane/app/p2p/tracker"
)

// TestTrackerMounted: /tracker/socket upgrades to the tracker's WebSocket
// through the server's handler, gzip asked or not (the compression
// middleware must not wrap it), and answers 404 without a tracker.
func TestTrackerMounted(t *testing.T) {
	r := newRig(t)
	s := r.server
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, trackerPath, nil))
	if w.Code != http.StatusNotFound {
		t.Fatalf("without a tracker: %d, want 404", w.Code)
	}

	s.Deps.Tracker = &tracker.Options{}
	s.Config.PublicURL = "https://videos.example.org"
	s.tracker = s.newTracker()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go s.RunTracker(ctx)
	h := http.Header{"Accept-Encoding": {"gzip"}, "Origin": {srv.URL}}
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+trackerPath, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("upgrade through the server: %v", err)
	}
	defer ws.CloseNow()
	id := strings.Repeat("\u00e9", 20)
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"action":"announce","info_hash":"`+id+`","peer_id":"`+id+`","event":"started","offers":[]}`)); err != nil {
		t.Fatal(err)
	}
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		Action  string `json:"action"`
		Failure string `json:"failure reason"`
	}
	// An info hash of no video is refused, whoever asks.
	if err := json.Unmarshal(b, &reply); err != nil || reply.Action != "announce" || reply.Failure == "" {
		t.Fatalf("reply %s: %v", b, err)
	}
	if st := s.TrackerStats(); st.Connections != 1 || st.RefusedAnnounces != 1 {
		t.Fatalf("%+v", st)
	}
	// A page of the public URL may open it (the proxy may send another
	// Host), and so may another site's (a PeerTube server's player of a
	// video it federates): trackerAllow decides the swarms.
	for _, origin := range []string{"https://videos.example.org", "https://peertube.example"} {
		h.Set("Origin", origin)
		ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+trackerPath, &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			t.Fatalf("origin %s: %v", origin, err)
		}
		ws.CloseNow()
	}
}

// TestOwnPage: the cookies of a tracker's upgrade speak for the viewer
// only from the box's own pages (or from no page at all).
func TestOwnPage(t *testing.T) {
	s := &Server{Deps: Deps{Config: config.Config{PublicURL: "https://videos.example.org"}, LAN: &lan.Policy{}}}
	for origin, want := range map[string]bool{
		"":                                true, // not a browser
		"http://box.example:8080":         true, // the host the request reached
		"https://videos.example.org":      true, // the public URL, behind a proxy
		"https://VIDEOS.example.org":      true,
		"https://peertube.example":        false,
		"http://box.example:8081":         false, // another port is another site
		"null":                            false,
		"https://videos.example.org.evil": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "http://box.example:8080"+trackerPath, nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if got := s.ownPage(r); got != want {
			t.Errorf("Origin %q: own page %v, want %v", origin, got, want)
		}
	}
}

func TestSTUNURLs(t *testing.T) {
	s := &Server{}
	if got := s.stunURLs("box.example"); got != nil {
		t.Fatalf("no STUN: %v", got)
	}
	port := 0
	s.STUNPort = func() int { return port }
	if got := s.stunURLs("box.example"); got != nil {
		t.Fatalf("STUN not listening: %v", got)
	}
	port = 3478
	for host, want := range map[string]string{
		"box.example":      "stun:box.example:3478",
		"box.example:8080": "stun:box.example:3478",
		"[::1]:8080":       "stun:[::1]:3478",
		"[fe80::1]":        "stun:[fe80::1]:3478",
		"192.168.1.5":      "stun:192.168.1.5:3478",
	} {
		if got := s.stunURLs(host); !slices.Equal(got, []string{want}) {
			t.Errorf("%s: %v, want %s", host, got, want)
		}
	}
}
