package integration

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/stun/v3"

	"cabane.dev/cabane/internal/testrig"
)

// The running server upgrades /tracker/socket to the WebTorrent tracker
// (through its middlewares, gzip asked) for its own pages and others'
// (PeerTube's players), refuses an info hash of no video, answers STUN on --stun-addr, and stops cleanly
// with a viewer connected. "--stun-addr off" turns STUN off.
func TestTrackerAndSTUN(t *testing.T) {
	// A free UDP port, named before the start.
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stunAddr := pc.LocalAddr().String()
	pc.Close()
	app := testrig.Start(t, testrig.Options{Args: []string{"--stun-addr", stunAddr}})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	u := "ws://" + app.Addr + "/tracker/socket"
	h := http.Header{"Accept-Encoding": {"gzip"}, "Origin": {"http://" + app.Addr}}
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("tracker upgrade: %v", err)
	}
	defer ws.CloseNow()
	id := strings.Repeat("\u00ff", 20)
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"action":"announce","info_hash":"`+id+`","peer_id":"`+id+`","event":"started","numwant":5,"offers":[]}`)); err != nil {
		t.Fatal(err)
	}
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		Action   string `json:"action"`
		Failure  string `json:"failure reason"`
		InfoHash string `json:"info_hash"`
	}
	if err := json.Unmarshal(b, &reply); err != nil || reply.Action != "announce" || reply.Failure == "" || reply.InfoHash != id {
		t.Fatalf("announce for no video: %s (%v)", b, err)
	}
	// Another site's page (a PeerTube server's player of a federated
	// video) opens it too, as PeerTube's tracker lets it; its announce for
	// no video is refused all the same.
	h.Set("Origin", "https://elsewhere.example")
	fws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("foreign origin: %v", err)
	}
	if err := fws.Write(ctx, websocket.MessageText, []byte(`{"action":"announce","info_hash":"`+id+`","peer_id":"`+strings.Repeat("\u00fe", 20)+`","event":"started","numwant":5,"offers":[]}`)); err != nil {
		t.Fatal(err)
	}
	if _, b, err := fws.Read(ctx); err != nil || json.Unmarshal(b, &reply) != nil || reply.Failure == "" {
		t.Fatalf("foreign page's announce for no video: %s (%v)", b, err)
	}
	fws.CloseNow()

	c, err := stun.Dial("udp4", stunAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var mapped stun.XORMappedAddress
	var stunErr error
	if err := c.Do(stun.MustBuild(stun.TransactionID, stun.BindingRequest), func(e stun.Event) {
		if stunErr = e.Error; stunErr == nil {
			stunErr = mapped.GetFrom(e.Message)
		}
	}); err != nil || stunErr != nil {
		t.Fatalf("STUN: %v %v", err, stunErr)
	}
	if !mapped.IP.Equal(net.IPv4(127, 0, 0, 1)) || mapped.Port == 0 {
		t.Fatalf("STUN mapped %v", mapped)
	}

	// A stop with the viewer connected: the tracker says goodbye, the
	// server exits in time.
	got := make(chan error, 1)
	go func() { _, _, err := ws.Read(context.Background()); got <- err }()
	start := time.Now()
	app.Stop()
	if err := <-got; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("at stop the viewer got %v, want going away", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("stop took %v", d)
	}
	if strings.Contains(app.Log(), "127.0.0.1:"+strconv.Itoa(mapped.Port)) {
		t.Errorf("the log names a viewer's address")
	}
}
