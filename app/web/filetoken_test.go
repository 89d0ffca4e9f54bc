package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
)

// An app that may see a private video gets a video file token (PeerTube's
// POST /videos/{id}/token), and its player fetches the files with it and
// nothing else; the token opens that video only, until it expires.
func TestVideoFileToken(t *testing.T) {
	r := newRig(t)
	a := newAPIClient(t, r)
	private := r.publishedVideo(t, r.adminChannel, model.PrivacyPrivate)
	other := r.publishedVideo(t, r.adminChannel, model.PrivacyPrivate)
	master := uris.Master(private.UUID)

	if got := r.get(t, master, "", false); got != http.StatusNotFound {
		t.Fatalf("private master without a token: %d", got)
	}
	if res := a.do(http.MethodPost, "/api/v1/videos/"+private.UUID+"/token", "", nil, ""); res.Status != http.StatusNotFound {
		t.Fatalf("a stranger got a token: %d", res.Status)
	}
	res := a.do(http.MethodPost, "/api/v1/videos/"+private.UUID+"/token", "admin", nil, "")
	if res.Status != http.StatusOK {
		t.Fatalf("token: %d %s", res.Status, res.Body)
	}
	var tok fileTokenJSON
	if err := json.Unmarshal(res.Body, &tok); err != nil {
		t.Fatal(err)
	}
	if tok.Files.Token == "" || time.Until(tok.Files.Expires) < time.Hour {
		t.Fatalf("token %+v", tok)
	}
	with := func(p, token string) string { return p + "?videoFileToken=" + token }
	if got := r.get(t, with(master, tok.Files.Token), "", false); got != http.StatusOK {
		t.Errorf("private master with the owner's token: %d", got)
	}
	if got := r.get(t, with(uris.Master(other.UUID), tok.Files.Token), "", false); got != http.StatusNotFound {
		t.Errorf("another video's master with the token: %d", got)
	}
	forged := strings.Replace(tok.Files.Token, private.UUID, other.UUID, 1)
	if got := r.get(t, with(uris.Master(other.UUID), forged), "", false); got != http.StatusNotFound {
		t.Errorf("a token rewritten for another video: %d", got)
	}
	// A token names its holder: once banned, they hold nothing.
	user := r.userAccount(t, "user")
	chs, err := r.server.Accounts.ChannelsOf(context.Background(), user)
	if err != nil || len(chs) == 0 {
		t.Fatal("no channel for user", err)
	}
	theirs := r.publishedVideo(t, chs[0].ID, model.PrivacyPrivate)
	u, err := r.store.Accounts.UserByLogin(context.Background(), "user")
	if err != nil {
		t.Fatal(err)
	}
	held := uris.Master(theirs.UUID) + "?videoFileToken=" + r.server.unlock.fileToken(theirs.UUID, u.ID, time.Now().Add(time.Hour))
	if got := r.get(t, held, "", false); got != http.StatusOK {
		t.Fatalf("the holder's token: %d", got)
	}
	if _, err := r.store.DB().Exec(`UPDATE users SET blocked = 1 WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	if got := r.get(t, held, "", false); got != http.StatusNotFound {
		t.Errorf("a banned holder's token: %d, want 404", got)
	}
	expired := r.server.unlock.fileToken(private.UUID, 1, time.Now().Add(-time.Minute))
	if got := r.get(t, with(master, expired), "", false); got != http.StatusNotFound {
		t.Errorf("an expired token: %d", got)
	}
}

// A creator who narrows a video's access shuts out whoever got in before:
// a file token minted before a privacy change, and a password unlock
// before the passwords are replaced, no longer open the video.
func TestGrantsEndWhenAccessChanges(t *testing.T) {
	cr := newCreatorRig(t, model.PrivacyPrivate)
	r, v := cr.rig, cr.video
	ctx := context.Background()
	admin := adminViewer(r)
	master := uris.Master(v.UUID)
	token := r.server.unlock.fileToken(v.UUID, 1, time.Now().Add(fileTokenFor))
	withToken := master + "?videoFileToken=" + token
	if got := r.get(t, withToken, "", false); got != http.StatusOK {
		t.Fatalf("token before the change: %d", got)
	}
	time.Sleep(1100 * time.Millisecond) // grants count in seconds
	unlisted, private := model.PrivacyUnlisted, model.PrivacyPrivate
	for _, p := range []*int{&unlisted, &private} {
		if _, err := r.server.Videos.Update(ctx, admin, v.UUID, videos.Edit{Privacy: p}); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.get(t, withToken, "", false); got != http.StatusNotFound {
		t.Errorf("token minted before the privacy change: %d, want 404", got)
	}
	fresh := r.server.unlock.fileToken(v.UUID, 1, time.Now().Add(time.Second+fileTokenFor))
	if got := r.get(t, master+"?videoFileToken="+fresh, "", false); got != http.StatusOK {
		t.Errorf("a token minted after the change: %d", got)
	}

	// The watch page's unlock cookie, then new passwords.
	pw := model.PrivacyPassword
	if _, err := r.server.Videos.Update(ctx, admin, v.UUID, videos.Edit{Privacy: &pw, Passwords: &[]string{"leaked secret"}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	cookie := r.server.unlock.cookie(v.UUID, time.Now(), false)
	open := func() int {
		res, _ := r.send(t, http.MethodGet, master, nil, map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}, "", false)
		return res.StatusCode
	}
	if got := open(); got != http.StatusOK {
		t.Fatalf("unlock cookie before the change: %d", got)
	}
	if err := r.server.Videos.ReplacePasswords(ctx, admin, v.UUID, []string{"a new secret"}); err != nil {
		t.Fatal(err)
	}
	if got := open(); got == http.StatusOK {
		t.Error("an unlock cookie from before the new passwords still opens the video")
	}
}
