package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/outbox"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
)

// fedCommunityRig is the community rig federating as fedPublicURL, its
// comments readable by remote servers as the App wires them.
func fedCommunityRig(t *testing.T) *communityRig {
	t.Helper()
	cr := newCommunityRig(t)
	kr := keys.NewKeyring(cr.store.ActorKeys())
	cr.server.Federation = &federation.Service{Identity: federation.NewIdentity(fedPublicURL, nil),
		Accounts: cr.server.Accounts, Videos: cr.videos, Torrents: cr.server.Torrents, Version: "1.2.3-test", Comments: cr.server.Comments,
		Keys: federation.PublicKeyFunc(func(ctx context.Context, kind string, id int64) (string, error) {
			p, err := kr.Get(ctx, keys.Actor{Kind: keys.Kind(kind), ID: id})
			if err != nil {
				return "", err
			}
			return p.PublicPEM, nil
		})}
	cr.server.Config.PublicURL = fedPublicURL
	return cr
}

// postComment posts text as who on video uuid (a reply when parent is
// set) and returns the comment's id.
func (cr *communityRig) postComment(t *testing.T, who, uuid string, parent int64, text string) int64 {
	t.Helper()
	path := "/api/v1/videos/" + uuid + "/comment-threads"
	if parent != 0 {
		path = fmt.Sprintf("/api/v1/videos/%s/comments/%d", uuid, parent)
	}
	code, out := cr.api(t, "POST", path, who, map[string]string{"text": text})
	if code != http.StatusOK {
		t.Fatalf("post comment: %d %v", code, out)
	}
	c, _ := out["comment"].(map[string]any)
	return num(c["id"])
}

// A comment's IRI answers servers its Note (activity+json, for both
// Accept forms PeerTube and Mastodon send) and browsers a redirect to the
// comment on the watch page.
func TestCommentNoteServed(t *testing.T) {
	cr := fedCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	thread := cr.postComment(t, "author", v.UUID, 0, "Hello <3")
	reply := cr.postComment(t, "other", v.UUID, thread, "Hi author")
	for _, accept := range []string{acceptAP, acceptLDAP} {
		path := fmt.Sprintf("/videos/watch/%s/comments/%d", v.UUID, reply)
		res, body := cr.fedGet(t, path, accept, "")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/activity+json; charset=utf-8" {
			t.Fatalf("%s: %d %s", accept, res.StatusCode, res.Header.Get("Content-Type"))
		}
		var n struct {
			Type, ID, InReplyTo, AttributedTo, Content, MediaType string
			To, Cc                                                []string
			Tag                                                   []struct{ Type, Href, Name string }
		}
		if err := json.Unmarshal(body, &n); err != nil {
			t.Fatal(err)
		}
		if n.Type != "Note" || n.ID != fedPublicURL+path || n.AttributedTo != fedPublicURL+"/accounts/other" ||
			n.InReplyTo != fmt.Sprintf("%s/videos/watch/%s/comments/%d", fedPublicURL, v.UUID, thread) ||
			n.Content != "Hi author" || n.MediaType != "text/html" {
			t.Errorf("note: %s", body)
		}
		if len(n.Tag) != 1 || n.Tag[0].Href != fedPublicURL+"/accounts/author" || n.Tag[0].Name != "@author@videos.example.org" {
			t.Errorf("mentions: %+v", n.Tag)
		}
	}
	res, body := cr.fedGet(t, fmt.Sprintf("/videos/watch/%s/comments/%d", v.UUID, thread), acceptAP, "")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"content":"Hello &lt;3"`) {
		t.Errorf("thread: %d %s", res.StatusCode, body)
	}
	res, _ = cr.send(t, "GET", fmt.Sprintf("/videos/watch/%s/comments/%d", v.UUID, thread), nil, map[string]string{"Accept": "text/html"}, "", false)
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != fmt.Sprintf("/videos/watch/%s#c-%d", v.UUID, thread) {
		t.Errorf("browser: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// What a stranger may not read is a 404 (activity+json) to servers: a
// private or internal video's comments, a comment held for review, one
// asked under another video; a deleted one is a Tombstone.
func TestCommentIRIHidden(t *testing.T) {
	cr := fedCommunityRig(t)
	public := cr.video(t, model.PrivacyPublic, comments.PolicyRequiresApproval)
	other := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	held := cr.postComment(t, "author", public.UUID, 0, "waiting")
	owners := cr.postComment(t, "user", public.UUID, 0, "mine") // the owner is never held
	gone := cr.postComment(t, "user", public.UUID, 0, "soon gone")
	if code, _ := cr.api(t, "DELETE", fmt.Sprintf("/api/v1/videos/%s/comments/%d", public.UUID, gone), "user", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	paths := map[string]int{
		fmt.Sprintf("/videos/watch/%s/comments/%d", public.UUID, owners): http.StatusOK,
		fmt.Sprintf("/videos/watch/%s/comments/%d", public.UUID, held):   http.StatusNotFound,
		fmt.Sprintf("/videos/watch/%s/comments/%d", other.UUID, owners):  http.StatusNotFound,
		fmt.Sprintf("/videos/watch/%s/comments/%d", public.UUID, 999):    http.StatusNotFound,
	}
	for _, p := range []int{model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyUnlisted} {
		v := cr.video(t, p, comments.PolicyEnabled)
		want := http.StatusNotFound
		if p == model.PrivacyUnlisted {
			want = http.StatusOK
		}
		paths[fmt.Sprintf("/videos/watch/%s/comments/%d", v.UUID, cr.postComment(t, "user", v.UUID, 0, "hidden?"))] = want
		paths[fmt.Sprintf("/videos/watch/%s/comments", v.UUID)] = want
		paths[fmt.Sprintf("/videos/watch/%s/likes", v.UUID)] = want
	}
	for path, want := range paths {
		res, body := cr.fedGet(t, path, acceptAP, "")
		if res.StatusCode != want || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/activity+json") {
			t.Errorf("%s: %d %s, want %d", path, res.StatusCode, body, want)
		}
	}
	res, body := cr.fedGet(t, fmt.Sprintf("/videos/watch/%s/comments/%d", public.UUID, gone), acceptAP, "")
	var ts struct{ Type, FormerType, Deleted string }
	if json.Unmarshal(body, &ts); res.StatusCode != http.StatusOK || ts.Type != "Tombstone" || ts.FormerType != "Note" || ts.Deleted == "" {
		t.Errorf("deleted comment: %d %s", res.StatusCode, body)
	}
}

// The Video's collections answer PeerTube's totals: the likes and
// dislikes a rating moved, the channel's one Announce, the comments a
// stranger reads (held ones left out), with their Notes' IRIs paged.
func TestVideoCollectionsServed(t *testing.T) {
	cr := fedCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	base := "/api/v1/videos/" + v.UUID
	for who, rating := range map[string]string{"author": "like", "other": "like", "user": "dislike"} {
		if code, out := cr.api(t, "PUT", base+"/rate", who, map[string]string{"rating": rating}); code != http.StatusNoContent {
			t.Fatalf("rate: %d %v", code, out)
		}
	}
	var ids []int64
	for i := range 12 {
		ids = append(ids, cr.postComment(t, "author", v.UUID, 0, fmt.Sprintf("comment %d", i)))
	}
	watch := fedPublicURL + "/videos/watch/" + v.UUID
	for which, want := range map[string]int{"likes": 2, "dislikes": 1, "announces": 1, "comments": 12} {
		res, body := cr.fedGet(t, "/videos/watch/"+v.UUID+"/"+which, acceptAP, "")
		var c struct {
			Type, ID, First string
			TotalItems      int
		}
		if json.Unmarshal(body, &c); res.StatusCode != http.StatusOK || c.Type != "OrderedCollection" || c.TotalItems != want ||
			c.ID != watch+"/"+which || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/activity+json") {
			t.Errorf("%s: %d %s, want %d items", which, res.StatusCode, body, want)
		}
	}
	res, body := cr.fedGet(t, "/videos/watch/"+v.UUID+"/comments?page=2", acceptAP, "")
	var p struct {
		Type, PartOf, Prev string
		OrderedItems       []string
	}
	want := []string{fmt.Sprintf("%s/comments/%d", watch, ids[10]), fmt.Sprintf("%s/comments/%d", watch, ids[11])}
	if json.Unmarshal(body, &p); res.StatusCode != http.StatusOK || p.Type != "OrderedCollectionPage" || p.PartOf != watch+"/comments" ||
		fmt.Sprint(p.OrderedItems) != fmt.Sprint(want) {
		t.Errorf("comments page 2: %d %s", res.StatusCode, body)
	}
	// The Video names them.
	_, body = cr.fedGet(t, "/videos/watch/"+v.UUID, acceptAP, "")
	if !strings.Contains(string(body), `"likes":"`+watch+`/likes"`) || !strings.Contains(string(body), `"shares":"`+watch+`/announces"`) {
		t.Errorf("the Video does not name its collections: %s", body)
	}
}

// failingFederator refuses every comment write.
type failingFederator struct{}

func (failingFederator) CommentChanged(context.Context, *sql.Tx, model.Video, model.Comment, model.Comment) error {
	return errors.New("queue unavailable")
}

// A comment and the news of it commit together: when the news cannot be
// queued, the comment is refused and nothing of it is stored; with the
// real outbox, a comment on a public video queues one job, on a private
// one none.
func TestCommentAndItsNewsAreAtomic(t *testing.T) {
	cr := fedCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	cr.server.Comments.Federate = failingFederator{}
	res, _ := cr.send(t, "POST", "/api/v1/videos/"+v.UUID+"/comment-threads", strings.NewReader(`{"text":"lost"}`),
		map[string]string{"Content-Type": "application/json", csrfHeader: testCSRF}, "author", true)
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("post with a failing queue: %d", res.StatusCode)
	}
	if _, list := cr.api(t, "GET", "/api/v1/videos/"+v.UUID+"/comment-threads", "user", nil); num(list["total"]) != 0 {
		t.Errorf("the refused comment was stored: %v", list)
	}

	ob := &outbox.Service{Identity: cr.server.Federation.Identity, Documents: cr.server.Federation, Videos: cr.videos,
		Accounts: cr.server.Accounts, Jobs: cr.jobs, Sender: nopSender{}, Audience: nopAudience{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cr.server.Comments.Federate = ob
	private := cr.video(t, model.PrivacyPrivate, comments.PolicyEnabled)
	cr.postComment(t, "user", private.UUID, 0, "stays home")
	cr.postComment(t, "author", v.UUID, 0, "goes out")
	js, err := cr.jobs.List(context.Background(), jobs.ListFilter{Kind: outbox.JobComment})
	if err != nil || len(js) != 1 {
		t.Errorf("%d comment jobs (%v), want the public video's one", len(js), err)
	}
}

type nopSender struct{}

func (nopSender) Send(context.Context, federation.LocalActor, []byte, []federation.Recipient) error {
	return nil
}

type nopAudience struct{}

func (nopAudience) Followers(context.Context, ...keys.Actor) ([]federation.Recipient, error) {
	return nil, nil
}
