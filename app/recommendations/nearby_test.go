package recommendations

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/model"
)

// A nearby box's recommendations are read from its public endpoint over
// the (loopback, here) LAN through the outbound client, bounded to
// NearbyItems, kept for the TTL (failures too), and never asked of a
// peer off the home network.
func TestNearbyReadsBoundsAndCaches(t *testing.T) {
	var asked atomic.Int32
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if r.URL.Path != "/api/v1/recommendations" {
			http.NotFound(w, r)
			return
		}
		var out RecentJSON
		for i := 0; i < 30; i++ {
			e := EntryJSON{Kind: model.RecommendVideo, Name: "Wren", URL: "http://192.168.1.20/w/x", Host: "192.168.1.20", Note: strings.Repeat("n", 900)}
			e.Channel.DisplayName = "Bob's"
			out.Data = append(out.Data, e)
		}
		out.Data = append([]EntryJSON{{Kind: "playlist", URL: "http://x/"}, {Kind: model.RecommendChannel, URL: "javascript:x"}}, out.Data...)
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(peer.Close)
	allow, _ := httpclient.ParseAllowList([]string{"127.0.0.0/8"})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := &Nearby{Client: httpclient.New(httpclient.Options{Allow: allow}), TTL: time.Minute, Now: func() time.Time { return now },
		IsHome: func(a netip.Addr) bool { return a.IsLoopback() }}
	got := n.Of(context.Background(), []string{peer.URL, "http://8.8.8.8:1", "http://peer.local:80"})
	items := got[peer.URL]
	if len(items) != NearbyItems || items[0].Name != "Wren" || items[0].Channel.DisplayName != "Bob's" || len([]rune(items[0].Note)) != model.MaxRecommendationNote {
		t.Fatalf("read %d items: %+v", len(items), items)
	}
	if len(got["http://8.8.8.8:1"]) != 0 || len(got["http://peer.local:80"]) != 0 {
		t.Errorf("peers off the home network (or not an address) answered: %v", got)
	}
	n.Of(context.Background(), []string{peer.URL})
	if asked.Load() != 1 {
		t.Errorf("asked %d times within the TTL", asked.Load())
	}
	now = now.Add(2 * time.Minute)
	n.Of(context.Background(), []string{peer.URL})
	if asked.Load() != 2 {
		t.Errorf("asked %d times after the TTL", asked.Load())
	}
}
