package web

import (
	"bytes"
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
	"path/filepath"
	"strings"
	"testing"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// extrasRig is the creator rig with a third user, "stranger", who neither
// owns the video nor administers.
func newExtrasRig(t *testing.T, privacy int) *creatorRig {
	t.Helper()
	cr := newCreatorRig(t, privacy)
	ctx := context.Background()
	u, _, err := cr.server.Auth.CreateUser(ctx, auth.NewUserRequest{Username: "stranger", Email: "stranger@example.org", Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	if cr.sessions["stranger"], err = cr.server.Auth.StartSession(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	return cr
}

// postFile sends a page's multipart form as who: fields, one file, and the
// CSRF field when csrf. It returns the status, the Location and the body.
func (cr *creatorRig) postFile(path, who string, fields url.Values, field, name string, data []byte, csrf bool) (int, string, string) {
	cr.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf {
		w.WriteField(csrfField, testCSRF)
	}
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if field != "" {
		fw, _ := w.CreateFormFile(field, name)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, cr.http.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	if who != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cr.sessions[who]})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		cr.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(body)
}

func (cr *creatorRig) postForm(path, who string, form url.Values, csrf bool) (int, string, string) {
	cr.t.Helper()
	res := cr.do(context.Background(), request{method: http.MethodPost, path: path, who: who, form: form, withCSRF: csrf})
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(body)
}

func (cr *creatorRig) viewerOf(t *testing.T, who string) visibility.Viewer {
	t.Helper()
	u, err := cr.server.Auth.SessionUser(context.Background(), cr.sessions[who])
	if err != nil {
		t.Fatal(err)
	}
	return visibility.Of(&u, false)
}

func redPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	for y := 0; y < 180; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{200, 30, 30, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEditPageThumbnailForm(t *testing.T) {
	cr := newExtrasRig(t, model.PrivacyPublic)
	path := "/my/videos/" + cr.video.ShortUUID + "/thumbnail"
	thumb := cr.layout.Thumbnail(cr.video.UUID)
	os.Remove(thumb)
	good := redPNG(t)
	if code, _, _ := cr.postFile(path, "user", nil, "thumbnailfile", "t.png", good, false); code != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", code)
	}
	if code, _, _ := cr.postFile(path, "stranger", nil, "thumbnailfile", "t.png", good, true); code != http.StatusForbidden && code != http.StatusNotFound {
		t.Errorf("a stranger's thumbnail: %d", code)
	}
	if _, err := os.Stat(thumb); err == nil {
		t.Fatal("a refused thumbnail was stored")
	}
	code, _, body := cr.postFile(path, "user", nil, "thumbnailfile", "t.png", []byte("<svg onload=alert(1)>"), true)
	if code != http.StatusBadRequest || !strings.Contains(body, "The image was refused") || !strings.Contains(body, `id="thumbnail"`) {
		t.Errorf("a bad file: %d, want 400 with the reason on the edit page:\n%s", code, body)
	}
	if _, err := os.Stat(thumb); err == nil {
		t.Fatal("a bad file stored a thumbnail")
	}
	code, loc, _ := cr.postFile(path, "user", nil, "thumbnailfile", "t.png", good, true)
	if code != http.StatusSeeOther || !strings.Contains(loc, "done=thumbnail") {
		t.Fatalf("thumbnail: %d %q", code, loc)
	}
	if fi, err := os.Stat(thumb); err != nil || fi.Size() == 0 {
		t.Fatalf("no thumbnail stored: %v", err)
	}
	_, page := cr.page(request{method: http.MethodGet, path: "/my/videos/" + cr.video.ShortUUID + "?done=thumbnail", who: "user"})
	if !strings.Contains(page, `class="my-thumbnail" src="/lazy-static/thumbnails/`) || !strings.Contains(page, "The thumbnail was replaced.") {
		t.Errorf("the edit page shows no current thumbnail or notice:\n%s", page)
	}
}

func TestEditPageCaptionsForm(t *testing.T) {
	cr := newExtrasRig(t, model.PrivacyPublic)
	ctx := context.Background()
	path := "/my/videos/" + cr.video.ShortUUID + "/captions"
	fr := url.Values{"language": {"fr"}}
	stored := func() int {
		_, cs, err := cr.server.Captions.List(ctx, cr.viewerOf(t, "user"), cr.video.UUID)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	if code, _, _ := cr.postFile(path, "user", fr, "captionfile", "a.vtt", []byte(goodVTT), false); code != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", code)
	}
	if code, _, _ := cr.postFile(path, "stranger", fr, "captionfile", "a.vtt", []byte(goodVTT), true); code != http.StatusForbidden && code != http.StatusNotFound {
		t.Errorf("a stranger's caption: %d", code)
	}
	code, _, body := cr.postFile(path, "user", fr, "captionfile", "a.srt", []byte("1\nnot a time\nhello\n"), true)
	if code != http.StatusBadRequest || !strings.Contains(body, "The caption file was refused: caption refused") {
		t.Errorf("a bad file: %d, want 400 with the service's reason:\n%s", code, body)
	}
	code, _, body = cr.postFile(path, "user", url.Values{"language": {"xx-nope"}}, "captionfile", "a.vtt", []byte(goodVTT), true)
	if code != http.StatusBadRequest || !strings.Contains(body, "Choose a language from the list.") {
		t.Errorf("an unknown language: %d", code)
	}
	if n := stored(); n != 0 {
		t.Fatalf("refused captions stored: %d", n)
	}
	code, loc, _ := cr.postFile(path, "user", fr, "captionfile", "a.vtt", []byte(goodVTT), true)
	if code != http.StatusSeeOther || !strings.Contains(loc, "done=caption_added") {
		t.Fatalf("caption: %d %q", code, loc)
	}
	srt := "1\n00:00:01,000 --> 00:00:02,500\nHello\n"
	if code, _, body := cr.postFile(path, "user", url.Values{"language": {"en"}}, "captionfile", "b.srt", []byte(srt), true); code != http.StatusSeeOther {
		t.Fatalf("an SRT caption: %d %s", code, body)
	}
	if n := stored(); n != 2 {
		t.Fatalf("captions stored: %d, want 2", n)
	}
	_, page := cr.page(request{method: http.MethodGet, path: "/my/videos/" + cr.video.ShortUUID, who: "user"})
	if !strings.Contains(page, `href="/lazy-static/video-captions/`) || !strings.Contains(page, "/captions/fr/delete") {
		t.Errorf("the edit page does not list the captions:\n%s", page)
	}
	del := "/my/videos/" + cr.video.ShortUUID + "/captions/fr/delete"
	if code, _, _ := cr.postForm(del, "user", nil, false); code != http.StatusForbidden {
		t.Errorf("delete without CSRF: %d", code)
	}
	if code, _, _ := cr.postForm(del, "stranger", nil, true); code == http.StatusSeeOther {
		t.Error("a stranger deleted a caption")
	}
	if code, _, _ := cr.postForm(del, "user", nil, true); code != http.StatusSeeOther {
		t.Errorf("delete: %d", code)
	}
	if n := stored(); n != 1 {
		t.Errorf("after delete: %d captions, want 1", n)
	}
}

func TestEditPageChaptersForm(t *testing.T) {
	cr := newExtrasRig(t, model.PrivacyPublic)
	ctx := context.Background()
	path := "/my/videos/" + cr.video.ShortUUID + "/chapters"
	chapters := func() []model.Chapter {
		_, cs, err := cr.server.Chapters.List(ctx, cr.viewerOf(t, "user"), cr.video.UUID)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	form := url.Values{"time": {"0", "1:05", "", ""}, "title": {"Intro", "The garden", "", ""}}
	if code, _, _ := cr.postForm(path, "user", form, false); code != http.StatusForbidden {
		t.Errorf("without CSRF: %d", code)
	}
	if code, _, _ := cr.postForm(path, "stranger", form, true); code == http.StatusSeeOther {
		t.Error("a stranger saved chapters")
	}
	if code, loc, body := cr.postForm(path, "user", form, true); code != http.StatusSeeOther || !strings.Contains(loc, "done=chapters") {
		t.Fatalf("chapters: %d %q %s", code, loc, body)
	}
	if cs := chapters(); len(cs) != 2 || cs[1].Timecode != 65 || cs[1].Title != "The garden" {
		t.Fatalf("chapters stored: %+v", cs)
	}
	// A bad time and the service's own refusal: shown, what was typed kept,
	// nothing changed.
	bad := url.Values{"time": {"0", "1:5x"}, "title": {"Intro", "Kept title"}}
	code, _, body := cr.postForm(path, "user", bad, true)
	if code != http.StatusBadRequest || !strings.Contains(body, "is not a time") || !strings.Contains(body, `value="Kept title"`) {
		t.Errorf("a bad time: %d\n%s", code, body)
	}
	dup := url.Values{"time": {"0:10", "10"}, "title": {"One", "Two"}}
	if code, _, body := cr.postForm(path, "user", dup, true); code != http.StatusBadRequest || !strings.Contains(body, "chapter timecodes must be unique") {
		t.Errorf("a duplicate timecode: %d\n%s", code, body)
	}
	if cs := chapters(); len(cs) != 2 {
		t.Errorf("a refused list changed the chapters: %+v", cs)
	}
	// "More rows" saves nothing and offers more rows.
	more := url.Values{"time": {"0", "1:05", "2:00"}, "title": {"Intro", "The garden", "New"}, "more": {"1"}}
	code, _, body = cr.postForm(path, "user", more, true)
	if code != http.StatusOK || strings.Count(body, `name="title"`) != 6 || !strings.Contains(body, `value="New"`) {
		t.Errorf("more rows: %d, %d rows", code, strings.Count(body, `name="title"`))
	}
	if cs := chapters(); len(cs) != 2 {
		t.Errorf("more rows saved: %+v", cs)
	}
	// Empty rows only: the chapters are removed.
	if code, _, _ := cr.postForm(path, "user", url.Values{"time": {""}, "title": {""}}, true); code != http.StatusSeeOther {
		t.Errorf("clearing: %d", code)
	}
	if cs := chapters(); len(cs) != 0 {
		t.Errorf("cleared chapters: %+v", cs)
	}
}

func TestEditPagePasswords(t *testing.T) {
	cr := newExtrasRig(t, model.PrivacyPublic)
	ctx := context.Background()
	path := "/my/videos/" + cr.video.ShortUUID
	base := url.Values{"name": {cr.video.Name}, "privacy": {"5"}}
	// Protected without a password: refused, nothing changed.
	code, _, body := cr.postForm(path, "user", base, true)
	if code != http.StatusBadRequest || !strings.Contains(body, "needs at least one password") {
		t.Errorf("privacy 5 without passwords: %d", code)
	}
	withPw := url.Values{"name": {cr.video.Name}, "privacy": {"5"}, "videoPasswords": {"gâteau\r\n\r\nsecond one\n"}}
	if code, _, _ := cr.postForm(path, "user", withPw, false); code != http.StatusForbidden {
		t.Errorf("without CSRF: %d", code)
	}
	if code, _, _ := cr.postForm(path, "stranger", withPw, true); code == http.StatusSeeOther {
		t.Error("a stranger protected the video")
	}
	if code, _, body := cr.postForm(path, "user", withPw, true); code != http.StatusSeeOther {
		t.Fatalf("protect: %d %s", code, body)
	}
	vw := cr.viewerOf(t, "user")
	_, ps, total, err := cr.videos.ListPasswords(ctx, vw, cr.video.UUID, 0, 10)
	if err != nil || total != 2 || ps[0].Password == ps[1].Password {
		t.Fatalf("passwords: %d %+v %v", total, ps, err)
	}
	_, page := cr.page(request{method: http.MethodGet, path: path, who: "user"})
	if !strings.Contains(page, "gâteau\nsecond one</textarea>") || !strings.Contains(page, `<option value="5" selected>`) {
		t.Errorf("the edit page does not show the passwords:\n%s", page)
	}
	// A save that leaves the field empty keeps them.
	if code, _, _ := cr.postForm(path, "user", base, true); code != http.StatusSeeOther {
		t.Errorf("save without retyping: %d", code)
	}
	if _, _, total, _ := cr.videos.ListPasswords(ctx, vw, cr.video.UUID, 0, 10); total != 2 {
		t.Errorf("passwords after a save: %d", total)
	}
}

func TestEditPageInFrench(t *testing.T) {
	cr := newExtrasRig(t, model.PrivacyPublic)
	_, page := cr.page(request{method: http.MethodGet, path: "/my/videos/" + cr.video.ShortUUID, who: "user", lang: "fr"})
	for _, want := range []string{"Miniature", "Sous-titres", "Chapitres", "Plus de lignes", "Mots de passe (un par ligne)", "Protégée par mot de passe"} {
		if !strings.Contains(page, want) {
			t.Errorf("the French edit page lacks %q", want)
		}
	}
	for _, not := range []string{"Captions", "More rows", "mycreator."} {
		if strings.Contains(page, not) {
			t.Errorf("the French edit page says %q", not)
		}
	}
}

func TestMuteFromTheAccountPage(t *testing.T) {
	sr := newModerationRig(t)
	m := &myRig{sr}
	v := sr.video(t, model.PrivacyPublic, 1)
	mdecode(sr, t, "POST", "/api/v1/videos/"+v.UUID+"/comment-threads", "author", map[string]any{"text": "a comment by author"}, 200, nil)
	count := func(path, who string) int {
		var out struct{ Total int }
		mdecode(sr, t, "GET", path, who, nil, 200, &out)
		return out.Total
	}
	videosAPI, comments := "/api/v1/videos", "/api/v1/videos/"+v.UUID+"/comment-threads"

	// The button: for others, not on one's own page nor for the anonymous.
	_, page := m.get(t, "/a/user", "other")
	if !strings.Contains(page, `action="/my/muted"`) || !strings.Contains(page, "Mute this account") {
		t.Fatalf("no mute button for another user:\n%s", page)
	}
	if _, own := m.get(t, "/a/user", "user"); strings.Contains(own, `action="/my/muted`) {
		t.Error("a mute button on one's own account page")
	}
	if _, anon := m.get(t, "/a/user", ""); strings.Contains(anon, `action="/my/muted`) {
		t.Error("a mute button for the anonymous")
	}
	if _, ch := m.get(t, "/c/"+sr.channelOf(t, "user").Name, "other"); !strings.Contains(ch, `name="account" value="user"`) {
		t.Error("no mute button on the channel page")
	}

	if res := m.post(t, "/my/muted", "other", url.Values{"account": {"user"}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("mute without CSRF: %d", res.StatusCode)
	}
	if loc := m.mustPost(t, "/my/muted", "other", url.Values{"account": {"user"}, "next": {"/a/user"}}); loc != "/a/user" {
		t.Errorf("mute goes back to %q", loc)
	}
	m.mustPost(t, "/my/muted", "other", url.Values{"account": {"author"}})
	if res := m.post(t, "/my/muted", "other", url.Values{"account": {"other"}}, true); res.StatusCode != http.StatusConflict {
		t.Errorf("muting oneself: %d, want 409", res.StatusCode)
	}
	if n := count(videosAPI, "other"); n != 0 {
		t.Errorf("the muter still lists %d videos", n)
	}
	if n := count(comments, "other"); n != 0 {
		t.Errorf("the muter still reads %d comments", n)
	}
	if _, home := m.get(t, "/", "other"); strings.Contains(home, v.ShortUUID) {
		t.Error("the muter's home page lists the muted account's video")
	}
	if count(videosAPI, "author") != 1 || count(comments, "user") != 1 || count(videosAPI, "") != 1 {
		t.Error("a mute hid things from others")
	}
	if _, home := m.get(t, "/", "author"); !strings.Contains(home, v.ShortUUID) {
		t.Error("a mute hid the video from another user's home page")
	}
	_, list := m.get(t, "/my/muted", "other")
	if !strings.Contains(list, `value="user"`) || !strings.Contains(list, `value="author"`) {
		t.Fatalf("/my/muted lacks the muted accounts:\n%s", list)
	}
	if _, page := m.get(t, "/a/user", "other"); !strings.Contains(page, `action="/my/muted/delete"`) || !strings.Contains(page, `aria-pressed="true"`) {
		t.Error("the account page does not say it is muted")
	}
	if res := m.post(t, "/my/muted/delete", "other", url.Values{"account": {"user"}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("unmute without CSRF: %d", res.StatusCode)
	}
	if loc := m.mustPost(t, "/my/muted/delete", "other", url.Values{"account": {"user"}}); !strings.Contains(loc, "done=unmuted") {
		t.Errorf("unmute goes to %q", loc)
	}
	if n := count(videosAPI, "other"); n != 1 {
		t.Errorf("unmuted: %d videos", n)
	}
	if n := count(comments, "other"); n != 0 {
		t.Errorf("author is still muted, yet %d comments", n)
	}
	if _, fr := m.page(request{method: http.MethodGet, path: "/my/muted", who: "other", lang: "fr"}); !strings.Contains(fr, "Comptes masqués") || !strings.Contains(fr, "Ne plus masquer") {
		t.Error("/my/muted in French")
	}
}

func TestEmbedUnlockForm(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPassword)
	ctx := context.Background()
	if err := cr.store.Creator().ReplacePasswords(ctx, cr.video.ID, []string{"gâteau"}); err != nil {
		t.Fatal(err)
	}
	embed := "/videos/embed/" + cr.video.UUID
	code, html := cr.page(request{method: http.MethodGet, path: embed})
	if code != http.StatusForbidden || !strings.Contains(html, `action="/videos/`+cr.video.UUID+`/unlock"`) ||
		!strings.Contains(html, `name="embed" value="1"`) || strings.Contains(html, cr.video.Name) || strings.Contains(html, `data-hls="`) {
		t.Fatalf("locked embed: %d %q\n%s", code, cr.video.Name, html)
	}
	post := func(pw string) *http.Response {
		res := cr.do(ctx, request{method: http.MethodPost, path: "/videos/" + cr.video.UUID + "/unlock",
			form: url.Values{"password": {pw}, "embed": {"1"}}, withCSRF: true})
		res.Body.Close()
		return res
	}
	if res := post("nope"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != embed+"?unlock=wrong" {
		t.Errorf("wrong password: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, html := cr.page(request{method: http.MethodGet, path: embed + "?unlock=wrong"}); !strings.Contains(html, "This is not the video&#39;s password.") {
		t.Errorf("the embed does not say the password was wrong:\n%s", html)
	}
	res := post("gâteau")
	var unlock *http.Cookie
	for _, c := range res.Cookies() {
		if strings.HasPrefix(c.Name, unlockCookiePrefix) {
			unlock = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != embed || unlock == nil {
		t.Fatalf("right password: %d %q %v", res.StatusCode, res.Header.Get("Location"), res.Cookies())
	}
	if code, html := cr.get(embed, "", nil, unlock); code != http.StatusOK || !strings.Contains(html, `data-hls="`) {
		t.Errorf("unlocked embed: %d", code)
	}
	if code, _, _ := cr.postForm("/videos/"+cr.video.UUID+"/unlock", "", url.Values{"password": {"gâteau"}, "embed": {"1"}}, false); code != http.StatusForbidden {
		t.Errorf("unlock without CSRF: %d", code)
	}
}

// A user is not notified of what an account they muted does: a comment
// on their video; others still are.
func TestMutedAccountsDoNotNotify(t *testing.T) {
	sr := newModerationRig(t)
	sr.notify.Blocks = sr.server.Blocklist.Blocks // as app.go wires it
	m := &myRig{sr}
	v := sr.video(t, model.PrivacyPublic, 1) // "user"'s
	unread := func(who string) int {
		var out struct{ Total int }
		mdecode(sr, t, "GET", "/api/v1/users/me/notifications?unread=true", who, nil, 200, &out)
		return out.Total
	}
	m.mustPost(t, "/my/muted", "user", url.Values{"account": {"author"}})
	mdecode(sr, t, "POST", "/api/v1/videos/"+v.UUID+"/comment-threads", "author", map[string]any{"text": "from a muted account"}, 200, nil)
	if n := unread("user"); n != 0 {
		t.Errorf("the owner was notified of a muted account's comment: %d", n)
	}
	mdecode(sr, t, "POST", "/api/v1/videos/"+v.UUID+"/comment-threads", "other", map[string]any{"text": "from anyone"}, 200, nil)
	if n := unread("user"); n != 1 {
		t.Errorf("the owner's notifications of an unmuted account's comment: %d, want 1", n)
	}
}

// The embed of a password-protected video framed by another site gets no
// cookie of Cabane's (SameSite=Lax): it unlocks as PeerTube's embed does,
// with the password in x-peertube-video-password to POST .../token and the
// token on every playlist and file. No cookie at any step; wrong passwords
// stay limited per client.
func TestEmbedUnlocksWithoutCookies(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPassword)
	ctx := context.Background()
	if err := cr.store.Creator().ReplacePasswords(ctx, cr.video.ID, []string{"gâteau"}); err != nil {
		t.Fatal(err)
	}
	embed := "/videos/embed/" + cr.video.UUID
	_, html := cr.page(request{method: http.MethodGet, path: embed})
	if !strings.Contains(html, `data-video="`+cr.video.UUID+`"`) || !strings.Contains(html, `data-wrong="This is not the video&#39;s password."`) ||
		!strings.Contains(html, "js/embed") {
		t.Fatalf("the locked embed does not carry what embed.js needs:\n%s", html)
	}
	call := func(method, path, password string) (int, []byte) {
		req, _ := http.NewRequest(method, cr.http.URL+path, nil)
		if password != "" {
			req.Header.Set("x-peertube-video-password", password)
		}
		res, err := http.DefaultTransport.RoundTrip(req) // no cookie jar
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if len(res.Cookies()) > 0 && strings.HasPrefix(res.Cookies()[0].Name, unlockCookiePrefix) {
			t.Errorf("%s %s set an unlock cookie", method, path)
		}
		return res.StatusCode, b
	}
	tokenPath := "/api/v1/videos/" + cr.video.UUID + "/token"
	if code, _ := call(http.MethodPost, tokenPath, "nope"); code != http.StatusForbidden {
		t.Errorf("token with a wrong password: %d, want 403", code)
	}
	code, b := call(http.MethodPost, tokenPath, "gâteau")
	var tok fileTokenJSON
	if code != http.StatusOK || json.Unmarshal(b, &tok) != nil || tok.Files.Token == "" {
		t.Fatalf("token with the password: %d %s", code, b)
	}
	if code, b := call(http.MethodGet, "/api/v1/videos/"+cr.video.UUID, "gâteau"); code != http.StatusOK || !strings.Contains(string(b), "master.m3u8") {
		t.Fatalf("the video with the password: %d %s", code, b)
	}
	master := uris.Master(cr.video.UUID)
	media := uris.HLSFile(cr.video.UUID, cr.video.UUID+"-360-fragmented.mp4")
	for _, p := range []string{master, uris.HLSFile(cr.video.UUID, "360.m3u8"), media} {
		if code, _ := call(http.MethodGet, p, ""); code == http.StatusOK {
			t.Errorf("%s without the token: 200", p)
		}
		if code, _ := call(http.MethodGet, p+"?videoFileToken="+url.QueryEscape(tok.Files.Token), ""); code != http.StatusOK {
			t.Errorf("%s with the token: %d", p, code)
		}
	}
	// A native HLS player (Safari) sends the query with the master only:
	// asked to, the server adds the token to every URL the playlists name,
	// and following them alone reaches the file.
	hls := cr.layout.HLS(cr.video.UUID)
	for name, body := range map[string]string{
		"master.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n" +
			`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,URI="0.m3u8"` + "\n" +
			`#EXT-X-STREAM-INF:BANDWIDTH=500000,RESOLUTION=640x360,AUDIO="audio"` + "\n360.m3u8\n",
		"360.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			`#EXT-X-MAP:URI="` + cr.video.UUID + `-360-fragmented.mp4",BYTERANGE="800@0"` + "\n" +
			"#EXTINF:4.000,\n#EXT-X-BYTERANGE:1000@800\n" + cr.video.UUID + "-360-fragmented.mp4\n#EXT-X-ENDLIST\n",
		"0.m3u8": "#EXTM3U\n#EXT-X-ENDLIST\n",
	} {
		if err := os.WriteFile(filepath.Join(hls, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reinject := "videoFileToken=" + url.QueryEscape(tok.Files.Token) + "&reinjectVideoFileToken=true"
	seen := map[string]bool{}
	var follow func(path string, depth int)
	follow = func(path string, depth int) {
		if seen[path] || depth > 2 {
			return
		}
		seen[path] = true
		code, body := call(http.MethodGet, path, "")
		if code != http.StatusOK {
			t.Errorf("%s: %d", path, code)
			return
		}
		if !strings.HasSuffix(strings.SplitN(path, "?", 2)[0], ".m3u8") {
			return
		}
		for _, ref := range playlistRefs(string(body)) {
			if !strings.HasSuffix(ref, reinject) {
				t.Errorf("%s names %q without the token", path, ref)
				continue
			}
			follow(uris.HLSDir(cr.video.UUID)+"/"+ref, depth+1)
		}
	}
	follow(master+"?"+reinject, 0)
	if !seen[media+"?"+reinject] {
		t.Errorf("the reinjected playlists never led to %s: %v", media, seen)
	}
	// Wrong guesses from one client are limited as at the unlock form.
	limited := false
	for range passwordBurst + 2 {
		if code, _ := call(http.MethodPost, tokenPath, "still wrong"); code == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("wrong passwords to POST .../token are not limited")
	}
}

// playlistRefs are the URLs an M3U8 playlist names: its URI lines and its
// tags' URI="…" attributes.
func playlistRefs(playlist string) []string {
	var refs []string
	for _, line := range strings.Split(playlist, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			if _, rest, ok := strings.Cut(line, `URI="`); ok {
				if u, _, ok := strings.Cut(rest, `"`); ok {
					refs = append(refs, u)
				}
			}
		default:
			refs = append(refs, line)
		}
	}
	return refs
}
