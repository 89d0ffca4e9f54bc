package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// remoteComment stores, as the inbox does, a comment on v by a remote
// person whose display name carries markup.
func (cr *communityRig) remoteComment(t *testing.T, v model.Video) model.Comment {
	t.Helper()
	ctx := context.Background()
	actor := store.RemoteActor{IRI: "https://masto.example/users/felix", Type: "Person", PreferredUsername: "felix", Host: "masto.example",
		Name: `Félix <b>:blobcat:</b><script>x()</script>`, Inbox: "https://masto.example/users/felix/inbox",
		URL: "https://masto.example/@felix", FetchedAt: time.Now()}
	var c model.Comment
	_, err := cr.store.Follows().Apply(ctx, "https://masto.example/create/1", func(tx *store.FollowsTx) error {
		row, err := tx.PutActor(ctx, actor)
		if err != nil {
			return err
		}
		acc, err := tx.PutRemoteAccount(ctx, row, actor)
		if err != nil {
			return err
		}
		c = model.Comment{VideoID: v.ID, AccountID: acc, Text: "Lovely bird <3"}
		return tx.PutRemoteComment(ctx, &c, "https://masto.example/users/felix/statuses/1")
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A remote author is shown as PeerTube shows one: its name without the
// host, its server's host, its profile there, its display name as text.
func TestRemoteCommentAuthorInAPIAndPage(t *testing.T) {
	cr := newCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, model.CommentsEnabled)
	cr.remoteComment(t, v)
	st, out := cr.api(t, http.MethodGet, "/api/v1/videos/"+v.UUID+"/comment-threads", "", nil)
	data, _ := out["data"].([]any)
	if st != http.StatusOK || len(data) != 1 {
		t.Fatalf("threads: %d %v", st, out)
	}
	acc, _ := data[0].(map[string]any)["account"].(map[string]any)
	if acc["name"] != "felix" || acc["host"] != "masto.example" || acc["url"] != "https://masto.example/@felix" ||
		acc["displayName"] != "Félix :blobcat:" {
		t.Errorf("remote author = %v", acc)
	}

	res, body := cr.send(t, http.MethodGet, "/videos/watch/"+v.UUID, nil, nil, "", false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("watch page: %d", res.StatusCode)
	}
	for _, want := range []string{`href="https://masto.example/@felix"`, `>Félix :blobcat:</a>`, `@felix@masto.example`, `Lovely bird &lt;3`} {
		if !strings.Contains(body, want) {
			t.Errorf("watch page lacks %s", want)
		}
	}
	if strings.Contains(body, "<script>x()") || strings.Contains(body, "<b>:blobcat:") {
		t.Errorf("the remote display name's markup reached the page")
	}
}
