package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/ptcheck"
	"cabane.dev/cabane/app/federation/redundancy"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// A mirror another server announced is listed where PeerTube's clients
// and players look: the REST shape's streamingPlaylists[].redundancies,
// the Video object's HLS entry, the player's data-mirrors; the admin sees
// it, and changes who may mirror, on the federation page.
func TestMirrorsListedInAPIVideoObjectAndPlayer(t *testing.T) {
	r := fedRig(t, fedPublicURL)
	ctx := context.Background()
	m := &redundancy.Service{Store: r.store.Redundancy(), Settings: r.store.Settings}
	r.server.Mirrors, r.server.Federation.Mirrors = m, m
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	admin := visibility.Viewer{UserID: 1, IsAdmin: true}
	if err := m.SetPolicy(ctx, admin, model.MirrorPolicy{AcceptFrom: model.MirrorFromList, Hosts: []string{"mirror.example"}}); err != nil {
		t.Fatal(err)
	}
	base := "https://mirror.example/static/redundancy/hls/" + v.UUID
	if _, err := m.Record(ctx, model.Mirror{IRI: "https://mirror.example/redundancy/streaming-playlists/hls/" + v.UUID, VideoID: v.ID,
		ActorIRI: "https://mirror.example/accounts/peertube", BaseURL: base + "/", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	apiMirrors := func() []string {
		t.Helper()
		var d struct {
			StreamingPlaylists []struct {
				Redundancies []struct {
					BaseURL string `json:"baseUrl"`
				} `json:"redundancies"`
			} `json:"streamingPlaylists"`
		}
		res, body := r.fedGet(t, "/api/v1/videos/"+v.UUID, "application/json", "")
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &d) != nil || len(d.StreamingPlaylists) != 1 {
			t.Fatalf("GET video: %d %s", res.StatusCode, body)
		}
		out := []string{}
		for _, x := range d.StreamingPlaylists[0].Redundancies {
			out = append(out, x.BaseURL)
		}
		return out
	}
	if got := apiMirrors(); len(got) != 1 || got[0] != base {
		t.Errorf("REST redundancies = %v, want [%s]", got, base)
	}

	// The Video object: the mirror's master playlist in the HLS entry's
	// tags, which PeerTube's rules still accept.
	res, body := r.fedGet(t, "/videos/watch/"+v.UUID, acceptAP, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("AP video: %d", res.StatusCode)
	}
	if err := ptcheck.Video(body); err != nil {
		t.Errorf("Video with a mirror breaks PeerTube's rules: %v", err)
	}
	var doc struct {
		URL []struct {
			MediaType string
			Tag       []struct {
				Rel       []string
				MediaType string
				Href      string
			}
		}
	}
	json.Unmarshal(body, &doc)
	found, hls := false, 0
	for _, u := range doc.URL {
		if u.MediaType != "application/x-mpegURL" {
			continue
		}
		hls++
		for _, tg := range u.Tag {
			if len(tg.Rel) == 1 && tg.Rel[0] == "mirror" && tg.Href == base+"/master.m3u8" && tg.MediaType == "application/x-mpegURL" {
				found = true
			}
		}
	}
	if !found || hls != 1 {
		t.Errorf("Video object: mirror found %v, %d HLS entries:\n%s", found, hls, body)
	}

	// The watch and embed pages hand the player the mirror's base, P2P on
	// or off: mirrors are HTTP, which the player uses either way
	// (sources.js).
	want := `data-mirrors="` + strings.ReplaceAll(`["`+base+`"]`, `"`, "&#34;") + `"`
	p2pWas := r.server.Config.P2P
	for _, on := range []bool{true, false} {
		r.server.Config.P2P = on
		for _, p := range []string{"/videos/watch/" + v.UUID, "/videos/embed/" + v.UUID} {
			code, page := r.page(request{method: http.MethodGet, path: p})
			if code != http.StatusOK || !strings.Contains(page, want) || !strings.Contains(page, "js/sources.") {
				t.Errorf("%s (P2P %v): %d, no %s or no sources.js", p, on, code, want)
			}
			if !on && !strings.Contains(page, `data-p2p="off"`) {
				t.Errorf("%s: P2P off, yet not data-p2p=\"off\"", p)
			}
		}
	}
	r.server.Config.P2P = p2pWas

	// PeerTube's admin API lists it, in PeerTube's shape; admins only.
	api := newAPIClient(t, r)
	res2 := api.do(http.MethodGet, "/api/v1/server/redundancy/videos?target=my-videos", "admin", nil, "")
	var list struct {
		Total int
		Data  []struct {
			UUID         string
			Redundancies struct{ StreamingPlaylists []struct{ FileURL string } }
		}
	}
	if res2.Status != http.StatusOK || json.Unmarshal(res2.Body, &list) != nil || list.Total != 1 || list.Data[0].UUID != v.UUID ||
		len(list.Data[0].Redundancies.StreamingPlaylists) != 1 || list.Data[0].Redundancies.StreamingPlaylists[0].FileURL != base {
		t.Errorf("GET /server/redundancy/videos: %d %s", res2.Status, res2.Body)
	}
	if res2 := api.do(http.MethodGet, "/api/v1/server/redundancy/videos?target=remote-videos", "admin", nil, ""); res2.Status != http.StatusOK {
		t.Errorf("remote-videos: %d %s", res2.Status, res2.Body)
	}
	if res2 := api.do(http.MethodGet, "/api/v1/server/redundancy/videos?target=my-videos", "user", nil, ""); res2.Status != http.StatusForbidden {
		t.Errorf("as a user: %d", res2.Status)
	}
	if res2 := api.do(http.MethodGet, "/api/v1/server/redundancy/videos?target=theirs", "admin", nil, ""); res2.Status != http.StatusBadRequest {
		t.Errorf("bad target: %d", res2.Status)
	}
	for _, c := range []struct {
		body, who string
		want      int
	}{{`{}`, "admin", http.StatusBadRequest}, {`{"redundancyAllowed":false}`, "admin", http.StatusNotFound},
		{`{"redundancyAllowed":false}`, "user", http.StatusForbidden}} {
		res := api.do(http.MethodPut, "/api/v1/server/redundancy/unknown.example", c.who, strings.NewReader(c.body), "application/json")
		if res.Status != c.want {
			t.Errorf("PUT /server/redundancy/{host} %s as %s: %d, want %d", c.body, c.who, res.Status, c.want)
		}
	}

	// The admin page lists who mirrors what; only admins see it or change it.
	code, page := r.page(request{method: http.MethodGet, path: "/admin/federation", who: "admin"})
	if code != http.StatusOK || !strings.Contains(page, `id="mirrors"`) || !strings.Contains(page, "<td>mirror.example</td>") {
		t.Fatalf("admin page: %d, mirror not listed", code)
	}
	nobody := url.Values{"accept_from": {"nobody"}, "hosts": {""}}
	if code, _ := r.page(request{method: http.MethodPost, path: "/admin/federation/mirrors/policy", who: "user", form: nobody, withCSRF: true}); code != http.StatusForbidden {
		t.Errorf("policy by a user: %d, want 403", code)
	}
	if got := apiMirrors(); len(got) != 1 {
		t.Fatalf("a user's refused form changed the mirrors: %v", got)
	}
	bad := url.Values{"accept_from": {"list"}, "hosts": {"not a host/x"}}
	if res := r.do(ctx, request{method: http.MethodPost, path: "/admin/federation/mirrors/policy", who: "admin", form: bad, withCSRF: true}); res.StatusCode != http.StatusSeeOther ||
		!strings.Contains(res.Header.Get("Location"), "error=mirror_invalid") {
		t.Errorf("bad host: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := r.do(ctx, request{method: http.MethodPost, path: "/admin/federation/mirrors/policy", who: "admin", form: nobody, withCSRF: true}); res.StatusCode != http.StatusSeeOther ||
		!strings.Contains(res.Header.Get("Location"), "done=mirror_policy") {
		t.Fatalf("policy by the admin: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if p, _ := m.Policy(ctx); p.AcceptFrom != model.MirrorFromNobody {
		t.Errorf("policy = %+v", p)
	}
	// Nobody may mirror any more: the mirror is forgotten at once.
	if got := apiMirrors(); len(got) != 0 {
		t.Errorf("after 'nobody': %v", got)
	}
	_, page = r.page(request{method: http.MethodGet, path: "/videos/watch/" + v.UUID})
	if !strings.Contains(page, `data-mirrors="[]"`) {
		t.Errorf("watch page after 'nobody' still lists a mirror")
	}
}
