package inbox

import (
	"context"
	"net/http"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// A Note forwarded by another server (PeerTube forwards third parties'
// comments on its videos to their followers, signed by itself) is taken
// only as the author's own server serves it, and a forwarded Delete only
// once the Note is gone there.
func TestForwardedNoteConfirmedByItsAuthorsServer(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	v := r.video(model.PrivacyPublic, model.CommentsEnabled)
	alice := rem.iri("alice")
	notePath := "/users/alice/statuses/77"
	note := func(text, author string) map[string]any {
		return map[string]any{"id": rem.srv.URL + notePath, "type": "Note", "attributedTo": author,
			"inReplyTo": videoIRI(v), "content": "<p>" + text + "</p>",
			"to": []string{"https://www.w3.org/ns/activitystreams#Public"}}
	}
	// Bob forwards Alice's Create, with a text her server never served.
	forwarded := activityJSON(t, act(rem.srv.URL+"/users/alice/statuses/77/activity", "Create", alice, note("Forged words", alice)))
	comments := func() []model.Comment {
		t.Helper()
		page, _, _, err := r.st.Comments().Threads(ctx, repo.CommentQuery{VideoID: v.ID, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		return page
	}

	// Her server does not know the Note, then says someone else wrote it.
	if st := r.post(rem, "bob", forwarded); st != http.StatusUnauthorized {
		t.Errorf("forwarded Note its server does not serve: %d, want 401", st)
	}
	rem.mu.Lock()
	rem.notes = map[string]any{notePath: note("Bob's words", rem.iri("bob"))}
	rem.mu.Unlock()
	if st := r.post(rem, "bob", forwarded); st != http.StatusUnauthorized {
		t.Errorf("forwarded Note its server attributes to another: %d, want 401", st)
	}
	if cs := comments(); len(cs) != 0 {
		t.Fatalf("refused forwards stored %+v", cs)
	}

	// Her server serves it as hers: the comment is what her server says.
	rem.mu.Lock()
	rem.notes[notePath] = note("Her own words", alice)
	rem.mu.Unlock()
	if st := r.post(rem, "bob", forwarded); st != http.StatusNoContent {
		t.Fatalf("forwarded Note confirmed by its server: %d, want 204", st)
	}
	cs := comments()
	if len(cs) != 1 || cs[0].Text != "Her own words" || cs[0].Account.Name != "alice@"+rem.srv.Listener.Addr().String() {
		t.Fatalf("comments = %+v, want Alice's, with her server's text", cs)
	}

	// A forwarded Like is not taken at all.
	like := activityJSON(t, act(rem.srv.URL+"/like-fwd", "Like", alice, videoIRI(v)))
	if st := r.post(rem, "bob", like); st != http.StatusUnauthorized {
		t.Errorf("forwarded Like: %d, want 401", st)
	}
	if l, _ := r.counts(v); l != 0 {
		t.Errorf("forwarded Like counted: %d", l)
	}

	// A forwarded Delete while her server still serves the Note: refused.
	del := activityJSON(t, act(rem.srv.URL+"/users/alice/statuses/77#delete", "Delete", alice,
		map[string]any{"id": rem.srv.URL + notePath, "type": "Tombstone"}))
	if st := r.post(rem, "bob", del); st != http.StatusUnauthorized {
		t.Errorf("forwarded Delete of a Note still served: %d, want 401", st)
	}
	if got, _ := r.st.Comments().ByID(ctx, cs[0].ID); got.IsDeleted() {
		t.Fatal("a refused Delete deleted the comment")
	}
	// Gone from her server: the Delete holds.
	rem.mu.Lock()
	delete(rem.notes, notePath)
	rem.mu.Unlock()
	if st := r.post(rem, "bob", del); st != http.StatusNoContent {
		t.Fatalf("forwarded Delete of a Note gone from its server: %d, want 204", st)
	}
	if got, _ := r.st.Comments().ByID(ctx, cs[0].ID); !got.IsDeleted() {
		t.Errorf("comment after the confirmed Delete: %+v", got)
	}
}
