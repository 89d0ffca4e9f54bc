package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/openapi"
)

// fedToken is a bearer token for an existing user.
func fedToken(t *testing.T, base, name, pass string) string {
	t.Helper()
	var cl struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	testrig.GetJSON(t, base+"/api/v1/oauth-clients/local", &cl)
	resp, err := http.PostForm(base+"/api/v1/users/token", url.Values{"client_id": {cl.ClientID}, "client_secret": {cl.ClientSecret},
		"grant_type": {"password"}, "username": {name}, "password": {pass}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token of %s: %d %v", name, resp.StatusCode, err)
	}
	return tok.AccessToken
}

// apiDo sends a request checked against PeerTube's OpenAPI document.
func apiDo(t *testing.T, c *openapi.Contract, method, u, token string, body any) openapi.Response {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, u, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.Do(t, http.DefaultClient, req)
}

// publish ingests a 2 s clip into ch and waits for it to be published.
func publish(t *testing.T, a *App, ch model.Channel, name string) model.Video {
	t.Helper()
	ctx := context.Background()
	clip := testrig.MakeClip(t, filepath.Join(a.Layout.Uploads(), name+".part"), testrig.Clip{Seconds: 1, Size: "160x120", FPS: 10, Args: []string{"-f", "mp4"}})
	v, err := a.Videos.Ingest(ctx, clip, videos.UploadMeta{UploaderAccountID: ch.AccountID, ChannelID: ch.ID, Name: name,
		Privacy: model.PrivacyPublic, OriginalName: name + ".mp4"})
	if err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 60*time.Second, func() bool {
		got, err := a.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.State == model.StatePublished
	})
	return v
}

// federated waits until a's federation jobs are all over (sent, or given
// to delivery, whose own jobs are over too).
func federated(t *testing.T, a *App) {
	t.Helper()
	testrig.WaitFor(t, 30*time.Second, func() bool {
		var n int
		a.Store.DB().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')
			AND kind NOT IN (?)`, videos.JobKind).Scan(&n)
		return n == 0
	})
}

// Two real Cabanes: A's admin follows B's host through
// /api/v1/server/following; B accepts by itself; A backfills what B
// published before (B's server actor's outbox) and keeps what B publishes
// after (the Create reaches B's server actor's followers), though nobody
// on A subscribes to the channels; unfollowing sends the Undo, and B's
// next videos no longer come. Only admins may do any of it.
func TestServerFollowsInstance(t *testing.T) {
	ctx := context.Background()
	contract := openapi.Load(t)
	b, bBase := fedApp(t)
	a, aBase := fedApp(t)
	_, bobCh, _ := fedUser(t, b, bBase, "bob")
	_, _, aliceTok := fedUser(t, a, aBase, "alice")
	root := fedToken(t, aBase, "root", "correct horse root")
	bHost := strings.TrimPrefix(bBase, "http://")
	before := publish(t, b, bobCh, "Before the follow")

	// Who may: nobody without a token, no user who is not an admin.
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/api/v1/server/following", map[string]any{"hosts": []string{bHost}}},
		{http.MethodDelete, "/api/v1/server/following/" + bHost, nil},
	} {
		if res := apiDo(t, contract, c.method, aBase+c.path, "", c.body); res.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d", c.method, c.path, res.Status)
		}
		if res := apiDo(t, contract, c.method, aBase+c.path, aliceTok, c.body); res.Status != http.StatusForbidden {
			t.Errorf("%s %s as a user: %d", c.method, c.path, res.Status)
		}
	}
	if n, _ := b.Follows.Count(ctx, keys.ServerActor); n != 0 {
		t.Fatalf("a refused follow reached B: %d followers", n)
	}
	for _, bad := range []map[string]any{{}, {"hosts": []string{"http://" + bHost}}, {"hosts": []string{strings.TrimPrefix(aBase, "http://")}}} {
		if res := apiDo(t, contract, http.MethodPost, aBase+"/api/v1/server/following", root, bad); res.Status != http.StatusBadRequest {
			t.Errorf("follow %v: %d %s", bad, res.Status, res.Body)
		}
	}

	// The admin follows B's host: B's server actor has A's as a follower,
	// and A's follow is accepted.
	if res := apiDo(t, contract, http.MethodPost, aBase+"/api/v1/server/following", root, map[string]any{"hosts": []string{bHost}}); res.Status != http.StatusNoContent {
		t.Fatalf("follow %s: %d %s", bHost, res.Status, res.Body)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := b.Follows.Count(ctx, keys.ServerActor)
		return n == 1
	})
	type followList struct {
		Total int `json:"total"`
		Data  []struct {
			State     string `json:"state"`
			Follower  struct{ Name, Host string }
			Following struct{ Name, Host, URL string }
		} `json:"data"`
	}
	var fl followList
	testrig.WaitFor(t, 30*time.Second, func() bool {
		res := apiDo(t, contract, http.MethodGet, aBase+"/api/v1/server/following?state=accepted", root, nil)
		fl = followList{}
		json.Unmarshal(res.Body, &fl)
		return fl.Total == 1
	})
	if f := fl.Data[0]; f.Following.Name != "peertube" || f.Following.Host != bHost || f.Following.URL != bBase+"/accounts/peertube" ||
		f.Follower.Name != "peertube" || f.Follower.Host != strings.TrimPrefix(aBase, "http://") {
		t.Errorf("follow listed as %+v", f)
	}
	for q, want := range map[string]int{"?state=pending": 0, "?actorType=Group": 0, "?actorType=Application": 1, "?search=nowhere": 0,
		"?search=" + url.QueryEscape(bHost): 1, "?sort=createdAt&start=0&count=5": 1} {
		var got followList
		// Anyone may read it, as PeerTube's (its document asks no token).
		res := apiDo(t, contract, http.MethodGet, aBase+"/api/v1/server/following"+q, "", nil)
		if json.Unmarshal(res.Body, &got); res.Status != http.StatusOK || got.Total != want || len(got.Data) != want {
			t.Errorf("following%s: %d, total %d, %d listed, want %d", q, res.Status, got.Total, len(got.Data), want)
		}
	}
	if res := apiDo(t, contract, http.MethodGet, aBase+"/api/v1/server/following?sort=name", root, nil); res.Status != http.StatusBadRequest {
		t.Errorf("sort=name: %d", res.Status)
	}

	// The backfill brought what B published before; nobody on A
	// subscribes to bob's channel.
	testrig.WaitFor(t, 30*time.Second, func() bool {
		_, err := a.Store.Videos.ByUUID(ctx, before.UUID)
		return err == nil
	})
	var subs int
	a.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions`).Scan(&subs)
	if subs != 0 {
		t.Errorf("%d subscriptions on A", subs)
	}
	// What B publishes now comes too, from a channel A has never seen
	// (its Group and owner are fetched when its Create comes).
	_, daveCh, _ := fedUser(t, b, bBase, "dave")
	after := publish(t, b, daveCh, "After the follow")
	testrig.WaitFor(t, 30*time.Second, func() bool {
		v, err := a.Store.Videos.ByUUID(ctx, after.UUID)
		return err == nil && v.Name == "After the follow" && v.Channel.Remote()
	})
	var det struct {
		IsLocal bool `json:"isLocal"`
		Channel struct{ Name, Host string }
	}
	if code := call(t, http.MethodGet, aBase+"/api/v1/videos/"+after.UUID, aliceTok, nil, &det); code != http.StatusOK || det.IsLocal ||
		det.Channel.Name != daveCh.Name || det.Channel.Host != bHost {
		t.Errorf("B's video on A: %d %+v", code, det)
	}

	// A user subscribes to channels only: an account's handle is refused
	// (PeerTube's rule), and nothing is followed.
	var refused struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if code := call(t, http.MethodPost, aBase+"/api/v1/users/me/subscriptions", aliceTok, map[string]string{"uri": "bob@" + bHost}, &refused); code != http.StatusBadRequest ||
		!strings.Contains(refused.Detail, "not a channel") {
		t.Errorf("subscribe to an account: %d %+v", code, refused)
	}
	var follows int
	a.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM following WHERE follower_kind = 'account'`).Scan(&follows)
	if follows != 0 {
		t.Errorf("%d follows after subscribing to an account", follows)
	}

	// Unfollow: the Undo reaches B, and B's next video stays there.
	if res := apiDo(t, contract, http.MethodDelete, aBase+"/api/v1/server/following/"+bHost, root, nil); res.Status != http.StatusNoContent {
		t.Fatalf("unfollow: %d %s", res.Status, res.Body)
	}
	if res := apiDo(t, contract, http.MethodDelete, aBase+"/api/v1/server/following/"+bHost, root, nil); res.Status != http.StatusNotFound {
		t.Errorf("unfollow again: %d", res.Status)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := b.Follows.Count(ctx, keys.ServerActor)
		return n == 0
	})
	later := publish(t, b, bobCh, "After the unfollow")
	federated(t, b)
	federated(t, a)
	if _, err := a.Store.Videos.ByUUID(ctx, later.UUID); err == nil {
		t.Error("a video B published after the unfollow reached A")
	}
}

// The outboxes list the public videos of this server's own channels,
// newest first, in pages of 10: an account's as Creates with the Video,
// a channel's as its Announces, the server actor's as its own Announces;
// unlisted and private videos are not listed.
func TestOutboxPages(t *testing.T) {
	ctx := context.Background()
	a, base := fedApp(t)
	_, ch, _ := fedUser(t, a, base, "carol")
	db := a.Store.DB()
	var uuids []string // newest first
	add := func(i, privacy int) string {
		id := uuid.New()
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).UnixMilli()
		if _, err := db.ExecContext(ctx, `INSERT INTO videos(uuid, short_uuid, channel_id, name, privacy, state, duration_ms, width, height,
			created_at, published_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 60000, 320, 240, ?, ?, ?)`,
			id.String(), videos.ShortUUID(id), ch.ID, fmt.Sprintf("Video %02d", i), privacy, at, at, at); err != nil {
			t.Fatal(err)
		}
		return id.String()
	}
	for i := range 11 {
		uuids = append([]string{add(i, model.PrivacyPublic)}, uuids...)
	}
	add(20, model.PrivacyUnlisted)
	add(21, model.PrivacyPrivate)

	type page struct {
		ID, Type, First, Last, Next, Prev, PartOf string
		TotalItems                                int
		OrderedItems                              []struct {
			Type, ID, Actor string
			Object          json.RawMessage
		}
	}
	get := func(u string) page {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p page
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&p) != nil {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		return p
	}
	video := func(uuid string) string { return base + "/videos/watch/" + uuid }
	for _, c := range []struct{ path, typ, actor string }{
		{"/accounts/carol/outbox", "Create", base + "/accounts/carol"},
		{"/video-channels/" + ch.Name + "/outbox", "Announce", base + "/video-channels/" + ch.Name},
		{"/accounts/peertube/outbox", "Announce", base + "/accounts/peertube"},
	} {
		all := get(base + c.path)
		if all.Type != "OrderedCollection" || all.TotalItems != 11 || all.First != base+c.path+"?page=1" || all.Last != base+c.path+"?page=2" {
			t.Errorf("%s: %+v", c.path, all)
		}
		p1, p2 := get(all.First), get(all.Last)
		if p1.Type != "OrderedCollectionPage" || len(p1.OrderedItems) != 10 || p1.Next != all.Last || p1.Prev != "" || p1.PartOf != base+c.path {
			t.Errorf("%s page 1: %d items, next %q prev %q", c.path, len(p1.OrderedItems), p1.Next, p1.Prev)
		}
		if len(p2.OrderedItems) != 1 || p2.Next != "" || p2.Prev != all.First {
			t.Errorf("%s page 2: %d items, next %q prev %q", c.path, len(p2.OrderedItems), p2.Next, p2.Prev)
		}
		for i, it := range append(p1.OrderedItems, p2.OrderedItems...) {
			var obj string
			if it.Type == "Create" {
				var v struct{ Type, ID string }
				json.Unmarshal(it.Object, &v)
				if v.Type != "Video" {
					t.Errorf("%s item %d: Create of %s", c.path, i, v.Type)
				}
				obj = v.ID
			} else {
				json.Unmarshal(it.Object, &obj)
			}
			if it.Type != c.typ || it.Actor != c.actor || obj != video(uuids[i]) {
				t.Errorf("%s item %d: %s by %s of %s, want %s by %s of %s", c.path, i, it.Type, it.Actor, obj, c.typ, c.actor, video(uuids[i]))
			}
		}
	}
}

// login logs a browser in through the login form.
func login(t *testing.T, base, name, pass string) *testrig.Browser {
	t.Helper()
	br := testrig.NewBrowser(t)
	_, _, csrf := br.Get(base + "/login")
	if code, final, _ := br.PostForm(base+"/login", url.Values{"_csrf": {csrf}, "username": {name}, "password": {pass}}); code != http.StatusOK || strings.Contains(final, "/login") {
		t.Fatalf("login %s: %d %s", name, code, final)
	}
	return br
}

// The admin's federation page follows an instance by its host and
// unfollows it, through forms (CSRF checked); its words exist in English
// and French; a user who is not an admin may not post them.
func TestAdminPageFollowsInstance(t *testing.T) {
	ctx := context.Background()
	b, bBase := fedApp(t)
	a, aBase := fedApp(t)
	fedUser(t, a, aBase, "alice")
	bHost := strings.TrimPrefix(bBase, "http://")
	root := login(t, aBase, "root", "correct horse root")
	page, _, csrf := root.Get(aBase + "/admin/federation")
	if !strings.Contains(page, `action="/admin/federation/following"`) || csrf == "" {
		t.Fatal("no follow form on the federation page")
	}
	// Without the form's token: refused, nothing sent.
	if code, _, _ := root.PostForm(aBase+"/admin/federation/following", url.Values{"target": {bHost}}); code != http.StatusForbidden {
		t.Errorf("follow without CSRF: %d", code)
	}
	alice := login(t, aBase, "alice", "correct horse alice")
	_, _, aliceCSRF := alice.Get(aBase + "/")
	if code, _, _ := alice.PostForm(aBase+"/admin/federation/following", url.Values{"_csrf": {aliceCSRF}, "target": {bHost}}); code != http.StatusForbidden {
		t.Errorf("follow as a user: %d", code)
	}
	if n, _ := b.Follows.Count(ctx, keys.ServerActor); n != 0 {
		t.Fatalf("a refused follow reached B")
	}
	code, final, body := root.PostForm(aBase+"/admin/federation/following", url.Values{"_csrf": {csrf}, "target": {"not a host"}})
	if code != http.StatusOK || !strings.Contains(final, "error=bad_target") || !strings.Contains(body, "name@peertube.example") {
		t.Errorf("bad target: %d %s", code, final)
	}
	code, final, body = root.PostForm(aBase+"/admin/federation/following", url.Values{"_csrf": {csrf}, "target": {bHost}})
	if code != http.StatusOK || !strings.Contains(final, "done=followed") || !strings.Contains(body, "@peertube@"+bHost) {
		t.Fatalf("follow: %d %s", code, final)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := b.Follows.Count(ctx, keys.ServerActor)
		return n == 1
	})
	// In French, the page speaks French.
	req, _ := http.NewRequest(http.MethodGet, aBase+"/admin/federation", nil)
	req.Header.Set("Accept-Language", "fr")
	resp, err := root.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var fr bytes.Buffer
	fr.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(fr.String(), "Ne plus suivre") || !strings.Contains(fr.String(), "Nom du serveur ou identifiant") {
		t.Error("the French page lacks the following section's words")
	}
	code, final, _ = root.PostForm(aBase+"/admin/federation/following/remove", url.Values{"_csrf": {csrf}, "target": {"@peertube@" + bHost}})
	if code != http.StatusOK || !strings.Contains(final, "done=unfollowed") {
		t.Fatalf("unfollow: %d %s", code, final)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := b.Follows.Count(ctx, keys.ServerActor)
		return n == 0
	})
	if fs, total, err := a.Following.ServerFollowing(ctx, visibility.Viewer{UserID: 1, AccountID: 1, IsAdmin: true}, 0, 10); err != nil || total != 0 || len(fs) != 0 {
		t.Errorf("still following: %d %v", total, err)
	}
}
