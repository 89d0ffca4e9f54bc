package recommendations

import (
	"context"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
)

// What the Nearby page shows of each Cabane on the home network: what its
// creators recommend, read from its public GET /api/v1/recommendations
// over the LAN, bounded (a few peers, a few items, a short timeout) and
// kept a little while, a box that does not answer included, so a page
// load never waits on it twice.

// RecentJSON is GET /api/v1/recommendations: this server's latest
// recommendations, each with its channel.
type RecentJSON struct {
	Total int         `json:"total"`
	Data  []EntryJSON `json:"data"`
}

// EntryJSON is one of them.
type EntryJSON struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	URL     string `json:"url"`
	Host    string `json:"host"`
	Note    string `json:"note"`
	Channel struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	} `json:"channel"`
}

// Recent is this server's latest recommendations, at most limit (≤ Max),
// as a nearby box reads them (anyone may); host is this server's, for
// local targets.
func (s *Service) Recent(ctx context.Context, limit int, host string) (RecentJSON, error) {
	limit = min(max(limit, 1), Max)
	rs, chs, err := s.Store.Recent(ctx, limit)
	if err != nil {
		return RecentJSON{}, err
	}
	out := RecentJSON{Total: len(rs), Data: make([]EntryJSON, 0, len(rs))}
	for i, r := range rs {
		e := EntryJSON{Kind: r.Kind, Name: r.Name, URL: r.URL, Host: r.Host(), Note: r.Note}
		if e.Host == "" {
			e.Host = host
		}
		e.Channel.Name, e.Channel.DisplayName = chs[i].Name, chs[i].DisplayName
		out.Data = append(out.Data, e)
	}
	return out, nil
}

// Getter fetches JSON (an httpclient.Client allowed to reach the home
// network).
type Getter interface {
	GetJSON(ctx context.Context, url, accept string, v any) error
}

// Nearby reads nearby boxes' recommendations.
type Nearby struct {
	Client Getter
	// IsHome says whether an address is on the home network (lan.Policy):
	// only such peers are asked.
	IsHome func(netip.Addr) bool
	// TTL is how long an answer (or a failure) is kept; 0: two minutes.
	TTL time.Duration
	// Timeout bounds one peer's answer; 0: three seconds.
	Timeout time.Duration
	Now     func() time.Time

	mu    sync.Mutex
	cache map[string]nearbyEntry
}

// Bounds of what the Nearby page asks.
const (
	NearbyPeers = 8  // peers asked per page
	NearbyItems = 12 // items shown per peer
)

type nearbyEntry struct {
	at    time.Time
	items []EntryJSON
}

// Of is what each peer (by its base URL) recommends, asked in parallel;
// a peer off the home network, or that fails, has none.
func (n *Nearby) Of(ctx context.Context, peers []string) map[string][]EntryJSON {
	out := map[string][]EntryJSON{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, p := range peers {
		if i == NearbyPeers {
			break
		}
		wg.Add(1)
		go func(p string) {
			defer wg.Done()
			items := n.one(ctx, p)
			mu.Lock()
			out[p] = items
			mu.Unlock()
		}(p)
	}
	wg.Wait()
	return out
}

func (n *Nearby) one(ctx context.Context, base string) []EntryJSON {
	now := n.now()
	ttl := n.TTL
	if ttl <= 0 {
		ttl = 2 * time.Minute
	}
	n.mu.Lock()
	if e, ok := n.cache[base]; ok && now.Sub(e.at) < ttl {
		n.mu.Unlock()
		return e.items
	}
	n.mu.Unlock()
	items := n.fetch(ctx, base)
	n.mu.Lock()
	if n.cache == nil {
		n.cache = map[string]nearbyEntry{}
	}
	for k, e := range n.cache {
		if now.Sub(e.at) >= ttl {
			delete(n.cache, k)
		}
	}
	n.cache[base] = nearbyEntry{at: now, items: items}
	n.mu.Unlock()
	return items
}

func (n *Nearby) fetch(ctx context.Context, base string) []EntryJSON {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return nil
	}
	addr, err := netip.ParseAddr(u.Hostname())
	if err != nil || n.IsHome == nil || !n.IsHome(addr.Unmap()) {
		return nil
	}
	timeout := n.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v1/recommendations"
	u.RawQuery = "count=" + strconv.Itoa(NearbyItems)
	var got RecentJSON
	if err := n.Client.GetJSON(ctx, u.String(), "application/json", &got); err != nil {
		return nil
	}
	var out []EntryJSON
	for _, e := range got.Data {
		if len(out) == NearbyItems {
			break
		}
		if e.Kind != model.RecommendVideo && e.Kind != model.RecommendChannel || !webURL(e.URL) {
			continue
		}
		e.Name, e.Note = clip(e.Name, 120), clip(e.Note, model.MaxRecommendationNote)
		e.Channel.DisplayName, e.Host = clip(e.Channel.DisplayName, 120), clip(e.Host, 255)
		out = append(out, e)
	}
	return out
}

func (n *Nearby) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && len(s) <= 2000 && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
