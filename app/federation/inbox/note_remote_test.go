package inbox

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
)

// remoteVideo stores a video of rem's channel "owls" (owned by rem's
// alice), as following a channel does, and returns it with its IRI.
func (r *rig) remoteVideo(rem *remote) (model.Video, string) {
	r.t.Helper()
	ctx := context.Background()
	host := strings.TrimPrefix(rem.srv.URL, "http://")
	iri := rem.srv.URL + "/videos/watch/" + uuid.NewString()
	v := model.Video{UUID: uuid.NewString(), ShortUUID: uuid.NewString()[:8], Name: "Owl at dusk", Privacy: model.PrivacyPublic,
		PublishedAt: time.Now(), Meta: model.Meta{CommentsPolicy: model.CommentsEnabled, DownloadEnabled: true}}
	err := r.st.Follows().Write(ctx, func(tx *store.FollowsTx) error {
		person := model.RemoteActor{IRI: rem.iri("alice"), Type: "Person", PreferredUsername: "alice", Host: host,
			Inbox: rem.iri("alice") + "/inbox"}
		pid, err := tx.PutActor(ctx, person)
		if err != nil {
			return err
		}
		owner, err := tx.PutRemoteAccount(ctx, pid, person)
		if err != nil {
			return err
		}
		group := model.RemoteActor{IRI: rem.srv.URL + "/video-channels/owls", Type: "Group", PreferredUsername: "owls", Host: host,
			Inbox: rem.srv.URL + "/video-channels/owls/inbox"}
		gid, err := tx.PutActor(ctx, group)
		if err != nil {
			return err
		}
		if v.ChannelID, err = tx.PutRemoteChannel(ctx, gid, owner, group); err != nil {
			return err
		}
		v.ID, err = tx.PutRemoteVideo(ctx, v, model.RemoteVideo{IRI: iri, WatchURL: iri, UpdatedAt: time.Now()})
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return v, iri
}

// A Note answering a remote video stored here (the origin's reply, a
// comment someone sends from their own server) is its comment, as on a
// local video; one whose author is not its sender is refused and nothing
// is kept; one answering a remote video not stored here is dropped.
func TestNotesOnRemoteVideos(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	other := newRemote(t, false)
	ctx := context.Background()
	v, iri := r.remoteVideo(rem)
	public := []string{"https://www.w3.org/ns/activitystreams#Public"}

	note := act(rem.srv.URL+"/create-1", "Create", rem.iri("bob"), map[string]any{
		"id": rem.srv.URL + "/users/bob/statuses/1", "type": "Note", "attributedTo": rem.iri("bob"),
		"inReplyTo": iri, "content": "<p>Hoot!</p>", "to": public})
	if st := r.post(rem, "bob", activityJSON(t, note)); st != http.StatusNoContent {
		t.Fatalf("Note on a remote video: %d", st)
	}
	page, total, _, err := r.st.Comments().Threads(ctx, repo.CommentQuery{VideoID: v.ID, Count: 10})
	if err != nil || total != 1 || page[0].Text != "Hoot!" || page[0].IRI != rem.srv.URL+"/users/bob/statuses/1" ||
		!strings.HasPrefix(page[0].Account.Name, "bob@") {
		t.Fatalf("threads = %+v (%d), %v", page, total, err)
	}

	// Another server's actor sends a Note in bob's name: refused.
	forged := act(other.srv.URL+"/create-2", "Create", other.iri("alice"), map[string]any{
		"id": other.srv.URL + "/users/alice/statuses/2", "type": "Note", "attributedTo": rem.iri("bob"),
		"inReplyTo": iri, "content": "<p>Not bob</p>", "to": public})
	if st := r.post(other, "alice", activityJSON(t, forged)); st != http.StatusUnauthorized {
		t.Errorf("Note on a remote video in another's name: %d, want 401", st)
	}
	// A reply to bob's comment, by its Note's id, joins its thread.
	reply := act(other.srv.URL+"/create-3", "Create", other.iri("alice"), map[string]any{
		"id": other.srv.URL + "/users/alice/statuses/3", "type": "Note", "attributedTo": other.iri("alice"),
		"inReplyTo": rem.srv.URL + "/users/bob/statuses/1", "content": "<p>Indeed</p>", "to": public})
	if st := r.post(other, "alice", activityJSON(t, reply)); st != http.StatusNoContent {
		t.Fatalf("reply on a remote video: %d", st)
	}
	// A Note on a video nobody here follows: dropped.
	stray := act(other.srv.URL+"/create-4", "Create", other.iri("alice"), map[string]any{
		"id": other.srv.URL + "/users/alice/statuses/4", "type": "Note", "attributedTo": other.iri("alice"),
		"inReplyTo": rem.srv.URL + "/videos/watch/" + uuid.NewString(), "content": "<p>Elsewhere</p>", "to": public})
	if st := r.post(other, "alice", activityJSON(t, stray)); st != http.StatusAccepted {
		t.Errorf("Note on an unknown video: %d, want 202", st)
	}
	if n := r.rows("comments", "video_id = ?", v.ID); n != 2 {
		t.Errorf("%d comments on the remote video, want bob's and the reply", n)
	}
	thread, err := r.st.Comments().Thread(ctx, repo.CommentQuery{VideoID: v.ID}, page[0].ID)
	if err != nil || len(thread) != 2 || thread[1].Text != "Indeed" || thread[1].InReplyTo != page[0].ID {
		t.Errorf("thread = %+v, %v", thread, err)
	}
	if n := r.rows("comments", "text = ?", "Not bob"); n != 0 {
		t.Errorf("the forged Note was kept")
	}
}
