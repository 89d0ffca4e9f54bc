package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// TestPlaylistCacheInvalidation: small HLS files come from memory
// (playlist_cache.go), yet every answer follows the visibility rules of
// now and the file as the store last announced it: a video made private
// is refused to strangers at once (and served to its owner and to a file
// token), a playlist rewritten by a new rendition is served new with a new
// ETag at once, a deleted video answers 404 at once; a file changed or
// removed behind the store's back is seen within playlistRecheck. The ETag
// gets a 304.
func TestPlaylistCacheInvalidation(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	ch, err := r.server.Accounts.ChannelsOf(ctx, r.userAccount(t, "user"))
	if err != nil || len(ch) == 0 {
		t.Fatal("no channel for user", err)
	}
	h := r.server.Handler()
	clock := time.Now()
	r.server.playlists.now = func() time.Time { return clock }
	type answer struct {
		code       int
		body, etag string
	}
	get := func(v model.Video, file, who string, header ...string) answer {
		t.Helper()
		u := "/static/streaming-playlists/hls/" + v.UUID + "/" + file
		if who == "token" {
			u += "?" + fileTokenParam + "=" + r.server.unlock.fileToken(v.UUID, 1, time.Now().Add(time.Hour))
		}
		req := httptest.NewRequest(http.MethodGet, u, nil)
		if who != "" && who != "token" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.sessions[who]})
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return answer{w.Code, w.Body.String(), w.Header().Get("ETag")}
	}
	write := func(p, body string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	v := r.publishedVideo(t, ch[0].ID, model.PrivacyPublic)
	master := filepath.Join(r.layout.HLS(v.UUID), "master.m3u8")
	one := "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360.m3u8\n"
	write(master, one)
	first := get(v, "master.m3u8", "")
	if first.code != http.StatusOK || first.body != one || first.etag == "" {
		t.Fatalf("public master: %d %q etag %q", first.code, first.body, first.etag)
	}
	if n := r.server.playlists.len(); n != 1 {
		t.Fatalf("%d files kept after the first read, want 1", n)
	}
	if again := get(v, "master.m3u8", ""); again != first {
		t.Fatalf("from memory: %+v, want %+v", again, first)
	}
	if nm := get(v, "master.m3u8", "", "If-None-Match", first.etag); nm.code != http.StatusNotModified || nm.body != "" {
		t.Errorf("If-None-Match with its ETag: %d %q, want 304 and no body", nm.code, nm.body)
	}
	if rg := get(v, "master.m3u8", "", "Range", "bytes=0-6"); rg.code != http.StatusPartialContent || rg.body != one[:7] {
		t.Errorf("Range from memory: %d %q", rg.code, rg.body)
	}
	if js := get(v, "segments-sha256.json", ""); js.code != http.StatusOK || js.body != "{}" {
		t.Errorf("segments-sha256.json: %d %q", js.code, js.body)
	}

	// Made private: strangers lose it at once, its owner and a file
	// token keep it.
	update := func(privacy int) {
		t.Helper()
		if err := r.store.Videos.Update(ctx, v.ID, repo.VideoUpdate{ChannelID: ch[0].ID, Name: v.Name, Privacy: privacy, Meta: v.Meta}); err != nil {
			t.Fatal(err)
		}
	}
	update(model.PrivacyPrivate)
	if a := get(v, "master.m3u8", ""); a.code != http.StatusNotFound || a.body == one {
		t.Errorf("made private, anonymous: %d %q, want 404", a.code, a.body)
	}
	if a := get(v, "master.m3u8", "", "If-None-Match", first.etag); a.code != http.StatusNotFound {
		t.Errorf("made private, anonymous with the ETag: %d, want 404 (not 304)", a.code)
	}
	if a := get(v, "master.m3u8", "user"); a.code != http.StatusOK || a.body != one {
		t.Errorf("made private, owner: %d %q", a.code, a.body)
	}
	if a := get(v, "master.m3u8", "token"); a.code != http.StatusOK || a.body != one {
		t.Errorf("made private, file token: %d %q", a.code, a.body)
	}
	update(model.PrivacyPublic)

	// A new rendition rewrites the master playlist, then is recorded (as
	// the packager does it): the new bytes at once, a new ETag, and the old
	// ETag no longer gets a 304.
	two := one + "#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720\n720.m3u8\n"
	write(master, two)
	if err := r.store.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "720p", Width: 1280, Height: 720, Bandwidth: 2_500_000, Codecs: "avc1.64001f,mp4a.40.2"}); err != nil {
		t.Fatal(err)
	}
	second := get(v, "master.m3u8", "")
	if second.code != http.StatusOK || second.body != two || second.etag == first.etag {
		t.Errorf("rewritten: %d %q etag %q (was %q)", second.code, second.body, second.etag, first.etag)
	}
	if a := get(v, "master.m3u8", "", "If-None-Match", first.etag); a.code != http.StatusOK || a.body != two {
		t.Errorf("rewritten, old ETag: %d %q, want 200 and the new playlist", a.code, a.body)
	}
	// Rewritten behind the store's back, with the same size and only the
	// time changed: kept until the recheck is due, then seen.
	same := two[:len(two)-len("720.m3u8\n")] + "721.m3u8\n"
	write(master, same)
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(master, later, later); err != nil {
		t.Fatal(err)
	}
	if a := get(v, "master.m3u8", ""); a.body != two {
		t.Errorf("rewritten behind the store's back, before the recheck: %q, want the kept %q", a.body, two)
	}
	clock = clock.Add(playlistRecheck)
	if a := get(v, "master.m3u8", ""); a.body != same {
		t.Errorf("rewritten behind the store's back, recheck due: %q, want %q", a.body, same)
	}

	// The file removed behind the store's back: 404 once the recheck is
	// due, and dropped from memory.
	if err := os.Remove(master); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(playlistRecheck)
	if a := get(v, "master.m3u8", ""); a.code != http.StatusNotFound {
		t.Errorf("file removed: %d %q, want 404", a.code, a.body)
	}
	if n := r.server.playlists.len(); n != 1 { // segments-sha256.json only
		t.Errorf("%d files kept after the removal, want 1", n)
	}

	// The video deleted: 404 at once, though its file is still in memory.
	write(master, one)
	if a := get(v, "master.m3u8", ""); a.code != http.StatusOK {
		t.Fatalf("rewritten after removal: %d", a.code)
	}
	if err := r.store.Videos.Delete(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if a := get(v, "master.m3u8", ""); a.code != http.StatusNotFound {
		t.Errorf("deleted: %d, want 404", a.code)
	}
}

// TestPlaylistCacheBounds: the cache holds at most its byte budget, drops
// the least recently used first, and never keeps a file above its size
// limit (served from the file system instead).
func TestPlaylistCacheBounds(t *testing.T) {
	dir := t.TempDir()
	pc := newPlaylistCache(func() uint64 { return 1 })
	pc.maxBytes, pc.maxFile = 30, 20
	paths := make([]string, 4)
	for i := range paths {
		paths[i] = filepath.Join(dir, string(rune('a'+i))+".m3u8")
		if err := os.WriteFile(paths[i], []byte("0123456789"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range paths[:3] {
		if e, err := pc.load(p); err != nil || e == nil || string(e.body) != "0123456789" {
			t.Fatalf("load %s: %v %v", p, e, err)
		}
	}
	if _, ok := pc.get(paths[0]); !ok { // a is now the most recent
		t.Fatal("a not kept")
	}
	if _, err := pc.load(paths[3]); err != nil {
		t.Fatal(err)
	}
	if pc.len() != 3 || pc.bytes != 30 {
		t.Errorf("%d files, %d bytes, want 3 and 30", pc.len(), pc.bytes)
	}
	if _, ok := pc.get(paths[1]); ok {
		t.Error("b, the least recently used, still kept")
	}
	for _, p := range []string{paths[0], paths[2], paths[3]} {
		if _, ok := pc.get(p); !ok {
			t.Errorf("%s dropped", p)
		}
	}
	big := filepath.Join(dir, "big.m3u8")
	if err := os.WriteFile(big, make([]byte, 21), 0o644); err != nil {
		t.Fatal(err)
	}
	if e, err := pc.load(big); err != nil || e != nil {
		t.Errorf("a file over the limit: %v %v, want not kept", e, err)
	}
}

// TestPublicPlaylistsBeforeEcho: a kept playlist of a public or unlisted
// video is answered before echo (publicPlaylists), with the very headers
// and bytes serveHLS sends; anything else (a private video, a file token
// in the query, a file not read yet, a segment) is left to echo.
func TestPublicPlaylistsBeforeEcho(t *testing.T) {
	r := newRig(t)
	ch, err := r.server.Accounts.ChannelsOf(t.Context(), r.userAccount(t, "user"))
	if err != nil || len(ch) == 0 {
		t.Fatal("no channel for user", err)
	}
	public := r.publishedVideo(t, ch[0].ID, model.PrivacyPublic)
	unlisted := r.publishedVideo(t, ch[0].ID, model.PrivacyUnlisted)
	private := r.publishedVideo(t, ch[0].ID, model.PrivacyPrivate)
	url := func(v model.Video, file string) string { return hlsRoute + v.UUID + "/" + file }
	fast := func(u string) (*httptest.ResponseRecorder, bool) {
		w := httptest.NewRecorder()
		return w, r.server.servePublicPlaylist(w, httptest.NewRequest(http.MethodGet, u, nil))
	}
	viaEcho := func(u, who string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, u, nil)
		if who != "" {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.sessions[who]})
		}
		r.server.echo.ServeHTTP(w, req)
		return w
	}
	for _, v := range []model.Video{public, unlisted} {
		for _, file := range []string{"master.m3u8", "360.m3u8", "segments-sha256.json"} {
			u := url(v, file)
			if _, ok := fast(u); ok {
				t.Fatalf("%s answered before it was read", u)
			}
			slow := viaEcho(u, "")
			w, ok := fast(u)
			if !ok {
				t.Fatalf("%s (privacy %d), kept: not answered before echo", u, v.Privacy)
			}
			if w.Code != slow.Code || w.Body.String() != slow.Body.String() {
				t.Errorf("%s: %d %q before echo, %d %q through it", u, w.Code, w.Body, slow.Code, slow.Body)
			}
			for _, k := range []string{"Content-Type", "Cache-Control", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Etag", "Last-Modified", "Content-Length"} {
				if a, b := w.Header().Values(k), slow.Header().Values(k); len(a) != 1 || len(b) != 1 || a[0] != b[0] {
					t.Errorf("%s %s: %q before echo, %q through it", u, k, a, b)
				}
			}
		}
	}
	// A private video's kept playlist: never before echo, whoever asks.
	if w := viaEcho(url(private, "master.m3u8"), "user"); w.Code != http.StatusOK {
		t.Fatalf("private master, owner: %d", w.Code)
	}
	if _, ok := fast(url(private, "master.m3u8")); ok {
		t.Error("a private video's playlist answered before echo")
	}
	for _, u := range []string{
		url(public, "master.m3u8") + "?" + fileTokenParam + "=x", // tokens are echo's
		url(public, public.UUID+"-360-fragmented.mp4"),           // segments: sendfile
		url(public, "../"+public.UUID+"/master.m3u8"),
		url(public, ".partial-1/master.m3u8"),
	} {
		if _, ok := fast(u); ok {
			t.Errorf("%s answered before echo", u)
		}
	}
	// A video still encoding plays from growing playlists: never kept by
	// shared caches, never answered before echo.
	if err := r.store.Videos.SetState(t.Context(), public.ID, model.StateToTranscode); err != nil {
		t.Fatal(err)
	}
	if _, ok := fast(url(public, "master.m3u8")); ok {
		t.Error("a growing video's master answered before echo")
	}
	if w := viaEcho(url(public, "master.m3u8"), "user"); w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("a growing video's master: %d, Cache-Control %q", w.Code, w.Header().Get("Cache-Control"))
	}
}
