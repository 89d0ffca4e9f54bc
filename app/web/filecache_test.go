package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// TestFileCacheFollowsPrivacy: the videos service remembers the rows of
// videos whose files are being fetched (app/videos/filecache.go); a video
// made private, moved to another account's channel or deleted stops being
// served to those who may no longer see it on the very next request, and
// a write the process did not make (another process, plain SQL) within the
// cache's two seconds.
func TestFileCacheFollowsPrivacy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	ch, err := r.server.Accounts.ChannelsOf(ctx, r.userAccount(t, "user"))
	if err != nil || len(ch) == 0 {
		t.Fatal("no channel for user", err)
	}
	master := func(v model.Video, who string) int {
		t.Helper()
		res := r.do(ctx, request{method: http.MethodGet, path: "/static/streaming-playlists/hls/" + v.UUID + "/master.m3u8", who: who})
		res.Body.Close()
		return res.StatusCode
	}
	update := func(v model.Video, channel int64, privacy int) {
		t.Helper()
		if err := r.store.Videos.Update(ctx, v.ID, repo.VideoUpdate{ChannelID: channel, Name: v.Name, Privacy: privacy, Meta: v.Meta}); err != nil {
			t.Fatal(err)
		}
	}

	v := r.publishedVideo(t, ch[0].ID, model.PrivacyPublic)
	for range 3 { // read, then from the cache
		if got := master(v, ""); got != http.StatusOK {
			t.Fatalf("public master, anonymous: %d, want 200", got)
		}
	}
	update(v, ch[0].ID, model.PrivacyPrivate)
	if got := master(v, ""); got != http.StatusNotFound {
		t.Errorf("made private, anonymous: %d, want 404 at once", got)
	}
	if got := master(v, "user"); got != http.StatusOK {
		t.Errorf("made private, owner: %d, want 200", got)
	}
	update(v, ch[0].ID, model.PrivacyPublic)
	if got := master(v, ""); got != http.StatusOK {
		t.Errorf("public again, anonymous: %d, want 200", got)
	}

	// Moved to the admin's channel and made private: its former owner
	// loses it at once.
	update(v, r.adminChannel, model.PrivacyPrivate)
	if got := master(v, "user"); got != http.StatusNotFound {
		t.Errorf("moved away, former owner: %d, want 404", got)
	}
	if got := master(v, "admin"); got != http.StatusOK {
		t.Errorf("moved, new owner: %d, want 200", got)
	}

	// Deleted: gone at once.
	w := r.publishedVideo(t, ch[0].ID, model.PrivacyPublic)
	if got := master(w, ""); got != http.StatusOK {
		t.Fatalf("second video: %d", got)
	}
	if err := r.store.Videos.Delete(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if got := master(w, ""); got != http.StatusNotFound {
		t.Errorf("deleted: %d, want 404 at once", got)
	}

	// A write behind the store's back is seen within the cache's bound.
	x := r.publishedVideo(t, ch[0].ID, model.PrivacyPublic)
	if got := master(x, ""); got != http.StatusOK {
		t.Fatalf("third video: %d", got)
	}
	if _, err := r.store.DB().ExecContext(ctx, "UPDATE videos SET privacy = ? WHERE id = ?", model.PrivacyPrivate, x.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for master(x, "") != http.StatusNotFound {
		if time.Now().After(deadline) {
			t.Fatal("a private video's master playlist still served to a stranger 3 s after the write")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
