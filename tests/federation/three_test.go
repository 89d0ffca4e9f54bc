package federation

import (
	"net/http"
	"strings"
	"testing"
)

// Three Cabanes, A (ana), B (ben) and C (cat). B follows A's channel, C
// follows A's and B's, A follows B's, all by handle
// (channel@127.0.0.1:port). A's video reaches B and C and plays from A;
// B's comment and replies cross to A and back; C's like is counted on A;
// A's edit and deletion reach B and C. B's video reaches A and C; A's and
// C's comments and A's like reach B, and B's replies reach them; B's edit
// and deletion reach A and C. The unfollows' Undos take the followers off
// A and B.
func TestThreeInstances(t *testing.T) {
	t.Parallel()
	a, b, c := start(t, "ana"), start(t, "ben"), start(t, "cat")

	// Follows by handle (channel@host:port: WebFinger on the port).
	b.subscribe(t, a)
	c.subscribe(t, a)
	c.subscribe(t, b)
	a.waitFollowers(t, 2)
	b.waitFollowers(t, 1)

	// A publishes: B and C list it, from A's channel, playing from A.
	uuid := a.upload(t, "Blackbird song")
	for _, in := range []*instance{b, c} {
		eventually(t, in.Host+" lists A's video", within, func() bool {
			v, ok := in.inFeed(t, uuid)
			return ok && !v.IsLocal && v.Channel.Name == a.channel() && v.Channel.Host == a.Host
		})
		v, _ := in.video(t, uuid)
		if v.IsLocal || v.URL != a.URL("/videos/watch/"+uuid) || len(v.StreamingPlaylists) != 1 ||
			!strings.HasPrefix(v.StreamingPlaylists[0].PlaylistURL, a.URL("/static/streaming-playlists/hls/"+uuid+"/")) {
			t.Fatalf("%s says of A's video: %+v", in.Host, v)
		}
		playable(t, v.StreamingPlaylists[0].PlaylistURL)
	}

	// B comments: A lists it as ben@B's. A's owner answers: B has the reply
	// under its comment. B answers the answer: A has it under A's reply.
	bc := b.comment(t, uuid, "What a voice")
	onA := a.waitThread(t, uuid, b, "What a voice")
	ar := a.reply(t, uuid, onA.ID, "Thank you ben")
	var arOnB int64
	eventually(t, "A's reply reaches B", within, func() bool {
		tr := b.thread(t, uuid, bc.ID)
		if len(tr.Children) != 1 {
			return false
		}
		r := tr.Children[0].Comment
		arOnB = r.ID
		return r.Text == "Thank you ben" && r.Account.Name == a.User && r.Account.Host == a.Host
	})
	b.reply(t, uuid, arOnB, "You're welcome")
	eventually(t, "B's reply to the reply reaches A", within, func() bool {
		tr := a.thread(t, uuid, onA.ID)
		if len(tr.Children) != 1 || tr.Children[0].Comment.ID != ar.ID || len(tr.Children[0].Children) != 1 {
			return false
		}
		r := tr.Children[0].Children[0].Comment
		return r.Text == "You're welcome" && r.Account.Name == b.User && r.Account.Host == b.Host
	})

	// C likes it: A counts the like.
	c.rate(t, uuid, "like")
	a.waitVideo(t, uuid, "C's like counted", func(v video) bool { return v.Likes == 1 })

	// A renames it: B and C follow.
	a.rename(t, uuid, "Blackbird at dawn")
	for _, in := range []*instance{b, c} {
		in.waitVideo(t, uuid, "the new title", func(v video) bool { return v.Name == "Blackbird at dawn" })
	}
	// A deletes it: gone from B and C.
	a.remove(t, uuid)
	b.waitGone(t, uuid)
	c.waitGone(t, uuid)

	// The other way: A follows B; B publishes; A and C list it.
	a.subscribe(t, b)
	b.waitFollowers(t, 2)
	buuid := b.upload(t, "Robin in the snow")
	for _, in := range []*instance{a, c} {
		eventually(t, in.Host+" lists B's video", within, func() bool {
			v, ok := in.inFeed(t, buuid)
			return ok && !v.IsLocal && v.Channel.Host == b.Host
		})
	}
	// A comments and likes: B lists the comment as ana@A's and counts the
	// like; B's reply reaches A.
	ac := a.comment(t, buuid, "Lovely robin")
	onB := b.waitThread(t, buuid, a, "Lovely robin")
	a.rate(t, buuid, "like")
	b.waitVideo(t, buuid, "A's like counted", func(v video) bool { return v.Likes == 1 })
	b.reply(t, buuid, onB.ID, "Merci ana")
	eventually(t, "B's reply reaches A", within, func() bool {
		tr := a.thread(t, buuid, ac.ID)
		return len(tr.Children) == 1 && tr.Children[0].Comment.Text == "Merci ana" && tr.Children[0].Comment.Account.Host == b.Host
	})
	// C comments too: B lists it as cat@C's, and B's answer reaches C.
	cc := c.comment(t, buuid, "Robins sing in winter")
	ccOnB := b.waitThread(t, buuid, c, "Robins sing in winter")
	b.reply(t, buuid, ccOnB.ID, "They do")
	eventually(t, "B's reply reaches C", within, func() bool {
		tr := c.thread(t, buuid, cc.ID)
		return len(tr.Children) == 1 && tr.Children[0].Comment.Text == "They do" && tr.Children[0].Comment.Account.Host == b.Host
	})
	// B renames and deletes it: A and C follow.
	b.rename(t, buuid, "Robin on the fence")
	for _, in := range []*instance{a, c} {
		in.waitVideo(t, buuid, "B's new title", func(v video) bool { return v.Name == "Robin on the fence" })
	}
	b.remove(t, buuid)
	a.waitGone(t, buuid)
	c.waitGone(t, buuid)

	// Unfollows: each Undo takes its follower off.
	b.unsubscribe(t, a)
	a.waitFollowers(t, 1)
	c.unsubscribe(t, a)
	a.waitFollowers(t, 0)
	a.unsubscribe(t, b)
	c.unsubscribe(t, b)
	b.waitFollowers(t, 0)
	if code := b.api(t, http.MethodGet, "/api/v1/users/me/subscriptions/videos", nil, nil); code != http.StatusOK {
		t.Fatalf("B's feed after unfollowing: %d", code)
	}
}
