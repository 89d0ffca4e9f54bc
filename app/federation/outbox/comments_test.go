package outbox_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/outbox"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// The domain's comments, read as comments.Service reads them for a
// remote server (federation.Comments).
func (d *domain) Federated(_ context.Context, ref string, id int64) (model.Video, model.Comment, []model.Comment, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, v := range d.videos {
		if v.UUID != ref || !visibility.Federates(v) {
			continue
		}
		c, ok := d.comments[id]
		if !ok || c.VideoID != v.ID || c.HeldForReview {
			break
		}
		var parents []model.Comment
		for p := c.InReplyTo; p != 0; p = d.comments[p].InReplyTo {
			parents = append(parents, d.comments[p])
		}
		return v, c, parents, nil
	}
	return model.Video{}, model.Comment{}, nil, model.ErrNotFound
}

func (d *domain) FederatedIDs(context.Context, string, int, int) (model.Video, []int64, int, error) {
	return model.Video{}, nil, 0, model.ErrNotFound
}

func (d *domain) setComment(c model.Comment) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.comments[c.ID] = c
}

// robin is a local account that comments on alice's videos; nobody
// follows robin.
var robin = model.Account{ID: 11, UserID: 12, Name: "robin", DisplayName: "Robin", CreatedAt: t0}

const robinIRI = base + "/accounts/robin"

func comment(id int64) model.Comment {
	at := t0.Add(30 * time.Hour)
	return model.Comment{ID: id, VideoID: 5, AccountID: robin.ID, Account: robin, Text: "What a bird!", CreatedAt: at, UpdatedAt: at}
}

// commentChanged commits a comment write's hook as comments.Service does.
func (r *rig) commentChanged(v model.Video, before, after model.Comment) error {
	return r.st.WithTx(context.Background(), func(tx *store.Tx) error {
		return r.ob.CommentChanged(context.Background(), tx.SQL(), v, before, after)
	})
}

// A comment on a public video queues one job in the comment's
// transaction; it sends one Create of the Note, from its author, to the
// followers of the video's account and channel, each once.
func TestCommentSendsOneCreate(t *testing.T) {
	r := newRig(t)
	v := video(model.PrivacyPublic)
	r.dom.set(v)
	c := comment(21)
	r.dom.setComment(c)
	if err := r.commentChanged(v, model.Comment{}, c); err != nil {
		t.Fatal(err)
	}
	if js := r.jobsOf(outbox.JobComment); len(js) != 1 {
		t.Fatalf("%d comment jobs queued, want 1", len(js))
	}
	got := r.run(1)
	if len(got) != 1 {
		t.Fatalf("%d activities sent, want the Create", len(got))
	}
	s := got[0]
	noteIRI := videoIRI + "/comments/21"
	if s.Activity["type"] != "Create" || s.Activity["id"] != noteIRI+"/activity" || s.Activity["actor"] != robinIRI ||
		s.From != (federation.LocalActor{Key: keys.Actor{Kind: keys.Account, ID: robin.ID}, IRI: robinIRI}) {
		t.Errorf("sent %v %v by %v from %+v", s.Activity["type"], s.Activity["id"], s.Activity["actor"], s.From)
	}
	if !slices.Equal(s.To, followersOfBoth) {
		t.Errorf("delivered to %v, want %v", s.To, followersOfBoth)
	}
	obj, _ := s.Activity["object"].(map[string]any)
	if obj["type"] != "Note" || obj["id"] != noteIRI || obj["inReplyTo"] != videoIRI || obj["attributedTo"] != robinIRI ||
		obj["content"] != "What a bird!" || obj["mediaType"] != "text/html" {
		t.Errorf("object: %v", obj)
	}
	if _, ok := obj["@context"]; ok {
		t.Error("the Note repeats the activity's @context")
	}
	if !same(strs(s.Activity["to"]), public) || !same(strs(s.Activity["cc"]), robinIRI+"/followers", accountFollowers, channelFollowers) ||
		!same(strs(obj["to"]), public) || !same(strs(obj["cc"]), strs(s.Activity["cc"])...) {
		t.Errorf("to %v cc %v; object to %v cc %v", s.Activity["to"], s.Activity["cc"], obj["to"], obj["cc"])
	}
}

// Comments on videos that do not federate, and held ones, queue nothing;
// a held comment federates when it is approved.
func TestCommentsThatStayHome(t *testing.T) {
	r := newRig(t)
	c := comment(22)
	r.dom.setComment(c)
	for _, p := range []int{model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyPassword, model.PrivacyLocal} {
		v := video(p)
		r.dom.set(v)
		deleted := c
		deleted.DeletedAt = t0.Add(40 * time.Hour)
		for _, w := range [][2]model.Comment{{{}, c}, {c, deleted}} {
			if err := r.commentChanged(v, w[0], w[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	unpub := unpublished(model.PrivacyPublic)
	if err := r.commentChanged(unpub, model.Comment{}, c); err != nil {
		t.Fatal(err)
	}
	v := video(model.PrivacyPublic)
	r.dom.set(v)
	held := c
	held.HeldForReview = true
	if err := r.commentChanged(v, model.Comment{}, held); err != nil {
		t.Fatal(err)
	}
	if js := r.jobsOf(outbox.JobComment); len(js) != 0 {
		t.Fatalf("%d comment jobs queued for comments that stay home", len(js))
	}
	// Approved: now it goes.
	if err := r.commentChanged(v, held, c); err != nil {
		t.Fatal(err)
	}
	if got := r.run(1); len(got) != 1 || got[0].Activity["type"] != "Create" {
		t.Fatalf("approval sent %d activities", len(got))
	}
}

// Deleting a federated comment sends its Delete, a Tombstone, from its
// author to the same followers; a job whose comment is gone by the time
// it runs sends no Create.
func TestCommentDeleteSendsTombstone(t *testing.T) {
	r := newRig(t)
	v := video(model.PrivacyPublic)
	r.dom.set(v)
	c := comment(23)
	deleted := c
	deleted.AccountID, deleted.Account, deleted.Text, deleted.DeletedAt = 0, model.Account{}, "", t0.Add(40*time.Hour)
	r.dom.setComment(deleted)
	if err := r.commentChanged(v, model.Comment{}, c); err != nil {
		t.Fatal(err)
	}
	if err := r.commentChanged(v, c, deleted); err != nil {
		t.Fatal(err)
	}
	got := r.run(1)
	if len(got) != 1 {
		t.Fatalf("%d activities sent, want only the Delete", len(got))
	}
	d := got[0]
	noteIRI := videoIRI + "/comments/23"
	obj, _ := d.Activity["object"].(map[string]any)
	if d.Activity["type"] != "Delete" || d.Activity["id"] != noteIRI+"/delete" || d.Activity["actor"] != robinIRI ||
		obj["type"] != "Tombstone" || obj["id"] != noteIRI || obj["formerType"] != nil {
		t.Errorf("sent %v", d.Activity)
	}
	if d.From.Key != (keys.Actor{Kind: keys.Account, ID: robin.ID}) || !slices.Equal(d.To, followersOfBoth) {
		t.Errorf("from %+v to %v", d.From, d.To)
	}
}

// The comment and its job commit together: a failing enqueue fails the
// write (the store's own rollback test is in app/web).
func TestCommentJobInTheWritesTransaction(t *testing.T) {
	r := newRig(t)
	v := video(model.PrivacyPublic)
	r.dom.set(v)
	boom := errors.New("boom")
	err := r.st.WithTx(context.Background(), func(tx *store.Tx) error {
		if err := r.ob.CommentChanged(context.Background(), tx.SQL(), v, model.Comment{}, comment(24)); err != nil {
			return err
		}
		return boom // the comment's own statement fails after the hook
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if js := r.jobsOf(outbox.JobComment); len(js) != 0 {
		t.Fatalf("%d jobs left by a rolled-back comment", len(js))
	}
}

// A rating of a federated video sends an Update of the Video (PeerTube
// sends no Like for its own videos), whose likes and dislikes collections
// carry the totals; a second rating within the interval waits for it.
func TestRatingSendsDebouncedUpdate(t *testing.T) {
	r := newRig(t)
	v := video(model.PrivacyPublic)
	r.dom.set(v)
	r.ob.RatingChanged(context.Background(), v.ID)
	r.ob.RatingChanged(context.Background(), v.ID)
	got := r.run(1)
	if len(got) != 1 || got[0].Activity["type"] != "Update" {
		t.Fatalf("sent %d activities, want one Update", len(got))
	}
	obj, _ := got[0].Activity["object"].(map[string]any)
	if obj["likes"] != videoIRI+"/likes" || obj["dislikes"] != videoIRI+"/dislikes" {
		t.Errorf("the Update's Video names likes %v dislikes %v", obj["likes"], obj["dislikes"])
	}
	private := video(model.PrivacyPrivate)
	private.ID = 6
	r.dom.set(private)
	r.ob.RatingChanged(context.Background(), private.ID)
	if js := r.jobsOf(outbox.JobVideo); len(js) != 1 {
		t.Errorf("%d video jobs, want only the public video's", len(js))
	}
}
