package clients

import (
	"net/http"
	"net/url"
	"testing"

	"cabane.dev/cabane/internal/testrig"
)

// TestThorium replays Thorium (sschueller/peertube-android), whose
// Retrofit interfaces (app/src/main/java/net/schueller/peertube/network/
// GetUserService.java and GetVideoDataService.java) call the API with a
// trailing slash on lists ("api/v1/videos/", "api/v1/search/videos/"):
// log in with the password grant (form body, scope "upload"), list, search,
// play, subscribe, rate, comment.
func TestThorium(t *testing.T) {
	in := newInstance(t)
	uuid := seed(t, in)

	cl := in.call(t, http.MethodGet, "/api/v1/oauth-clients/local", nil, "", nil)
	want(t, "Thorium oauth client", cl, http.StatusOK)
	c := obj(t, cl.Body)
	fields(t, "Thorium oauth client", c, map[string]string{"client_id": tString, "client_secret": tString})
	form := url.Values{"client_id": {c["client_id"].(string)}, "client_secret": {c["client_secret"].(string)}, "response_type": {"code"},
		"grant_type": {"password"}, "scope": {"upload"}, "username": {testrig.Owner.User}, "password": {testrig.Owner.Pass}}
	tk := in.call(t, http.MethodPost, "/api/v1/users/token", nil, "application/x-www-form-urlencoded", []byte(form.Encode()))
	want(t, "Thorium token", tk, http.StatusOK)
	tok := obj(t, tk.Body)
	fields(t, "Thorium token", tok, map[string]string{"access_token": tString, "refresh_token": tString, "token_type": tString, "expires_in": tInt})
	auth := map[string]string{"Authorization": "Bearer " + tok["access_token"].(string)}
	me := in.call(t, http.MethodGet, "/api/v1/users/me", auth, "", nil)
	want(t, "Thorium me", me, http.StatusOK)
	fields(t, "Thorium me", obj(t, me.Body), map[string]string{"id": tInt, "username": tString, "account.id": tInt, "videoChannels": tArray})

	get := func(path string, h map[string]string) []byte {
		t.Helper()
		r := in.call(t, http.MethodGet, path, h, "", nil)
		want(t, "Thorium GET "+path, r, http.StatusOK)
		return r.Body
	}
	fields(t, "Thorium list", data(t, "list", raw(get("/api/v1/videos/?start=0&count=25&sort=-publishedAt&nsfw=false", nil)))[0], listItem)
	fields(t, "Thorium trending", data(t, "trending", raw(get("/api/v1/videos/?start=0&count=25&sort=-trending&nsfw=false", nil)))[0], listItem)
	fields(t, "Thorium search", data(t, "search", raw(get("/api/v1/search/videos/?start=0&count=25&sort=-match&nsfw=false&search=gouter", nil)))[0], listItem)
	v := checkDetails(t, "Thorium", get("/api/v1/videos/"+uuid, auth))
	master, _ := field(v, "streamingPlaylists.0.playlistUrl")
	playable(t, "Thorium master", master.(string))

	handle := testrig.Owner.Channel + "@" + in.Addr
	want(t, "Thorium subscribe", in.call(t, http.MethodPost, "/api/v1/users/me/subscriptions", auth, "application/json",
		[]byte(`{"uri":"`+handle+`"}`)), http.StatusNoContent)
	exist := obj(t, get("/api/v1/users/me/subscriptions/exist?uris="+url.QueryEscape(handle), auth))
	if sub, _ := exist[handle].(bool); !sub {
		t.Errorf("Thorium subscription exist: %v", exist)
	}
	want(t, "Thorium rate", in.call(t, http.MethodPut, "/api/v1/videos/"+uuid+"/rate", auth, "application/json", []byte(`{"rating":"like"}`)), http.StatusNoContent)
	rating := obj(t, get("/api/v1/users/me/videos/"+uuid+"/rating", auth))
	if rating["rating"] != "like" {
		t.Errorf("Thorium rating: %v", rating)
	}
	cm := in.call(t, http.MethodPost, "/api/v1/videos/"+uuid+"/comment-threads", auth, "application/json", []byte(`{"text":"Merci !"}`))
	want(t, "Thorium comment", cm, http.StatusOK)
	fields(t, "Thorium comment", obj(t, cm.Body), map[string]string{"comment.id": tInt, "comment.text": tString})
	if likes, _ := field(obj(t, get("/api/v1/videos/"+uuid, nil)), "likes"); likes == nil || likes.(interface{ String() string }).String() != "1" {
		t.Errorf("likes after Thorium's rating: %v", likes)
	}
}

// TestGrayjay replays Grayjay's PeerTube plugin (futo-org/
// grayjay-plugin-peertube, PeerTubeScript.js): source.enable reads
// /api/v1/config's serverVersion, getHome asks /api/v1/videos with
// sort=best (PeerTube >= 3.1) through getVideoPager (start, count), search
// /api/v1/search/videos, a channel and its videos, and getContentDetails
// the video, whose sources are the HLS playlist and the files.
func TestGrayjay(t *testing.T) {
	in := newInstance(t)
	uuid := seed(t, in)
	get := func(path string) []byte {
		t.Helper()
		r := in.call(t, http.MethodGet, path, nil, "", nil)
		want(t, "Grayjay GET "+path, r, http.StatusOK)
		return r.Body
	}
	fields(t, "Grayjay config", obj(t, get("/api/v1/config")), map[string]string{"serverVersion": tString, "instance.name": tString})
	fields(t, "Grayjay home", data(t, "home", raw(get("/api/v1/videos?sort=best&start=0&count=20")))[0], listItem)
	fields(t, "Grayjay search", data(t, "search", raw(get("/api/v1/search/videos?search=rivi%C3%A8re&sort=-publishedAt&start=0&count=20")))[0], listItem)
	fields(t, "Grayjay channel", obj(t, get("/api/v1/video-channels/"+testrig.Owner.Channel)),
		map[string]string{"id": tInt, "name": tString, "displayName": tString, "url": tString, "followersCount": tInt, "avatars": tArray, "banners": tArray})
	fields(t, "Grayjay channel videos", data(t, "channel videos", raw(get("/api/v1/video-channels/"+testrig.Owner.Channel+"/videos?sort=-publishedAt&start=0&count=20")))[0], listItem)
	v := checkDetails(t, "Grayjay", get("/api/v1/videos/"+uuid))
	master, _ := field(v, "streamingPlaylists.0.playlistUrl")
	playable(t, "Grayjay HLS source", master.(string))
}
