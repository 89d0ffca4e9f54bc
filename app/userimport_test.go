package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/app/userimport"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
)

// waitImport waits for import id to end and returns its row.
func waitImport(t *testing.T, a *App, id int64) repo.UserImport {
	t.Helper()
	var im repo.UserImport
	testrig.WaitFor(t, 120*time.Second, func() bool {
		var err error
		im, err = a.Store.UserImports().Get(context.Background(), id)
		return err == nil && (im.State == userimport.StateCompleted || im.State == userimport.StateErrored)
	})
	return im
}

// startImport puts the archive at src into a's data directory and asks for
// its import into user's account.
func startImport(t *testing.T, a *App, u model.User, src string) int64 {
	t.Helper()
	dst := filepath.Join(a.Layout.Uploads(), fmt.Sprintf("test-%d.zip", time.Now().UnixNano()))
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o640); err != nil {
		t.Fatal(err)
	}
	id, err := a.Imports.Import(context.Background(), visibility.Viewer{UserID: u.ID, AccountID: u.AccountID}, u.ID, dst)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func summaryOf(t *testing.T, im repo.UserImport) userimport.Summary {
	t.Helper()
	var s userimport.Summary
	if err := json.Unmarshal([]byte(im.Summary), &s); err != nil {
		t.Fatalf("summary %q: %v", im.Summary, err)
	}
	return s
}

// waitPublished waits until every video of the account is published, and
// returns them by name.
func waitPublished(t *testing.T, a *App, accountID int64, n int) map[string]model.Video {
	t.Helper()
	ctx := context.Background()
	out := map[string]model.Video{}
	testrig.WaitFor(t, 120*time.Second, func() bool {
		vs, _, err := a.Store.Videos.List(ctx, repo.VideoQuery{AccountID: accountID, Count: 100})
		if err != nil || len(vs) != n {
			return false
		}
		for _, v := range vs {
			if v.State == model.StateTranscodingFailed {
				t.Fatalf("video %s failed: %s", v.Name, v.Error)
			}
			if v.State != model.StatePublished {
				return false
			}
			out[v.Name] = v
		}
		return true
	})
	return out
}

// playable checks that the video's HLS master exists, that ffprobe reads
// an H.264 segment, and that the source's H.264 was copied (re-packaged,
// not re-encoded).
func playable(t *testing.T, a *App, v model.Video) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(a.Layout.HLS(v.UUID), "master.m3u8")); err != nil {
		t.Errorf("video %q has no HLS master: %v", v.Name, err)
		return
	}
	segs, _ := filepath.Glob(filepath.Join(a.Layout.HLS(v.UUID), "*.mp4"))
	ts, _ := filepath.Glob(filepath.Join(a.Layout.HLS(v.UUID), "*.ts"))
	h264 := false
	for _, seg := range append(segs, ts...) {
		out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", seg).CombinedOutput()
		if err != nil {
			t.Errorf("ffprobe %s: %v %s", seg, err, out)
		}
		h264 = h264 || strings.Contains(string(out), "h264")
	}
	if !h264 {
		t.Errorf("video %q: no H.264 segment among %v", v.Name, append(segs, ts...))
	}
	rs, err := a.Store.Videos.Renditions(context.Background(), v.ID)
	copied := false
	for _, r := range rs {
		copied = copied || r.Copied
	}
	if err != nil || !copied {
		t.Errorf("video %q: renditions %+v (%v), none copied from the source", v.Name, rs, err)
	}
}

// Export from one Cabane, import into an account of a second: the
// channel, both videos (processed, playable), the caption, the playlist
// with its element, the like and the subscription (to a channel of the
// first Cabane, followed again over ActivityPub) arrive.
func TestUserImportFromCabane(t *testing.T) {
	ctx := context.Background()
	a, baseA := fedApp(t)
	b, baseB := fedApp(t)
	alice, ach, _ := fedUser(t, a, baseA, "alice")
	_, bch, _ := fedUser(t, a, baseA, "bob")
	v1 := publish(t, a, ach, "Blue tit at dawn")
	v2 := publish(t, a, ach, "Robin at dusk")
	capDir := a.Layout.Captions(v1.UUID)
	os.MkdirAll(capDir, 0o755)
	os.WriteFile(filepath.Join(capDir, v1.UUID+"-fr.vtt"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n"), 0o644)
	if _, err := a.Store.DB().ExecContext(ctx, `INSERT INTO video_captions(video_id, language, filename, updated_at) VALUES (?, 'fr', ?, ?)`,
		v1.ID, v1.UUID+"-fr.vtt", time.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Store.Ratings().Rate(ctx, alice.AccountID, v1.ID, "like"); err != nil {
		t.Fatal(err)
	}
	// And a video of bob's, which is not in her archive: on the second
	// Cabane it is a remote video, fetched from the first to be liked.
	bv := publish(t, a, bch, "Bob's heron")
	if _, _, err := a.Store.Ratings().Rate(ctx, alice.AccountID, bv.ID, "like"); err != nil {
		t.Fatal(err)
	}
	pl := model.Playlist{UUID: "0b3c3f3e-7a4b-4c1d-9e2f-1a2b3c4d5e6f", ShortUUID: "pl1", AccountID: alice.AccountID, ChannelID: ach.ID,
		DisplayName: "Birds", Privacy: model.PrivacyPublic, Type: model.PlaylistRegular}
	if err := a.Store.Playlists().Create(ctx, &pl); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Playlists().AddElement(ctx, &model.PlaylistElement{PlaylistID: pl.ID, VideoID: v2.ID}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Subscriptions().Subscribe(ctx, alice.AccountID, bch.ID); err != nil {
		t.Fatal(err)
	}

	// Her name and picture, as her settings page sets them.
	aliceViewer := visibility.Viewer{UserID: alice.ID, AccountID: alice.AccountID}
	display := "Alice in the garden"
	if err := a.Imports.Profile.Apply(ctx, aliceViewer, profile.Update{DisplayName: &display}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Imports.Profile.SetAvatar(ctx, aliceViewer, bytes.NewReader(jpegBytes(t))); err != nil {
		t.Fatal(err)
	}

	// The export, as the settings page asks for it.
	start := time.Now()
	eid, err := a.Exports.Request(ctx, visibility.Viewer{UserID: alice.ID, AccountID: alice.AccountID}, alice.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	var ex repo.UserExport
	testrig.WaitFor(t, 60*time.Second, func() bool {
		ex, _ = a.Store.UserExports().Get(ctx, eid)
		if ex.State == userexport.StateErrored {
			t.Fatalf("export: %s", ex.Error)
		}
		return ex.State == userexport.StateCompleted
	})
	t.Logf("export: %v, %d bytes", time.Since(start), ex.Size)

	// Carol, on the second Cabane, imports it.
	carol, _, _ := fedUser(t, b, baseB, "carol")
	start = time.Now()
	im := waitImport(t, b, startImport(t, b, carol, a.Exports.Path(ex)))
	if im.State != userimport.StateCompleted {
		t.Fatalf("import: state %d, %s", im.State, im.Error)
	}
	t.Logf("import: %v; summary %s", time.Since(start), im.Summary)
	sum := summaryOf(t, im)
	for kind, want := range map[string]userimport.Count{"channels": {Success: 1}, "videos": {Success: 2}, "videoPlaylists": {Success: 1},
		"likes": {Success: 2}, "following": {Success: 1}, "account": {Success: 1}} {
		if got := sum.Stats[kind]; got == nil || *got != want {
			t.Errorf("summary of %s: %+v, want %+v", kind, got, want)
		}
	}
	if acc, err := b.Accounts.AccountByID(ctx, carol.AccountID); err != nil || acc.DisplayName != display {
		t.Errorf("carol's display name after the import: %q %v", acc.DisplayName, err)
	}
	if av, err := b.Store.Profiles().Avatar(ctx, carol.AccountID); err != nil || av.File == "" {
		t.Errorf("carol's avatar after the import: %+v %v", av, err)
	}
	if _, err := os.Stat(filepath.Join(b.Layout.Root, "imports", im.Filename)); !os.IsNotExist(err) {
		t.Errorf("the archive is still there after its import: %v", err)
	}

	chs, err := b.Store.Accounts.ChannelsOfAccount(ctx, carol.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	var got model.Channel
	for _, c := range chs {
		if c.Name == ach.Name {
			got = c
		}
	}
	if got.ID == 0 {
		t.Fatalf("carol's channels %v lack %s", chs, ach.Name)
	}
	vs := waitPublished(t, b, carol.AccountID, 2)
	for _, name := range []string{"Blue tit at dawn", "Robin at dusk"} {
		v, ok := vs[name]
		if !ok {
			t.Fatalf("imported videos %v lack %q", vs, name)
		}
		if v.ChannelID != got.ID || v.Privacy != model.PrivacyPublic {
			t.Errorf("%q: channel %d privacy %d, want %d, public", name, v.ChannelID, v.Privacy, got.ID)
		}
		playable(t, b, v)
	}
	caps, err := b.Store.Creator().Captions(ctx, vs["Blue tit at dawn"].ID)
	if err != nil || len(caps) != 1 || caps[0].Language != "fr" {
		t.Errorf("captions of the imported video: %v %v", caps, err)
	}
	var plName string
	var elements int
	b.Store.DB().QueryRowContext(ctx, `SELECT p.display_name, (SELECT COUNT(*) FROM playlist_elements e WHERE e.playlist_id = p.id AND e.video_id = ?)
		FROM playlists p WHERE p.account_id = ? AND p.type = 1`, vs["Robin at dusk"].ID, carol.AccountID).Scan(&plName, &elements)
	if plName != "Birds" || elements != 1 {
		t.Errorf("imported playlist: %q with %d of its video", plName, elements)
	}
	if r, err := b.Store.Ratings().RatingOf(ctx, carol.AccountID, vs["Blue tit at dawn"].ID); err != nil || r != model.RatingLike {
		t.Errorf("carol's rating of the imported video: %q %v", r, err)
	}
	var remoteLikes int
	b.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM video_rates r JOIN videos v ON v.id = r.video_id
		JOIN remote_videos rv ON rv.video_id = v.id WHERE r.account_id = ? AND r.type = 'like' AND v.name = ?`, carol.AccountID, "Bob's heron").Scan(&remoteLikes)
	if remoteLikes != 1 {
		t.Errorf("carol's like of bob's video, remote on the second Cabane: %d", remoteLikes)
	}
	// ... and the Like reached the first: bob's video has alice's and carol's.
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := a.Store.Videos.ByID(ctx, bv.ID)
		return err == nil && got.Likes == 2
	})
	// The subscription to bob's channel, on the first Cabane, is followed
	// again from the second.
	var subs int
	b.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions s JOIN channels c ON c.id = s.channel_id
		WHERE s.account_id = ? AND c.remote_actor_id IS NOT NULL`, carol.AccountID).Scan(&subs)
	if subs != 1 {
		t.Errorf("carol follows %d remote channels, want bob's", subs)
	}
}
