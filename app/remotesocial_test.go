package app

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
)

// commentJSON is what the comments API says of a comment.
type commentJSON struct {
	ID        int64  `json:"id"`
	Text      string `json:"text"`
	IsDeleted bool   `json:"isDeleted"`
	Account   struct {
		Name string `json:"name"`
		Host string `json:"host"`
	} `json:"account"`
}

type threadJSON struct {
	Comment  commentJSON  `json:"comment"`
	Children []threadJSON `json:"children"`
}

// Two real Cabanes: alice on A follows bob's channel on B and acts on
// bob's video from A. Her comment reaches B signed by her account,
// answering B's Video; bob's reply on B reaches A (it answers her
// comment's IRI) and is listed there; her like reaches B as a Like, her
// unlike as the Undo of that Like; a view counted on A reaches B as a
// View; her comment's deletion reaches B. Nothing leaves for a video
// that does not federate.
func TestRemoteVideoSocial(t *testing.T) {
	ctx := context.Background()
	b, bBase := fedApp(t)
	a, aBase := fedApp(t)
	bob, bobCh, bobToken := fedUser(t, b, bBase, "bob")
	clip := testrig.MakeClip(t, filepath.Join(b.Layout.Uploads(), "up.part"), testrig.Clip{Seconds: 2, Size: "320x240", FPS: 25, Args: []string{"-f", "mp4"}})
	v, err := b.Videos.Ingest(ctx, clip, videos.UploadMeta{UploaderAccountID: bobCh.AccountID, ChannelID: bobCh.ID, Name: "Blue tit",
		Privacy: model.PrivacyPublic, OriginalName: "tit.mp4"})
	if err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 60*time.Second, func() bool {
		got, err := b.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.State == model.StatePublished
	})
	alice, _, token := fedUser(t, a, aBase, "alice")
	aHost, bHost := strings.TrimPrefix(aBase, "http://"), strings.TrimPrefix(bBase, "http://")
	if code := call(t, http.MethodPost, aBase+"/api/v1/users/me/subscriptions", token, map[string]string{"uri": "bob_channel@" + bHost}, nil); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		f, err := a.Store.Follows().FollowingOf(ctx, model.FollowerAccount, alice.AccountID, bBase+"/video-channels/bob_channel")
		return err == nil && f.State == model.FollowAccepted
	})
	// An edit on B brings the video to A (Cabane's outbox lists nothing to backfill).
	owner := visibility.Viewer{UserID: bob.ID, AccountID: bob.AccountID}
	name := "Great tit"
	if _, err := b.Videos.Update(ctx, owner, v.UUID, videos.Edit{Name: &name}); err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := a.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.Name == name
	})
	threads := func(base, tok string) []commentJSON {
		var page struct {
			Data []commentJSON `json:"data"`
		}
		call(t, http.MethodGet, base+"/api/v1/videos/"+v.UUID+"/comment-threads", tok, nil, &page)
		return page.Data
	}

	// Alice comments on A: stored here, and B has it as alice@A's.
	var posted struct {
		Comment commentJSON `json:"comment"`
	}
	if code := call(t, http.MethodPost, aBase+"/api/v1/videos/"+v.UUID+"/comment-threads", token, map[string]string{"text": "Lovely bird"}, &posted); code != http.StatusOK {
		t.Fatalf("comment: %d %+v", code, posted)
	}
	var onB commentJSON
	testrig.WaitFor(t, 30*time.Second, func() bool {
		for _, c := range threads(bBase, bobToken) {
			if c.Text == "Lovely bird" && c.Account.Name == "alice" && c.Account.Host == aHost {
				onB = c
				return true
			}
		}
		return false
	})
	// B stored it as the Note A's comment IRI names.
	var iri string
	b.Store.DB().QueryRowContext(ctx, `SELECT iri FROM comments WHERE id = ?`, onB.ID).Scan(&iri)
	if want := aBase + "/videos/watch/" + v.UUID + "/comments/" + strconv.FormatInt(posted.Comment.ID, 10); iri != want {
		t.Errorf("B's comment iri = %q, want %q", iri, want)
	}
	// A serves that Note, answering B's Video.
	var note struct {
		InReplyTo    string `json:"inReplyTo"`
		AttributedTo string `json:"attributedTo"`
	}
	req, _ := http.NewRequest(http.MethodGet, iri, nil)
	req.Header.Set("Accept", "application/activity+json")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		json.NewDecoder(resp.Body).Decode(&note)
		resp.Body.Close()
	}
	if note.InReplyTo != bBase+"/videos/watch/"+v.UUID || note.AttributedTo != aBase+"/accounts/alice" {
		t.Errorf("A's Note = %+v", note)
	}

	// Bob answers on B: the reply reaches A and is listed under her thread.
	if code := call(t, http.MethodPost, bBase+"/api/v1/videos/"+v.UUID+"/comments/"+strconv.FormatInt(onB.ID, 10), bobToken,
		map[string]string{"text": "Thanks alice"}, nil); code != http.StatusOK {
		t.Fatalf("reply: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		var tree threadJSON
		call(t, http.MethodGet, aBase+"/api/v1/videos/"+v.UUID+"/comment-threads/"+strconv.FormatInt(posted.Comment.ID, 10), token, nil, &tree)
		return len(tree.Children) == 1 && tree.Children[0].Comment.Text == "Thanks alice" &&
			tree.Children[0].Comment.Account.Name == "bob" && tree.Children[0].Comment.Account.Host == bHost
	})

	// Alice likes it: B counts a like, kept with the Like's id A sent.
	if code := call(t, http.MethodPut, aBase+"/api/v1/videos/"+v.UUID+"/rate", token, map[string]string{"rating": "like"}, nil); code != http.StatusNoContent {
		t.Fatalf("like: %d", code)
	}
	var likeID string
	a.Store.DB().QueryRowContext(ctx, `SELECT COALESCE(activity_id, '') FROM video_rates WHERE account_id = ?`, alice.AccountID).Scan(&likeID)
	if !strings.HasPrefix(likeID, aBase+"/accounts/alice/likes/") {
		t.Fatalf("A kept the like as %q", likeID)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := b.Store.Videos.ByUUID(ctx, v.UUID)
		var kept string
		b.Store.DB().QueryRowContext(ctx, `SELECT COALESCE(activity_id, '') FROM video_rates WHERE video_id = ? AND type = 'like'`, got.ID).Scan(&kept)
		return err == nil && got.Likes == 1 && kept == likeID
	})
	// Unlike: the Undo of that Like takes it off B.
	if code := call(t, http.MethodPut, aBase+"/api/v1/videos/"+v.UUID+"/rate", token, map[string]string{"rating": "none"}, nil); code != http.StatusNoContent {
		t.Fatalf("unlike: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := b.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.Likes == 0
	})
	// Like again: a new Like (a new id, not a replay of the first) counts.
	call(t, http.MethodPut, aBase+"/api/v1/videos/"+v.UUID+"/rate", token, map[string]string{"rating": "dislike"}, nil)
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := b.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.Dislikes == 1 && got.Likes == 0
	})

	// A view counted on A is a View to B.
	bv, _ := b.Store.Videos.ByUUID(ctx, v.UUID)
	before := b.Videos.Views(bv)
	call(t, http.MethodPost, aBase+"/api/v1/videos/"+v.UUID+"/views", token, map[string]float64{"currentTime": 0}, nil)
	time.Sleep(200 * time.Millisecond) // playback time must pass for the view to count (views' rule)
	call(t, http.MethodPost, aBase+"/api/v1/videos/"+v.UUID+"/views", token, map[string]float64{"currentTime": 1.9}, nil)
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, _ := b.Store.Videos.ByUUID(ctx, v.UUID)
		return b.Videos.Views(got) == before+1
	})

	// Alice deletes her comment: B's goes too.
	if code := call(t, http.MethodDelete, aBase+"/api/v1/videos/"+v.UUID+"/comments/"+strconv.FormatInt(posted.Comment.ID, 10), token, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete comment: %d", code)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		for _, c := range threads(bBase, bobToken) {
			if c.ID == onB.ID {
				return c.IsDeleted
			}
		}
		return false
	})

	// B holds comments for bob's approval: A does not hold alice's (bob
	// approves on B, where it is held).
	held := model.CommentsRequiresApproval
	if _, err := b.Videos.Update(ctx, owner, v.UUID, videos.Edit{CommentsPolicy: &held}); err != nil {
		t.Fatal(err)
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := a.Store.Videos.ByUUID(ctx, v.UUID)
		return err == nil && got.Meta.CommentsPolicy == held
	})
	if code := call(t, http.MethodPost, aBase+"/api/v1/videos/"+v.UUID+"/comment-threads", token, map[string]string{"text": "Please approve"}, nil); code != http.StatusOK {
		t.Fatalf("comment under approval: %d", code)
	}
	var anon struct {
		Data []commentJSON `json:"data"`
	}
	testrig.GetJSON(t, aBase+"/api/v1/videos/"+v.UUID+"/comment-threads", &anon)
	if !slices.ContainsFunc(anon.Data, func(c commentJSON) bool { return c.Text == "Please approve" }) {
		t.Errorf("A holds alice's comment on a remote video")
	}
	testrig.WaitFor(t, 30*time.Second, func() bool {
		var heldOnB bool
		b.Store.DB().QueryRowContext(ctx, `SELECT held_for_review FROM comments WHERE text = 'Please approve'`).Scan(&heldOnB)
		return heldOnB
	})

	// Private on B: bob's comment and rating of it queue nothing.
	priv := model.PrivacyPrivate
	if _, err := b.Videos.Update(ctx, owner, v.UUID, videos.Edit{Privacy: &priv}); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		b.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind IN ('federation.comment', 'federation.rate', 'federation.view')`).Scan(&n)
		return n
	}
	was := count()
	if code := call(t, http.MethodPost, bBase+"/api/v1/videos/"+v.UUID+"/comment-threads", bobToken, map[string]string{"text": "Just for me"}, nil); code != http.StatusOK {
		t.Fatalf("comment private: %d", code)
	}
	if code := call(t, http.MethodPut, bBase+"/api/v1/videos/"+v.UUID+"/rate", bobToken, map[string]string{"rating": "like"}, nil); code != http.StatusNoContent {
		t.Fatalf("rate private: %d", code)
	}
	if n := count(); n != was {
		t.Errorf("%d federation jobs for a private video", n-was)
	}
}
