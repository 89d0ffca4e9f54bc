package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/videos"
)

type playlistJSON struct {
	ID           int64
	UUID         string
	ShortUUID    string
	DisplayName  string
	VideosLength int
	Privacy      struct{ ID int }
	Type         struct {
		ID    int
		Label string
	}
	VideoChannel *struct{ Name string }
	OwnerAccount struct{ Name string }
}

type elementJSON struct {
	ID             int64
	Position       int
	Type           int
	StartTimestamp *int
	StopTimestamp  *int
	Video          *struct {
		ID   int64
		UUID string
	}
}

func (sr *socialRig) createPlaylist(t *testing.T, who string, body map[string]any) playlistJSON {
	t.Helper()
	var out struct{ VideoPlaylist playlistJSON }
	sr.decode(t, "POST", "/api/v1/video-playlists", who, body, http.StatusOK, &out)
	if out.VideoPlaylist.ID == 0 || len(out.VideoPlaylist.UUID) != 36 || out.VideoPlaylist.ShortUUID == "" {
		t.Fatalf("created %+v", out)
	}
	return out.VideoPlaylist
}

func (sr *socialRig) elements(t *testing.T, ref, who string) []elementJSON {
	t.Helper()
	var out struct {
		Total int
		Data  []elementJSON
	}
	sr.decode(t, "GET", "/api/v1/video-playlists/"+ref+"/videos", who, nil, http.StatusOK, &out)
	if out.Total != len(out.Data) {
		t.Errorf("total %d for %d elements", out.Total, len(out.Data))
	}
	return out.Data
}

func (sr *socialRig) addVideo(t *testing.T, ref, who string, videoID int64) int64 {
	t.Helper()
	var out struct{ VideoPlaylistElement struct{ ID int64 } }
	sr.decode(t, "POST", "/api/v1/video-playlists/"+ref+"/videos", who, map[string]any{"videoId": videoID}, http.StatusOK, &out)
	return out.VideoPlaylistElement.ID
}

func TestPlaylistPermissionsForEveryRoute(t *testing.T) {
	sr := newSocialRig(t)
	ch := sr.channelOf(t, "user")
	v := sr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	pub := sr.createPlaylist(t, "user", map[string]any{"displayName": "Holidays", "privacy": model.PlaylistPublic, "videoChannelId": ch.ID})
	priv := sr.createPlaylist(t, "user", map[string]any{"displayName": "Mine"})
	el := sr.addVideo(t, pub.UUID, "user", v.ID)
	sr.addVideo(t, pub.UUID, "user", v.ID) // twice: PeerTube allows it

	// Reading: the public one by anyone; the private one by its owner and
	// the admins only, "not found" to the rest.
	for who, want := range map[string]int{"": 200, "other": 200, "user": 200, "admin": 200} {
		if code, _ := sr.call(t, "GET", fmt.Sprintf("/api/v1/video-playlists/%d", pub.ID), who, nil); code != want {
			t.Errorf("GET public as %q: %d, want %d", who, code, want)
		}
	}
	for who, want := range map[string]int{"": 404, "other": 404, "user": 200, "admin": 200} {
		if code, _ := sr.call(t, "GET", "/api/v1/video-playlists/"+priv.UUID, who, nil); code != want {
			t.Errorf("GET private as %q: %d, want %d", who, code, want)
		}
		if code, _ := sr.call(t, "GET", "/api/v1/video-playlists/"+priv.UUID+"/videos", who, nil); code != want {
			t.Errorf("GET private's videos as %q: %d, want %d", who, code, want)
		}
	}
	// Every write: 401 anonymous, 403 another user (who sees it), 404
	// another user on a private one; the owner and an admin may.
	writes := []struct {
		method, path string
		body         any
		ok           int
	}{
		{"PUT", "/api/v1/video-playlists/%s", map[string]any{"displayName": "Renamed"}, 204},
		{"POST", "/api/v1/video-playlists/%s/videos", map[string]any{"videoId": v.UUID}, 200},
		{"PUT", "/api/v1/video-playlists/%s/videos/" + fmt.Sprint(el), map[string]any{"startTimestamp": 3, "stopTimestamp": 9}, 204},
		{"POST", "/api/v1/video-playlists/%s/videos/reorder", map[string]any{"startPosition": 1, "insertAfterPosition": 2}, 204},
	}
	for _, w := range writes {
		for who, want := range map[string]int{"": 401, "other": 403, "user": w.ok, "admin": w.ok} {
			if code, text := sr.call(t, w.method, fmt.Sprintf(w.path, pub.UUID), who, w.body); code != want {
				t.Errorf("%s %s as %q: %d, want %d: %s", w.method, w.path, who, code, want, text)
			}
		}
		if code, _ := sr.call(t, w.method, fmt.Sprintf(w.path, priv.UUID), "other", w.body); code != 404 {
			t.Errorf("%s on a private playlist as another user: %d, want 404", w.method, code)
		}
	}
	var got playlistJSON
	sr.decode(t, "GET", "/api/v1/video-playlists/"+pub.ShortUUID, "", nil, 200, &got)
	if got.DisplayName != "Renamed" || got.VideosLength != 4 || got.VideoChannel == nil || got.VideoChannel.Name != ch.Name || got.OwnerAccount.Name != "user" {
		t.Errorf("after the writes: %+v", got)
	}
	es := sr.elements(t, pub.UUID, "")
	for _, e := range es {
		if e.ID == el && (e.StartTimestamp == nil || *e.StartTimestamp != 3 || *e.StopTimestamp != 9) {
			t.Errorf("timestamps of %d: %+v", el, e)
		}
	}
	for who, want := range map[string]int{"": 401, "other": 403} {
		if code, _ := sr.call(t, "DELETE", fmt.Sprintf("/api/v1/video-playlists/%s/videos/%d", pub.UUID, el), who, nil); code != want {
			t.Errorf("DELETE element as %q: %d, want %d", who, code, want)
		}
		if code, _ := sr.call(t, "DELETE", "/api/v1/video-playlists/"+pub.UUID, who, nil); code != want {
			t.Errorf("DELETE playlist as %q: %d, want %d", who, code, want)
		}
	}
	if code, _ := sr.call(t, "DELETE", fmt.Sprintf("/api/v1/video-playlists/%s/videos/%d", pub.UUID, el), "admin", nil); code != 204 {
		t.Errorf("DELETE element as admin: %d", code)
	}
	if code, _ := sr.call(t, "DELETE", fmt.Sprintf("/api/v1/video-playlists/%s/videos/%d", pub.UUID, el), "user", nil); code != 404 {
		t.Errorf("DELETE a removed element: %d, want 404", code)
	}
	if code, _ := sr.call(t, "DELETE", "/api/v1/video-playlists/"+pub.UUID, "user", nil); code != 204 {
		t.Errorf("DELETE as owner: %d", code)
	}
	if code, _ := sr.call(t, "GET", "/api/v1/video-playlists/"+pub.UUID, "user", nil); code != 404 {
		t.Errorf("GET deleted: %d", code)
	}
	if code, _ := sr.call(t, "DELETE", "/api/v1/video-playlists/"+priv.UUID, "admin", nil); code != 204 {
		t.Errorf("DELETE private as admin: %d", code)
	}
}

func TestPlaylistValidation(t *testing.T) {
	sr := newSocialRig(t)
	ch := sr.channelOf(t, "user")
	other := sr.channelOf(t, "other")
	for name, body := range map[string]map[string]any{
		"displayName":    {"privacy": 3},
		"privacy":        {"displayName": "x", "privacy": 9},
		"videoChannelId": {"displayName": "x", "privacy": model.PlaylistPublic}, // public needs a channel
		"description":    {"displayName": "x", "description": "ab"},
	} {
		if code, text := sr.call(t, "POST", "/api/v1/video-playlists", "user", body); code != 400 || !contains(text, `"`+name+`"`) {
			t.Errorf("%s: %d %s", name, code, text)
		}
	}
	if code, _ := sr.call(t, "POST", "/api/v1/video-playlists", "user", map[string]any{"displayName": "x", "videoChannelId": other.ID}); code != 400 {
		t.Errorf("another user's channel: %d", code)
	}
	if code, _ := sr.call(t, "POST", "/api/v1/video-playlists", "", map[string]any{"displayName": "x"}); code != 401 {
		t.Errorf("anonymous create: %d", code)
	}
	// PeerTube's apps send a multipart form.
	body, ct := formParts(t, map[string]string{"displayName": "From an app", "privacy": "2", "videoChannelId": fmt.Sprint(ch.ID)})
	res, text := sr.send(t, "POST", "/api/v1/video-playlists", body, map[string]string{"Content-Type": ct, csrfHeader: testCSRF}, "user", true)
	if res.StatusCode != 200 || !contains([]byte(text), "shortUUID") {
		t.Errorf("multipart create: %d %s", res.StatusCode, text)
	}
	var privacies map[string]string
	sr.decode(t, "GET", "/api/v1/video-playlists/privacies", "", nil, 200, &privacies)
	if privacies["1"] != "Public" || privacies["2"] != "Unlisted" || privacies["3"] != "Private" || len(privacies) != 3 {
		t.Errorf("privacies %v", privacies)
	}
	if code, _ := sr.call(t, "GET", "/api/v1/video-playlists?sort=bogus", "", nil); code != 400 {
		t.Errorf("bad sort: %d", code)
	}
}

func contains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }

// Searching playlists finds the public ones by a part of their name, in any
// case, and never a private one.
func TestSearchPlaylists(t *testing.T) {
	sr := newSocialRig(t)
	sr.server.Search = &search.Service{Store: sr.store.Search(), Lookup: sr.videos, TrendingDays: videos.TrendingDays}
	ch := sr.channelOf(t, "user")
	sr.createPlaylist(t, "user", map[string]any{"displayName": "Summer songs", "privacy": model.PlaylistPublic, "videoChannelId": ch.ID})
	sr.createPlaylist(t, "user", map[string]any{"displayName": "Summer secrets"}) // private
	sr.createPlaylist(t, "user", map[string]any{"displayName": "100% winter", "privacy": model.PlaylistPublic, "videoChannelId": ch.ID})
	for search, want := range map[string][]string{
		"summer": {"Summer songs"},
		"SONGS":  {"Summer songs"},
		"%":      {"100% winter"}, // a LIKE wildcard is a plain character here
		"autumn": nil,
	} {
		var page struct {
			Total int
			Data  []struct{ DisplayName string }
		}
		sr.decode(t, "GET", "/api/v1/search/video-playlists?search="+url.QueryEscape(search), "other", nil, 200, &page)
		var got []string
		for _, p := range page.Data {
			got = append(got, p.DisplayName)
		}
		if page.Total != len(want) || !slices.Equal(got, want) {
			t.Errorf("search %q: %d %v, want %v", search, page.Total, got, want)
		}
	}
}
