package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

func TestPlaylistElementsVisibilityAndOrder(t *testing.T) {
	sr := newSocialRig(t)
	ch := sr.channelOf(t, "user")
	pub := sr.createPlaylist(t, "user", map[string]any{"displayName": "Mixed", "privacy": model.PlaylistPublic, "videoChannelId": ch.ID})
	var vs []model.Video
	for _, p := range []int{model.PrivacyPublic, model.PrivacyPrivate, model.PrivacyPublic, model.PrivacyUnlisted} {
		v := sr.video(t, p, comments.PolicyEnabled)
		vs = append(vs, v)
		sr.addVideo(t, pub.UUID, "user", v.ID)
	}
	// A private video in a public playlist: its place shows as PeerTube's
	// type 2 without the video to strangers, whole to its owner.
	for who, wantType := range map[string]int{"": 2, "other": 2, "user": 0, "admin": 0} {
		es := sr.elements(t, pub.UUID, who)
		if len(es) != 4 || es[1].Type != wantType || (wantType != 0) != (es[1].Video == nil) {
			t.Errorf("as %q: private element %+v", who, es[1])
		}
		if es[0].Type != 0 || es[0].Video == nil || es[0].Video.UUID != vs[0].UUID || es[3].Type != 0 {
			t.Errorf("as %q: public and unlisted elements %+v", who, es)
		}
	}
	// Reorder (PeerTube's): move the first after the third, then two from
	// position 3 to the top.
	sr.decode(t, "POST", "/api/v1/video-playlists/"+pub.UUID+"/videos/reorder", "user",
		map[string]any{"startPosition": 1, "insertAfterPosition": 3}, 204, nil)
	order := func() []int64 {
		var ids []int64
		for i, e := range sr.elements(t, pub.UUID, "user") {
			if e.Position != i+1 {
				t.Errorf("position %d at %d", e.Position, i+1)
			}
			ids = append(ids, e.Video.ID)
		}
		return ids
	}
	if got, want := order(), []int64{vs[1].ID, vs[2].ID, vs[0].ID, vs[3].ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after 1→after 3: %v, want %v", got, want)
	}
	sr.decode(t, "POST", "/api/v1/video-playlists/"+pub.UUID+"/videos/reorder", "user",
		map[string]any{"startPosition": 3, "insertAfterPosition": 0, "reorderLength": 2}, 204, nil)
	if got, want := order(), []int64{vs[0].ID, vs[3].ID, vs[1].ID, vs[2].ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after 3..4→top: %v, want %v", got, want)
	}
	if code, _ := sr.call(t, "POST", "/api/v1/video-playlists/"+pub.UUID+"/videos/reorder", "user",
		map[string]any{"startPosition": 5, "insertAfterPosition": 0}); code != 400 {
		t.Errorf("reorder beyond the end: %d", code)
	}
	// Removing closes the gap; a deleted video leaves a "deleted" place.
	es := sr.elements(t, pub.UUID, "user")
	sr.decode(t, "DELETE", fmt.Sprintf("/api/v1/video-playlists/%s/videos/%d", pub.UUID, es[1].ID), "user", nil, 204, nil)
	if got, want := order(), []int64{vs[0].ID, vs[1].ID, vs[2].ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after removing the second: %v, want %v", got, want)
	}
	if err := sr.videos.Delete(t.Context(), visibility.Viewer{UserID: 1, IsAdmin: true}, vs[0].UUID); err != nil {
		t.Fatal(err)
	}
	es = sr.elements(t, pub.UUID, "user")
	if len(es) != 3 || es[0].Type != 1 || es[0].Video != nil {
		t.Errorf("deleted video's place: %+v", es)
	}
}

func TestWatchLaterAndAccountPlaylists(t *testing.T) {
	sr := newSocialRig(t)
	v := sr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	ch := sr.channelOf(t, "user")
	sr.createPlaylist(t, "user", map[string]any{"displayName": "Shown", "privacy": model.PlaylistPublic, "videoChannelId": ch.ID})
	sr.createPlaylist(t, "user", map[string]any{"displayName": "Hidden", "privacy": model.PlaylistUnlisted, "videoChannelId": ch.ID})
	type list struct {
		Total int
		Data  []playlistJSON
	}
	// The owner's listing creates their watch later (once) and shows all.
	var mine, again, stranger, watchLater list
	sr.decode(t, "GET", "/api/v1/accounts/user/video-playlists", "user", nil, 200, &mine)
	sr.decode(t, "GET", "/api/v1/accounts/user/video-playlists?sort=displayName", "user", nil, 200, &again)
	sr.decode(t, "GET", "/api/v1/accounts/user/video-playlists", "other", nil, 200, &stranger)
	sr.decode(t, "GET", "/api/v1/accounts/user/video-playlists?playlistType=2", "user", nil, 200, &watchLater)
	if mine.Total != 3 || again.Total != 3 || again.Data[0].DisplayName != "Hidden" || again.Data[2].DisplayName != "Watch later" {
		t.Errorf("owner's listing: %+v / %+v", mine, again)
	}
	if watchLater.Total != 1 || watchLater.Data[0].Type.ID != 2 || watchLater.Data[0].Type.Label != "Watch later" || watchLater.Data[0].Privacy.ID != 3 {
		t.Errorf("watch later: %+v", watchLater)
	}
	if stranger.Total != 1 || stranger.Data[0].DisplayName != "Shown" {
		t.Errorf("another user sees %+v", stranger)
	}
	sr.complete(t, "GET", "/api/v1/accounts/user/video-playlists", "user")
	wl := watchLater.Data[0]
	for _, method := range []string{"PUT", "DELETE"} {
		if code, _ := sr.call(t, method, "/api/v1/video-playlists/"+wl.UUID, "user", map[string]any{"displayName": "x"}); code != 400 {
			t.Errorf("%s watch later: %d, want 400", method, code)
		}
	}
	el := sr.addVideo(t, wl.UUID, "user", v.ID)
	var exist map[string][]struct{ PlaylistElementID, PlaylistID int64 }
	sr.decode(t, "GET", fmt.Sprintf("/api/v1/users/me/video-playlists/videos-exist?videoIds=%d&videoIds=999", v.ID), "user", nil, 200, &exist)
	if got := exist[fmt.Sprint(v.ID)]; len(got) != 1 || got[0].PlaylistElementID != el || got[0].PlaylistID != wl.ID || len(exist["999"]) != 0 {
		t.Errorf("videos-exist: %+v", exist)
	}
	if code, _ := sr.call(t, "GET", "/api/v1/users/me/video-playlists/videos-exist?videoIds=1", "", nil); code != 401 {
		t.Errorf("videos-exist anonymous: %d", code)
	}
	var public list
	sr.decode(t, "GET", "/api/v1/video-playlists", "", nil, 200, &public)
	if public.Total != 1 || public.Data[0].DisplayName != "Shown" {
		t.Errorf("instance playlists: %+v", public)
	}
}

func TestSubscriptionsAPI(t *testing.T) {
	sr := newSocialRig(t)
	ch := sr.channelOf(t, "user")
	host := mustHost(t, sr.http.URL)
	handle := ch.Name + "@" + host
	for who, want := range map[string]int{"": 401} {
		if code, _ := sr.call(t, "POST", "/api/v1/users/me/subscriptions", who, map[string]any{"uri": handle}); code != want {
			t.Errorf("subscribe as %q: %d", who, code)
		}
	}
	sr.decode(t, "POST", "/api/v1/users/me/subscriptions", "author", map[string]any{"uri": handle}, 204, nil)
	sr.decode(t, "POST", "/api/v1/users/me/subscriptions", "author", map[string]any{"uri": handle}, 204, nil) // again: no-op
	for uri, want := range map[string]int{"nobody@" + host: 400, ch.Name + "@elsewhere.example": 400, "": 400} {
		if code, _ := sr.call(t, "POST", "/api/v1/users/me/subscriptions", "author", map[string]any{"uri": uri}); code != want {
			t.Errorf("subscribe to %q: %d, want %d", uri, code, want)
		}
	}
	var exist map[string]bool
	sr.decode(t, "GET", "/api/v1/users/me/subscriptions/exist?uris="+url.QueryEscape(handle)+"&uris=nobody@"+host, "author", nil, 200, &exist)
	if !exist[handle] || exist["nobody@"+host] || len(exist) != 2 {
		t.Errorf("exist: %v", exist)
	}
	var subs struct {
		Total int
		Data  []struct{ Name string }
	}
	sr.decode(t, "GET", "/api/v1/users/me/subscriptions", "author", nil, 200, &subs)
	if subs.Total != 1 || subs.Data[0].Name != ch.Name {
		t.Errorf("subscriptions: %+v", subs)
	}
	sr.complete(t, "GET", "/api/v1/users/me/subscriptions", "author")
	sr.decode(t, "GET", "/api/v1/users/me/subscriptions", "other", nil, 200, &subs)
	if subs.Total != 0 {
		t.Errorf("another user's subscriptions: %+v", subs)
	}
	// The feed: the followed channel's videos others may list, in the
	// sort asked; the private one is not there.
	var want []string
	for i, p := range []int{model.PrivacyPublic, model.PrivacyPrivate, model.PrivacyPublic, model.PrivacyInternal} {
		v := sr.video(t, p, comments.PolicyEnabled)
		if _, err := sr.store.DB().Exec("UPDATE videos SET name = ?, published_at = ? WHERE id = ?",
			fmt.Sprintf("vid%d", i), time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC).UnixMilli(), v.ID); err != nil {
			t.Fatal(err)
		}
		if p != model.PrivacyPrivate {
			want = append([]string{fmt.Sprintf("vid%d", i)}, want...)
		}
	}
	// One more, published now: the newest.
	sr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	feed := func(sort string) []string {
		var out struct {
			Total int
			Data  []struct{ Name string }
		}
		sr.decode(t, "GET", "/api/v1/users/me/subscriptions/videos?sort="+sort, "author", nil, 200, &out)
		var names []string
		for _, v := range out.Data {
			names = append(names, v.Name)
		}
		return names
	}
	if got := feed("-publishedAt"); len(got) != 4 || fmt.Sprint(got[1:]) != fmt.Sprint(want) {
		t.Errorf("-publishedAt: %v, want newest first then %v", got, want)
	}
	if got := feed("name"); fmt.Sprint(got[1:]) != "[vid0 vid2 vid3]" {
		t.Errorf("name: %v", got)
	}
	if code, _ := sr.call(t, "GET", "/api/v1/users/me/subscriptions/videos?sort=bogus", "author", nil); code != 400 {
		t.Errorf("bad sort: %d", code)
	}
	// No scheduled updates nor watch history in Cabane yet (as the
	// videos listing's test allows).
	sr.complete(t, "GET", "/api/v1/users/me/subscriptions/videos", "author", "data[].scheduledUpdate", "data[].userHistory")
	sr.decode(t, "GET", "/api/v1/users/me/subscriptions/"+url.PathEscape(handle), "author", nil, 200, nil)
	sr.decode(t, "DELETE", "/api/v1/users/me/subscriptions/"+url.PathEscape(handle), "author", nil, 204, nil)
	sr.decode(t, "DELETE", "/api/v1/users/me/subscriptions/"+url.PathEscape(handle), "author", nil, 404, nil)
	if got := feed("-publishedAt"); len(got) != 0 {
		t.Errorf("feed after unsubscribing: %v", got)
	}
}

func mustHost(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

type notificationJSON struct {
	ID      int64
	Type    int
	Read    bool
	Video   *struct{ UUID string }
	Comment *struct {
		ID      int64
		Account struct{ Name string }
		Video   struct{ UUID string }
	}
}

func (sr *socialRig) notifications(t *testing.T, who, query string) (int, []notificationJSON) {
	t.Helper()
	var out struct {
		Total int
		Data  []notificationJSON
	}
	sr.decode(t, "GET", "/api/v1/users/me/notifications"+query, who, nil, http.StatusOK, &out)
	return out.Total, out.Data
}

func TestNotificationsOncePerEventNeverToTheActor(t *testing.T) {
	sr := newSocialRig(t)
	ch := sr.channelOf(t, "user")
	sr.decode(t, "POST", "/api/v1/users/me/subscriptions", "author", map[string]any{"uri": ch.Name}, 204, nil)
	sr.decode(t, "POST", "/api/v1/users/me/subscriptions", "user", map[string]any{"uri": ch.Name}, 204, nil) // their own channel
	v := sr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	priv := sr.video(t, model.PrivacyPrivate, comments.PolicyEnabled)
	// The publish hook, twice (a resumed job): one notification.
	for range 2 {
		sr.notify.VideoPublished(t.Context(), v.ID)
		sr.notify.VideoPublished(t.Context(), priv.ID)
	}
	if n, ns := sr.notifications(t, "author", ""); n != 1 || ns[0].Type != 1 || ns[0].Video == nil || ns[0].Video.UUID != v.UUID || ns[0].Read {
		t.Fatalf("author after a new video: %d %+v", n, ns)
	}
	if n, _ := sr.notifications(t, "user", ""); n != 0 {
		t.Errorf("the uploader was notified of their own video: %d", n)
	}
	// A thread by "other": the owner is told once; a reply by "author"
	// to it: "other" is told (type 11) and the owner (type 2); the
	// owner's own reply to "author": "author" is told, the owner not.
	base := "/api/v1/videos/" + v.UUID
	var posted struct{ Comment struct{ ID int64 } }
	sr.decode(t, "POST", base+"/comment-threads", "other", map[string]any{"text": "Lovely"}, 200, &posted)
	thread := posted.Comment.ID
	sr.decode(t, "POST", fmt.Sprintf("%s/comments/%d", base, thread), "author", map[string]any{"text": "Indeed"}, 200, &posted)
	reply := posted.Comment.ID
	sr.decode(t, "POST", fmt.Sprintf("%s/comments/%d", base, reply), "user", map[string]any{"text": "Thanks both"}, 200, nil)
	sr.decode(t, "POST", fmt.Sprintf("%s/comments/%d", base, thread), "other", map[string]any{"text": "Self reply"}, 200, nil)

	count := func(who string) map[int]int {
		_, ns := sr.notifications(t, who, "?count=100")
		out := map[int]int{}
		for _, n := range ns {
			out[n.Type]++
		}
		return out
	}
	if got := count("user"); fmt.Sprint(got) != "map[2:3]" {
		t.Errorf("owner: %v, want 3 comments by others on their video", got)
	}
	if got := count("other"); fmt.Sprint(got) != "map[11:1]" {
		t.Errorf("other: %v, want the one reply by someone else", got)
	}
	if got := count("author"); fmt.Sprint(got) != "map[1:1 11:1]" {
		t.Errorf("author: %v, want the new video and the owner's reply", got)
	}
	_, ns := sr.notifications(t, "other", "")
	if c := ns[0].Comment; c == nil || c.ID != reply || c.Account.Name != "author" || c.Video.UUID != v.UUID {
		t.Errorf("reply notification: %+v", ns[0])
	}
	// Objects of kinds Cabane has no notification for yet (videoImport,
	// abuse...) are null: their fields are not asked for.
	sr.complete(t, "GET", "/api/v1/users/me/notifications", "user")

	// Read and unread: one by id, then all; another user's ids are ignored.
	_, ns = sr.notifications(t, "user", "?sort=createdAt")
	sr.decode(t, "POST", "/api/v1/users/me/notifications/read", "user", map[string]any{"ids": []int64{ns[0].ID}}, 204, nil)
	sr.decode(t, "POST", "/api/v1/users/me/notifications/read", "other", map[string]any{"ids": []int64{ns[1].ID}}, 204, nil)
	if n, _ := sr.notifications(t, "user", "?unread=true&count=0"); n != 2 {
		t.Errorf("unread after one read: %d", n)
	}
	if n, all := sr.notifications(t, "user", ""); n != 3 || !all[2].Read || all[0].Read {
		t.Errorf("read flags, newest first: %+v", all)
	}
	sr.decode(t, "POST", "/api/v1/users/me/notifications/read-all", "user", nil, 204, nil)
	if n, _ := sr.notifications(t, "user", "?unread=true"); n != 0 {
		t.Errorf("unread after read-all: %d", n)
	}
	for _, path := range []string{"/api/v1/users/me/notifications", "/api/v1/users/me/notifications/read-all"} {
		method := "GET"
		if path != "/api/v1/users/me/notifications" {
			method = "POST"
		}
		if code, _ := sr.call(t, method, path, "", nil); code != 401 {
			t.Errorf("%s %s anonymous: %d", method, path, code)
		}
	}
	// Settings: the owner turns comment notifications off.
	sr.decode(t, "PUT", "/api/v1/users/me/notification-settings", "user", map[string]any{"newCommentOnMyVideo": 0}, 204, nil)
	if code, _ := sr.call(t, "PUT", "/api/v1/users/me/notification-settings", "user", map[string]any{"bogus": 1}); code != 400 {
		t.Errorf("unknown setting: %d", code)
	}
	_, settings := sr.callChecked(t, "GET", "/api/v1/users/me/notification-settings", "user", nil, false)
	if !contains(settings, `"newCommentOnMyVideo":0`) || !contains(settings, `"newVideoFromSubscription":1`) {
		t.Errorf("settings %s", settings)
	}
	sr.decode(t, "POST", base+"/comment-threads", "other", map[string]any{"text": "Unheard"}, 200, nil)
	if n, _ := sr.notifications(t, "user", ""); n != 3 {
		t.Errorf("a comment notified despite the setting: %d", n)
	}
	// A comment on a video the subscriber cannot see is not a reason to
	// tell them: the private video notified nobody above.
	if got := count("author"); got[1] != 1 {
		t.Errorf("author's new-video notifications: %v", got)
	}
}
