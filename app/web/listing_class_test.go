package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
)

// listed is the UUIDs and names of a list answer.
func listed(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var page struct {
		Total int
		Data  []struct{ UUID, Name string }
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	out := map[string]string{}
	for _, v := range page.Data {
		out[v.UUID] = v.Name
	}
	return out
}

// TestListingSharedByViewerClass: the logged-in users who see the same
// videos share one cached answer of GET /api/v1/videos and of the search,
// as the anonymous do; and no write is hidden by it: a new, renamed,
// re-privacied or deleted video, a mute or a server block shows in the
// next answer of every viewer it concerns, and only theirs.
func TestListingSharedByViewerClass(t *testing.T) {
	sr := newModerationRig(t)
	ctx := context.Background()
	const list = "/api/v1/videos?count=25&sort=-publishedAt"
	const find = "/api/v1/search/videos?search=matrix&count=25"
	get := func(path, who string) map[string]string {
		t.Helper()
		code, body := sr.call(t, http.MethodGet, path, who, nil)
		if code != http.StatusOK {
			t.Fatalf("GET %s as %q: %d %s", path, who, code, body)
		}
		return listed(t, body)
	}
	public := sr.video(t, model.PrivacyPublic, 0)
	internal := sr.video(t, model.PrivacyInternal, 0)
	for _, path := range []string{list, find} {
		first := get(path, "other")
		if first[public.UUID] == "" || first[internal.UUID] == "" {
			t.Fatalf("GET %s as other: %v, want the public and the internal video", path, first)
		}
		hits := sr.server.cache.hitCount()
		if second := get(path, "author"); len(second) != len(first) || sr.server.cache.hitCount() != hits+1 {
			t.Errorf("GET %s as author: %v, %d hits (was %d): the same class's answer must come from the cache", path, second, sr.server.cache.hitCount(), hits)
		}
		if anon := get(path, ""); anon[internal.UUID] != "" || anon[public.UUID] == "" {
			t.Errorf("GET %s anonymously: %v: an internal video listed to a stranger", path, anon)
		}
	}

	// Each write shows in the next answer, anonymous and logged in.
	user := viewerNamed(t, sr, "user")
	added := sr.video(t, model.PrivacyPublic, 0)
	for _, who := range []string{"", "other", "author"} {
		if got := get(list, who); got[added.UUID] == "" {
			t.Errorf("as %q, a new video is missing: %v", who, got)
		}
	}
	e, err := videos.ParseEdit(videos.Form{"name": {"Matrix renamed"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sr.videos.Update(ctx, user, added.UUID, e); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"", "other"} {
		if got := get(list, who); got[added.UUID] != "Matrix renamed" {
			t.Errorf("as %q, the renamed video shows as %q", who, got[added.UUID])
		}
		if got := get(find, who); got[added.UUID] != "Matrix renamed" {
			t.Errorf("search as %q, the renamed video shows as %q", who, got[added.UUID])
		}
	}
	if e, err = videos.ParseEdit(videos.Form{"privacy": {"3"}}); err != nil { // private
		t.Fatal(err)
	}
	if _, err := sr.videos.Update(ctx, user, added.UUID, e); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"", "other", "author"} {
		if got := get(list, who); got[added.UUID] != "" {
			t.Errorf("as %q, a video made private is still listed", who)
		}
	}
	if err := sr.videos.Delete(ctx, user, public.UUID); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"", "other", "author"} {
		if got := get(find, who); got[public.UUID] != "" {
			t.Errorf("search as %q, a deleted video is still found", who)
		}
	}

	// A mute thins the muter's answers only, from the next one on.
	get(list, "author") // the shared entry, made again
	mdecode(sr, t, "POST", "/api/v1/users/me/blocklist/accounts", "other", map[string]any{"accountName": "user"}, 204, nil)
	for _, path := range []string{list, find} {
		if got := get(path, "other"); got[internal.UUID] != "" {
			t.Errorf("GET %s: the muter still sees the muted account's videos: %v", path, got)
		}
		if got := get(path, "author"); got[internal.UUID] == "" {
			t.Errorf("GET %s: another user lost the videos of an account someone else muted: %v", path, got)
		}
		if got := get(path, "other"); got[internal.UUID] != "" {
			t.Errorf("GET %s: the muter's second answer lists the muted account: %v", path, got)
		}
	}
	mdecode(sr, t, "DELETE", "/api/v1/users/me/blocklist/accounts/user", "other", nil, 204, nil)
	if got := get(list, "other"); got[internal.UUID] == "" {
		t.Errorf("unmuted, the account's videos are still hidden: %v", got)
	}

	// A server block hides the account from users, not from the admin.
	mdecode(sr, t, "POST", "/api/v1/server/blocklist/accounts", "admin", map[string]any{"accountName": "user"}, 204, nil)
	if got := get(list, "author"); got[internal.UUID] != "" {
		t.Errorf("a user still sees a server-blocked account's videos: %v", got)
	}
	if got := get(list, "admin"); got[internal.UUID] == "" {
		t.Errorf("the admin lost a server-blocked account's videos: %v", got)
	}
	if got := get(list, "other"); got[internal.UUID] != "" {
		t.Errorf("a user got the admin's answer: %v", got)
	}
}

// TestSearchByURLNotShared: a search by a video's URL finds what its
// viewer may see of it (their own private video, a password-protected one
// they sent the password of): never served to the next viewer.
func TestSearchByURLNotShared(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPassword)
	ctx := context.Background()
	if err := cr.store.Creator().ReplacePasswords(ctx, cr.video.ID, []string{"gâteau"}); err != nil {
		t.Fatal(err)
	}
	found := func(v model.Video, who string, hdr map[string]string) bool {
		t.Helper()
		code, body := cr.get("/api/v1/search/videos?search="+url.QueryEscape(cr.http.URL+"/w/"+v.UUID), who, hdr)
		if code != http.StatusOK {
			t.Fatalf("search as %q: %d %s", who, code, body)
		}
		_, ok := listed(t, []byte(body))[v.UUID]
		return ok
	}
	if !found(cr.video, "", map[string]string{"x-peertube-video-password": "gâteau"}) {
		t.Fatal("the right password does not find the video by its URL")
	}
	if found(cr.video, "", nil) {
		t.Error("a stranger without the password got the answer of one who sent it")
	}
	chs, err := cr.server.Accounts.ChannelsOf(ctx, cr.userAccount(t, "user"))
	if err != nil {
		t.Fatal(err)
	}
	private := cr.publishedVideo(t, chs[0].ID, model.PrivacyPrivate)
	if err := cr.store.Videos.SetState(ctx, private.ID, model.StatePublished); err != nil {
		t.Fatal(err)
	}
	// The owner first, then a user who is neither owner nor moderator,
	// of the same class as the owner.
	u, _, err := cr.server.Auth.CreateUser(ctx, auth.NewUserRequest{Username: "stranger", Email: "stranger@example.org", Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	session, err := cr.server.Auth.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !found(private, "user", nil) {
		t.Fatal("the owner does not find their private video by its URL")
	}
	code, body := cr.get("/api/v1/search/videos?search="+url.QueryEscape(cr.http.URL+"/w/"+private.UUID), "", nil,
		&http.Cookie{Name: sessionCookie, Value: session})
	if code != http.StatusOK {
		t.Fatalf("search as stranger: %d %s", code, body)
	}
	if _, ok := listed(t, []byte(body))[private.UUID]; ok {
		t.Error("another user got the owner's answer: their private video")
	}
}
