package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"cabane.dev/cabane/app/discovery"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/recommendations"
	"cabane.dev/cabane/app/visibility"
)

// A creator recommends one of this server's videos (by its short link)
// and another creator's channel (by name) from their recommendations
// page; the list shows them, the channel page and the watch pages of
// the creator's videos show "Recommended by", and only the owner may add
// or remove. Without federation, a remote target is refused.
func TestMyRecommendations(t *testing.T) {
	m := newMyRig(t)
	ctx := context.Background()
	m.server.Recommendations = &recommendations.Service{Store: m.store.Recommendations(), Channels: m.server.Accounts, Videos: m.videos}
	mine := m.video(t, model.PrivacyPublic, model.CommentsEnabled)
	otherChs, err := m.server.Accounts.ChannelsOf(ctx, m.userAccount(t, "other"))
	if err != nil || len(otherChs) == 0 {
		t.Fatal("no channel for other", err)
	}
	theirs := m.publishedVideo(t, otherChs[0].ID, model.PrivacyPublic)
	private := m.publishedVideo(t, otherChs[0].ID, model.PrivacyPrivate)
	ch := strconv.FormatInt(m.channel, 10)

	if code, body := m.get(t, "/my/recommendations", "user"); code != http.StatusOK || !strings.Contains(body, `name="target"`) {
		t.Fatalf("recommendations page: %d\n%s", code, body)
	}
	m.mustPost(t, "/my/recommendations", "user", url.Values{"channel": {ch}, "target": {"/w/" + theirs.ShortUUID}, "note": {"Lovely light"}})
	m.mustPost(t, "/my/recommendations", "user", url.Values{"channel": {ch}, "target": {otherChs[0].Name}, "note": {"A neighbour"}})
	for _, bad := range []url.Values{
		{"channel": {ch}, "target": {"/w/" + private.ShortUUID}},  // not public
		{"channel": {ch}, "target": {"someone@peertube.example"}}, // federation off
		{"channel": {ch}, "target": {"/w/" + theirs.ShortUUID}, "note": {strings.Repeat("n", 501)}},
	} {
		if res := m.post(t, "/my/recommendations", "user", bad, true); res.StatusCode != http.StatusBadRequest {
			t.Errorf("recommend %.60v: %d, want 400", bad, res.StatusCode)
		}
	}
	if res := m.post(t, "/my/recommendations", "other", url.Values{"channel": {ch}, "target": {"/w/" + theirs.ShortUUID}}, true); res.StatusCode != http.StatusForbidden {
		t.Errorf("another user recommends on the user's channel: %d", res.StatusCode)
	}
	if res := m.post(t, "/my/recommendations", "user", url.Values{"channel": {ch}, "target": {"/w/" + theirs.ShortUUID}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF field: %d", res.StatusCode)
	}
	rs, err := m.store.Recommendations().List(ctx, m.channel, 10)
	if err != nil || len(rs) != 2 || rs[0].VideoID != theirs.ID || rs[0].Note != "Lovely light" || rs[1].TargetChannelID != otherChs[0].ID {
		t.Fatalf("stored: %+v %v", rs, err)
	}

	chName := ""
	if c, err := m.server.Accounts.ChannelByID(ctx, visibility.Anonymous(false), m.channel); err == nil {
		chName = c.Name
	}
	for _, p := range []string{"/c/" + chName, "/w/" + mine.ShortUUID} {
		code, body := m.get(t, p, "")
		if code != http.StatusOK || !strings.Contains(body, "Recommended by") || !strings.Contains(body, "/w/"+theirs.ShortUUID) ||
			!strings.Contains(body, "Lovely light") || !strings.Contains(body, "/c/"+otherChs[0].Name) {
			t.Errorf("%s does not show the recommendations: %d", p, code)
		}
	}
	if _, body := m.get(t, "/my/recommendations", "user"); !strings.Contains(body, "A neighbour") {
		t.Error("the list lacks the channel's recommendation")
	}

	// A recommended video made private since is no longer listed, nor
	// published in the channel's list.
	if _, err := m.store.DB().ExecContext(ctx, `UPDATE videos SET privacy = ? WHERE id = ?`, model.PrivacyPrivate, theirs.ID); err != nil {
		t.Fatal(err)
	}
	if _, body := m.get(t, "/c/"+chName, "user"); strings.Contains(body, "Lovely light") || !strings.Contains(body, "A neighbour") {
		t.Error("the channel page still lists a video made private")
	}
	if pub, err := m.server.Recommendations.List(ctx, m.channel); err != nil || len(pub) != 1 {
		t.Errorf("public list: %+v %v", pub, err)
	}
	if _, err := m.store.DB().ExecContext(ctx, `UPDATE videos SET privacy = ? WHERE id = ?`, model.PrivacyPublic, theirs.ID); err != nil {
		t.Fatal(err)
	}

	del := "/my/recommendations/" + strconv.FormatInt(rs[0].ID, 10) + "/delete"
	if res := m.post(t, del, "other", url.Values{"channel": {ch}}, true); res.StatusCode != http.StatusForbidden {
		t.Errorf("another user removes: %d", res.StatusCode)
	}
	m.mustPost(t, del, "user", url.Values{"channel": {ch}})
	if rs, _ := m.store.Recommendations().List(ctx, m.channel, 10); len(rs) != 1 || rs[0].Kind != model.RecommendChannel {
		t.Errorf("after removal: %+v", rs)
	}
}

// The Nearby page shows what each nearby box recommends, read from its
// GET /api/v1/recommendations (a box on loopback stands for the LAN).
func TestNearbyShowsWhatNeighboursRecommend(t *testing.T) {
	m := newMyRig(t)
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var out recommendations.RecentJSON
		e := recommendations.EntryJSON{Kind: model.RecommendVideo, Name: "Heron fishing", URL: "https://tube.example/w/heron", Host: "tube.example", Note: "So patient"}
		e.Channel.DisplayName = "Neighbour's birds"
		out.Data, out.Total = append(out.Data, e), 1
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(peer.Close)
	allow, _ := httpclient.ParseAllowList([]string{"127.0.0.0/8"})
	m.server.Recommendations = &recommendations.Service{Store: m.store.Recommendations(), Channels: m.server.Accounts, Videos: m.videos,
		Nearby: &recommendations.Nearby{Client: httpclient.New(httpclient.Options{Allow: allow}), IsHome: func(a netip.Addr) bool { return a.IsLoopback() }}}
	m.server.Nearby = func() []discovery.Peer {
		return []discovery.Peer{{Instance: "Next door", Host: "next.local", URL: peer.URL}}
	}
	code, body := m.get(t, "/nearby", "")
	for _, want := range []string{"Next door", "Heron fishing", "https://tube.example/w/heron", "So patient", "Neighbour&#39;s birds"} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("nearby page (%d) lacks %q", code, want)
		}
	}
}
