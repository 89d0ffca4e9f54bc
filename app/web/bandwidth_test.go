package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cabane.dev/cabane/app/bandwidth"
	"cabane.dev/cabane/app/lan"
	"cabane.dev/cabane/app/model"
)

// bandwidthRig is the admin rig with the upstream counted, 10.9.0.0/16 as
// the home network, and the viewers' addresses said by a trusted proxy on
// loopback.
func bandwidthRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	r.server.LAN = &lan.Policy{Home: []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")},
		Proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	r.server.Bandwidth = bandwidth.New(r.store.Settings)
	return r
}

var maxBitrateRe = regexp.MustCompile(`<video id="player"[^>]*?data-max-bitrate="(\d+)"`)

// startBitrate is the watch (or embed) page's start cap for a viewer at
// addr; -1 when the page sets none.
func (r *rig) startBitrate(t *testing.T, path, addr string) int64 {
	t.Helper()
	res, body := r.send(t, http.MethodGet, path, nil, map[string]string{"X-Forwarded-For": addr}, "", false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s from %s: %d", path, addr, res.StatusCode)
	}
	if !strings.Contains(body, `<video id="player"`) {
		t.Fatalf("no player on %s", path)
	}
	m := maxBitrateRe.FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// fetchSegment is a remote (or home) player's segment request.
func (r *rig) fetchSegment(t *testing.T, v model.Video, addr string) {
	t.Helper()
	res, _ := r.send(t, http.MethodGet, "/static/streaming-playlists/hls/"+v.UUID+"/"+v.UUID+"-360-fragmented.mp4", nil,
		map[string]string{"X-Forwarded-For": addr}, "", false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("segment from %s: %d", addr, res.StatusCode)
	}
}

// With 2 Mb/s up, the watch and embed pages' start bitrate falls as remote
// viewers fetch segments; viewers on the home network neither count nor
// get a cap; no capacity, no cap.
func TestStartBitrateFollowsRemoteViewers(t *testing.T) {
	r := bandwidthRig(t)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	watch, embed := "/w/"+v.UUID, "/videos/embed/"+v.UUID
	if got := r.startBitrate(t, watch, "198.51.100.7"); got != -1 {
		t.Fatalf("no capacity set, yet a cap of %d", got)
	}
	res, _ := r.postForm(t, "/admin/bandwidth", "admin", url.Values{"capacity": {"2"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save capacity: %d", res.StatusCode)
	}
	// Home viewers watch: nothing changes for a remote newcomer.
	for i := range 5 {
		r.fetchSegment(t, v, fmt.Sprintf("10.9.0.%d", i+1))
	}
	if got := r.startBitrate(t, watch, "198.51.100.7"); got != 1_600_000 {
		t.Fatalf("alone outside (home viewers only): %d, want 1600000", got)
	}
	prev := int64(1_600_000)
	for n := 1; n <= 7; n++ {
		r.fetchSegment(t, v, fmt.Sprintf("203.0.113.%d", n))
		got := r.startBitrate(t, watch, "198.51.100.7")
		if want := int64(1600 / (n + 1) * 1000); got != want || got >= prev {
			t.Fatalf("%d remote viewers: start at %d b/s, want %d", n, got, want)
		}
		prev = got
		t.Logf("2 Mb/s up, %d remote viewers: a new remote viewer starts at <= %d kb/s", n, got/1000)
	}
	if got := r.startBitrate(t, embed, "198.51.100.7"); got != prev {
		t.Errorf("embed: %d, watch page %d", got, prev)
	}
	// A viewer already counted is not counted against themself.
	if got := r.startBitrate(t, watch, "203.0.113.1"); got != 1600/7*1000 {
		t.Errorf("a counted viewer's own page: %d, want %d", got, 1600/7*1000)
	}
	// At home: no cap, however many watch from outside.
	if got := r.startBitrate(t, watch, "10.9.0.200"); got != -1 {
		t.Errorf("a home viewer is capped at %d", got)
	}
	if got := r.startBitrate(t, embed, "10.9.0.200"); got != -1 {
		t.Errorf("a home viewer's embed is capped at %d", got)
	}

	// The admin sees them, in English and French; nobody else.
	_, body := r.send(t, http.MethodGet, "/admin/bandwidth", nil, nil, "admin", false)
	if !strings.Contains(body, `<dd class="bandwidth-viewers">7</dd>`) || !strings.Contains(body, `value="2"`) || !strings.Contains(body, v.Name) {
		t.Errorf("admin page:\n%s", body)
	}
	res, body = r.send(t, http.MethodGet, "/admin/bandwidth", nil, map[string]string{"Accept-Language": "fr"}, "admin", false)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Spectateurs hors du réseau local") {
		t.Errorf("admin page in French: %d", res.StatusCode)
	}
	for _, who := range []string{"", "user"} {
		res, _ := r.send(t, http.MethodGet, "/admin/bandwidth", nil, nil, who, false)
		if res.StatusCode == http.StatusOK {
			t.Errorf("%q sees the bandwidth page", who)
		}
		res, _ = r.postForm(t, "/admin/bandwidth", who, url.Values{"capacity": {"1000"}})
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusNotFound {
			t.Errorf("%q posts the capacity: %d", who, res.StatusCode)
		}
	}
	if c, _ := r.server.Bandwidth.Config(t.Context()); c.CapacityKbps != 2000 {
		t.Errorf("capacity changed by a non-admin: %+v", c)
	}
	// A bad capacity is refused and changes nothing.
	res, body = r.postForm(t, "/admin/bandwidth", "admin", url.Values{"capacity": {"fast"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "megabits per second between") {
		t.Errorf("bad capacity: %d", res.StatusCode)
	}
	if c, _ := r.server.Bandwidth.Config(t.Context()); c.CapacityKbps != 2000 {
		t.Errorf("a refused capacity changed it: %+v", c)
	}
	// Measuring without an uploader says so; a bad URL is refused.
	res, body = r.postForm(t, "/admin/bandwidth/measure", "admin", url.Values{"url": {"https://example.org/up"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not available") {
		t.Errorf("measure with no uploader: %d", res.StatusCode)
	}
	// Emptying the field removes the cap.
	r.postForm(t, "/admin/bandwidth", "admin", url.Values{"capacity": {""}})
	if got := r.startBitrate(t, watch, "198.51.100.7"); got != -1 {
		t.Errorf("capacity removed, yet a cap of %d", got)
	}
}
