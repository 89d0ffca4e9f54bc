package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/captions"
	"cabane.dev/cabane/app/chapters"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/ratelimit"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig/openapi"
)

// creatorRig is the web rig with captions, chapters, passwords and search
// wired as app.go wires them, and a published video of "user"'s (so that
// "admin" is an admin who does not own it).
type creatorRig struct {
	*rig
	api   *apiClient
	video model.Video
}

func newCreatorRig(t *testing.T, privacy int) *creatorRig {
	t.Helper()
	r := newRig(t)
	st := r.store
	r.videos.Passwords = st.Creator()
	r.videos.Guesses = ratelimit.New(ratelimit.Config{Every: passwordEvery, Burst: passwordBurst})
	r.server.Captions = &captions.Service{Store: st.Creator(), Videos: r.videos, Layout: r.layout, Log: r.server.Log}
	r.server.Chapters = &chapters.Service{Store: st.Creator(), Videos: r.videos, Log: r.server.Log}
	r.server.Search = &search.Service{Store: st.Search(), Lookup: r.videos, TrendingDays: videos.TrendingDays}
	chs, err := r.server.Accounts.ChannelsOf(context.Background(), r.userAccount(t, "user"))
	if err != nil || len(chs) == 0 {
		t.Fatal("no channel for user", err)
	}
	v := r.publishedVideo(t, chs[0].ID, privacy)
	if err := st.Videos.SetState(context.Background(), v.ID, model.StatePublished); err != nil {
		t.Fatal(err)
	}
	return &creatorRig{rig: r, api: newAPIClient(t, r), video: v}
}

// upload sends one file in a multipart PUT as who (bearer).
func (cr *creatorRig) putFile(method, path, who, field, name string, data []byte) openapi.Response {
	cr.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile(field, name)
	fw.Write(data)
	w.Close()
	return cr.api.do(method, path, who, &buf, w.FormDataContentType())
}

func (cr *creatorRig) jsonDo(method, path, who string, body any) openapi.Response {
	cr.t.Helper()
	b, _ := json.Marshal(body)
	return cr.api.do(method, path, who, bytes.NewReader(b), "application/json")
}

// get fetches path as who with extra headers (and cookies), no contract.
func (cr *creatorRig) get(path, who string, hdr map[string]string, cookies ...*http.Cookie) (int, string) {
	cr.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, cr.http.URL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+cr.api.tokens[who])
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cr.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res.StatusCode, b.String()
}

const goodVTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nBonjour <b>à tous</b>\n"

func TestCaptionsAPIAndTracks(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPublic)
	base := "/api/v1/videos/" + cr.video.UUID + "/captions"
	if res := cr.putFile(http.MethodPut, base+"/fr", "user", "captionfile", "fr.vtt", []byte(goodVTT)); res.Status != http.StatusNoContent {
		t.Fatalf("put vtt: %d %s", res.Status, res.Body)
	}
	srt := "1\n00:00:01,000 --> 00:00:02,500\n<font color=\"red\">Hello</font>\n"
	if res := cr.putFile(http.MethodPut, base+"/en", "user", "captionfile", "en.srt", []byte(srt)); res.Status != http.StatusNoContent {
		t.Fatalf("put srt: %d %s", res.Status, res.Body)
	}
	// Refusals: hostile files (nothing stored), a stranger, the anonymous,
	// an unknown language.
	for name, body := range map[string]string{
		"html":   "<html><body><script>alert(1)</script></body></html>",
		"binary": "WEBVTT\n\n00:01.000 --> 00:02.000\n\x00\x01\x02",
		"latin1": "WEBVTT\n\n00:01.000 --> 00:02.000\n\xe9t\xe9\n",
	} {
		if res := cr.putFile(http.MethodPut, base+"/de", "user", "captionfile", "x.vtt", []byte(body)); res.Status != http.StatusBadRequest {
			t.Errorf("%s caption: %d %s, want 400", name, res.Status, res.Body)
		}
	}
	if res := cr.putFile(http.MethodPut, base+"/de", "admin", "captionfile", "x.vtt", []byte(goodVTT)); res.Status != http.StatusNoContent {
		t.Errorf("admin adds a caption to another's video: %d %s", res.Status, res.Body)
	}
	if res := cr.putFile(http.MethodPut, base+"/it", "", "captionfile", "x.vtt", []byte(goodVTT)); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous caption: %d", res.Status)
	}
	if res := cr.putFile(http.MethodPut, base+"/xx-nope", "user", "captionfile", "x.vtt", []byte(goodVTT)); res.Status != http.StatusNotFound {
		t.Errorf("unknown language: %d %s", res.Status, res.Body)
	}
	if res := cr.api.do(http.MethodDelete, base+"/de", "user", nil, ""); res.Status != http.StatusNoContent {
		t.Errorf("delete: %d %s", res.Status, res.Body)
	}
	if res := cr.api.do(http.MethodDelete, base+"/de", "user", nil, ""); res.Status != http.StatusNotFound {
		t.Errorf("delete again: %d %s", res.Status, res.Body)
	}

	res := cr.api.do(http.MethodGet, base, "", nil, "")
	var page struct {
		Total int
		Data  []struct {
			Language    struct{ ID, Label string }
			CaptionPath string
			FileURL     string `json:"fileUrl"`
		}
	}
	if err := json.Unmarshal(res.Body, &page); err != nil || res.Status != 200 {
		t.Fatalf("list: %d %s", res.Status, res.Body)
	}
	if page.Total != 2 || page.Data[0].Language.ID != "en" || page.Data[0].Language.Label != "English" || page.Data[1].Language.ID != "fr" {
		t.Fatalf("captions: %s", res.Body)
	}
	cr.api.complete(http.MethodGet, base, res)
	// Only the two kept files are on disk: refused ones were never written.
	files, _ := os.ReadDir(filepath.Join(cr.layout.Video(cr.video.UUID), "captions"))
	if len(files) != 2 {
		t.Errorf("%d caption files on disk, want 2", len(files))
	}
	// The SubRip file is served as WebVTT, its <font> gone.
	code, body := cr.get(page.Data[0].CaptionPath, "", nil)
	if code != 200 || body != "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\n" {
		t.Errorf("caption file: %d %q", code, body)
	}
	// The watch and embed pages carry the tracks.
	for _, p := range []string{"/w/" + cr.video.ShortUUID, "/videos/embed/" + cr.video.UUID} {
		_, html := cr.page(request{method: http.MethodGet, path: p})
		for _, want := range []string{`<track kind="subtitles" srclang="en" label="English" src="` + page.Data[0].CaptionPath + `">`,
			`<track kind="subtitles" srclang="fr" label="French"`} {
			if !strings.Contains(html, want) {
				t.Errorf("%s lacks %s", p, want)
			}
		}
	}
}

func TestCaptionOfPrivateVideoIsHidden(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPrivate)
	base := "/api/v1/videos/" + cr.video.UUID + "/captions"
	if res := cr.putFile(http.MethodPut, base+"/fr", "user", "captionfile", "fr.vtt", []byte(goodVTT)); res.Status != http.StatusNoContent {
		t.Fatalf("put: %d %s", res.Status, res.Body)
	}
	cs, _ := cr.store.Creator().Captions(context.Background(), cr.video.ID)
	path := "/lazy-static/video-captions/" + cs[0].Filename
	if code, _ := cr.get(path, "", nil); code != http.StatusNotFound {
		t.Errorf("anonymous fetch of a private video's caption: %d", code)
	}
	if res := cr.api.do(http.MethodGet, base, "", nil, ""); res.Status != http.StatusNotFound {
		t.Errorf("anonymous list: %d", res.Status)
	}
	req, _ := http.NewRequest(http.MethodGet, cr.http.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cr.sessions["user"]})
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Errorf("owner fetch: %v %v", err, res.StatusCode)
	}
}

func TestChaptersAPIAndPlayer(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPublic)
	path := "/api/v1/videos/" + cr.video.UUID + "/chapters"
	chs := map[string]any{"chapters": []map[string]any{{"timecode": 65, "title": "Le gâteau"}, {"timecode": 0, "title": "Intro"}}}
	if res := cr.jsonDo(http.MethodPut, path, "user", chs); res.Status != http.StatusNoContent {
		t.Fatalf("put: %d %s", res.Status, res.Body)
	}
	for name, bad := range map[string]any{
		"same timecode": map[string]any{"chapters": []map[string]any{{"timecode": 1, "title": "a"}, {"timecode": 1, "title": "b"}}},
		"long title":    map[string]any{"chapters": []map[string]any{{"timecode": 1, "title": strings.Repeat("x", 101)}}},
		"negative":      map[string]any{"chapters": []map[string]any{{"timecode": -1, "title": "a"}}},
		"fraction":      map[string]any{"chapters": []map[string]any{{"timecode": 1.5, "title": "a"}}},
		"no list":       map[string]any{"chapter": 1},
	} {
		if res := cr.jsonDo(http.MethodPut, path, "user", bad); res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if res := cr.jsonDo(http.MethodPut, path, "", chs); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", res.Status)
	}
	res := cr.api.do(http.MethodGet, path, "", nil, "")
	var got chapterList
	json.Unmarshal(res.Body, &got)
	if res.Status != 200 || len(got.Chapters) != 2 || got.Chapters[0].Title != "Intro" || got.Chapters[1].Timecode != 65 {
		t.Fatalf("chapters: %d %s", res.Status, res.Body)
	}
	_, html := cr.page(request{method: http.MethodGet, path: "/w/" + cr.video.ShortUUID})
	for _, want := range []string{`<track kind="chapters" default src="/videos/` + cr.video.UUID + `/chapters.vtt">`,
		`data-seek="65" aria-label="Go to 1:05: Le gâteau"`, `<time>1:05</time> Le gâteau`, `class="chapter-marker"`} {
		if !strings.Contains(html, want) {
			t.Errorf("watch page lacks %s", want)
		}
	}
	code, vtt := cr.get("/videos/"+cr.video.UUID+"/chapters.vtt", "", nil)
	if code != 200 || !strings.Contains(vtt, "00:00:00.000 --> 00:01:05.000\nIntro") || !strings.Contains(vtt, "Le gâteau") {
		t.Errorf("chapters track: %d %q", code, vtt)
	}
}

// TestPasswordProtectedVideoMatrix: who sees a password-protected video,
// and where.
func TestPasswordProtectedVideoMatrix(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPassword)
	// A generous allowance while the matrix tries wrong passwords; the
	// real one is tried at the end.
	cr.videos.Guesses = ratelimit.New(ratelimit.Config{Every: passwordEvery, Burst: 100})
	ctx := context.Background()
	if err := cr.store.Creator().ReplacePasswords(ctx, cr.video.ID, []string{"gâteau", "second"}); err != nil {
		t.Fatal(err)
	}
	api := "/api/v1/videos/" + cr.video.UUID
	master := "/static/streaming-playlists/hls/" + cr.video.UUID + "/master.m3u8"
	segment := "/static/streaming-playlists/hls/" + cr.video.UUID + "/" + cr.video.UUID + "-360-fragmented.mp4"
	right := map[string]string{"x-peertube-video-password": "gâteau"}
	wrong := map[string]string{"x-peertube-video-password": "nope"}
	for _, c := range []struct {
		name string
		who  string
		hdr  map[string]string
		want int
	}{
		{"anonymous", "", nil, 403}, {"wrong password", "", wrong, 403}, {"right password", "", right, 200},
		{"other user", "user", nil, 200} /* the owner */, {"admin", "admin", nil, 200},
	} {
		if code, body := cr.get(api, c.who, c.hdr); code != c.want {
			t.Errorf("%s: video JSON %d, want %d: %s", c.name, code, c.want, body)
		}
		files := 404
		if c.want == 200 {
			files = 200
		}
		// Files answer 404 (they are fetched with the session's cookie,
		// which bearer tokens are not); the captions API as the video JSON.
		for _, p := range []string{master, segment} {
			if code, _ := cr.get(p, "", c.hdr); c.who == "" && code != files {
				t.Errorf("%s: %s %d, want %d", c.name, p, code, files)
			}
		}
		if code, _ := cr.get(api+"/captions", c.who, c.hdr); code != c.want {
			t.Errorf("%s: captions %d, want %d", c.name, code, c.want)
		}
	}
	// PeerTube's codes tell the apps to ask for the password.
	req, _ := http.NewRequest(http.MethodGet, cr.http.URL+api, nil)
	res := cr.api.contract.Do(t, http.DefaultClient, req)
	if !strings.Contains(string(res.Body), `"code":"video_requires_password"`) {
		t.Errorf("no password: %s", res.Body)
	}
	req, _ = http.NewRequest(http.MethodGet, cr.http.URL+api, nil)
	req.Header.Set("x-peertube-video-password", "nope")
	if res := cr.api.contract.Do(t, http.DefaultClient, req); !strings.Contains(string(res.Body), `"code":"incorrect_video_password"`) {
		t.Errorf("wrong password: %s", res.Body)
	}
	// Listings, search and feeds never show it to others, password or not.
	for _, p := range []string{"/api/v1/videos", "/api/v1/search/videos?search=Matrix", "/feeds/videos.xml", "/"} {
		for _, hdr := range []map[string]string{nil, right} {
			if _, body := cr.get(p, "", hdr); strings.Contains(body, cr.video.UUID) || strings.Contains(body, cr.video.ShortUUID) {
				t.Errorf("%s lists the password-protected video (header %v)", p, hdr)
			}
		}
	}

	// The watch page: a form; a right password sets a cookie that opens
	// the page and the files.
	watch := "/w/" + cr.video.ShortUUID
	code, html := cr.page(request{method: http.MethodGet, path: watch})
	if code != http.StatusForbidden || !strings.Contains(html, `action="/videos/`+cr.video.ShortUUID+`/unlock"`) || strings.Contains(html, cr.video.Name) {
		t.Fatalf("locked watch page: %d %s", code, html)
	}
	post := func(pw string) *http.Response {
		return cr.do(ctx, request{method: http.MethodPost, path: "/videos/" + cr.video.ShortUUID + "/unlock", form: url.Values{"password": {pw}}, withCSRF: true})
	}
	if res := post("nope"); res.StatusCode != http.StatusForbidden || len(res.Cookies()) > 1 {
		t.Errorf("wrong password: %d %v", res.StatusCode, res.Cookies())
	}
	res2 := post("second")
	var unlock *http.Cookie
	for _, c := range res2.Cookies() {
		if strings.HasPrefix(c.Name, unlockCookiePrefix) {
			unlock = c
		}
	}
	if res2.StatusCode != http.StatusSeeOther || unlock == nil || !unlock.HttpOnly {
		t.Fatalf("right password: %d %v", res2.StatusCode, res2.Cookies())
	}
	if code, html := cr.get(watch, "", nil, unlock); code != 200 || !strings.Contains(html, cr.video.Name) {
		t.Errorf("unlocked watch page: %d", code)
	}
	if code, _ := cr.get(segment, "", nil, unlock); code != 200 {
		t.Errorf("unlocked segment: %d", code)
	}
	forged := *unlock
	forged.Value = unlock.Value[:len(unlock.Value)-2] + "AA"
	if code, _ := cr.get(segment, "", nil, &forged); code != 404 {
		t.Errorf("forged cookie: %d", code)
	}
	// Wrong guesses are limited: once spent, even the right one is refused.
	cr.videos.Guesses = ratelimit.New(ratelimit.Config{Every: passwordEvery, Burst: passwordBurst})
	for i := 0; i < passwordBurst+1; i++ {
		cr.get(api, "", wrong)
	}
	if code, _ := cr.get(api, "", right); code != http.StatusTooManyRequests {
		t.Errorf("right password after too many wrong ones: %d, want 429", code)
	}
}

func TestVideoPasswordsAPI(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPublic)
	api := "/api/v1/videos/" + cr.video.UUID
	// Becoming password-protected needs passwords.
	if res := cr.jsonDo(http.MethodPut, api, "user", map[string]any{"privacy": 5}); res.Status != http.StatusBadRequest {
		t.Errorf("privacy 5 without passwords: %d %s", res.Status, res.Body)
	}
	for name, pws := range map[string][]string{"short": {"x"}, "twice": {"ab", "ab"}, "none": {}} {
		if res := cr.jsonDo(http.MethodPut, api, "user", map[string]any{"privacy": 5, "videoPasswords": pws}); res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if res := cr.jsonDo(http.MethodPut, api, "user", map[string]any{"privacy": 5, "videoPasswords": []string{"one1", "two2"}}); res.Status != http.StatusNoContent {
		t.Fatalf("protect: %d %s", res.Status, res.Body)
	}
	res := cr.api.do(http.MethodGet, api+"/passwords", "user", nil, "")
	var page struct {
		Total int
		Data  []struct {
			ID       int64
			Password string
		}
	}
	json.Unmarshal(res.Body, &page)
	if res.Status != 200 || page.Total != 2 || page.Data[0].Password != "one1" {
		t.Fatalf("passwords: %d %s", res.Status, res.Body)
	}
	cr.api.complete(http.MethodGet, api+"/passwords", res)
	if res := cr.api.do(http.MethodGet, api+"/passwords", "", nil, ""); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous passwords: %d", res.Status)
	}
	if res := cr.jsonDo(http.MethodPut, api+"/passwords", "user", map[string]any{"passwords": []string{"three"}}); res.Status != http.StatusNoContent {
		t.Errorf("replace: %d %s", res.Status, res.Body)
	}
	res = cr.api.do(http.MethodGet, api+"/passwords", "admin", nil, "")
	json.Unmarshal(res.Body, &page)
	if page.Total != 1 || page.Data[0].Password != "three" {
		t.Fatalf("after replace: %s", res.Body)
	}
	if res := cr.api.do(http.MethodDelete, api+"/passwords/"+strconv.FormatInt(page.Data[0].ID, 10), "user", nil, ""); res.Status != http.StatusBadRequest {
		t.Errorf("delete the last: %d %s", res.Status, res.Body)
	}
	if res := cr.api.do(http.MethodDelete, api+"/passwords/999999", "user", nil, ""); res.Status != http.StatusNotFound {
		t.Errorf("delete unknown: %d %s", res.Status, res.Body)
	}
	// Back to public: the passwords go, and listing them is refused.
	if res := cr.jsonDo(http.MethodPut, api, "user", map[string]any{"privacy": 1}); res.Status != http.StatusNoContent {
		t.Fatalf("unprotect: %d %s", res.Status, res.Body)
	}
	if _, n, _ := cr.store.Creator().Passwords(context.Background(), cr.video.ID, 0, 10); n != 0 {
		t.Errorf("%d passwords left on a public video", n)
	}
	if res := cr.api.do(http.MethodGet, api+"/passwords", "user", nil, ""); res.Status != http.StatusBadRequest {
		t.Errorf("passwords of a public video: %d", res.Status)
	}
}

func TestCustomThumbnail(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPublic)
	img := image.NewRGBA(image.Rect(0, 0, 1600, 900))
	for y := 0; y < 900; y++ {
		for x := 0; x < 1600; x++ {
			img.Set(x, y, color.RGBA{200, 30, 30, 255})
		}
	}
	var pngBytes bytes.Buffer
	png.Encode(&pngBytes, img)
	api := "/api/v1/videos/" + cr.video.UUID
	if res := cr.putFile(http.MethodPut, api, "user", "thumbnailfile", "t.png", pngBytes.Bytes()); res.Status != http.StatusNoContent {
		t.Fatalf("thumbnail: %d %s", res.Status, res.Body)
	}
	for path, size := range map[string][2]int{cr.layout.Thumbnail(cr.video.UUID): {280, 157}, cr.layout.Preview(cr.video.UUID): {850, 480}} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jpeg.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s is not a JPEG: %v", path, err)
		}
		if b := got.Bounds(); b.Dx() != size[0] || b.Dy() != size[1] {
			t.Errorf("%s is %v, want %v", path, b, size)
		}
		if r, g, _, _ := got.At(10, 10).RGBA(); r>>8 < 180 || g>>8 > 60 {
			t.Errorf("%s: the colour is lost", path)
		}
	}
	before, _ := os.ReadFile(cr.layout.Thumbnail(cr.video.UUID))
	for name, data := range map[string][]byte{
		"html": []byte("<svg onload=alert(1)>"),
		"huge": hugePNGHeader(),
	} {
		if res := cr.putFile(http.MethodPut, api, "user", "thumbnailfile", "t.png", data); res.Status != http.StatusBadRequest {
			t.Errorf("%s thumbnail: %d %s", name, res.Status, res.Body)
		}
	}
	if res := cr.putFile(http.MethodPut, api, "admin", "previewfile", "t.png", pngBytes.Bytes()); res.Status != http.StatusNoContent {
		t.Errorf("admin: %d %s", res.Status, res.Body)
	}
	after, _ := os.ReadFile(cr.layout.Thumbnail(cr.video.UUID))
	if !bytes.Equal(before, after) {
		t.Errorf("a refused or preview-only image changed the thumbnail")
	}
}

// A thumbnail that would take too much memory once decoded is refused
// from its header, and an edit that comes with a refused image changes
// nothing: the images are decoded before any field is.
func TestThumbnailMemoryBoundAndAtomicEdit(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPublic)
	api := "/api/v1/videos/" + cr.video.UUID
	// The reviewer's bomb: 8000×5000 zero pixels of 16 bits a channel,
	// a few hundred KB that decode to 305 MiB.
	var bomb bytes.Buffer
	(&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&bomb, image.NewRGBA64(image.Rect(0, 0, 8000, 5000)))
	if res := cr.putFile(http.MethodPut, api, "user", "thumbnailfile", "t.png", bomb.Bytes()); res.Status != http.StatusBadRequest {
		t.Errorf("16-bit 8000×5000 thumbnail: %d %s", res.Status, res.Body)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("name", "renamed by a refused edit")
	fw, _ := w.CreateFormFile("previewfile", "p.png")
	fw.Write([]byte("<svg onload=alert(1)>"))
	w.Close()
	if res := cr.api.do(http.MethodPut, api, "user", &buf, w.FormDataContentType()); res.Status != http.StatusBadRequest {
		t.Fatalf("edit with a bad image: %d %s", res.Status, res.Body)
	}
	res := cr.api.do(http.MethodGet, api, "user", nil, "")
	var got struct{ Name string }
	if err := json.Unmarshal(res.Body, &got); err != nil || got.Name != cr.video.Name {
		t.Errorf("after a refused edit the name is %q (%v), want %q", got.Name, err, cr.video.Name)
	}
}

// hugePNGHeader is a PNG that claims 100000×100000 pixels: refused from
// its header, before any pixel is decoded.
func hugePNGHeader() []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	out := b.Bytes()
	// IHDR's width and height follow the 8-byte signature, length and type.
	copy(out[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	return out
}

// The watch page's password form has its own rate-limit table: a
// household's spent login attempts do not refuse a video's password, and
// the unlock cookie is Secure when the site is served over HTTPS.
func TestUnlockFormHasItsOwnLimit(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPassword)
	ctx := context.Background()
	if err := cr.store.Creator().ReplacePasswords(ctx, cr.video.ID, []string{"second"}); err != nil {
		t.Fatal(err)
	}
	var limited bool
	for i := 0; i < passwordBurst+2; i++ {
		res := cr.do(ctx, request{method: http.MethodPost, path: "/login", form: url.Values{"username": {"user"}, "password": {"not it at all"}}, withCSRF: true})
		res.Body.Close()
		limited = limited || res.StatusCode == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatal("the login form was never limited")
	}
	res := cr.do(ctx, request{method: http.MethodPost, path: "/videos/" + cr.video.ShortUUID + "/unlock", form: url.Values{"password": {"second"}}, withCSRF: true})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("right video password after spent logins: %d, want 303", res.StatusCode)
	}
	k := newUnlockKeys()
	if k.cookie("u", time.Now(), false).Secure || !k.cookie("u", time.Now(), true).Secure {
		t.Error("the unlock cookie's Secure flag does not follow the site's scheme")
	}
}
