package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/move"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
)

// Three real Cabanes (#11 point 4): cleo on C, and dora on A itself,
// subscribe to anna's channel on A; anna moves it to ben's channel on B,
// which lists it in alsoKnownAs. C and dora follow B's channel instead
// (accepted there), A's channel has no follower left, and B's next video
// reaches C. A move to
// an actor that does not name the old one is refused; the old channel's
// page redirects to the new one and its document says movedTo.
func TestMoveChannelAcrossThreeCabanes(t *testing.T) {
	ctx := context.Background()
	a, aBase := fedApp(t)
	b, bBase := fedApp(t)
	c, cBase := fedApp(t)
	anna, annaCh, _ := fedUser(t, a, aBase, "anna")
	ben, benCh, _ := fedUser(t, b, bBase, "ben")
	cleo, _, token := fedUser(t, c, cBase, "cleo")
	aHost, bHost := strings.TrimPrefix(aBase, "http://"), strings.TrimPrefix(bBase, "http://")
	oldIRI, newIRI := aBase+"/video-channels/anna_channel", bBase+"/video-channels/ben_channel"

	if code := call(t, http.MethodPost, cBase+"/api/v1/users/me/subscriptions", token, map[string]string{"uri": "anna_channel@" + aHost}, nil); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		f, err := c.Store.Follows().FollowingOf(ctx, model.FollowerAccount, cleo.AccountID, oldIRI)
		return err == nil && f.State == model.FollowAccepted
	})
	// Dora, on A itself, subscribes to anna's channel too.
	dora, _, doraToken := fedUser(t, a, aBase, "dora")
	if code := call(t, http.MethodPost, aBase+"/api/v1/users/me/subscriptions", doraToken, map[string]string{"uri": "anna_channel@" + aHost}, nil); code != http.StatusNoContent {
		t.Fatalf("local subscribe: %d", code)
	}
	annaV := visibility.Viewer{UserID: anna.ID, AccountID: anna.AccountID}
	benV := visibility.Viewer{UserID: ben.ID, AccountID: ben.AccountID}
	oldActor := keys.Actor{Kind: keys.Channel, ID: annaCh.ID}

	// B's channel does not name A's yet: the move is refused, nothing
	// changes. Anna moves from the settings page, as Ben adds his alias.
	annaB, benB := login(t, aBase, "anna", "correct horse anna"), login(t, bBase, "ben", "correct horse ben")
	moveForm := func(br *testrig.Browser, base, path string, ch model.Channel, uri string) (int, string) {
		t.Helper()
		_, _, csrf := br.Get(base + "/my/settings/move")
		code, final, _ := br.PostForm(base+path, url.Values{"_csrf": {csrf}, "kind": {"channel"}, "id": {strconv.FormatInt(ch.ID, 10)}, "uri": {uri}})
		return code, final
	}
	if code, _ := moveForm(annaB, aBase, "/my/settings/move/to", annaCh, "ben_channel@"+bHost); code != http.StatusBadRequest {
		t.Fatalf("move before the alias: %d", code)
	}
	if _, err := a.Moves.MoveTo(ctx, annaV, oldActor, "ben_channel@"+bHost); !errors.Is(err, move.ErrNotAlias) {
		t.Fatalf("move before the alias: %v", err)
	}
	if _, moved, _ := a.Moves.MovedURL(ctx, oldActor); moved {
		t.Fatal("a refused move was recorded")
	}
	// Only its owner moves a channel.
	if _, err := a.Moves.MoveTo(ctx, visibility.Viewer{UserID: 99, AccountID: 99}, oldActor, "ben_channel@"+bHost); !errors.Is(err, move.ErrForbidden) {
		t.Fatalf("a stranger's move: %v", err)
	}

	// Ben lists anna's channel as an alias of his; B's Group shows it.
	if code, final := moveForm(benB, bBase, "/my/settings/move/alias", benCh, "anna_channel@"+aHost); code != http.StatusOK || !strings.HasSuffix(final, "/my/settings/move?done=alias_added") {
		t.Fatalf("alias: %d %s", code, final)
	}
	if st, err := b.Moves.State(ctx, benV, keys.Actor{Kind: keys.Channel, ID: benCh.ID}); err != nil || len(st.AlsoKnownAs) != 1 || st.AlsoKnownAs[0] != oldIRI {
		t.Fatalf("B's aliases: %+v %v", st, err)
	}
	if page, _, _ := benB.Get(bBase + "/my/settings/move"); !strings.Contains(page, oldIRI) {
		t.Error("B's move page does not list the alias")
	}
	var group struct {
		AlsoKnownAs []string `json:"alsoKnownAs"`
		MovedTo     string   `json:"movedTo"`
	}
	getActivity(t, newIRI, &group)
	if len(group.AlsoKnownAs) != 1 || group.AlsoKnownAs[0] != oldIRI {
		t.Fatalf("B's Group alsoKnownAs = %v", group.AlsoKnownAs)
	}

	if code, final := moveForm(annaB, aBase, "/my/settings/move/to", annaCh, "ben_channel@"+bHost); code != http.StatusOK || !strings.HasSuffix(final, "/my/settings/move?done=moved") {
		t.Fatalf("move: %d %s", code, final)
	}
	if to, moved, err := a.Moves.MovedURL(ctx, oldActor); err != nil || !moved || to != newIRI {
		t.Fatalf("A's move: %q %v %v", to, moved, err)
	}
	// C got the Move, checked B's alsoKnownAs, and follows B's channel:
	// B has the follower, A has none left.
	testrig.WaitFor(t, 30*time.Second, func() bool {
		f, err := c.Store.Follows().FollowingOf(ctx, model.FollowerAccount, cleo.AccountID, newIRI)
		return err == nil && f.State == model.FollowAccepted
	})
	// Dora, on A, follows B's channel now (from A's account: a remote
	// follower of B), and no longer A's own.
	testrig.WaitFor(t, 30*time.Second, func() bool {
		f, err := a.Store.Follows().FollowingOf(ctx, model.FollowerAccount, dora.AccountID, newIRI)
		return err == nil && f.State == model.FollowAccepted
	})
	if sub, _ := a.Store.Subscriptions().Subscribed(ctx, dora.AccountID, []int64{annaCh.ID}); sub[annaCh.ID] {
		t.Error("dora is still subscribed to the old channel")
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := b.Follows.Count(ctx, keys.Actor{Kind: keys.Channel, ID: benCh.ID})
		return n == 2
	})
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := a.Follows.Count(ctx, oldActor)
		return n == 0
	})
	if _, err := c.Store.Follows().FollowingOf(ctx, model.FollowerAccount, cleo.AccountID, oldIRI); err == nil {
		t.Error("C still follows the old channel")
	}
	var subs struct {
		Total int `json:"total"`
		Data  []struct {
			Name string `json:"name"`
			Host string `json:"host"`
		} `json:"data"`
	}
	call(t, http.MethodGet, cBase+"/api/v1/users/me/subscriptions", token, nil, &subs)
	if subs.Total != 1 || subs.Data[0].Name != "ben_channel" || subs.Data[0].Host != bHost {
		t.Errorf("C's subscriptions = %+v", subs)
	}

	// A's Group says where it went; its page redirects there.
	group.AlsoKnownAs = nil
	getActivity(t, oldIRI, &group)
	if group.MovedTo != newIRI {
		t.Errorf("A's Group movedTo = %q", group.MovedTo)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, page := range []string{"/c/anna_channel", "/video-channels/anna_channel"} {
		req, _ := http.NewRequest(http.MethodGet, aBase+page, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != newIRI {
			t.Errorf("old channel page %s: %d → %q", page, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// The account did not move: its page stays.
	if resp, err := noFollow.Get(aBase + "/a/anna"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("anna's account page: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// B publishes: the video reaches C through the new follow.
	clip := testrig.MakeClip(t, filepath.Join(b.Layout.Uploads(), "up.part"), testrig.Clip{Seconds: 2, Size: "320x240", FPS: 25, Args: []string{"-f", "mp4"}})
	v, err := b.Videos.Ingest(ctx, clip, videos.UploadMeta{UploaderAccountID: benCh.AccountID, ChannelID: benCh.ID, Name: "After the move",
		Privacy: model.PrivacyPublic, OriginalName: "m.mp4"})
	if err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 90*time.Second, func() bool {
		got, err := c.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.Name == "After the move"
	})

	// A replayed Move (anna moves again) changes nothing on C.
	if _, err := a.Moves.MoveTo(ctx, annaV, oldActor, newIRI); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if n, _ := b.Follows.Count(ctx, keys.Actor{Kind: keys.Channel, ID: benCh.ID}); n != 2 {
		t.Errorf("B's followers after a replay: %d", n)
	}
}

// getActivity GETs an ActivityPub document (unsigned: Cabane serves its
// actors to anyone).
func getActivity(t *testing.T, iri string, into any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, iri, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", iri, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}
