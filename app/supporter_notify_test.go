package app

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/supporters"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// supporterNotifications are the type-101 notifications (a supporter-only
// video) of the token's user, by video UUID.
func supporterNotifications(t *testing.T, base, token string) map[string]int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/users/me/notifications?count=100", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var page struct {
		Data []struct {
			Type  int `json:"type"`
			Video *struct {
				UUID string `json:"uuid"`
			} `json:"video"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("notifications: %d %v", res.StatusCode, err)
	}
	out := map[string]int{}
	for _, n := range page.Data {
		if n.Type == model.NotifyNewSupporterVideo && n.Video != nil {
			out[n.Video.UUID]++
		}
	}
	return out
}

// Local supporters are notified, once, when a supporter-only video comes
// out (published as such, or a published video made supporter-only);
// a revoked supporter, a follower who is none, and the creator are not.
func TestLocalSupportersAreNotified(t *testing.T) {
	ctx := context.Background()
	a, base := fedApp(t)
	cara, ch, _ := fedUser(t, a, base, "cara")
	_, _, suppTok := fedUser(t, a, base, "supp")
	_, _, exTok := fedUser(t, a, base, "ex")
	_, _, otherTok := fedUser(t, a, base, "other")
	owner := visibility.Viewer{UserID: cara.ID, AccountID: cara.AccountID}
	if _, err := a.Supporters.Add(ctx, owner, supporters.AddRequest{Kind: model.SupporterLocal, Who: "supp"}); err != nil {
		t.Fatal(err)
	}
	ex, err := a.Supporters.Add(ctx, owner, supporters.AddRequest{Kind: model.SupporterLocal, Who: "ex"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Supporters.Revoke(ctx, owner, ex.ID); err != nil {
		t.Fatal(err)
	}
	published := func(name string, privacy int) model.Video {
		id := uuid.New()
		v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: ch.ID, Name: name, Privacy: privacy}
		if err := a.Store.Videos.Create(ctx, &v); err != nil {
			t.Fatal(err)
		}
		if err := a.Store.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "360p", Width: 640, Height: 360, Bandwidth: 800_000}); err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(a.Layout.HLS(v.UUID), 0o755)
		os.WriteFile(filepath.Join(a.Layout.HLS(v.UUID), "master.m3u8"), []byte("#EXTM3U\n"), 0o644)
		return v
	}
	// Published as supporter-only: what the end of processing calls.
	first := published("Supporters first", model.PrivacySupporters)
	a.Videos.Published.VideoPublished(ctx, first.ID)
	a.Videos.Published.VideoPublished(ctx, first.ID) // a resumed job calls again
	// A published private video made supporter-only, then private and
	// supporter-only again.
	second := published("Made for supporters", model.PrivacyPrivate)
	for _, p := range []int{model.PrivacySupporters, model.PrivacyPrivate, model.PrivacySupporters} {
		if _, err := a.Videos.Update(ctx, owner, second.UUID, videos.Edit{Privacy: &p}); err != nil {
			t.Fatal(err)
		}
	}
	got := supporterNotifications(t, base, suppTok)
	if got[first.UUID] != 1 || got[second.UUID] != 1 || len(got) != 2 {
		t.Errorf("the supporter's notifications: %v, want one for each video", got)
	}
	for who, tok := range map[string]string{"revoked supporter": exTok, "someone who is none": otherTok} {
		if got := supporterNotifications(t, base, tok); len(got) != 0 {
			t.Errorf("%s was notified: %v", who, got)
		}
	}
}
