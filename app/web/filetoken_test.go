package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
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
	expired := r.server.unlock.fileToken(private.UUID, time.Now().Add(-time.Minute))
	if got := r.get(t, with(master, expired), "", false); got != http.StatusNotFound {
		t.Errorf("an expired token: %d", got)
	}
}
