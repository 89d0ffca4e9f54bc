package federation

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// login signs the instance's user in through the login page and returns
// the browser and the page's form token.
func (in *instance) login(t *testing.T) (*testrig.Browser, string) {
	t.Helper()
	b := testrig.NewBrowser(t)
	_, _, tok := b.Get(in.URL("/login"))
	if code, final, _ := b.PostForm(in.URL("/login"), url.Values{"_csrf": {tok}, "username": {in.User}, "password": {pass}, "next": {"/admin/federation"}}); code != http.StatusOK || !strings.HasSuffix(final, "/admin/federation") {
		t.Fatalf("login on %s: %d %s", in.Host, code, final)
	}
	_, _, tok = b.Get(in.URL("/admin/federation"))
	return b, tok
}

// adminForm posts one of the federation page's forms and checks that it
// lands back on the page with done.
func adminForm(t *testing.T, in *instance, b *testrig.Browser, tok, path string, vals url.Values, done string) {
	t.Helper()
	vals.Set("_csrf", tok)
	code, final, _ := b.PostForm(in.URL(path), vals)
	if code != http.StatusOK || !strings.Contains(final, "done="+done) {
		t.Fatalf("POST %s on %s: %d %s", path, in.Host, code, final)
	}
}

// mirrorsOf is the mirrors A's API lists for a video.
var mirrorsAttr = regexp.MustCompile(`data-mirrors="([^"]*)"`)

// pageMirrors are the mirror base URLs a watch page hands its player.
func pageMirrors(t *testing.T, page string) []string {
	t.Helper()
	res, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := mirrorsAttr.FindSubmatch(body)
	if m == nil {
		return nil
	}
	var out []string
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &out); err != nil {
		t.Fatalf("data-mirrors %q: %v", m[1], err)
	}
	return out
}

func mirrorsOf(t *testing.T, in *instance, uuid string) []string {
	v, code := in.video(t, uuid)
	if code != http.StatusOK || len(v.StreamingPlaylists) != 1 {
		return nil
	}
	var out []string
	for _, r := range v.StreamingPlaylists[0].Redundancies {
		out = append(out, r.BaseURL)
	}
	return out
}

// Two Cabanes that follow each other's instance: B mirrors A's video
// within its budget, as PeerTube's redundancy does (a Create CacheFile
// signed by B's server actor); A, whose policy lets followed instances
// mirror, lists B as a mirror, and B serves the copy. A budget too small
// mirrors nothing; mirroring turned off sends Undo and A forgets it.
// A third, C, follows A's channel and B's instance: A forwards B's
// CacheFiles to its video's followers, as PeerTube does, so C lists B's
// copy among the redundancies of A's video, and forgets it with the
// Undo. B's admin then mirrors the video by hand (PeerTube's POST
// /server/redundancy/videos) with mirroring off, and removes it. Last, the
// Undo of B's next copy passes PeerTube's check of a forwarded activity.
func TestMirroringFriends(t *testing.T) {
	t.Parallel()
	a := start(t, "ana")
	b := start(t, "ben", "CABANE_MIRROR_EVERY=300ms")
	c := start(t, "cat")
	ab, atok := a.login(t)
	bb, btok := b.login(t)
	cb, ctok := c.login(t)
	adminForm(t, a, ab, atok, "/admin/federation/following", url.Values{"target": {b.Host}}, "followed")
	adminForm(t, b, bb, btok, "/admin/federation/following", url.Values{"target": {a.Host}}, "followed")
	adminForm(t, c, cb, ctok, "/admin/federation/following", url.Values{"target": {b.Host}}, "followed")
	c.subscribe(t, a)
	uuid := a.upload(t, "Robin at the window")
	for _, in := range []*instance{b, c} {
		eventually(t, in.Host+" knows A's video", within, func() bool {
			v, code := in.video(t, uuid)
			return code == http.StatusOK && !v.IsLocal && len(v.StreamingPlaylists) == 1
		})
	}

	// A budget smaller than the video: nothing is copied.
	mirroring := func(strategy, mb string) {
		adminForm(t, b, bb, btok, "/admin/federation/mirrors/mirroring", url.Values{"strategy": {strategy}, "budget_mb": {mb},
			"min_lifetime_hours": {"25"}, "min_views": {"0"}}, "mirroring")
	}
	mirroring("most-views", "0.001")
	time.Sleep(2 * time.Second) // several ticks
	if m := mirrorsOf(t, a, uuid); len(m) != 0 {
		t.Fatalf("mirrored beyond a 1 kB budget: %v", m)
	}
	if page, _, _ := bb.Get(b.URL("/admin/federation")); strings.Contains(page, `<tr class="mirrored">`) {
		t.Fatalf("B lists a mirror beyond its budget")
	}

	// Room enough: B copies, checks and announces; A lists B's copy.
	started := time.Now()
	mirroring("most-views", "50")
	base := b.URL("/static/redundancy/hls/" + uuid)
	eventually(t, "A lists B as a mirror", within, func() bool {
		m := mirrorsOf(t, a, uuid)
		return len(m) == 1 && m[0] == base
	})
	t.Logf("B's copy listed on A %s after the admin's choice", time.Since(started).Round(10*time.Millisecond))
	// A forwarded B's Create to C, which follows A's channel; C asked B
	// for the CacheFile, and lists the copy for A's video.
	eventually(t, "C lists B as a mirror of A's video", within, func() bool {
		m := mirrorsOf(t, c, uuid)
		return len(m) == 1 && m[0] == base
	})
	// C's watch page of A's video hands the player B's copy (data-mirrors).
	if m := pageMirrors(t, c.URL("/videos/watch/"+uuid)); len(m) != 1 || m[0] != base {
		t.Errorf("C's watch page: data-mirrors %v, want B's copy", m)
	}
	playable(t, base+"/master.m3u8")
	if page, _, _ := ab.Get(a.URL("/admin/federation")); !strings.Contains(page, "<td>"+b.Host+"</td>") {
		t.Errorf("A's admin page does not say B mirrors its video")
	}
	if page, _, _ := bb.Get(b.URL("/admin/federation")); !strings.Contains(page, `<tr class="mirrored">`) {
		t.Errorf("B's admin page does not list its copy")
	}
	// A's Video object names the copy in its HLS entry's tags.
	req, _ := http.NewRequest(http.MethodGet, a.URL("/videos/watch/"+uuid), nil)
	req.Header.Set("Accept", "application/activity+json")
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), `"rel":["mirror"]`) || !strings.Contains(string(body), base+"/master.m3u8") {
			t.Errorf("A's Video object does not list B's copy:\n%s", body)
		}
	}
	// B's CacheFile is served at its IRI.
	var cf struct {
		Type, Object string
		URL          struct{ Href string }
	}
	if code := testrig.GetJSON(t, b.URL("/redundancy/streaming-playlists/hls/"+uuid), &cf); code != http.StatusOK ||
		cf.Type != "CacheFile" || cf.Object != a.URL("/videos/watch/"+uuid) || cf.URL.Href != base {
		t.Errorf("B's CacheFile: %d %+v", code, cf)
	}
	// B lists its own copy among the remote video's redundancies, as
	// PeerTube does; both admin APIs tell who mirrors what.
	if m := mirrorsOf(t, b, uuid); len(m) != 1 || m[0] != base {
		t.Errorf("B's API: redundancies %v, want its own copy", m)
	}
	for _, c := range []struct {
		in     *instance
		target string
	}{{a, "my-videos"}, {b, "remote-videos"}} {
		var list struct {
			Total int `json:"total"`
			Data  []struct {
				UUID         string `json:"uuid"`
				Redundancies struct {
					StreamingPlaylists []struct {
						FileURL string `json:"fileUrl"`
					} `json:"streamingPlaylists"`
				} `json:"redundancies"`
			} `json:"data"`
		}
		code := c.in.api(t, http.MethodGet, "/api/v1/server/redundancy/videos?target="+c.target, nil, &list)
		if code != http.StatusOK || list.Total != 1 || list.Data[0].UUID != uuid || len(list.Data[0].Redundancies.StreamingPlaylists) != 1 ||
			list.Data[0].Redundancies.StreamingPlaylists[0].FileURL != base {
			t.Errorf("%s's redundancy API (%s): %d %+v", c.in.Host, c.target, code, list)
		}
	}

	// Mirroring off: B evicts its copy and sends Undo; A forgets it, and
	// forwards the Undo to C, which forgets it too.
	mirroring("", "50")
	eventually(t, "A forgets B's mirror", within, func() bool { return len(mirrorsOf(t, a, uuid)) == 0 })
	if res, err := http.Get(base + "/master.m3u8"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("evicted copy still served: %v %v", res.StatusCode, err)
	}
	eventually(t, "C forgets B's mirror", within, func() bool { return len(mirrorsOf(t, c, uuid)) == 0 })

	// By hand, with mirroring off: B's admin asks for a copy of A's video
	// (by its UUID); asking again is a conflict, and A's own video
	// cannot be mirrored on A. A and C list the copy; B's admin removes
	// it through the API, and both forget it.
	byHand := map[string]string{"videoId": uuid}
	if code := b.api(t, http.MethodPost, "/api/v1/server/redundancy/videos", byHand, nil); code != http.StatusNoContent {
		t.Fatalf("B mirrors A's video by hand: %d", code)
	}
	if code := b.api(t, http.MethodPost, "/api/v1/server/redundancy/videos", byHand, nil); code != http.StatusConflict {
		t.Errorf("B mirrors it twice: %d, want 409", code)
	}
	if code := a.api(t, http.MethodPost, "/api/v1/server/redundancy/videos", byHand, nil); code != http.StatusBadRequest {
		t.Errorf("A mirrors its own video: %d, want 400", code)
	}
	for _, in := range []*instance{a, c} {
		eventually(t, in.Host+" lists B's copy made by hand", within, func() bool {
			m := mirrorsOf(t, in, uuid)
			return len(m) == 1 && m[0] == base
		})
	}
	var mine struct {
		Data []struct {
			ID           int64 `json:"id"`
			Redundancies struct {
				StreamingPlaylists []struct {
					Strategy string `json:"strategy"`
				} `json:"streamingPlaylists"`
			} `json:"redundancies"`
		} `json:"data"`
	}
	if code := b.api(t, http.MethodGet, "/api/v1/server/redundancy/videos?target=remote-videos", nil, &mine); code != http.StatusOK ||
		len(mine.Data) != 1 || len(mine.Data[0].Redundancies.StreamingPlaylists) != 1 || mine.Data[0].Redundancies.StreamingPlaylists[0].Strategy != "manual" {
		t.Fatalf("B's copies: %d %+v", code, mine)
	}
	if code := b.api(t, http.MethodDelete, "/api/v1/server/redundancy/videos/"+strconv.FormatInt(mine.Data[0].ID, 10), nil, nil); code != http.StatusNoContent {
		t.Fatalf("B removes its copy: %d", code)
	}
	for _, in := range []*instance{a, c} {
		eventually(t, in.Host+" forgets B's copy made by hand", within, func() bool { return len(mirrorsOf(t, in, uuid)) == 0 })
	}

	// Mirroring on again: B copies it again. A's admin then lets nobody
	// mirror: A forgets B's copy at once, and refuses its announcements.
	mirroring("most-views", "50")
	eventually(t, "A lists B's new copy", within, func() bool { return len(mirrorsOf(t, a, uuid)) == 1 })
	adminForm(t, a, ab, atok, "/admin/federation/mirrors/policy", url.Values{"accept_from": {"nobody"}, "hosts": {""}}, "mirror_policy")
	if m := mirrorsOf(t, a, uuid); len(m) != 0 {
		t.Errorf("A lets nobody mirror, yet lists %v", m)
	}

	// A CacheFile activity of B passes PeerTube's check of a forwarded
	// activity (ldsig_test.go), as A forwards them to its video's
	// followers: with A stopped, B's removal of its copy leaves the Undo
	// (the Create and its CacheFile inside) waiting in B's queue.
	a.Stop()
	if code := b.api(t, http.MethodGet, "/api/v1/server/redundancy/videos?target=remote-videos", nil, &mine); code != http.StatusOK || len(mine.Data) != 1 {
		t.Fatalf("B's copies: %d %+v", code, mine)
	}
	if code := b.api(t, http.MethodDelete, "/api/v1/server/redundancy/videos/"+strconv.FormatInt(mine.Data[0].ID, 10), nil, nil); code != http.StatusNoContent {
		t.Fatalf("B removes its copy: %d", code)
	}
	var undo []signed
	eventually(t, "B's Undo CacheFile waits for A", within, func() bool {
		undo = nil
		for _, s := range pendingSigned(t, b, a.Host) {
			if strings.HasPrefix(s.Name, "Undo ") && strings.Contains(s.Body, `"CacheFile"`) {
				undo = append(undo, s)
			}
		}
		return len(undo) > 0
	})
	for name, verdict := range peertubeChecks(t, undo) {
		if verdict != "" {
			t.Errorf("%s: %s", name, verdict)
		}
	}
}
