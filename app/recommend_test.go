package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/internal/testrig"
)

// fakeInbox is a remote follower's inbox that keeps what it is sent.
type fakeInbox struct {
	mu   sync.Mutex
	acts []map[string]any
}

func (f *fakeInbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var act map[string]any
	if err := json.NewDecoder(r.Body).Decode(&act); err == nil && r.Header.Get("Signature") != "" {
		f.mu.Lock()
		f.acts = append(f.acts, act)
		f.mu.Unlock()
	}
	w.WriteHeader(http.StatusAccepted)
}

// of is the activities of type typ received.
func (f *fakeInbox) of(typ string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, a := range f.acts {
		if a["type"] == typ {
			out = append(out, a)
		}
	}
	return out
}

type recList struct {
	Total int `json:"total"`
	Data  []struct {
		ID       int64  `json:"id"`
		Kind     string `json:"kind"`
		Name     string `json:"name"`
		IRI      string `json:"iri"`
		URL      string `json:"url"`
		Host     string `json:"host"`
		Note     string `json:"note"`
		LocalURL string `json:"localUrl"`
	} `json:"data"`
}

// Two real Cabanes: alice on A recommends a video of bob's on B (by its
// short link) and bob's channel (by its handle). A lists them with their
// origin and shows them on alice's channel page, the video playing from
// B; a follower of alice's channel receives the channel's Announce of
// the video (and its Undo when it is removed); B, following alice's
// channel, reads its recommendations collection and shows "recommended
// by" on the remote channel's page. Only alice manages her list.
func TestRecommendRemoteVideoAndChannel(t *testing.T) {
	ctx := context.Background()
	b, bBase := fedApp(t)
	a, aBase := fedApp(t)
	_, bobCh, bobTok := fedUser(t, b, bBase, "bob")
	_, aliceCh, aliceTok := fedUser(t, a, aBase, "alice")
	_, _, malloryTok := fedUser(t, a, aBase, "mallory")
	aHost, bHost := strings.TrimPrefix(aBase, "http://"), strings.TrimPrefix(bBase, "http://")
	v := publish(t, b, bobCh, "Wren at dawn")

	// A follower of alice's channel elsewhere: its inbox records.
	inbox := &fakeInbox{}
	fake := httptest.NewServer(inbox)
	t.Cleanup(fake.Close)
	if _, err := a.Store.Follows().Apply(ctx, fake.URL+"/follows/1", func(tx *store.FollowsTx) error {
		id, err := tx.PutActor(ctx, store.RemoteActor{IRI: fake.URL + "/users/carol", Type: "Person", PreferredUsername: "carol",
			Host: strings.TrimPrefix(fake.URL, "http://"), Inbox: fake.URL + "/inbox", FetchedAt: time.Now()})
		if err != nil {
			return err
		}
		_, err = tx.PutFollow(ctx, id, store.FollowTarget{Kind: string(keys.Channel), ID: aliceCh.ID}, model.FollowAccepted, fake.URL+"/follows/1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// B follows alice's channel (bob subscribes to it).
	if code := call(t, http.MethodPost, bBase+"/api/v1/users/me/subscriptions", bobTok, map[string]string{"uri": "alice_channel@" + aHost}, nil); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		n, _ := a.Follows.Count(ctx, keys.Actor{Kind: keys.Channel, ID: aliceCh.ID})
		return n == 2
	})
	federated(t, b)

	recs := aBase + "/api/v1/video-channels/alice_channel/recommendations"
	videoURL := bBase + "/w/" + v.ShortUUID
	// Who may: nobody without a token, not another user.
	if code := call(t, http.MethodPost, recs, "", map[string]string{"target": videoURL}, nil); code != http.StatusUnauthorized {
		t.Errorf("recommend without a token: %d", code)
	}
	if code := call(t, http.MethodPost, recs, malloryTok, map[string]string{"target": videoURL}, nil); code != http.StatusForbidden {
		t.Errorf("recommend as another user: %d", code)
	}
	// Nonsense and a note too long are refused.
	for _, bad := range []map[string]string{{"target": ""}, {"target": "not a thing"}, {"target": videoURL, "note": strings.Repeat("é", 501)}} {
		if code := call(t, http.MethodPost, recs, aliceTok, bad, nil); code != http.StatusBadRequest {
			t.Errorf("recommend %.40v: %d", bad, code)
		}
	}
	var got struct {
		ID int64 `json:"id"`
	}
	if code := call(t, http.MethodPost, recs, aliceTok, map[string]string{"target": videoURL, "note": "Listen to the end"}, &got); code != http.StatusOK {
		t.Fatalf("recommend video: %d", code)
	}
	videoRec := got.ID
	if code := call(t, http.MethodPost, recs, aliceTok, map[string]string{"target": "bob_channel@" + bHost, "note": "Birds, mostly"}, nil); code != http.StatusOK {
		t.Fatalf("recommend channel: %d", code)
	}

	// A lists them, with their origin, and the video is a remote row here
	// that plays from B (nothing copied).
	var list recList
	if code := anonGet(t, recs, &list); code != http.StatusOK || list.Total != 2 {
		t.Fatalf("list: %d %+v", code, list)
	}
	vr, cr := list.Data[0], list.Data[1]
	if vr.Kind != "video" || vr.Name != "Wren at dawn" || vr.IRI != bBase+"/videos/watch/"+v.UUID || vr.Host != bHost || vr.Note != "Listen to the end" ||
		vr.LocalURL != aBase+"/w/"+v.ShortUUID {
		t.Errorf("video recommendation = %+v", vr)
	}
	if cr.Kind != "channel" || cr.IRI != bBase+"/video-channels/bob_channel" || cr.Host != bHost || cr.Note != "Birds, mostly" ||
		cr.LocalURL != aBase+"/c/bob_channel@"+bHost {
		t.Errorf("channel recommendation = %+v", cr)
	}
	var det struct {
		IsLocal            bool `json:"isLocal"`
		StreamingPlaylists []struct {
			PlaylistURL string `json:"playlistUrl"`
		} `json:"streamingPlaylists"`
	}
	anonGet(t, aBase+"/api/v1/videos/"+v.UUID, &det)
	if det.IsLocal || len(det.StreamingPlaylists) != 1 || !strings.HasPrefix(det.StreamingPlaylists[0].PlaylistURL, bBase+"/") {
		t.Errorf("recommended video on A = %+v", det)
	}
	// Alice's channel page shows them, with B's host.
	page := getPage(t, aBase+"/c/alice_channel")
	for _, want := range []string{"Wren at dawn", "Listen to the end", "Birds, mostly", bHost, "/w/" + v.ShortUUID} {
		if !strings.Contains(page, want) {
			t.Errorf("alice's channel page lacks %q", want)
		}
	}

	// The box-wide list (what nearby boxes show) names alice's channel.
	var recent struct {
		Total int `json:"total"`
		Data  []struct {
			Kind, Name, Host string
			Channel          struct{ Name string }
		} `json:"data"`
	}
	if code := anonGet(t, aBase+"/api/v1/recommendations?count=5", &recent); code != http.StatusOK || recent.Total != 2 ||
		recent.Data[0].Kind != "channel" || recent.Data[0].Host != bHost || recent.Data[0].Channel.Name != "alice_channel" || recent.Data[1].Name != "Wren at dawn" {
		t.Errorf("recent recommendations: %d %+v", code, recent)
	}

	// So do the watch pages of alice's own videos, beside the next ones.
	own := publish(t, a, aliceCh, "Alice at the pond")
	page = getPage(t, aBase+"/w/"+own.ShortUUID)
	for _, want := range []string{"Recommended by", "Wren at dawn", "Birds, mostly", "/c/bob_channel@" + bHost} {
		if !strings.Contains(page, want) {
			t.Errorf("alice's watch page lacks %q", want)
		}
	}

	// The follower received the channel's Announce of B's video.
	testrig.WaitFor(t, 30*time.Second, func() bool { return len(inbox.of("Announce")) == 1 })
	ann := inbox.of("Announce")[0]
	to, _ := ann["to"].([]any)
	cc, _ := ann["cc"].([]any)
	if ann["actor"] != aBase+"/video-channels/alice_channel" || ann["object"] != bBase+"/videos/watch/"+v.UUID ||
		len(to) != 1 || to[0] != "https://www.w3.org/ns/activitystreams#Public" || len(cc) != 1 || cc[0] != aBase+"/video-channels/alice_channel/followers" {
		t.Errorf("announce = %v", ann)
	}

	// B reads alice's collection (her Update{Group} told it the list
	// changed) and shows it on the remote channel's page.
	remote := bBase + "/api/v1/video-channels/alice_channel@" + aHost + "/recommendations"
	testrig.WaitFor(t, 30*time.Second, func() bool {
		list = recList{}
		anonGet(t, remote, &list)
		return list.Total == 2
	})
	if d := list.Data[1]; d.Kind != "channel" || d.IRI != bBase+"/video-channels/bob_channel" || d.Note != "Birds, mostly" || d.LocalURL != bBase+"/c/bob_channel" {
		t.Errorf("alice's list as B read it: %+v", d)
	}
	if d := list.Data[0]; d.Kind != "video" || d.Name != "Wren at dawn" || d.LocalURL != bBase+"/w/"+v.ShortUUID {
		t.Errorf("alice's video as B read it: %+v", d)
	}
	page = getPage(t, bBase+"/c/alice_channel@"+aHost)
	for _, want := range []string{"Birds, mostly", "Wren at dawn"} {
		if !strings.Contains(page, want) {
			t.Errorf("B's page of alice's channel lacks %q", want)
		}
	}

	// Removing the video undoes the Announce.
	if code := call(t, http.MethodDelete, recs+"/"+strconv.FormatInt(videoRec, 10), malloryTok, nil, nil); code != http.StatusForbidden {
		t.Errorf("remove as another user: %d", code)
	}
	if code := call(t, http.MethodDelete, recs+"/"+strconv.FormatInt(videoRec, 10), aliceTok, nil, nil); code != http.StatusNoContent {
		t.Fatalf("remove: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool { return len(inbox.of("Undo")) == 1 })
	undo := inbox.of("Undo")[0]
	if obj, _ := undo["object"].(map[string]any); obj["id"] != ann["id"] || obj["type"] != "Announce" {
		t.Errorf("undo = %v", undo)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		list = recList{}
		anonGet(t, remote, &list)
		return list.Total == 1
	})
}

func getPage(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return string(b)
}

// anonGet GETs u as nobody into v and returns the status.
func anonGet(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil && resp.StatusCode == http.StatusOK {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode
}
