package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/repo"
)

// countingProfiles counts the avatar reads that reach the store.
type countingProfiles struct {
	repo.Profiles
	one, all atomic.Int64
}

func (c *countingProfiles) Avatar(ctx context.Context, id int64) (repo.Avatar, error) {
	c.one.Add(1)
	return c.Profiles.Avatar(ctx, id)
}

func (c *countingProfiles) Avatars(ctx context.Context) (map[int64]repo.Avatar, error) {
	c.all.Add(1)
	return c.Profiles.Avatars(ctx)
}

// TestVideoListsCarryAvatars: every video of a listing has its account's
// avatar (avatars[] and the deprecated avatar) on its account and channel,
// read with one query for the whole list when the cache is cold and none
// when warm, never one per video; a new avatar shows at once.
func TestVideoListsCarryAvatars(t *testing.T) {
	m := newMyRig(t)
	counts := &countingProfiles{Profiles: m.store.Profiles()}
	m.server.Profile = &profile.Service{Store: counts, Auth: m.server.Auth, Layout: m.layout}
	upload := func() {
		t.Helper()
		body, ct := avatarForm(t, pngOf(t, 64, 64), true)
		if res, _ := m.send(t, http.MethodPost, "/my/settings/avatar", body, map[string]string{"Content-Type": ct}, "user", true); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("avatar upload: %d", res.StatusCode)
		}
	}
	upload()
	mine, theirs := m.channel, m.channelOf(t, "other").ID
	for i := range 25 {
		ch := mine
		if i%2 == 1 {
			ch = theirs
		}
		v := m.publishedVideo(t, ch, model.PrivacyPublic)
		if err := m.store.Videos.SetState(context.Background(), v.ID, model.StatePublished); err != nil {
			t.Fatal(err)
		}
	}
	type actor struct {
		ID      int64
		Avatars []apiImage
		Avatar  *apiImage
	}
	list := func(path string) (paths map[string]int) {
		t.Helper()
		code, body := m.call(t, "GET", path, "", nil)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		var page struct {
			Data []struct{ Account, Channel actor }
		}
		if err := json.Unmarshal(body, &page); err != nil || len(page.Data) != 25 {
			t.Fatalf("%s: %d videos, %v", path, len(page.Data), err)
		}
		paths = map[string]int{}
		for _, v := range page.Data {
			a, c := v.Account, v.Channel
			if len(a.Avatars) != len(c.Avatars) || (a.Avatar == nil) != (len(a.Avatars) == 0) || (c.Avatar == nil) != (len(c.Avatars) == 0) {
				t.Errorf("video by account %d: account %+v, channel %+v", a.ID, a, c)
			}
			if len(a.Avatars) == 1 {
				if a.Avatars[0].Path != c.Avatars[0].Path || a.Avatar.Path != a.Avatars[0].Path || a.Avatars[0].Width != profile.AvatarSide {
					t.Errorf("avatar of account %d: %+v / %+v", a.ID, a, c)
				}
				paths[a.Avatars[0].Path]++
			} else {
				paths[""]++
			}
		}
		return paths
	}
	counts.one.Store(0)
	counts.all.Store(0)
	first := list("/api/v1/videos?count=25")
	if len(first) != 2 || first[""] != 12 {
		t.Fatalf("avatars in the list: %v (13 videos with one avatar, 12 without)", first)
	}
	for p, n := range first {
		if p != "" && (n != 13 || !strings.HasPrefix(p, "/lazy-static/avatars/")) {
			t.Errorf("avatar %q on %d videos", p, n)
		}
	}
	if one, all := counts.one.Load(), counts.all.Load(); one != 0 || all > 1 {
		t.Errorf("a 25-video list read avatars %d times one by one and %d times whole; want 0 and at most 1", one, all)
	}
	t.Logf("cold cache, 25 videos: %d avatar reads one by one, %d whole", counts.one.Load(), counts.all.Load())
	list("/api/v1/videos?count=25&sort=-publishedAt")
	t.Logf("warm cache, 25 more: %d one by one, %d whole in all", counts.one.Load(), counts.all.Load())
	if one, all := counts.one.Load(), counts.all.Load(); one != 0 || all > 1 {
		t.Errorf("a second list read avatars again: %d one by one, %d whole", one, all)
	}
	// A new avatar is what the next list shows.
	upload()
	next := list("/api/v1/videos?count=25&sort=-createdAt")
	for p := range first {
		if p != "" && next[p] != 0 {
			t.Errorf("the replaced avatar %s is still listed", p)
		}
	}
	if next[""] != 12 || len(next) != 2 {
		t.Errorf("after a new avatar: %v", next)
	}
	// The video's own page has the same pictures on its full account and
	// channel.
	code, body := m.call(t, "GET", "/api/v1/videos?count=1&sort=-createdAt", "", nil)
	if code != http.StatusOK {
		t.Fatal(code)
	}
	var one struct{ Data []struct{ UUID string } }
	json.Unmarshal(body, &one)
	var details struct {
		Account, Channel actor
	}
	m.decode(t, "GET", "/api/v1/videos/"+one.Data[0].UUID, "", nil, http.StatusOK, &details)
	if len(details.Account.Avatars) != len(details.Channel.Avatars) {
		t.Errorf("details: %+v", details)
	}
}
