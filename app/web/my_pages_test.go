package web

import (
	"bytes"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/videos"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/visibility"
)

// myRig is the social rig with the settings service: "user" owns the
// videos, "other" is someone else.
type myRig struct{ *socialRig }

func newMyRig(t *testing.T) *myRig {
	t.Helper()
	sr := newSocialRig(t)
	sr.server.Profile = &profile.Service{Store: sr.store.Profiles(), Auth: sr.server.Auth, Layout: sr.layout}
	return &myRig{sr}
}

// get is a page as who.
func (m *myRig) get(t *testing.T, path, who string) (int, string) {
	t.Helper()
	return m.page(request{method: http.MethodGet, path: path, who: who})
}

// post sends a page's form as who, with its CSRF field when csrf.
func (m *myRig) post(t *testing.T, path, who string, form url.Values, csrf bool) *http.Response {
	t.Helper()
	res := m.do(context.Background(), request{method: http.MethodPost, path: path, who: who, form: form, withCSRF: csrf})
	res.Body.Close()
	return res
}

// mustPost posts a form that must succeed (303 back to a page).
func (m *myRig) mustPost(t *testing.T, path, who string, form url.Values) string {
	t.Helper()
	res := m.post(t, path, who, form, true)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s as %s: %d, want 303", path, who, res.StatusCode)
	}
	return res.Header.Get("Location")
}

func TestMyPagesNeedASignedInUser(t *testing.T) {
	m := newMyRig(t)
	for _, p := range []string{"/my/videos", "/my/playlists", "/my/subscriptions", "/my/notifications", "/my/settings"} {
		res := m.do(context.Background(), request{method: http.MethodGet, path: p})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
			t.Errorf("GET %s signed out: %d to %q, want 303 to the login", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/my/videos/x", "/my/playlists", "/my/subscriptions", "/my/notifications/read-all", "/my/settings/profile", "/my/settings/password"} {
		res := m.post(t, p, "", url.Values{}, true)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("POST %s signed out: %d, want 303 to the login", p, res.StatusCode)
		}
	}
}

func TestMyVideosListsEditsAndDeletesOnlyMine(t *testing.T) {
	m := newMyRig(t)
	ctx := context.Background()
	v := m.video(t, model.PrivacyPrivate, model.CommentsEnabled)
	processing := m.publishedVideo(t, m.channel, model.PrivacyPublic)
	if err := m.store.Videos.SetState(ctx, processing.ID, model.StateToTranscode); err != nil {
		t.Fatal(err)
	}
	code, body := m.get(t, "/my/videos", "user")
	if code != http.StatusOK || !strings.Contains(body, v.Name) || !strings.Contains(body, "/my/videos/"+processing.ShortUUID) {
		t.Fatalf("my videos: %d, lacks the user's videos:\n%s", code, body)
	}
	if !strings.Contains(body, "Processing") || !strings.Contains(body, "<progress") || !strings.Contains(body, "Private") {
		t.Errorf("my videos shows no state, progress or privacy:\n%s", body)
	}
	if _, other := m.get(t, "/my/videos", "other"); strings.Contains(other, v.ShortUUID) {
		t.Error("another user's my videos lists the user's video")
	}
	if code, _ := m.get(t, "/my/videos/"+v.ShortUUID, "other"); code != http.StatusNotFound && code != http.StatusForbidden {
		t.Errorf("another user opens the edit form: %d", code)
	}

	form := url.Values{"name": {"A new title"}, "description": {"Some *words*"}, "tags": {"cats, garden"}, "category": {"15"},
		"licence": {"1"}, "language": {"fr"}, "privacy": {"2"}, "support": {"Buy us tea"}, "commentsPolicy": {"3"},
		"originallyPublishedAt": {"2020-05-01"}}
	if res := m.post(t, "/my/videos/"+v.ShortUUID, "user", form, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("edit without the CSRF field: %d, want 403", res.StatusCode)
	}
	if res := m.post(t, "/my/videos/"+v.ShortUUID, "other", form, true); res.StatusCode == http.StatusSeeOther {
		t.Error("another user's edit was accepted")
	}
	m.mustPost(t, "/my/videos/"+v.ShortUUID, "user", form)
	got, err := m.videos.Details(ctx, viewerOf(t, m, "user"), v.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "A new title" || got.Description != "Some *words*" || strings.Join(got.Tags, ",") != "cats,garden" ||
		got.Category != 15 || got.Licence != 1 || got.Language != "fr" || got.Privacy != model.PrivacyUnlisted ||
		got.Support != "Buy us tea" || got.CommentsPolicy != model.CommentsRequiresApproval || got.DownloadEnabled ||
		got.OriginallyPublishedAt.Format("2006-01-02") != "2020-05-01" {
		t.Errorf("the edit did not land: %+v", got)
	}
	// A refused field shows the form again, saying which, with what was typed.
	bad := url.Values{"name": {"ok title"}, "tags": {"a"}}
	res := m.do(ctx, request{method: http.MethodPost, path: "/my/videos/" + v.ShortUUID, who: "user", form: bad, withCSRF: true})
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "Tags") || !strings.Contains(string(b), `value="ok title"`) {
		t.Errorf("a refused tag: %d\n%s", res.StatusCode, b)
	}

	if res := m.post(t, "/my/videos/"+v.ShortUUID+"/delete", "user", url.Values{}, true); res.StatusCode != http.StatusBadRequest {
		t.Errorf("delete without confirmation: %d, want 400", res.StatusCode)
	}
	if res := m.post(t, "/my/videos/"+v.ShortUUID+"/delete", "user", url.Values{"confirm": {"1"}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("delete without the CSRF field: %d, want 403", res.StatusCode)
	}
	if res := m.post(t, "/my/videos/"+v.ShortUUID+"/delete", "other", url.Values{"confirm": {"1"}}, true); res.StatusCode == http.StatusSeeOther {
		t.Error("another user deleted the video")
	}
	m.mustPost(t, "/my/videos/"+v.ShortUUID+"/delete", "user", url.Values{"confirm": {"1"}})
	if _, err := m.store.Videos.ByID(ctx, v.ID); err == nil {
		t.Error("the deleted video is still stored")
	}
}

func viewerOf(t *testing.T, m *myRig, who string) visibility.Viewer {
	t.Helper()
	u, err := m.server.Auth.SessionUser(context.Background(), m.sessions[who])
	if err != nil {
		t.Fatal(err)
	}
	return visibility.Of(&u, false)
}

func TestMyPlaylistsCreateFillReorderAndDelete(t *testing.T) {
	m := newMyRig(t)
	ctx := context.Background()
	a := m.video(t, model.PrivacyPublic, model.CommentsEnabled)
	b := m.video(t, model.PrivacyPublic, model.CommentsEnabled)
	form := url.Values{"displayName": {"Family trips"}, "description": {"Summers"}, "privacy": {"3"}, "channelId": {"0"}}
	if res := m.post(t, "/my/playlists", "user", form, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("create without the CSRF field: %d, want 403", res.StatusCode)
	}
	loc := m.mustPost(t, "/my/playlists", "user", form)
	ref := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/my/playlists/")
	if _, body := m.get(t, "/my/playlists", "user"); !strings.Contains(body, "Family trips") || !strings.Contains(body, "Watch later") {
		t.Errorf("my playlists lacks the new playlist or watch later:\n%s", body)
	}
	if _, body := m.get(t, "/my/playlists", "other"); strings.Contains(body, "Family trips") {
		t.Error("another user's my playlists lists the user's playlist")
	}
	if code, _ := m.get(t, "/my/playlists/"+ref, "other"); code == http.StatusOK {
		t.Error("another user opens the user's private playlist")
	}

	// The watch page's menu lists the playlist and adds to it.
	_, watch := m.get(t, "/w/"+a.ShortUUID, "user")
	if !strings.Contains(watch, `action="/my/playlists/add"`) || !strings.Contains(watch, `value="`+ref+`"`) {
		t.Fatalf("the watch page has no add-to-playlist menu:\n%s", watch)
	}
	for _, v := range []model.Video{a, b} {
		if loc := m.mustPost(t, "/my/playlists/add", "user", url.Values{"playlist": {ref}, "video": {v.ShortUUID}, "next": {"/w/" + v.ShortUUID}}); loc != "/w/"+v.ShortUUID {
			t.Errorf("add came back to %q", loc)
		}
	}
	m.mustPost(t, "/my/playlists/add", "user", url.Values{"playlist": {"watch-later"}, "video": {a.ShortUUID}})
	if res := m.post(t, "/my/playlists/add", "other", url.Values{"playlist": {ref}, "video": {a.ShortUUID}}, true); res.StatusCode == http.StatusSeeOther {
		t.Error("another user added to the user's playlist")
	}
	order := func() []string {
		_, es, _, err := m.server.Playlists.Elements(ctx, viewerOf(t, m, "user"), ref, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Video.Name+"#"+itoa(e.ID))
		}
		return out
	}
	first := order()
	if len(first) != 2 {
		t.Fatalf("elements: %v", first)
	}
	_, es, _, _ := m.server.Playlists.Elements(ctx, viewerOf(t, m, "user"), ref, 0, 10)
	m.mustPost(t, "/my/playlists/"+ref+"/elements/"+itoa(es[1].ID)+"/move", "user", url.Values{"position": {"2"}, "dir": {"up"}})
	if got := order(); got[0] != first[1] || got[1] != first[0] {
		t.Errorf("after moving up: %v, was %v", got, first)
	}
	if _, body := m.get(t, "/my/playlists/"+ref, "user"); !strings.Contains(body, b.Name) || !strings.Contains(body, "Move down") {
		t.Errorf("the playlist page lacks its videos or their buttons:\n%s", body)
	}
	m.mustPost(t, "/my/playlists/"+ref+"/elements/"+itoa(es[0].ID)+"/remove", "user", url.Values{})
	if got := order(); len(got) != 1 {
		t.Errorf("after removing: %v", got)
	}
	m.mustPost(t, "/my/playlists/"+ref, "user", url.Values{"displayName": {"Trips"}, "description": {""}, "privacy": {"1"}, "channelId": {"0"}})
	p, err := m.server.Playlists.Get(ctx, viewerOf(t, m, "user"), ref)
	if err != nil || p.DisplayName != "Trips" || p.Privacy != model.PlaylistPublic || p.ChannelID != m.channel {
		t.Errorf("after the edit: %+v %v (a public playlist goes to the first channel)", p, err)
	}
	m.mustPost(t, "/my/playlists/"+ref+"/delete", "user", url.Values{})
	if _, err := m.server.Playlists.Get(ctx, viewerOf(t, m, "user"), ref); err == nil {
		t.Error("the deleted playlist is still there")
	}
	_ = playlists.Query{}
}

func TestMySubscriptionsFollowFromTheChannelPage(t *testing.T) {
	m := newMyRig(t)
	ctx := context.Background()
	ch := m.channelOf(t, "user")
	v := m.video(t, model.PrivacyPublic, model.CommentsEnabled)
	_, page := m.get(t, "/c/"+ch.Name, "other")
	if !strings.Contains(page, `action="/my/subscriptions"`) || !strings.Contains(page, `aria-pressed="false"`) {
		t.Fatalf("the channel page has no subscribe button:\n%s", page)
	}
	if _, anon := m.get(t, "/c/"+ch.Name, ""); strings.Contains(anon, "/my/subscriptions") {
		t.Error("the anonymous see a subscribe form")
	}
	if res := m.post(t, "/my/subscriptions", "other", url.Values{"handle": {ch.Name}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("subscribe without the CSRF field: %d, want 403", res.StatusCode)
	}
	if loc := m.mustPost(t, "/my/subscriptions", "other", url.Values{"handle": {ch.Name}, "next": {"/c/" + ch.Name}}); loc != "/c/"+ch.Name {
		t.Errorf("subscribe came back to %q", loc)
	}
	subs, _, err := m.server.Subscriptions.List(ctx, viewerOf(t, m, "other"), subscriptions.Query{Count: 10})
	if err != nil || len(subs) != 1 || subs[0].ChannelID != ch.ID {
		t.Fatalf("subscriptions: %v %v", subs, err)
	}
	_, body := m.get(t, "/my/subscriptions", "other")
	if !strings.Contains(body, ch.DisplayName) || !strings.Contains(body, v.Name) {
		t.Errorf("my subscriptions lacks the channel or its video:\n%s", body)
	}
	if _, mine := m.get(t, "/my/subscriptions", "author"); strings.Contains(mine, v.Name) {
		t.Error("a user who follows nobody sees the channel's videos")
	}
	if _, watch := m.get(t, "/w/"+v.ShortUUID, "other"); !strings.Contains(watch, `action="/my/subscriptions/delete"`) {
		t.Error("the watch page's channel line offers no unsubscribe to a subscriber")
	}
	m.mustPost(t, "/my/subscriptions/delete", "other", url.Values{"handle": {ch.Name}})
	if subs, _, _ := m.server.Subscriptions.List(ctx, viewerOf(t, m, "other"), subscriptions.Query{Count: 10}); len(subs) != 0 {
		t.Errorf("still subscribed: %v", subs)
	}
}

func TestMyNotificationsListMarkReadAndBadge(t *testing.T) {
	m := newMyRig(t)
	ctx := context.Background()
	v := m.video(t, model.PrivacyPublic, model.CommentsEnabled)
	for _, text := range []string{"Lovely", "Again"} {
		if code, body := m.api(t, http.MethodPost, "/api/v1/videos/"+v.UUID+"/comment-threads", "other", map[string]any{"text": text}); code != http.StatusOK {
			t.Fatalf("comment: %d %v", code, body)
		}
	}
	code, body := m.get(t, "/my/notifications", "user")
	if code != http.StatusOK || !strings.Contains(body, "commented on") || !strings.Contains(body, v.Name) {
		t.Fatalf("my notifications: %d\n%s", code, body)
	}
	if !strings.Contains(body, `class="badge unread-count" aria-label="2 unread notifications">2<`) {
		t.Errorf("the header has no unread badge of 2:\n%s", body)
	}
	if _, other := m.get(t, "/my/notifications", "other"); strings.Contains(other, "commented on") || strings.Contains(other, "unread-count") {
		t.Error("another user sees the user's notifications")
	}
	ns, _, err := m.server.Notifications.List(ctx, viewerOf(t, m, "user"), notifications.Query{Count: 10})
	if err != nil || len(ns) != 2 {
		t.Fatalf("notifications: %v %v", ns, err)
	}
	if res := m.post(t, "/my/notifications/read", "user", url.Values{"id": {itoa(ns[0].ID)}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("mark read without the CSRF field: %d", res.StatusCode)
	}
	m.mustPost(t, "/my/notifications/read", "user", url.Values{"id": {itoa(ns[0].ID)}})
	if n, _ := m.server.Notifications.Unread(ctx, viewerOf(t, m, "user")); n != 1 {
		t.Errorf("unread after marking one: %d, want 1", n)
	}
	m.mustPost(t, "/my/notifications/read-all", "user", url.Values{})
	if n, _ := m.server.Notifications.Unread(ctx, viewerOf(t, m, "user")); n != 0 {
		t.Errorf("unread after marking all: %d, want 0", n)
	}
}

func TestMySettingsProfileAndPassword(t *testing.T) {
	m := newMyRig(t)
	ctx := context.Background()
	form := url.Values{"displayName": {"Léa"}, "defaultPrivacy": {"6"}, "language": {"fr"}}
	if res := m.post(t, "/my/settings/profile", "user", form, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("settings without the CSRF field: %d", res.StatusCode)
	}
	res := m.post(t, "/my/settings/profile", "user", form, true)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d", res.StatusCode)
	}
	lang := ""
	for _, c := range res.Cookies() {
		if c.Name == langCookie {
			lang = c.Value
		}
	}
	if lang != "fr" {
		t.Errorf("the language cookie is %q, want fr", lang)
	}
	a, _ := m.server.Accounts.Account(ctx, "user")
	// Kept with the user too, for what the box writes in their name (#11).
	if l, err := m.store.Profiles().AccountLanguage(ctx, a.ID); err != nil || l != "fr" {
		t.Errorf("stored language %q (%v), want fr", l, err)
	}
	if a.DisplayName != "Léa" {
		t.Errorf("display name %q", a.DisplayName)
	}
	if p, _ := m.server.Profile.DefaultPrivacy(ctx, viewerOf(t, m, "user")); p != model.PrivacyLocal {
		t.Errorf("default privacy %d, want 6", p)
	}
	if _, up := m.get(t, "/upload", "user"); !strings.Contains(up, `<option value="6" selected>`) {
		t.Error("the upload page does not start from the user's default privacy")
	}
	if p, _ := m.server.Profile.DefaultPrivacy(ctx, viewerOf(t, m, "other")); p != model.PrivacyPublic {
		t.Errorf("another user's default privacy changed: %d", p)
	}
	if _, body := m.get(t, "/my/settings", "user"); !strings.Contains(body, `value="Léa"`) || !strings.Contains(body, `<option value="6" selected>`) {
		t.Errorf("the settings page does not show the user's settings:\n%s", body)
	}
	if _, body := m.get(t, "/my/settings", "other"); strings.Contains(body, "Léa") {
		t.Error("another user's settings show the user's name")
	}

	res = m.post(t, "/my/settings/password", "user", url.Values{"current": {"wrong password"}, "password": {"a brand new secret"}}, true)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a wrong current password: %d, want 403", res.StatusCode)
	}
	if _, err := m.server.Auth.Login(ctx, "user", "correct horse battery staple"); err != nil {
		t.Errorf("the old password stopped working after a refused change: %v", err)
	}
	// Another browser's session and an app's token, both from before.
	u, err := m.server.Auth.Login(ctx, "user", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := m.server.Auth.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	client, err := m.server.Auth.LocalClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	app, err := m.server.Auth.IssueToken(ctx, client.ID, client.Secret, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.mustPost(t, "/my/settings/password", "user", url.Values{"current": {"correct horse battery staple"}, "password": {"a brand new secret"}})
	// Whoever knew the old password is logged out; the browser that
	// changed it stays in.
	if _, err := m.server.Auth.SessionUser(ctx, elsewhere); err == nil {
		t.Error("another session survived the password change")
	}
	if _, err := m.server.Auth.BearerUser(ctx, app.AccessToken); err == nil {
		t.Error("an API token survived the password change")
	}
	if code, _ := m.get(t, "/my/settings", "user"); code != http.StatusOK {
		t.Errorf("the session that changed the password was ended: %d", code)
	}
	if _, err := m.server.Auth.Login(ctx, "user", "a brand new secret"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
	if _, err := m.server.Auth.Login(ctx, "user", "correct horse battery staple"); err == nil {
		t.Error("the old password still works")
	}
}

// avatarForm is a multipart avatar upload with the CSRF field.
func avatarForm(t *testing.T, data []byte, csrf bool) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf {
		w.WriteField(csrfField, testCSRF)
	}
	fw, _ := w.CreateFormFile("avatarfile", "me.png")
	fw.Write(data)
	w.Close()
	return &buf, w.FormDataContentType()
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMySettingsAvatar(t *testing.T) {
	m := newMyRig(t)
	ctx := context.Background()
	upload := func(data []byte, csrf bool) *http.Response {
		body, ct := avatarForm(t, data, csrf)
		res, _ := m.send(t, http.MethodPost, "/my/settings/avatar", body, map[string]string{"Content-Type": ct}, "user", true)
		return res
	}
	if res := upload(pngOf(t, 300, 200), false); res.StatusCode != http.StatusForbidden {
		t.Errorf("avatar without the CSRF field: %d", res.StatusCode)
	}
	if res := upload([]byte("<svg onload=alert(1)></svg>"), true); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a non-image: %d, want 400", res.StatusCode)
	}
	// 4096² pixels of 16 bits a channel: 128 MiB once decoded, refused
	// from the header (an 8-bit one of the same size, 64 MiB, is fine).
	var deep bytes.Buffer
	(&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&deep, image.NewRGBA64(image.Rect(0, 0, 4096, 4096)))
	if res := upload(deep.Bytes(), true); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a 16-bit 4096² image: %d, want 400", res.StatusCode)
	}
	big := make([]byte, profile.MaxAvatarBytes+10)
	copy(big, pngOf(t, 10, 10))
	if res := upload(big, true); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized image: %d, want 413", res.StatusCode)
	}
	if a, _ := m.store.Profiles().Avatar(ctx, m.userAccount(t, "user")); a.File != "" {
		t.Fatalf("a refused upload stored an avatar: %+v", a)
	}
	if res := upload(pngOf(t, 300, 200), true); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a PNG avatar: %d", res.StatusCode)
	}
	a, err := m.store.Profiles().Avatar(ctx, m.userAccount(t, "user"))
	if err != nil || a.File == "" {
		t.Fatalf("no avatar stored: %+v %v", a, err)
	}
	_, body := m.get(t, "/my/settings", "user")
	if !strings.Contains(body, "/lazy-static/avatars/"+a.File) {
		t.Errorf("the settings page does not show the avatar")
	}
	res, img := m.send(t, http.MethodGet, "/lazy-static/avatars/"+a.File, nil, nil, "", false)
	cfg, format, err := image.DecodeConfig(strings.NewReader(img))
	if res.StatusCode != http.StatusOK || err != nil || format != "jpeg" || cfg.Width != 200 || cfg.Height != 200 {
		t.Errorf("the served avatar: %d %v %s %dx%d, want a 200×200 JPEG (re-encoded, cropped square)", res.StatusCode, err, format, cfg.Width, cfg.Height)
	}
	if res, _ := m.send(t, http.MethodGet, "/lazy-static/avatars/..%2Fcabane.db", nil, nil, "", false); res.StatusCode != http.StatusNotFound {
		t.Errorf("a path outside the avatars: %d", res.StatusCode)
	}
	// A new avatar replaces the old file.
	upload(pngOf(t, 64, 64), true)
	if _, err := os.Stat(m.server.Profile.AvatarPath(a.File)); !os.IsNotExist(err) {
		t.Errorf("the replaced avatar's file is still there: %v", err)
	}
}

func TestMyAPIAvatarPick(t *testing.T) {
	m := newMyRig(t)
	body, ct := avatarForm(t, pngOf(t, 40, 40), false)
	res, text := m.send(t, http.MethodPost, "/api/v1/users/me/avatar/pick", body, map[string]string{"Content-Type": ct, csrfHeader: testCSRF}, "user", true)
	if res.StatusCode != http.StatusOK || !strings.Contains(text, `"path":"/lazy-static/avatars/`) {
		t.Fatalf("avatar pick: %d %s", res.StatusCode, text)
	}
	req, _ := http.NewRequest(http.MethodPost, m.http.URL+"/api/v1/users/me/avatar/pick", nil)
	if err := m.contract.Check(req, res.StatusCode, res.Header, []byte(text)); err != nil {
		t.Error(err)
	}
	// Apps read the avatar from the account and from users/me.
	m.server.Search = &search.Service{Store: m.store.Search(), Lookup: m.videos, TrendingDays: videos.TrendingDays}
	var picked apiAvatar
	if err := json.Unmarshal([]byte(text), &picked); err != nil || len(picked.Avatars) != 1 {
		t.Fatalf("avatar pick answer: %v %s", err, text)
	}
	for _, p := range []string{"/api/v1/accounts/user", "/api/v1/users/me"} {
		code, b := m.call(t, http.MethodGet, p, "user", nil) // checked against the contract
		if code != http.StatusOK || !strings.Contains(string(b), `"avatars":[{"path":"`+picked.Avatars[0].Path+`"`) {
			t.Errorf("%s: %d, no avatar %s in %s", p, code, picked.Avatars[0].Path, b)
		}
	}
	body, ct = avatarForm(t, []byte("not an image"), false)
	if res, _ := m.send(t, http.MethodPost, "/api/v1/users/me/avatar/pick", body, map[string]string{"Content-Type": ct, csrfHeader: testCSRF}, "user", true); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a non-image: %d", res.StatusCode)
	}
	if code, _ := m.api(t, http.MethodDelete, "/api/v1/users/me/avatar", "user", nil); code != http.StatusNoContent {
		t.Errorf("delete avatar: %d", code)
	}
}

func TestMyPagesSpeakFrench(t *testing.T) {
	m := newMyRig(t)
	res, body := m.send(t, http.MethodGet, "/my/settings", nil, map[string]string{"Accept-Language": "fr-FR,fr;q=0.9"}, "user", true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("settings in French: %d", res.StatusCode)
	}
	for _, want := range []string{`<html lang="fr">`, "Réglages", "Mot de passe actuel", "Visibilité de mes nouvelles vidéos", "Mes vidéos"} {
		if !strings.Contains(body, want) {
			t.Errorf("the French settings page lacks %q", want)
		}
	}
	if strings.Contains(body, "my.") && strings.Contains(body, ">my.") {
		t.Error("a key without a message shows")
	}
	if miss := m.server.msgs.Missing(); len(miss) > 0 {
		t.Errorf("catalogues lack keys: %v", miss)
	}
}
