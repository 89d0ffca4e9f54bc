package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/outbox"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/openapi"
)

type remoteSeed struct {
	origin  *httptest.Server
	host    string
	video   model.Video
	iri     string
	account int64
	channel int64
}

// seedRemote stores, as following and the inbox do, a remote account
// (alice), her channel (owls) and one public video of it, all living on
// origin, an HTTP server on 127.0.0.1 that serves their avatars.
func seedRemote(t *testing.T, a *App, origin *httptest.Server) remoteSeed {
	t.Helper()
	ctx := context.Background()
	host := strings.TrimPrefix(origin.URL, "http://")
	rs := remoteSeed{origin: origin, host: host}
	rs.iri = origin.URL + "/videos/watch/" + uuid.NewString()
	v := model.Video{UUID: uuid.NewString(), ShortUUID: uuid.NewString()[:8], Name: "Owl at dusk", Privacy: model.PrivacyPublic,
		PublishedAt: time.Now(), Meta: model.Meta{CommentsPolicy: model.CommentsEnabled, DownloadEnabled: true}}
	err := a.Store.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		person := model.RemoteActor{IRI: origin.URL + "/accounts/alice", Type: "Person", PreferredUsername: "alice", Host: host,
			Name: "Alice", Inbox: origin.URL + "/accounts/alice/inbox", URL: origin.URL + "/a/alice", Icon: origin.URL + "/avatars/alice.png",
			FetchedAt: time.Now()}
		pid, err := tx.PutActor(ctx, person)
		if err != nil {
			return err
		}
		if rs.account, err = tx.PutRemoteAccount(ctx, pid, person); err != nil {
			return err
		}
		group := model.RemoteActor{IRI: origin.URL + "/video-channels/owls", Type: "Group", PreferredUsername: "owls", Host: host,
			Name: "Owls", Inbox: origin.URL + "/video-channels/owls/inbox", URL: origin.URL + "/c/owls", Icon: origin.URL + "/avatars/owls.png",
			FetchedAt: time.Now()}
		gid, err := tx.PutActor(ctx, group)
		if err != nil {
			return err
		}
		if rs.channel, err = tx.PutRemoteChannel(ctx, gid, rs.account, group); err != nil {
			return err
		}
		v.ChannelID = rs.channel
		v.ID, err = tx.PutRemoteVideo(ctx, v, model.RemoteVideo{IRI: rs.iri, WatchURL: rs.iri, UpdatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rs.video = v
	return rs
}

// fetch sends one request (no redirect followed) and returns its status,
// headers and body.
func fetch(t *testing.T, method, u, token, accept string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

type auditList struct {
	Total int `json:"total"`
	Data  []struct {
		UUID    string `json:"uuid"`
		IsLocal bool   `json:"isLocal"`
		URL     string `json:"url"`
		Channel struct {
			Name string `json:"name"`
			Host string `json:"host"`
			URL  string `json:"url"`
		} `json:"channel"`
		Account struct {
			URL string `json:"url"`
		} `json:"account"`
	} `json:"data"`
}

func (l auditList) uuids() []string {
	var out []string
	for _, d := range l.Data {
		out = append(out, d.UUID)
	}
	slices.Sort(out)
	return out
}

// Remote accounts, channels and videos are rows of the local tables;
// none of them may act as a local one: not edited (an admin removes one
// here only), not served at our ActivityPub IRIs, not given a key, listed
// as remote with their origin's URLs, resolved by their handle with their
// host, shared and embedded from their origin, and not counted as ours.
func TestRemoteRowsStayRemote(t *testing.T) {
	ctx := context.Background()
	origin := httptest.NewServer(http.NotFoundHandler())
	defer origin.Close()
	a, base := fedApp(t)
	host := strings.TrimPrefix(base, "http://")
	rs := seedRemote(t, a, origin)
	_, carolCh, carol := fedUser(t, a, base, "carol")
	root := fedToken(t, base, "root", "correct horse root")
	clip := testrig.MakeClip(t, filepath.Join(a.Layout.Uploads(), "up.part"), testrig.Clip{Seconds: 1, Size: "160x120", FPS: 10, Args: []string{"-f", "mp4"}})
	local, err := a.Videos.Ingest(ctx, clip, videos.UploadMeta{UploaderAccountID: carolCh.AccountID, ChannelID: carolCh.ID, Name: "Local owl",
		Privacy: model.PrivacyPublic, OriginalName: "owl.mp4"})
	if err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 60*time.Second, func() bool {
		got, err := a.Store.Videos.ByUUID(ctx, local.UUID)
		return err == nil && got.State == model.StatePublished
	})
	remote := rs.video.UUID
	contract := openapi.Load(t)

	// 1. Nobody edits a remote video here, not even an admin.
	for _, tok := range []string{root, carol} {
		var refused map[string]any
		if code := call(t, http.MethodPut, base+"/api/v1/videos/"+remote, tok, map[string]any{"name": "Hacked", "privacy": 3}, &refused); code != http.StatusForbidden {
			t.Errorf("edit of a remote video: %d %v, want 403", code, refused)
		}
	}
	if code := call(t, http.MethodPut, base+"/api/v1/videos/"+remote+"/chapters", root,
		map[string]any{"chapters": []map[string]any{{"timecode": 0, "title": "Intro"}}}, nil); code != http.StatusForbidden {
		t.Errorf("chapters of a remote video: %d, want 403", code)
	}
	if v, err := a.Store.Videos.ByUUID(ctx, remote); err != nil || v.Name != "Owl at dusk" || v.Privacy != model.PrivacyPublic {
		t.Errorf("remote video after refused edits: %+v %v", v, err)
	}
	if code := call(t, http.MethodPut, base+"/api/v1/videos/"+local.UUID, root, map[string]any{"name": "Local owl, edited"}, nil); code != http.StatusNoContent {
		t.Errorf("an admin's edit of a local video: %d", code)
	}

	// 3. No signing key for a remote actor.
	for _, k := range []keys.Actor{{Kind: keys.Account, ID: rs.account}, {Kind: keys.Channel, ID: rs.channel}} {
		if _, err := a.Keys.Get(ctx, k); !errors.Is(err, model.ErrRemoteActor) {
			t.Errorf("key of remote %s %d: %v, want ErrRemoteActor", k.Kind, k.ID, err)
		}
	}

	// 4. Our ActivityPub IRIs answer 404 for remote rows; the local video
	// is served.
	ap := "application/activity+json"
	for _, p := range []string{"/videos/watch/" + remote, "/videos/watch/" + remote + "/likes", "/videos/watch/" + remote + "/dislikes",
		"/videos/watch/" + remote + "/shares", "/videos/watch/" + remote + "/comments",
		"/accounts/alice@" + rs.host, "/video-channels/owls@" + rs.host, "/accounts/alice@" + rs.host + "/outbox"} {
		if code, _, b := fetch(t, http.MethodGet, base+p, "", ap); code != http.StatusNotFound {
			t.Errorf("GET %s as ActivityPub: %d %.200s, want 404", p, code, b)
		}
	}
	for _, p := range []string{"/videos/watch/" + local.UUID, "/videos/watch/" + local.UUID + "/likes"} {
		if code, _, _ := fetch(t, http.MethodGet, base+p, "", ap); code != http.StatusOK {
			t.Errorf("GET %s (local) as ActivityPub: %d", p, code)
		}
	}

	// 5. Listings: isLocal and host as PeerTube; remote entries not local,
	// their url the origin's, their channel named by its handle.
	list := func(query string) auditList {
		t.Helper()
		var l auditList
		code, hdr, b := fetch(t, http.MethodGet, base+"/api/v1/videos"+query, "", "")
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/videos"+query, nil)
		if err := contract.Check(req, code, hdr, b); err != nil {
			t.Errorf("videos%s: %v", query, err)
		}
		if err := json.Unmarshal(b, &l); err != nil || code != http.StatusOK {
			t.Fatalf("videos%s: %d %s", query, code, b)
		}
		return l
	}
	both := []string{local.UUID, remote}
	slices.Sort(both)
	for q, want := range map[string][]string{"": both, "?isLocal=true": {local.UUID}, "?isLocal=false": {remote},
		"?host=" + rs.host: {remote}, "?host=" + host: {local.UUID}, "?host=" + rs.host + "&isLocal=true": nil} {
		if got := list(q).uuids(); !slices.Equal(got, want) {
			t.Errorf("videos%s = %v, want %v", q, got, want)
		}
	}
	for _, d := range list("").Data {
		switch d.UUID {
		case remote:
			if d.IsLocal || d.URL != rs.iri || d.Channel.Name != "owls" || d.Channel.Host != rs.host ||
				d.Channel.URL != origin.URL+"/c/owls" || d.Account.URL != origin.URL+"/a/alice" {
				t.Errorf("remote video listed as %+v", d)
			}
		case local.UUID:
			if !d.IsLocal || d.URL != base+"/videos/watch/"+local.UUID || d.Channel.Host != host || d.Channel.URL != base+"/video-channels/carol_channel" {
				t.Errorf("local video listed as %+v", d)
			}
		}
	}
	var found auditList
	if code, _, b := fetch(t, http.MethodGet, base+"/api/v1/search/videos?search=owl&isLocal=false", "", ""); code != http.StatusOK || json.Unmarshal(b, &found) != nil {
		t.Fatalf("search: %d %s", code, b)
	}
	if found.Total != 1 || found.Data[0].UUID != remote || found.Data[0].IsLocal || found.Data[0].Channel.Name != "owls" || found.Data[0].Channel.Host != rs.host {
		t.Errorf("search of remote videos = %+v", found)
	}

	// 6. Remote handles resolve, with their host and their origin's url.
	get := func(path string, into any) int {
		t.Helper()
		code, _, b := fetch(t, http.MethodGet, base+path, "", "")
		if code == http.StatusOK && json.Unmarshal(b, into) != nil {
			t.Fatalf("GET %s: %s", path, b)
		}
		return code
	}
	var acc, ch struct {
		Name, Host, URL string
		OwnerAccount    struct{ Name, Host, URL string } `json:"ownerAccount"`
	}
	if code := get("/api/v1/accounts/alice@"+rs.host, &acc); code != http.StatusOK ||
		acc.Name != "alice" || acc.Host != rs.host || acc.URL != origin.URL+"/a/alice" {
		t.Errorf("remote account: %d %+v", code, acc)
	}
	if code := get("/api/v1/video-channels/owls@"+rs.host, &ch); code != http.StatusOK ||
		ch.Name != "owls" || ch.Host != rs.host || ch.URL != origin.URL+"/c/owls" || ch.OwnerAccount.URL != origin.URL+"/a/alice" {
		t.Errorf("remote channel: %d %+v", code, ch)
	}
	if code := get("/api/v1/accounts/carol", &acc); code != http.StatusOK || acc.Host != host ||
		acc.URL != base+"/accounts/carol" {
		t.Errorf("local account: %d %+v", code, acc)
	}
	if code := get("/api/v1/accounts/alice@elsewhere.example", &acc); code != http.StatusNotFound {
		t.Errorf("unknown remote handle: %d", code)
	}

	// 7. The watch page links to the origin and shares its URLs; the
	// embed is the origin's; oEmbed is the origin's to give.
	code, _, page := fetch(t, http.MethodGet, base+"/w/"+remote, "", "text/html")
	if code != http.StatusOK || !strings.Contains(string(page), `id="view-on-origin" href="`+rs.iri+`"`) ||
		!strings.Contains(string(page), "View on "+rs.host) || !strings.Contains(string(page), `id="share-url" type="url" readonly value="`+rs.iri+`"`) {
		t.Errorf("watch page of a remote video (%d) lacks the origin's link or share URL", code)
	}
	if _, _, page := fetch(t, http.MethodGet, base+"/w/"+local.UUID, "", "text/html"); strings.Contains(string(page), "view-on-origin") {
		t.Errorf("a local video links to an origin")
	}
	originEmbed := strings.Replace(rs.iri, "/videos/watch/", "/videos/embed/", 1)
	if code, hdr, _ := fetch(t, http.MethodGet, base+"/videos/embed/"+remote+"?autoplay=1", "", "text/html"); code != http.StatusFound ||
		hdr.Get("Location") != originEmbed+"?autoplay=1" {
		t.Errorf("embed of a remote video: %d to %q, want the origin's %s", code, hdr.Get("Location"), originEmbed)
	}
	if code, _, _ := fetch(t, http.MethodGet, base+"/services/oembed?url="+url.QueryEscape(base+"/w/"+remote), "", ""); code != http.StatusNotFound {
		t.Errorf("oEmbed of a remote video: %d, want 404", code)
	}
	if code, _, _ := fetch(t, http.MethodGet, base+"/services/oembed?url="+url.QueryEscape(base+"/w/"+local.UUID), "", ""); code != http.StatusOK {
		t.Errorf("oEmbed of a local video: %d", code)
	}

	// 8. Usage counts local rows only (root and carol; carol's video).
	var ni struct {
		Usage struct {
			Users struct {
				Total int `json:"total"`
			} `json:"users"`
			LocalPosts int `json:"localPosts"`
		} `json:"usage"`
	}
	testrig.GetJSON(t, base+"/nodeinfo/2.0.json", &ni)
	if ni.Usage.Users.Total != 2 || ni.Usage.LocalPosts != 1 {
		t.Errorf("nodeinfo usage = %+v, want 2 users and 1 local post", ni.Usage)
	}
	code, hdr, b := fetch(t, http.MethodGet, base+"/api/v1/server/stats", "", "")
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/server/stats", nil)
	if err := contract.Check(req, code, hdr, b); err != nil {
		t.Errorf("server stats: %v\n%s", err, b)
	}
	var stats map[string]any
	if err := json.Unmarshal(b, &stats); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{"totalUsers": 2, "totalAdmins": 1, "totalLocalVideos": 1, "totalVideos": 2,
		"totalLocalVideoChannels": 2} {
		if stats[k] != want {
			t.Errorf("server stats %s = %v, want %v", k, stats[k], want)
		}
	}
	if size, _ := stats["totalLocalVideoFilesSize"].(float64); size <= 0 {
		t.Errorf("server stats totalLocalVideoFilesSize = %v", stats["totalLocalVideoFilesSize"])
	}

	// 1 and 2. A plain user may not remove it; an admin removes it here
	// only: nothing goes out.
	if code := call(t, http.MethodDelete, base+"/api/v1/videos/"+remote, carol, nil, nil); code != http.StatusForbidden {
		t.Errorf("a user's removal of a remote video: %d, want 403", code)
	}
	if code := call(t, http.MethodDelete, base+"/api/v1/videos/"+remote, root, nil, nil); code != http.StatusNoContent {
		t.Fatalf("an admin's removal of a remote video: %d", code)
	}
	if _, err := a.Store.Videos.ByUUID(ctx, remote); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("removed remote video still here: %v", err)
	}
	var out int
	if err := a.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND json_extract(payload, '$.video') = ?`,
		outbox.JobVideo, rs.video.ID).Scan(&out); err != nil {
		t.Fatal(err)
	}
	if out != 0 {
		t.Errorf("%d outbox jobs for a remote video", out)
	}
}

// A remote account's icon becomes its avatar: fetched signed as the
// server actor, decoded and re-encoded as a local avatar, then listed
// with its videos; one whose icon is not a picture keeps its initials.
func TestRemoteAvatars(t *testing.T) {
	ctx := context.Background()
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = 0xa0
	}
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var signed []string
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		signed = append(signed, r.URL.Path+" "+r.Header.Get("Signature"))
		mu.Unlock()
		switch r.URL.Path {
		case "/avatars/alice.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(pic.Bytes())
		case "/avatars/bob.png":
			w.Write([]byte("<html>not a picture</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer origin.Close()
	a, base := fedApp(t)
	rs := seedRemote(t, a, origin)
	err := a.Store.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		bob := model.RemoteActor{IRI: origin.URL + "/accounts/bob", Type: "Person", PreferredUsername: "bob", Host: rs.host,
			Inbox: origin.URL + "/accounts/bob/inbox", Icon: origin.URL + "/avatars/bob.png", FetchedAt: time.Now()}
		id, err := tx.PutActor(ctx, bob)
		if err != nil {
			return err
		}
		_, err = tx.PutRemoteAccount(ctx, id, bob)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.RemoteAvatars == nil {
		t.Fatal("no remote avatars runner with federation on")
	}
	n, err := a.RemoteAvatars.Sweep(ctx)
	if err != nil || n != 1 {
		t.Fatalf("sweep stored %d avatars (%v), want alice's", n, err)
	}
	mu.Lock()
	for _, s := range signed {
		if !strings.Contains(s, `keyId="`+base+`/accounts/peertube#main-key"`) {
			t.Errorf("icon fetch not signed as the server actor: %s", s)
		}
	}
	mu.Unlock()
	// Nothing due again until the actors are fetched anew: bob's failure
	// is not retried, alice's picture not fetched twice.
	if n, err := a.RemoteAvatars.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("second sweep stored %d (%v)", n, err)
	}

	type avatars struct {
		Avatars []struct {
			Path string `json:"path"`
		} `json:"avatars"`
	}
	var alice, bob avatars
	if code, _, b := fetch(t, http.MethodGet, base+"/api/v1/accounts/alice@"+rs.host, "", ""); code != http.StatusOK || json.Unmarshal(b, &alice) != nil {
		t.Fatalf("alice: %d %s", code, b)
	}
	code, _, b := fetch(t, http.MethodGet, base+"/api/v1/accounts/bob@"+rs.host, "", "")
	if code != http.StatusOK || json.Unmarshal(b, &bob) != nil || len(bob.Avatars) != 0 {
		t.Errorf("bob (icon not a picture): %d %s", code, b)
	}
	if len(alice.Avatars) != 1 {
		t.Fatalf("alice's avatars = %+v", alice)
	}
	code, hdr, body := fetch(t, http.MethodGet, base+alice.Avatars[0].Path, "", "")
	if code != http.StatusOK || hdr.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("avatar file: %d %s", code, hdr.Get("Content-Type"))
	}
	got, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil || got.Bounds().Dx() != 48 || got.Bounds().Dy() != 48 {
		t.Errorf("avatar is not the re-encoded 48x48 square: %v %v", got.Bounds(), err)
	}
	var list struct {
		Data []struct {
			UUID    string  `json:"uuid"`
			Account avatars `json:"account"`
		} `json:"data"`
	}
	code, _, b = fetch(t, http.MethodGet, base+"/api/v1/videos", "", "")
	if code != http.StatusOK || json.Unmarshal(b, &list) != nil || len(list.Data) != 1 || len(list.Data[0].Account.Avatars) != 1 ||
		list.Data[0].Account.Avatars[0].Path != alice.Avatars[0].Path {
		t.Errorf("listing of the remote video: %s", b)
	}
}
