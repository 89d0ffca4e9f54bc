package outbox_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

// A remote video stored here: video 6 of peertube's channel "owls",
// whose Person is "otto"; and erin, a remote person who commented here.
const (
	remoteVideoIRI = "https://pt.example/videos/watch/8c4c4f5e-7c55-4a9e-9c1e-0f8f3a8a6b11"
	ottoIRI        = "https://pt.example/accounts/otto"
	erinIRI        = "https://masto.example/users/erin"
	erinNote       = "https://masto.example/users/erin/statuses/42"
)

var (
	owlsActor = model.RemoteActor{ID: 2, IRI: "https://pt.example/video-channels/owls", Type: "Group", Host: "pt.example",
		Inbox: "https://pt.example/video-channels/owls/inbox", SharedInbox: "https://pt.example/inbox", Followers: "https://pt.example/video-channels/owls/followers"}
	ottoActor = model.RemoteActor{ID: 3, IRI: ottoIRI, Type: "Person", Host: "pt.example",
		Inbox: ottoIRI + "/inbox", SharedInbox: "https://pt.example/inbox", Followers: ottoIRI + "/followers"}
	erinActor = model.RemoteActor{ID: 4, IRI: erinIRI, Type: "Person", Host: "masto.example",
		Inbox: erinIRI + "/inbox", SharedInbox: "https://masto.example/inbox"}
)

// remoteVideo is otto's video as a row here (its channel remote).
func remoteVideo() model.Video {
	v := video(model.PrivacyPublic)
	v.ID, v.UUID = 6, "8c4c4f5e-7c55-4a9e-9c1e-0f8f3a8a6b11"
	v.ChannelID = 40
	v.Channel = model.Channel{ID: 40, AccountID: 41, Name: "owls@pt.example", RemoteActorID: owlsActor.ID,
		Account: model.Account{ID: 41, Name: "otto@pt.example", RemoteActorID: ottoActor.ID}}
	return v
}

// remotes is the store's view of remote videos and actors.
type remotes struct{}

func (remotes) RemoteOrigin(_ context.Context, videoID int64) (model.RemoteOrigin, error) {
	if videoID != 6 {
		return model.RemoteOrigin{}, model.ErrNotFound
	}
	return model.RemoteOrigin{Video: model.RemoteVideo{VideoID: 6, IRI: remoteVideoIRI}, Channel: owlsActor, Account: ottoActor}, nil
}

func (remotes) RemoteActor(_ context.Context, iri string) (model.RemoteActor, error) {
	for _, a := range []model.RemoteActor{owlsActor, ottoActor, erinActor} {
		if a.IRI == iri {
			return a, nil
		}
	}
	return model.RemoteActor{}, model.ErrNotFound
}

func (r *rig) withRemotes() {
	r.ob.Remotes = remotes{}
	docs := r.ob.Documents.(*federation.Service)
	docs.Origins = remotes{}
}

var origin = []federation.Recipient{
	{Actor: owlsActor.IRI, Inbox: owlsActor.Inbox, SharedInbox: owlsActor.SharedInbox},
	{Actor: ottoIRI, Inbox: ottoActor.Inbox, SharedInbox: ottoActor.SharedInbox},
}

// A comment here on a remote video: a Create of the Note, from its
// author, answering the origin's Video, addressed to the origin's
// account and sent to the origin's channel and account (one shared inbox
// there) and to the author's followers (nobody follows robin).
func TestCommentOnRemoteVideoGoesToOrigin(t *testing.T) {
	r := newRig(t)
	r.withRemotes()
	v := remoteVideo()
	r.dom.set(v)
	c := comment(31)
	c.VideoID = v.ID
	r.dom.setComment(c)
	if err := r.commentChanged(v, model.Comment{}, c); err != nil {
		t.Fatal(err)
	}
	got := r.run(1)
	if len(got) != 1 {
		t.Fatalf("%d activities, want the Create", len(got))
	}
	s := got[0]
	if s.Activity["type"] != "Create" || s.Activity["actor"] != robinIRI || s.From.Key != (keys.Actor{Kind: keys.Account, ID: robin.ID}) {
		t.Errorf("sent %v by %v from %+v", s.Activity["type"], s.Activity["actor"], s.From)
	}
	if !slices.Equal(s.To, origin) {
		t.Errorf("delivered to %v, want the origin %v", s.To, origin)
	}
	obj, _ := s.Activity["object"].(map[string]any)
	if obj["inReplyTo"] != remoteVideoIRI || obj["id"] != base+"/videos/watch/"+v.UUID+"/comments/31" {
		t.Errorf("object %v", obj)
	}
	cc := strs(s.Activity["cc"])
	if !same(strs(s.Activity["to"]), public) || !slices.Contains(cc, ottoIRI) || !slices.Contains(cc, owlsActor.Followers) ||
		slices.ContainsFunc(cc, func(x string) bool { return strings.Contains(x, "@") }) {
		t.Errorf("to %v cc %v", s.Activity["to"], cc)
	}

	// Its deletion: a Delete to the same servers.
	gone := c
	gone.AccountID, gone.Account, gone.Text, gone.DeletedAt = 0, model.Account{}, "", t0.Add(40*60*60*1e9)
	if err := r.commentChanged(v, c, gone); err != nil {
		t.Fatal(err)
	}
	got = r.run(2)
	d := got[1]
	if d.Activity["type"] != "Delete" || !slices.Equal(d.To, origin) || !slices.Contains(strs(d.Activity["cc"]), ottoIRI) {
		t.Errorf("delete %v to %v cc %v", d.Activity["type"], d.To, d.Activity["cc"])
	}
}

// A reply here to a remote person's comment on a local video reaches
// that person, answers their Note by its id and mentions them.
func TestReplyToRemoteAuthorReachesThem(t *testing.T) {
	r := newRig(t)
	r.withRemotes()
	v := video(model.PrivacyPublic)
	r.dom.set(v)
	parent := model.Comment{ID: 40, VideoID: v.ID, AccountID: 50, Text: "Hoot", IRI: erinNote, AuthorIRI: erinIRI,
		Account: model.Account{ID: 50, Name: "erin@masto.example", RemoteActorID: erinActor.ID}, CreatedAt: t0, UpdatedAt: t0}
	r.dom.setComment(parent)
	c := comment(41)
	c.ThreadID, c.InReplyTo = 40, 40
	r.dom.setComment(c)
	if err := r.commentChanged(v, model.Comment{}, c); err != nil {
		t.Fatal(err)
	}
	s := r.run(1)[0]
	erin := federation.Recipient{Actor: erinIRI, Inbox: erinActor.Inbox, SharedInbox: erinActor.SharedInbox}
	if !slices.Contains(s.To, erin) {
		t.Errorf("delivered to %v, not to erin", s.To)
	}
	obj, _ := s.Activity["object"].(map[string]any)
	tags, _ := obj["tag"].([]any)
	if obj["inReplyTo"] != erinNote || len(tags) != 1 || tags[0].(map[string]any)["href"] != erinIRI ||
		tags[0].(map[string]any)["name"] != "@erin@masto.example" || !slices.Contains(strs(s.Activity["cc"]), erinIRI) {
		t.Errorf("object %v cc %v", obj, s.Activity["cc"])
	}
}

// Rating a remote video: a Like from the rater's account to the origin,
// addressed to its account, with the id kept with the rating; unrating
// sends the Undo of that Like (the same id inside); a rating of a local
// video sends nothing to anyone's origin.
func TestRatingRemoteVideo(t *testing.T) {
	r := newRig(t)
	r.withRemotes()
	v := remoteVideo()
	ctx := context.Background()
	rate := func(v model.Video, before model.RatingRecord, after string) string {
		t.Helper()
		fn, err := r.ob.RateRemote(ctx, v, alice.ID, after)
		if err != nil {
			t.Fatal(err)
		}
		if fn == nil {
			return "-"
		}
		var id string
		if err := r.st.WithTx(ctx, func(tx *store.Tx) error {
			id, err = fn(ctx, tx.SQL(), before)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	if got := rate(video(model.PrivacyPublic), model.RatingRecord{Type: model.RatingNone}, model.RatingLike); got != "-" {
		t.Errorf("a local video's rating prepared %q", got)
	}
	likeID := rate(v, model.RatingRecord{Type: model.RatingNone}, model.RatingLike)
	if !strings.HasPrefix(likeID, base+"/accounts/alice/likes/6/") {
		t.Fatalf("like id %q", likeID)
	}
	if again := rate(v, model.RatingRecord{Type: model.RatingLike, ActivityID: likeID}, model.RatingLike); again != likeID {
		t.Errorf("the same rating again kept %q, want %q", again, likeID)
	}
	got := r.run(1)
	like := got[0]
	if like.Activity["type"] != "Like" || like.Activity["id"] != likeID || like.Activity["actor"] != base+"/accounts/alice" ||
		like.Activity["object"] != remoteVideoIRI || !same(strs(like.Activity["to"]), ottoIRI) || !slices.Equal(like.To, origin) ||
		like.From.Key != (keys.Actor{Kind: keys.Account, ID: alice.ID}) {
		t.Errorf("like %v to %v from %+v", like.Activity, like.To, like.From)
	}
	if kept := rate(v, model.RatingRecord{Type: model.RatingLike, ActivityID: likeID}, model.RatingNone); kept != "" {
		t.Errorf("unrating kept %q", kept)
	}
	got = r.run(2)
	undo := got[1]
	inner, _ := undo.Activity["object"].(map[string]any)
	if undo.Activity["type"] != "Undo" || undo.Activity["id"] != likeID+"/undo" || inner["type"] != "Like" || inner["id"] != likeID ||
		inner["object"] != remoteVideoIRI || !slices.Equal(undo.To, origin) {
		t.Errorf("undo %v to %v", undo.Activity, undo.To)
	}
	if len(got) != 2 {
		t.Errorf("%d activities, want the Like and its Undo", len(got))
	}
}

// A view counted here of a remote video: a View from the server actor to
// the origin; of a local one, nothing.
func TestViewOfRemoteVideo(t *testing.T) {
	r := newRig(t)
	r.withRemotes()
	ctx := context.Background()
	r.ob.ViewCounted(ctx, video(model.PrivacyPublic))
	r.ob.ViewCounted(ctx, remoteVideo())
	got := r.run(1)
	if len(got) != 1 {
		t.Fatalf("%d activities, want one View", len(got))
	}
	s := got[0]
	if s.Activity["type"] != "View" || s.Activity["actor"] != base+"/accounts/peertube" || s.Activity["object"] != remoteVideoIRI ||
		!strings.HasPrefix(s.Activity["id"].(string), base+"/accounts/peertube/views/videos/6/") || s.From.Key != keys.ServerActor ||
		!slices.Equal(s.To, origin) {
		t.Errorf("view %v to %v from %+v", s.Activity, s.To, s.From)
	}
}
