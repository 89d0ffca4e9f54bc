package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/supporters"
	"cabane.dev/cabane/app/visibility"
)

// supporterRig is the rig with supporters wired, "user" the creator,
// "supp" a local supporter and "other" a logged-in follower who is none.
func supporterRig(t *testing.T) (*rig, model.Channel) {
	t.Helper()
	r := newRig(t)
	ctx := context.Background()
	r.server.Supporters = &supporters.Service{Store: r.store, Log: r.server.Log}
	for _, name := range []string{"other", "supp"} {
		u, _, err := r.server.Auth.CreateUser(ctx, auth.NewUserRequest{Username: name, Email: name + "@example.org",
			Password: "correct horse battery staple"})
		if err != nil {
			t.Fatal(err)
		}
		if r.sessions[name], err = r.server.Auth.StartSession(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	chs, err := r.server.Accounts.ChannelsOf(ctx, r.userAccount(t, "user"))
	if err != nil || len(chs) == 0 {
		t.Fatal("no channel for user", err)
	}
	return r, chs[0]
}

// postForm sends a page's form as who, CSRF included.
func (r *rig) postForm(t *testing.T, path, who string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set(csrfField, testCSRF)
	return r.send(t, http.MethodPost, path, strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, who, true)
}

var linkRe = regexp.MustCompile(`/s/([A-Za-z0-9_-]{20,})`)

// addNamed adds a supporter by name through the creator's page and
// returns their link's token.
func (r *rig) addNamed(t *testing.T, name string) string {
	t.Helper()
	res, body := r.postForm(t, "/my/supporters", "user", url.Values{"kind": {"named"}, "who": {name}})
	m := linkRe.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("add supporter %s: %d, link %v", name, res.StatusCode, m)
	}
	return m[1]
}

// linkCookie follows a supporter's link as a stranger and returns the
// cookie it sets ("" when the link is refused).
func (r *rig) linkCookie(t *testing.T, token string) string {
	t.Helper()
	res, _ := r.send(t, http.MethodGet, "/s/"+token, nil, nil, "", false)
	if res.StatusCode != http.StatusSeeOther {
		return ""
	}
	for _, c := range res.Cookies() {
		if strings.HasPrefix(c.Name, supporterCookiePrefix) {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

func (r *rig) getWith(t *testing.T, path, who, cookie string) (int, string) {
	t.Helper()
	hdr := viewerFrom(false)
	if cookie != "" {
		hdr["Cookie"] = cookie
	}
	res, body := r.send(t, http.MethodGet, path, nil, hdr, who, false)
	return res.StatusCode, body
}

// TestSupporterVisibilityMatrix crosses every route that exposes a video
// with anonymous, follower, supporter (by link, by account), revoked
// supporter, creator and admin, for a supporter-only video; the
// expectations are spelled out here.
func TestSupporterVisibilityMatrix(t *testing.T) {
	r, ch := supporterRig(t)
	ctx := context.Background()
	// One supporter by account, one by link, one revoked.
	res, _ := r.postForm(t, "/my/supporters", "user", url.Values{"kind": {"local"}, "who": {"supp"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("add local supporter: %d", res.StatusCode)
	}
	bobCookie := r.linkCookie(t, r.addNamed(t, "Bob"))
	ritaToken := r.addNamed(t, "Rita")
	ritaCookie := r.linkCookie(t, ritaToken)
	if bobCookie == "" || ritaCookie == "" {
		t.Fatal("a supporter's link set no cookie")
	}
	list, err := r.server.Supporters.List(ctx, viewerOfAccount(r, t, "user"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == "Rita" {
			if res, _ := r.postForm(t, fmt.Sprintf("/my/supporters/%d/revoke", e.ID), "user", url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("revoke: %d", res.StatusCode)
			}
		}
	}
	if r.linkCookie(t, ritaToken) != "" {
		t.Error("a revoked link still sets its cookie")
	}
	// Another creator's supporter-only video: Bob supports "user" only.
	admins, err := r.server.Accounts.ChannelsOf(ctx, r.adminAccount)
	if err != nil {
		t.Fatal(err)
	}
	v := r.publishedVideo(t, ch.ID, model.PrivacySupporters)
	elsewhere := r.publishedVideo(t, admins[0].ID, model.PrivacySupporters)
	elsewhereName := "Elsewhere supporters video"
	if err := r.store.Videos.Update(ctx, elsewhere.ID, repoRename(elsewhere, elsewhereName)); err != nil {
		t.Fatal(err)
	}

	type viewerKind struct{ name, who, cookie string }
	viewers := []viewerKind{
		{"anonymous", "", ""}, {"follower", "other", ""}, {"supporter by account", "supp", ""},
		{"supporter by link", "", bobCookie}, {"revoked supporter", "", ritaCookie}, {"creator", "user", ""}, {"admin", "admin", ""},
	}
	may := map[string]bool{"supporter by account": true, "supporter by link": true, "creator": true, "admin": true}
	routes := map[string]string{
		"watch page":        "/videos/watch/" + v.UUID,
		"short watch page":  "/w/" + v.ShortUUID,
		"watch page by id":  fmt.Sprintf("/w/%d", v.ID),
		"embed":             "/videos/embed/" + v.UUID,
		"API detail":        "/api/v1/videos/" + v.UUID,
		"API detail by id":  fmt.Sprintf("/api/v1/videos/%d", v.ID),
		"HLS master":        "/static/streaming-playlists/hls/" + v.UUID + "/master.m3u8",
		"HLS segment":       "/static/streaming-playlists/hls/" + v.UUID + "/" + v.UUID + "-360-fragmented.mp4",
		"thumbnail":         "/lazy-static/thumbnails/" + v.UUID + ".jpg",
		"preview":           "/lazy-static/previews/" + v.UUID + ".jpg",
		"processing events": "/videos/" + v.UUID + "/events",
	}
	for _, vw := range viewers {
		for name, path := range routes {
			want := http.StatusNotFound
			if may[vw.name] {
				want = http.StatusOK
			}
			if got, _ := r.getWith(t, path, vw.who, vw.cookie); got != want {
				t.Errorf("%s, %s: %d, want %d", vw.name, name, got, want)
			}
		}
		// The other creator's supporter-only video: only its creator
		// (here the admin) sees it.
		if got, _ := r.getWith(t, "/api/v1/videos/"+elsewhere.UUID, vw.who, vw.cookie); (got == http.StatusOK) != (vw.who == "admin") {
			t.Errorf("%s, another creator's supporter-only video: %d", vw.name, got)
		}
		// Listings: the home page, the API list, the channel and account
		// pages list it to whoever may see it; feeds and search never
		// (a feed reader is a stranger).
		for _, path := range []string{"/", "/api/v1/videos?count=100", "/c/" + ch.Name, "/a/user"} {
			if vw.who == "admin" {
				continue // admins: as for private videos, their listings are another test's
			}
			_, body := r.getWith(t, path, vw.who, vw.cookie)
			// The creator finds theirs on their channel and account
			// pages, as their private videos.
			listed := may[vw.name] && !(vw.who == "user" && (path == "/" || strings.HasPrefix(path, "/api/")))
			if strings.Contains(body, v.Name) != listed {
				t.Errorf("%s, %s: listed %v, want %v", vw.name, path, strings.Contains(body, v.Name), listed)
			}
			if strings.Contains(body, elsewhereName) {
				t.Errorf("%s, %s: lists another creator's supporter-only video", vw.name, path)
			}
		}
		for _, path := range []string{"/feeds/videos.xml", fmt.Sprintf("/feeds/videos.xml?videoChannelId=%d", ch.ID), "/api/v1/search/videos?search=Matrix"} {
			if _, body := r.getWith(t, path, vw.who, vw.cookie); strings.Contains(body, v.Name) {
				t.Errorf("%s, %s: lists the supporter-only video", vw.name, path)
			}
		}
	}
	// The API never says another privacy than the one it has: 7, named.
	_, body := r.getWith(t, "/api/v1/videos/"+v.UUID, "", bobCookie)
	if !strings.Contains(body, `"privacy":{"id":7,"label":"Supporters only"}`) {
		t.Errorf("API privacy of a supporter-only video: %s", body)
	}
}

// TestRevokingEndsHLSAtOnce: a supporter who started playing loses the
// next segment the moment the creator revokes them, cookie or file token.
func TestRevokingEndsHLSAtOnce(t *testing.T) {
	r, ch := supporterRig(t)
	ctx := context.Background()
	v := r.publishedVideo(t, ch.ID, model.PrivacySupporters)
	cookie := r.linkCookie(t, r.addNamed(t, "Bob"))
	seg := "/static/streaming-playlists/hls/" + v.UUID + "/" + v.UUID + "-360-fragmented.mp4"
	for range 3 { // a player fetching segments
		if got, body := r.getWith(t, seg, "", cookie); got != http.StatusOK || body != "segment" {
			t.Fatalf("segment before revoking: %d %q", got, body)
		}
	}
	// A local supporter's app, with a video file token and no session.
	if _, err := r.server.Supporters.Add(ctx, viewerOfAccount(r, t, "user"), supporters.AddRequest{Kind: model.SupporterLocal, Who: "supp"}); err != nil {
		t.Fatal(err)
	}
	supp, err := r.server.Auth.ActiveUser(ctx, userID(r, t, "supp"))
	if err != nil {
		t.Fatal(err)
	}
	tok := r.server.unlock.fileToken(v.UUID, supp.ID, timeNowPlus2h())
	if got, _ := r.getWith(t, seg+"?videoFileToken="+url.QueryEscape(tok), "", ""); got != http.StatusOK {
		t.Fatalf("segment by a supporter's file token: %d", got)
	}
	list, err := r.server.Supporters.List(ctx, viewerOfAccount(r, t, "user"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if err := r.server.Supporters.Revoke(ctx, viewerOfAccount(r, t, "user"), e.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := r.getWith(t, seg, "", cookie); got != http.StatusNotFound {
		t.Errorf("segment right after revoking, by cookie: %d, want 404", got)
	}
	if got, _ := r.getWith(t, seg+"?videoFileToken="+url.QueryEscape(tok), "", ""); got != http.StatusNotFound {
		t.Errorf("segment right after revoking, by file token: %d, want 404", got)
	}
	if got, _ := r.getWith(t, seg, "supp", ""); got != http.StatusNotFound {
		t.Errorf("segment right after revoking, by account: %d, want 404", got)
	}
}

// TestEarlyAccessForm: the edit form sets and shows the public date, and
// refuses one in the past.
func TestEarlyAccessForm(t *testing.T) {
	r, ch := supporterRig(t)
	ctx := context.Background()
	v := r.publishedVideo(t, ch.ID, model.PrivacySupporters)
	form := url.Values{"name": {v.Name}, "privacy": {"7"}, "publicOn": {"2099-05-01T10:30"}}
	if res, _ := r.postForm(t, "/my/videos/"+v.ShortUUID, "user", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save with a public date: %d", res.StatusCode)
	}
	at, err := r.server.Supporters.EarlyAccess(ctx, v.ID)
	if err != nil || at.UTC().Format("2006-01-02T15:04") != "2099-05-01T10:30" {
		t.Fatalf("early access stored: %v %v", at, err)
	}
	if _, body := r.getWith(t, "/my/videos/"+v.ShortUUID, "user", ""); !strings.Contains(body, `value="2099-05-01T10:30"`) {
		t.Error("the edit form does not show the public date")
	}
	form.Set("publicOn", "2001-01-01T00:00")
	if res, _ := r.postForm(t, "/my/videos/"+v.ShortUUID, "user", form); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a past public date: %d, want 400", res.StatusCode)
	}
}

func viewerOfAccount(r *rig, t *testing.T, name string) visibility.Viewer {
	t.Helper()
	u, err := r.store.Accounts.UserByLogin(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return visibility.Of(&u, false)
}

func userID(r *rig, t *testing.T, name string) int64 { return viewerOfAccount(r, t, name).UserID }

func repoRename(v model.Video, name string) repo.VideoUpdate {
	return repo.VideoUpdate{ChannelID: v.ChannelID, Name: name, Description: v.Description, Privacy: v.Privacy, Meta: v.Meta}
}

func timeNowPlus2h() time.Time { return time.Now().Add(fileTokenFor) }

// TestSupporterPodcastFeed: the channel's podcast feed lists the
// supporter-only episodes only with a supporter's token, their URLs then
// carry the token (a podcast app sends no cookie) and answer to it, until
// the supporter is revoked.
func TestSupporterPodcastFeed(t *testing.T) {
	r, ch := supporterRig(t)
	ctx := context.Background()
	public := r.publishedVideo(t, ch.ID, model.PrivacyPublic)
	only := r.publishedVideo(t, ch.ID, model.PrivacySupporters)
	tok := r.addNamed(t, "Bob")
	feed := fmt.Sprintf("/feeds/podcast/videos.xml?videoChannelId=%d", ch.ID)
	if _, body := r.getWith(t, feed, "", ""); !strings.Contains(body, public.Name) || strings.Contains(body, only.Name) {
		t.Fatalf("the public podcast feed: public listed %v, supporter-only listed %v", strings.Contains(body, public.Name), strings.Contains(body, only.Name))
	}
	code, body := r.getWith(t, feed+"&supporterToken="+tok, "", "")
	if code != http.StatusOK || !strings.Contains(body, public.Name) || !strings.Contains(body, only.Name) {
		t.Fatalf("the supporter's podcast feed: %d, supporter-only listed %v", code, strings.Contains(body, only.Name))
	}
	thumb := regexp.MustCompile(`[^"<>]*/lazy-static/[a-z]+/` + only.UUID + `\.jpg\?supporterToken=[A-Za-z0-9_-]+`).FindString(body)
	if thumb == "" {
		t.Fatalf("no tokened image URL for the supporter-only episode in %s", body)
	}
	path := strings.TrimPrefix(thumb, r.http.URL)
	if code, _ := r.getWith(t, path, "", ""); code != http.StatusOK {
		t.Errorf("the episode's image by token: %d", code)
	}
	if strings.Contains(body, "lazy-static/thumbnails/"+public.UUID+".jpg?supporterToken") {
		t.Error("a public episode's URLs carry the token")
	}
	list, err := r.server.Supporters.List(ctx, viewerOfAccount(r, t, "user"))
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	if err := r.server.Supporters.Revoke(ctx, viewerOfAccount(r, t, "user"), list[0].ID); err != nil {
		t.Fatal(err)
	}
	if code, _ := r.getWith(t, path, "", ""); code != http.StatusNotFound {
		t.Errorf("the episode's image after revoking: %d, want 404", code)
	}
	if _, body := r.getWith(t, feed+"&supporterToken="+tok, "", ""); strings.Contains(body, only.Name) {
		t.Error("a revoked supporter's podcast feed still lists the supporter-only episode")
	}
}
