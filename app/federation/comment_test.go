package federation_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// fakeComments serves comments of the fake videos as comments.Service
// does for a remote reader: the comment, and the ones it answers.
type fakeComments struct {
	svc      *federation.Service
	comments map[int64]model.Comment
}

func (f fakeComments) Federated(ctx context.Context, ref string, id int64) (model.Video, model.Comment, []model.Comment, error) {
	v, err := f.svc.Videos.Details(ctx, visibility.Remote(), ref)
	if err != nil {
		return v, model.Comment{}, nil, err
	}
	c, ok := f.comments[id]
	if !ok || c.VideoID != v.ID || c.HeldForReview {
		return v, model.Comment{}, nil, model.ErrNotFound
	}
	var parents []model.Comment
	for p := c.InReplyTo; p != 0; p = f.comments[p].InReplyTo {
		parents = append(parents, f.comments[p])
	}
	return v, c, parents, nil
}

func (f fakeComments) FederatedIDs(ctx context.Context, ref string, offset, limit int) (model.Video, []int64, int, error) {
	v, err := f.svc.Videos.Details(ctx, visibility.Remote(), ref)
	if err != nil {
		return v, nil, 0, err
	}
	var ids []int64
	for id, c := range f.comments {
		if c.VideoID == v.ID && !c.HeldForReview && !c.IsDeleted() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	total := len(ids)
	ids = ids[min(offset, total):min(offset+limit, total)]
	return v, ids, total, nil
}

var bob = model.Account{ID: 8, UserID: 4, Name: "bob", DisplayName: "Bob", CreatedAt: t0}

// commentsService is the fake service with a thread on the public video:
// bob's comment (1), alice's reply to it (2), a held comment (3), a
// deleted one (4), and a remote author's (5).
func commentsService(t *testing.T) *federation.Service {
	s, _ := service(t)
	at := t0.Add(3 * time.Hour)
	s.Comments = fakeComments{svc: s, comments: map[int64]model.Comment{
		1: {ID: 1, VideoID: 5, AccountID: bob.ID, Account: bob, Text: "Lovely <b>bird</b>!\nSee https://birds.example/tit.", CreatedAt: at, UpdatedAt: at},
		2: {ID: 2, VideoID: 5, AccountID: alice.ID, Account: alice, ThreadID: 1, InReplyTo: 1, Text: "Thanks!", CreatedAt: at.Add(time.Minute), UpdatedAt: at.Add(time.Minute)},
		3: {ID: 3, VideoID: 5, AccountID: bob.ID, Account: bob, Text: "wait for me", HeldForReview: true, CreatedAt: at, UpdatedAt: at},
		4: {ID: 4, VideoID: 5, Text: "", CreatedAt: at, UpdatedAt: at.Add(time.Hour), DeletedAt: at.Add(time.Hour)},
		5: {ID: 5, VideoID: 5, AccountID: 40, Account: model.Account{ID: 40, Name: "carol"}, Text: "from afar", CreatedAt: at, UpdatedAt: at},
	}}
	return s
}

const videoIRI = "https://videos.example.org/videos/watch/" + uuidPublic

// A reply is PeerTube's Note: HTML content (escaped, links made), in
// reply to the comment it answers, attributed to its author, mentioning
// the author answered, public and copied to the followers of its author,
// of the video's account and channel, and to the author answered.
func TestReplyNote(t *testing.T) {
	s := commentsService(t)
	doc, err := s.Comment(context.Background(), uuidPublic, 2)
	if err != nil || doc.Note == nil || doc.Tombstone != nil || doc.Author != alice.ID {
		t.Fatalf("comment 2: %+v, %v", doc, err)
	}
	golden(t, "note.json", doc.Note)
	n := *doc.Note
	if n.Type != "Note" || n.ID != videoIRI+"/comments/2" || n.URL != n.ID || n.InReplyTo != videoIRI+"/comments/1" ||
		n.AttributedTo != "https://videos.example.org/accounts/alice" || n.MediaType != "text/html" || n.Content != "Thanks!" {
		t.Errorf("note: %+v", n)
	}
	if !slices.Equal(n.To, []string{vocab.Public}) || !slices.Equal(n.Cc, []string{"https://videos.example.org/accounts/alice/followers",
		"https://videos.example.org/video-channels/alice_channel/followers", "https://videos.example.org/accounts/bob"}) {
		t.Errorf("to %v cc %v", n.To, n.Cc)
	}
	if want := []vocab.Mention{{Type: "Mention", Href: "https://videos.example.org/accounts/bob", Name: "@bob@videos.example.org"}}; !slices.Equal(n.Tag, want) {
		t.Errorf("tag %v, want %v", n.Tag, want)
	}
	if n.Published != "2026-03-01T13:01:00.000Z" || n.Updated != n.Published {
		t.Errorf("published %s updated %s", n.Published, n.Updated)
	}

	// A thread answers the video; its text is escaped, its link made.
	doc, err = s.Comment(context.Background(), uuidPublic, 1)
	if err != nil || doc.Note == nil {
		t.Fatal(err)
	}
	if doc.Note.InReplyTo != videoIRI || len(doc.Note.Tag) != 0 || doc.Note.Tag == nil ||
		doc.Note.Content != `Lovely &lt;b&gt;bird&lt;/b&gt;!<br>See <a href="https://birds.example/tit" rel="nofollow ugc noopener" target="_blank">https://birds.example/tit</a>.` {
		t.Errorf("thread: in reply to %s, tag %v, content %s", doc.Note.InReplyTo, doc.Note.Tag, doc.Note.Content)
	}
	b, _ := json.Marshal(doc.Note)
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"@context", "id", "type", "content", "mediaType", "inReplyTo", "published", "updated", "url", "attributedTo", "to", "cc", "tag"} {
		if _, ok := m[k]; !ok {
			t.Errorf("the Note has no %q", k)
		}
	}
}

// On an unlisted video a comment is to the followers, copied to Public,
// as the video itself.
func TestUnlistedNoteAddressing(t *testing.T) {
	s := commentsService(t)
	fc := s.Comments.(fakeComments)
	fc.comments[9] = model.Comment{ID: 9, VideoID: 5, AccountID: bob.ID, Account: bob, Text: "hi", CreatedAt: t0, UpdatedAt: t0}
	doc, err := s.Comment(context.Background(), uuidUnlisted, 9)
	if err != nil || doc.Note == nil {
		t.Fatal(err)
	}
	if !slices.Equal(doc.Note.Cc, []string{vocab.Public}) || !slices.Contains(doc.Note.To, "https://videos.example.org/accounts/bob/followers") {
		t.Errorf("unlisted: to %v cc %v", doc.Note.To, doc.Note.Cc)
	}
}

// A deleted comment answers a Tombstone as PeerTube's; a held one, a
// remote author's, one on another video or on a private video: 404.
func TestCommentTombstoneAndHidden(t *testing.T) {
	s := commentsService(t)
	doc, err := s.Comment(context.Background(), uuidPublic, 4)
	if err != nil || doc.Tombstone == nil || doc.Note != nil {
		t.Fatalf("deleted comment: %+v, %v", doc, err)
	}
	ts := *doc.Tombstone
	if ts.Type != "Tombstone" || ts.FormerType != "Note" || ts.ID != videoIRI+"/comments/4" || ts.URL != ts.ID ||
		ts.InReplyTo != videoIRI || ts.Deleted != "2026-03-01T14:00:00.000Z" || ts.Published != "2026-03-01T13:00:00.000Z" {
		t.Errorf("tombstone: %+v", ts)
	}
	for _, id := range []int64{3, 5, 77} {
		if _, err := s.Comment(context.Background(), uuidPublic, id); !errors.Is(err, federation.ErrNotFound) {
			t.Errorf("comment %d: %v, want not found", id, err)
		}
	}
	private := published("7d161a1a-ec38-43d2-b03a-984b05fb8f7a", model.PrivacyPrivate)
	private.ID = 6
	s2, _ := service(t, private)
	s2.Comments = fakeComments{svc: s2, comments: map[int64]model.Comment{1: {ID: 1, VideoID: 6, AccountID: bob.ID, Account: bob, Text: "x", CreatedAt: t0}}}
	if _, err := s2.Comment(context.Background(), private.UUID, 1); !errors.Is(err, federation.ErrNotFound) {
		t.Errorf("a private video's comment: %v, want not found", err)
	}
}

// The Video's collections carry PeerTube's totals: likes and dislikes
// from the video's counters, one share (the channel's Announce), the
// comments a stranger may read, with a first page of their IRIs.
func TestVideoCollections(t *testing.T) {
	v := published("8d161a1a-ec38-43d2-b03a-984b05fb8f7a", model.PrivacyPublic)
	v.ID, v.Likes, v.Dislikes = 5, 3, 1
	s, _ := service(t, v)
	s.Comments = fakeComments{svc: s, comments: commentsService(t).Comments.(fakeComments).comments}
	ctx := context.Background()
	base := "https://videos.example.org/videos/watch/" + v.UUID
	for which, want := range map[federation.VideoWhich]int{federation.VideoLikes: 3, federation.VideoDislikes: 1, federation.VideoShares: 1, federation.VideoComments: 3} {
		c, err := s.VideoCollection(ctx, v.UUID, which)
		if err != nil {
			t.Fatal(which, err)
		}
		if c.Type != "OrderedCollection" || c.TotalItems != want || c.ID != base+"/"+string(which) {
			t.Errorf("%s: %+v, want %d items", which, c, want)
		}
	}
	p, err := s.VideoCollectionPage(ctx, v.UUID, federation.VideoComments, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{base + "/comments/1", base + "/comments/2", base + "/comments/5"}; !slices.Equal(p.OrderedItems, want) || p.TotalItems != 3 || p.PartOf != base+"/comments" {
		t.Errorf("comments page: %+v", p)
	}
	if _, err := s.VideoCollectionPage(ctx, v.UUID, federation.VideoLikes, 1); !errors.Is(err, federation.ErrNotFound) {
		t.Errorf("likes are counted, not listed: %v", err)
	}
	if _, err := s.VideoCollection(ctx, "7d161a1a-ec38-43d2-b03a-984b05fb8f7a", federation.VideoLikes); !errors.Is(err, federation.ErrNotFound) {
		t.Errorf("unknown video: %v", err)
	}
}
