package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
)

// fedApp runs a whole Cabane on a free 127.0.0.1 port whose public URL is
// that address, private fetches allowed to 127.0.0.0/8: a second server
// for federation tests.
func fedApp(t *testing.T) (*App, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := config.Default()
	cfg.DataDir, cfg.PublicURL, cfg.MDNS, cfg.Listen = t.TempDir(), "http://"+addr, false, addr
	cfg.AllowPrivateFetch = []string{"127.0.0.0/8"}
	var w io.Writer = io.Discard
	if os.Getenv("CABANE_TEST_LOG") != "" {
		w = os.Stderr
	}
	a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})), "test")
	if err != nil {
		t.Fatal(err)
	}
	// Set up (an admin exists): before that, a Cabane answers only its
	// home network.
	if _, _, err := a.Auth.CreateUser(context.Background(), auth.NewUserRequest{Username: "root", Email: "root@example.org",
		Password: "correct horse root", Admin: true}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })
	base := "http://" + addr
	testrig.WaitFor(t, 30*time.Second, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return a, base
}

// fedUser makes a user and returns its account and a bearer token.
func fedUser(t *testing.T, a *App, base, name string) (model.User, model.Channel, string) {
	t.Helper()
	ctx := context.Background()
	u, ch, err := a.Auth.CreateUser(ctx, auth.NewUserRequest{Username: name, Email: name + "@example.org", Password: "correct horse " + name})
	if err != nil {
		t.Fatal(err)
	}
	var cl struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	testrig.GetJSON(t, base+"/api/v1/oauth-clients/local", &cl)
	resp, err := http.PostForm(base+"/api/v1/users/token", url.Values{"client_id": {cl.ClientID}, "client_secret": {cl.ClientSecret},
		"grant_type": {"password"}, "username": {name}, "password": {"correct horse " + name}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return u, ch, tok.AccessToken
}

func call(t *testing.T, method, u, token string, body any, into any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if into != nil && len(b) > 0 {
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatalf("%s %s: %d %s", method, u, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

// Two real Cabanes: alice on A subscribes to bob's channel on B by its
// handle; the Follow reaches B signed (its inbox verifies), B accepts, A
// fetches bob's recent videos, lists them in subscriptions/videos, and
// gives B's HLS playlist to play from; nothing of them is processed or
// stored on A. B's edit and deletion reach A; the unsubscription's Undo
// reaches B.
func TestFollowRemoteChannel(t *testing.T) {
	ctx := context.Background()
	b, bBase := fedApp(t)
	a, aBase := fedApp(t)
	bob, bobCh, _ := fedUser(t, b, bBase, "bob")
	clip := testrig.MakeClip(t, filepath.Join(b.Layout.Uploads(), "up.part"), testrig.Clip{Seconds: 2, Size: "320x240", FPS: 25, Args: []string{"-f", "mp4"}})
	v, err := b.Videos.Ingest(ctx, clip, videos.UploadMeta{UploaderAccountID: bobCh.AccountID, ChannelID: bobCh.ID, Name: "Blue tit",
		Privacy: model.PrivacyPublic, OriginalName: "tit.mp4"})
	if err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 60*time.Second, func() bool {
		got, err := b.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.State == model.StatePublished
	})
	alice, _, token := fedUser(t, a, aBase, "alice")
	bHost := strings.TrimPrefix(bBase, "http://")
	handle := "bob_channel@" + bHost
	var refused map[string]any
	if code := call(t, http.MethodPost, aBase+"/api/v1/users/me/subscriptions", token, map[string]string{"uri": handle}, &refused); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d %v", code, refused)
	}
	// B has alice as a follower of bob's channel: the Follow was verified.
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := b.Follows.Count(ctx, keys.Actor{Kind: keys.Channel, ID: bobCh.ID})
		return n == 1
	})
	// B's Accept reaches A, and the backfill reads the channel's outbox
	// (its Announces): the video B published before is on A.
	testrig.WaitFor(t, 30*time.Second, func() bool {
		f, err := a.Store.Follows().FollowingOf(ctx, model.FollowerAccount, alice.AccountID, bBase+"/video-channels/bob_channel")
		return err == nil && f.State == model.FollowAccepted
	})
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := a.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.Name == "Blue tit"
	})
	// B renames it: the Update reaches A.
	owner := visibility.Viewer{UserID: bob.ID, AccountID: bob.AccountID}
	name := "Great tit"
	if _, err := b.Videos.Update(ctx, owner, v.UUID, videos.Edit{Name: &name}); err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := a.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.Name == name
	})
	type list struct {
		Total int `json:"total"`
		Data  []struct {
			UUID    string `json:"uuid"`
			Name    string `json:"name"`
			IsLocal bool   `json:"isLocal"`
			URL     string `json:"url"`
			Channel struct {
				Name, Host string
			} `json:"channel"`
		} `json:"data"`
	}
	var got list
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got = list{}
		call(t, http.MethodGet, aBase+"/api/v1/users/me/subscriptions/videos", token, nil, &got)
		return got.Total == 1
	})
	if d := got.Data[0]; d.UUID != v.UUID || d.Name != name || d.IsLocal || d.URL != bBase+"/videos/watch/"+v.UUID || d.Channel.Name != "bob_channel" || d.Channel.Host != bHost {
		t.Errorf("subscription video = %+v", d)
	}
	// Alice's subscriptions feed lists it too, its file on B.
	var tok struct{ FeedToken string }
	call(t, http.MethodGet, aBase+"/api/v1/users/scoped-tokens", token, nil, &tok)
	var feed struct {
		Items []struct {
			Title       string
			Attachments []struct{ URL string }
		}
	}
	if code := call(t, http.MethodGet, fmt.Sprintf("%s/feeds/subscriptions.json?accountId=%d&token=%s", aBase, alice.AccountID, tok.FeedToken), "", nil, &feed); code != http.StatusOK ||
		len(feed.Items) != 1 || feed.Items[0].Title != name || len(feed.Items[0].Attachments) == 0 || !strings.HasPrefix(feed.Items[0].Attachments[0].URL, bBase+"/") {
		t.Errorf("subscriptions feed: %d %+v", code, feed)
	}
	type details struct {
		IsLocal            bool     `json:"isLocal"`
		TrackerURLs        []string `json:"trackerUrls"`
		StreamingPlaylists []struct {
			PlaylistURL       string   `json:"playlistUrl"`
			SegmentsSha256URL string   `json:"segmentsSha256Url"`
			InfoHashes        []string `json:"p2pMediaLoaderInfohashes"`
			Files             []struct {
				FileURL string `json:"fileUrl"`
			} `json:"files"`
		} `json:"streamingPlaylists"`
	}
	var det, origin details
	call(t, http.MethodGet, aBase+"/api/v1/videos/"+v.UUID, token, nil, &det)
	if det.IsLocal || len(det.StreamingPlaylists) != 1 || !strings.HasPrefix(det.StreamingPlaylists[0].PlaylistURL, bBase+"/static/streaming-playlists/hls/"+v.UUID+"/") {
		t.Fatalf("details = %+v", det)
	}
	if resp, err := http.Get(det.StreamingPlaylists[0].PlaylistURL); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("origin playlist: %v %v", resp, err)
	}
	// Its swarm is B's (#12): B's Video object listed the info hashes and
	// tracker that B's API lists, and A lists them as PeerTube lists a
	// remote video's.
	testrig.GetJSON(t, bBase+"/api/v1/videos/"+v.UUID, &origin)
	bTracker := "ws://" + bHost + "/tracker/socket"
	if len(origin.StreamingPlaylists) != 1 || len(origin.StreamingPlaylists[0].InfoHashes) == 0 || !slices.Equal(origin.TrackerURLs, []string{bTracker}) {
		t.Fatalf("origin's details = %+v", origin)
	}
	opl, pl := origin.StreamingPlaylists[0], det.StreamingPlaylists[0]
	if !slices.Equal(pl.InfoHashes, opl.InfoHashes) || pl.SegmentsSha256URL != opl.SegmentsSha256URL || !slices.Equal(det.TrackerURLs, []string{bTracker}) {
		t.Errorf("A lists the swarm %q %s %q, B %q %s %q", pl.InfoHashes, pl.SegmentsSha256URL, det.TrackerURLs, opl.InfoHashes, opl.SegmentsSha256URL, origin.TrackerURLs)
	}
	// The watch page plays it from B, in B's swarm.
	resp, err := http.Get(aBase + "/w/" + v.UUID)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), det.StreamingPlaylists[0].PlaylistURL) {
		t.Errorf("the watch page does not load the origin's playlist")
	}
	for _, want := range []string{`data-p2p="on"`, `data-p2p-swarm="` + opl.PlaylistURL + `"`, `data-p2p-tracker="` + bTracker + `"`,
		`data-p2p-sha256="` + opl.SegmentsSha256URL + `"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the watch page lacks %s", want)
		}
	}
	// Nothing processed nor stored here.
	var jobsN int
	a.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ?`, videos.JobKind).Scan(&jobsN)
	if jobsN != 0 {
		t.Errorf("%d media jobs for a remote video", jobsN)
	}
	if _, err := os.Stat(a.Layout.HLS(v.UUID)); !os.IsNotExist(err) {
		t.Errorf("media folder of a remote video: %v", err)
	}

	// B deletes it: gone from A.
	if err := b.Videos.Delete(ctx, owner, v.UUID); err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		_, err := a.Store.Videos.ByUUID(ctx, v.UUID)
		return err != nil
	})
	// Unsubscribe: the Undo reaches B.
	if code := call(t, http.MethodDelete, aBase+"/api/v1/users/me/subscriptions/"+url.PathEscape(handle), token, nil, nil); code != http.StatusNoContent {
		t.Fatalf("unsubscribe: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := b.Follows.Count(ctx, keys.Actor{Kind: keys.Channel, ID: bobCh.ID})
		return n == 0
	})
}
