package inbox

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// video is a published video of carol's channel.
func (r *rig) video(privacy, policy int) model.Video {
	r.t.Helper()
	ctx := context.Background()
	v := model.Video{UUID: uuid.NewString(), ShortUUID: uuid.NewString()[:8], ChannelID: r.channel.ID, Name: "Blue tit",
		Privacy: privacy, Meta: model.Meta{CommentsPolicy: policy, DownloadEnabled: true}}
	if err := r.st.Videos.Create(ctx, &v); err != nil {
		r.t.Fatal(err)
	}
	if err := r.st.Videos.SetState(ctx, v.ID, model.StatePublished); err != nil {
		r.t.Fatal(err)
	}
	return v
}

func videoIRI(v model.Video) string { return publicURL + "/videos/watch/" + v.UUID }

func (r *rig) counts(v model.Video) (int64, int64) {
	r.t.Helper()
	l, d, err := r.st.Ratings().Counts(context.Background(), v.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return l, d
}

// rows counts the rows of a table matching a condition.
func (r *rig) rows(table, where string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.st.DB().QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE `+where, args...).Scan(&n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

func act(id, typ, actor string, object any) map[string]any {
	return map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": typ, "actor": actor, "object": object}
}

func TestLikeDislikeAndUndo(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	v := r.video(model.PrivacyUnlisted, model.CommentsEnabled)
	alice := rem.iri("alice")
	like := activityJSON(t, act(rem.srv.URL+"/like1", "Like", alice, videoIRI(v)))
	for i := range 2 { // the second is a replay
		if st := r.post(rem, "alice", like); st != http.StatusNoContent {
			t.Fatalf("Like #%d: %d", i, st)
		}
		if l, d := r.counts(v); l != 1 || d != 0 {
			t.Fatalf("after Like #%d: %d likes %d dislikes", i, l, d)
		}
	}
	acc, err := r.st.Follows().RemoteAccountOf(ctx, alice)
	if err != nil || acc.Name != "alice@"+rem.srv.Listener.Addr().String() {
		t.Fatalf("rater's account = %+v, %v", acc, err)
	}
	if got, _ := r.st.Ratings().RatingOf(ctx, acc.ID, v.ID); got != model.RatingLike {
		t.Errorf("rating = %q", got)
	}
	// A Dislike replaces the Like; Bob's Like adds one.
	if st := r.post(rem, "alice", activityJSON(t, act(rem.srv.URL+"/dislike1", "Dislike", alice, videoIRI(v)))); st != http.StatusNoContent {
		t.Fatalf("Dislike: %d", st)
	}
	if st := r.post(rem, "bob", activityJSON(t, act(rem.srv.URL+"/like2", "Like", rem.iri("bob"), videoIRI(v)))); st != http.StatusNoContent {
		t.Fatalf("bob's Like: %d", st)
	}
	if l, d := r.counts(v); l != 1 || d != 1 {
		t.Fatalf("after Dislike: %d likes %d dislikes, want 1 1", l, d)
	}
	// Undo of the (replaced) Like by its id changes nothing; Bob cannot
	// undo Alice's Dislike; Alice's Undo naming only the Dislike's id does.
	if st := r.post(rem, "alice", activityJSON(t, act(rem.srv.URL+"/undo0", "Undo", alice, rem.srv.URL+"/like1"))); st != http.StatusNoContent {
		t.Fatalf("Undo of a replaced Like: %d", st)
	}
	if st := r.post(rem, "bob", activityJSON(t, act(rem.srv.URL+"/undo1", "Undo", rem.iri("bob"), rem.srv.URL+"/dislike1"))); st != http.StatusNoContent {
		t.Fatalf("Bob's Undo: %d", st)
	}
	if l, d := r.counts(v); l != 1 || d != 1 {
		t.Fatalf("after Undos that undo nothing: %d likes %d dislikes, want 1 1", l, d)
	}
	if st := r.post(rem, "alice", activityJSON(t, act(rem.srv.URL+"/undo2", "Undo", alice, rem.srv.URL+"/dislike1"))); st != http.StatusNoContent {
		t.Fatalf("Undo by id: %d", st)
	}
	if l, d := r.counts(v); l != 1 || d != 0 {
		t.Fatalf("after Undo by id: %d likes %d dislikes, want 1 0", l, d)
	}
	// Bob's Undo embedding his Like (Mastodon's and PeerTube's form).
	undo := act(rem.srv.URL+"/undo3", "Undo", rem.iri("bob"), act(rem.srv.URL+"/like2", "Like", rem.iri("bob"), videoIRI(v)))
	if st := r.post(rem, "bob", activityJSON(t, undo)); st != http.StatusNoContent {
		t.Fatalf("Undo embedding the Like: %d", st)
	}
	if l, d := r.counts(v); l != 0 || d != 0 {
		t.Fatalf("after Undo embedding the Like: %d likes %d dislikes, want 0 0", l, d)
	}
	if n := r.rows("video_rates", "video_id = ?", v.ID); n != 0 {
		t.Errorf("%d rating rows left", n)
	}
	// Alice likes again, then her actor is deleted: her rating leaves the
	// counter with her.
	r.post(rem, "alice", activityJSON(t, act(rem.srv.URL+"/like3", "Like", alice, videoIRI(v))))
	if st := r.post(rem, "alice", activityJSON(t, act(rem.srv.URL+"/del", "Delete", alice, alice))); st != http.StatusNoContent {
		t.Fatalf("Delete of the actor: %d", st)
	}
	if l, d := r.counts(v); l != 0 || d != 0 {
		t.Errorf("after the rater's deletion: %d likes %d dislikes, want 0 0", l, d)
	}
}

func TestLikeOfWhatRemoteServersMayNotSeeIsDropped(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	for i, v := range []model.Video{r.video(model.PrivacyPrivate, model.CommentsEnabled), r.video(model.PrivacyInternal, model.CommentsEnabled)} {
		body := activityJSON(t, act(rem.srv.URL+"/like-private"+string(rune('a'+i)), "Like", rem.iri("alice"), videoIRI(v)))
		if st := r.post(rem, "alice", body); st != http.StatusAccepted {
			t.Errorf("Like of a video of privacy %d: %d, want 202", v.Privacy, st)
		}
		if l, _ := r.counts(v); l != 0 {
			t.Errorf("privacy %d: %d likes", v.Privacy, l)
		}
	}
	body := activityJSON(t, act(rem.srv.URL+"/like-none", "Like", rem.iri("alice"), publicURL+"/videos/watch/"+uuid.NewString()))
	if st := r.post(rem, "alice", body); st != http.StatusAccepted {
		t.Errorf("Like of no video: %d, want 202", st)
	}
	if _, err := r.st.Follows().RemoteAccountOf(ctx, rem.iri("alice")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a dropped Like stored its actor's account: %v", err)
	}
}

// mastodonNote is Mastodon's Create Note fixture by rem's alice, answering
// inReplyTo.
func (r *rig) mastodonNote(rem *remote, inReplyTo string) []byte {
	return fixture(r.t, "lemmy-fixture-mastodon-activities-create_note.json",
		"https://mastodon.madrid/users/felix", rem.iri("alice"),
		"https://mastodon.madrid", rem.srv.URL,
		"https://mamot.fr/users/retiolus/statuses/107224244380204526", inReplyTo)
}

const noteID = "/users/alice/statuses/107224289116410645"

func (r *rig) ownerNotifications() []model.Notification {
	r.t.Helper()
	ns, _, err := r.notify.List(context.Background(), visibility.Of(&r.owner, false), notifications.Query{Count: 50})
	if err != nil {
		r.t.Fatal(err)
	}
	return ns
}

func TestMastodonCreateNoteIsACommentByItsAuthor(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	v := r.video(model.PrivacyPublic, model.CommentsEnabled)
	body := r.mastodonNote(rem, videoIRI(v))
	for i := range 2 {
		if st := r.post(rem, "alice", body); st != http.StatusNoContent {
			t.Fatalf("Create Note #%d: %d", i, st)
		}
	}
	page, total, _, err := r.st.Comments().Threads(ctx, repo.CommentQuery{VideoID: v.ID, Count: 10})
	if err != nil || total != 1 || len(page) != 1 {
		t.Fatalf("threads = %+v (%d), %v", page, total, err)
	}
	c := page[0]
	if !c.Account.Remote() || c.Account.Name != "alice@"+rem.srv.Listener.Addr().String() || c.Account.DisplayName != "Alice <b>A.</b>" {
		t.Errorf("author = %+v", c.Account)
	}
	if want := "@retiolus i have never been disappointed by a thinkpad."; !strings.HasPrefix(c.Text, want) || strings.Contains(c.Text, "<") {
		t.Errorf("text = %q, want it to start with %q, without markup", c.Text, want)
	}
	if n, _ := r.st.Comments().CommentsOf(ctx, v.ID); n != 1 {
		t.Errorf("video's comment counter = %d", n)
	}
	if ns := r.ownerNotifications(); len(ns) != 1 || ns[0].Type != model.NotifyNewCommentOnMyVideo || ns[0].CommentID != c.ID {
		t.Errorf("owner's notifications = %+v", ns)
	}

	// Bob answers Alice's Note (a remote comment, by its id).
	reply := act(rem.srv.URL+"/create-reply", "Create", rem.iri("bob"), map[string]any{
		"id": rem.srv.URL + "/users/bob/statuses/2", "type": "Note", "attributedTo": rem.iri("bob"),
		"inReplyTo": rem.srv.URL + noteID, "content": "<p>Agreed.<br>Fully.</p>",
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"}})
	if st := r.post(rem, "bob", activityJSON(t, reply)); st != http.StatusNoContent {
		t.Fatalf("reply: %d", st)
	}
	thread, err := r.st.Comments().Thread(ctx, repo.CommentQuery{VideoID: v.ID}, c.ID)
	if err != nil || len(thread) != 2 || thread[1].InReplyTo != c.ID || thread[1].Text != "Agreed.\nFully." {
		t.Fatalf("thread = %+v, %v", thread, err)
	}

	// Only its author may change or delete a Note.
	edit := func(id, actor, text string) []byte {
		return activityJSON(t, act(rem.srv.URL+id, "Update", actor, map[string]any{"id": rem.srv.URL + noteID, "type": "Note",
			"attributedTo": actor, "content": text, "to": []string{"https://www.w3.org/ns/activitystreams#Public"}}))
	}
	if st := r.post(rem, "bob", edit("/upd-bob", rem.iri("bob"), "<p>Mallory was here</p>")); st != http.StatusForbidden {
		t.Errorf("Update by another actor: %d, want 403", st)
	}
	if st := r.post(rem, "bob", activityJSON(t, act(rem.srv.URL+"/del-bob", "Delete", rem.iri("bob"), rem.srv.URL+noteID))); st != http.StatusForbidden {
		t.Errorf("Delete by another actor: %d, want 403", st)
	}
	if got, _ := r.st.Comments().ByID(ctx, c.ID); got.Text != c.Text || got.IsDeleted() {
		t.Fatalf("another actor changed the comment: %+v", got)
	}
	if st := r.post(rem, "alice", edit("/upd-alice", rem.iri("alice"), "<p>Edited &amp; shorter</p>")); st != http.StatusNoContent {
		t.Fatalf("Update by the author: %d", st)
	}
	if got, _ := r.st.Comments().ByID(ctx, c.ID); got.Text != "Edited & shorter" {
		t.Errorf("after Update: %q", got.Text)
	}
	del := act(rem.srv.URL+"/del-alice", "Delete", rem.iri("alice"), map[string]any{"id": rem.srv.URL + noteID, "type": "Tombstone"})
	if st := r.post(rem, "alice", activityJSON(t, del)); st != http.StatusNoContent {
		t.Fatalf("Delete by the author: %d", st)
	}
	if got, _ := r.st.Comments().ByID(ctx, c.ID); !got.IsDeleted() || got.Text != "" {
		t.Errorf("after Delete: %+v", got)
	}
	if n, _ := r.st.Comments().CommentsOf(ctx, v.ID); n != 1 {
		t.Errorf("video's comment counter after Delete = %d, want 1 (the reply)", n)
	}
	// Replaying the Create makes nothing again.
	if st := r.post(rem, "alice", body); st != http.StatusNoContent {
		t.Fatalf("replayed Create: %d", st)
	}
	if n := r.rows("comments", "video_id = ?", v.ID); n != 2 {
		t.Errorf("%d comment rows, want 2", n)
	}
}

func TestNotesUnderThePolicyAndBlocks(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()

	off := r.video(model.PrivacyPublic, model.CommentsDisabled)
	if st := r.post(rem, "alice", r.mastodonNote(rem, videoIRI(off))); st != http.StatusAccepted {
		t.Errorf("Note on a video with comments off: %d, want 202", st)
	}
	if n := r.rows("comments", "video_id = ?", off.ID); n != 0 {
		t.Errorf("comments off: %d stored", n)
	}

	held := r.video(model.PrivacyPublic, model.CommentsRequiresApproval)
	if st := r.post(rem, "alice", r.mastodonNote(rem, videoIRI(held))); st != http.StatusNoContent {
		t.Fatalf("Note on a video whose comments are approved: %d", st)
	}
	if n := r.rows("comments", "video_id = ? AND held_for_review = 1", held.ID); n != 1 {
		t.Errorf("%d comments held for review, want 1", n)
	}
	if n, _ := r.st.Comments().CommentsOf(ctx, held.ID); n != 0 {
		t.Errorf("a held comment was counted: %d", n)
	}
	if page, _, _, _ := r.st.Comments().Threads(ctx, repo.CommentQuery{VideoID: held.ID, Count: 10}); len(page) != 0 {
		t.Errorf("a stranger sees the held comment")
	}
	if ns := r.ownerNotifications(); len(ns) != 1 {
		t.Errorf("the owner is not told of the held comment: %+v", ns)
	}

	// The owner blocks the remote server: Bob's Note is dropped, nothing kept.
	blocked := r.video(model.PrivacyPublic, model.CommentsEnabled)
	if err := r.st.Blocklist().BlockServer(ctx, r.owner.AccountID, rem.srv.Listener.Addr().String()); err != nil {
		t.Fatal(err)
	}
	note := act(rem.srv.URL+"/create-blocked", "Create", rem.iri("bob"), map[string]any{
		"id": rem.srv.URL + "/users/bob/statuses/9", "type": "Note", "attributedTo": rem.iri("bob"),
		"inReplyTo": videoIRI(blocked), "content": "<p>hello</p>", "cc": "https://www.w3.org/ns/activitystreams#Public"})
	if st := r.post(rem, "bob", activityJSON(t, note)); st != http.StatusAccepted {
		t.Errorf("Note from a server the owner blocks: %d, want 202", st)
	}
	if n := r.rows("comments", "video_id = ?", blocked.ID); n != 0 {
		t.Errorf("blocked: %d comments stored", n)
	}
	if _, err := r.st.Follows().RemoteAccountOf(ctx, rem.iri("bob")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the blocked Note stored its author: %v", err)
	}

	// A Note that is not public is no comment.
	v := r.video(model.PrivacyPublic, model.CommentsEnabled)
	direct := act(rem.srv.URL+"/create-direct", "Create", rem.iri("alice"), map[string]any{
		"id": rem.srv.URL + "/users/alice/statuses/10", "type": "Note", "attributedTo": rem.iri("alice"),
		"inReplyTo": videoIRI(v), "content": "psst", "to": []string{publicURL + "/accounts/carol"}})
	if st := r.post(rem, "alice", activityJSON(t, direct)); st != http.StatusAccepted || r.rows("comments", "video_id = ?", v.ID) != 0 {
		t.Errorf("direct Note: %d", st)
	}
	// Nor is one written in someone else's name.
	forged := act(rem.srv.URL+"/create-forged", "Create", rem.iri("alice"), map[string]any{
		"id": rem.srv.URL + "/users/bob/statuses/11", "type": "Note", "attributedTo": rem.iri("bob"),
		"inReplyTo": videoIRI(v), "content": "I am Bob", "to": "https://www.w3.org/ns/activitystreams#Public"})
	if st := r.post(rem, "alice", activityJSON(t, forged)); st != http.StatusUnauthorized || r.rows("comments", "video_id = ?", v.ID) != 0 {
		t.Errorf("Note attributed to another actor: %d, want 401", st)
	}
}

// A step that fails rolls the whole activity back: neither the author's
// account nor the activity's id is kept, and the sender's retry works.
func TestHalfANoteIsNeverStored(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	v := r.video(model.PrivacyPublic, model.CommentsEnabled)
	if _, err := r.st.DB().Exec(`CREATE TRIGGER full_disk BEFORE INSERT ON comments BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	body := r.mastodonNote(rem, videoIRI(v))
	if st := r.post(rem, "alice", body); st != http.StatusInternalServerError {
		t.Fatalf("Create Note with a failing insert: %d, want 500", st)
	}
	if _, err := r.st.Follows().RemoteAccountOf(ctx, rem.iri("alice")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the failed activity kept its author's account: %v", err)
	}
	if n := r.rows("remote_actors", "iri = ?", rem.iri("alice")); n != 0 {
		t.Errorf("the failed activity kept its actor")
	}
	if _, err := r.st.DB().Exec(`DROP TRIGGER full_disk`); err != nil {
		t.Fatal(err)
	}
	if st := r.post(rem, "alice", body); st != http.StatusNoContent || r.rows("comments", "video_id = ?", v.ID) != 1 {
		t.Errorf("retry: %d", st)
	}
}

// PeerTube sends one View per viewer, all as its server actor, and counts
// each View it receives: so does Cabane, once per activity id.
func TestRemoteViewsCountOncePerActivity(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	v := r.video(model.PrivacyPublic, model.CommentsEnabled)
	view1 := activityJSON(t, act(rem.srv.URL+"/view1", "View", rem.iri("alice"), videoIRI(v)))
	for i, body := range [][]byte{view1, activityJSON(t, act(rem.srv.URL+"/view2", "View", rem.iri("alice"), videoIRI(v))), view1} {
		if st := r.post(rem, "alice", body); st != http.StatusNoContent {
			t.Fatalf("View #%d: %d", i, st)
		}
	}
	live := act(rem.srv.URL+"/view3", "View", rem.iri("bob"), videoIRI(v))
	live["expires"] = "2030-01-01T00:00:00Z"
	if st := r.post(rem, "bob", activityJSON(t, live)); st != http.StatusAccepted {
		t.Errorf("live viewer View: %d, want 202", st)
	}
	if st := r.post(rem, "bob", activityJSON(t, act(rem.srv.URL+"/view4", "View", rem.iri("bob"), videoIRI(v)))); st != http.StatusNoContent {
		t.Fatalf("bob's View: %d", st)
	}
	if err := r.videos.FlushViews(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := r.st.Videos.ByID(ctx, v.ID)
	if err != nil || got.Views != 3 {
		t.Errorf("views = %d, %v; want 3 (alice's two Views, the replay not counted, and bob's)", got.Views, err)
	}
}

func TestFlagFilesAReport(t *testing.T) {
	r := newRig(t)
	rem := newRemote(t, false)
	ctx := context.Background()
	v := r.video(model.PrivacyPublic, model.CommentsEnabled)
	flag := act(rem.srv.URL+"/flag1", "Flag", rem.iri("alice"), []string{videoIRI(v), publicURL + "/accounts/carol", rem.srv.URL + "/elsewhere"})
	flag["content"] = "<p>Spam &amp; lies</p>"
	for range 2 {
		if st := r.post(rem, "alice", activityJSON(t, flag)); st != http.StatusNoContent {
			t.Fatalf("Flag: %d", st)
		}
	}
	acc, err := r.st.Follows().RemoteAccountOf(ctx, rem.iri("alice"))
	if err != nil {
		t.Fatal(err)
	}
	list, total, err := r.st.Abuses().List(ctx, repo.AbuseQuery{Count: 10})
	if err != nil || total != 2 {
		t.Fatalf("reports = %+v (%d), %v", list, total, err)
	}
	for _, a := range list {
		if a.ReporterAccountID != acc.ID || a.Reason != "Spam & lies" || a.FlaggedAccountID != r.owner.AccountID {
			t.Errorf("report = %+v", a)
		}
	}
	if list[0].VideoID != v.ID && list[1].VideoID != v.ID {
		t.Errorf("no report of the video: %+v", list)
	}
	nothing := act(rem.srv.URL+"/flag2", "Flag", rem.iri("alice"), rem.srv.URL+"/elsewhere")
	if st := r.post(rem, "alice", activityJSON(t, nothing)); st != http.StatusAccepted {
		t.Errorf("Flag of nothing here: %d, want 202", st)
	}
}
