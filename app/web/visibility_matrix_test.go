package web

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/lan"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
)

// TestVisibilityMatrix crosses every privacy with every route that exposes
// a video and every kind of viewer, and expects 200 or 404 — never 403,
// which would tell a stranger that the video exists. The expectations are
// written out here, not computed by the visibility package.
func TestVisibilityMatrix(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	other, _, err := r.server.Auth.CreateUser(ctx, auth.NewUserRequest{Username: "other", Email: "other@example.org",
		Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	if r.sessions["other"], err = r.server.Auth.StartSession(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	// 10.9.0.0/16 is home; the test's connections come from a trusted
	// proxy on loopback that says where the viewer is.
	r.server.LAN = &lan.Policy{Home: []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")},
		Proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

	owner, err := r.server.Accounts.ChannelsOf(ctx, r.userAccount(t, "user"))
	if err != nil || len(owner) == 0 {
		t.Fatal("no channel for user", err)
	}
	privacies := []int{model.PrivacyPublic, model.PrivacyUnlisted, model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyLocal}
	vids := map[int]model.Video{}
	for _, p := range privacies {
		vids[p] = r.publishedVideo(t, owner[0].ID, p)
	}

	type viewerKind struct {
		name, who string
		home      bool
	}
	viewers := []viewerKind{
		{"anonymous abroad", "", false}, {"anonymous at home", "", true},
		{"owner abroad", "user", false}, {"owner at home", "user", true},
		{"another user abroad", "other", false}, {"another user at home", "other", true},
		{"admin abroad", "admin", false},
	}
	// may is the rule, spelled out: uuid says the video is addressed by
	// UUID or short UUID (unlisted videos answer only to those).
	may := func(p int, v viewerKind, uuid bool) bool {
		if v.who == "user" || v.who == "admin" {
			return true
		}
		switch p {
		case model.PrivacyPublic:
			return true
		case model.PrivacyUnlisted:
			return uuid
		case model.PrivacyInternal:
			return v.who != ""
		case model.PrivacyLocal:
			return v.home
		}
		return false
	}
	type route struct {
		name string
		path func(v model.Video) string
		uuid bool
		// never: files are named by UUID only, as PeerTube names them; a
		// numeric file name is nobody's.
		never bool
	}
	routes := []route{
		{"watch page", func(v model.Video) string { return "/videos/watch/" + v.UUID }, true, false},
		{"short watch page", func(v model.Video) string { return "/w/" + v.ShortUUID }, true, false},
		{"watch page by id", func(v model.Video) string { return fmt.Sprintf("/w/%d", v.ID) }, false, false},
		{"embed", func(v model.Video) string { return "/videos/embed/" + v.UUID }, true, false},
		{"API detail", func(v model.Video) string { return "/api/v1/videos/" + v.UUID }, true, false},
		{"API detail by id", func(v model.Video) string { return fmt.Sprintf("/api/v1/videos/%d", v.ID) }, false, false},
		{"HLS master", func(v model.Video) string { return "/static/streaming-playlists/hls/" + v.UUID + "/master.m3u8" }, true, false},
		{"HLS segment", func(v model.Video) string {
			return "/static/streaming-playlists/hls/" + v.UUID + "/" + v.UUID + "-360-fragmented.mp4"
		}, true, false},
		{"thumbnail", func(v model.Video) string { return "/lazy-static/thumbnails/" + v.UUID + ".jpg" }, true, false},
		{"preview", func(v model.Video) string { return "/lazy-static/previews/" + v.UUID + ".jpg" }, true, false},
		{"preview by id", func(v model.Video) string { return fmt.Sprintf("/lazy-static/previews/%d.jpg", v.ID) }, false, true},
		{"processing events", func(v model.Video) string { return "/videos/" + v.UUID + "/events" }, true, false},
	}
	for _, vw := range viewers {
		for _, p := range privacies {
			v := vids[p]
			for _, rt := range routes {
				want := http.StatusNotFound
				if may(p, vw, rt.uuid) && !rt.never {
					want = http.StatusOK
				}
				got := r.get(t, rt.path(v), vw.who, vw.home)
				if got != want {
					t.Errorf("%s, %s video, %s: %d, want %d", vw.name, privacyLabel(p), rt.name, got, want)
				}
			}
		}
		// Listings: the home page and the API list only what anyone in
		// the viewer's place may see; the channel's page also lists the
		// owner's own videos to the owner.
		home := r.body(t, "/", vw.who, vw.home)
		api := r.body(t, "/api/v1/videos?count=100", vw.who, vw.home)
		channel := r.body(t, "/c/"+owner[0].Name, vw.who, vw.home)
		for _, p := range privacies {
			listed := p == model.PrivacyPublic || p == model.PrivacyInternal && vw.who != "" || p == model.PrivacyLocal && vw.home
			onChannel := listed || vw.who == "user" || vw.who == "admin"
			name := vids[p].Name
			if strings.Contains(home, name) != listed || strings.Contains(api, name) != listed {
				t.Errorf("%s, %s video: on the home page %v, in the API list %v, want %v", vw.name, privacyLabel(p),
					strings.Contains(home, name), strings.Contains(api, name), listed)
			}
			if strings.Contains(channel, name) != onChannel {
				t.Errorf("%s, %s video: on the channel page %v, want %v", vw.name, privacyLabel(p), strings.Contains(channel, name), onChannel)
			}
		}
	}
}

func (r *rig) userAccount(t *testing.T, name string) int64 {
	a, err := r.server.Accounts.Account(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// publishedVideo stores a published video with its files on disk, without
// transcoding anything: the matrix is about who may see, not encoding.
func (r *rig) publishedVideo(t *testing.T, channelID int64, privacy int) model.Video {
	ctx := context.Background()
	id := uuid.New()
	v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: channelID,
		Name: fmt.Sprintf("Matrix video %s", privacyLabel(privacy)), Privacy: privacy, OriginalFile: "original.mp4"}
	if err := r.store.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "360p", Width: 640, Height: 360, Bandwidth: 800_000, Codecs: "avc1.64001e,mp4a.40.2"}); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Videos.SetThumbnail(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		filepath.Join(r.layout.HLS(v.UUID), "master.m3u8"):                "#EXTM3U\n",
		filepath.Join(r.layout.HLS(v.UUID), "360.m3u8"):                   "#EXTM3U\n",
		filepath.Join(r.layout.HLS(v.UUID), v.UUID+"-360-fragmented.mp4"): "segment",
		filepath.Join(r.layout.HLS(v.UUID), "segments-sha256.json"):       "{}",
		r.layout.Thumbnail(v.UUID):                                        "jpeg",
		r.layout.Preview(v.UUID):                                          "jpeg",
	}
	for p, body := range files {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.store.Videos.ByID(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// viewerFrom is where the trusted proxy says the viewer is.
func viewerFrom(home bool) map[string]string {
	if home {
		return map[string]string{"X-Forwarded-For": "10.9.0.5"}
	}
	return map[string]string{"X-Forwarded-For": "203.0.113.9"}
}

func (r *rig) get(t *testing.T, path, who string, home bool) int {
	res, _ := r.send(t, http.MethodGet, path, nil, viewerFrom(home), who, false)
	return res.StatusCode
}

func (r *rig) body(t *testing.T, path, who string, home bool) string {
	res, body := r.send(t, http.MethodGet, path, nil, viewerFrom(home), who, false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return body
}
