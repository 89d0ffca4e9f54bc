package outbox

import (
	"context"
	"fmt"
	"strconv"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// UndoActivity is the Undo of an activity, which it embeds as Mastodon
// and PeerTube do.
type UndoActivity struct {
	Context vocab.Context `json:"@context"`
	Type    string        `json:"type"` // "Undo"
	ID      string        `json:"id"`
	Actor   string        `json:"actor"`
	Object  Activity      `json:"object"`
	To      []string      `json:"to"`
	Cc      []string      `json:"cc"`
}

// recommendAnnounceID is the id of a channel's Announce of the video it
// recommends: under the channel, by the recommendation's id.
func recommendAnnounceID(channel string, id int64) string {
	return uris.Recommendations(channel) + "/" + strconv.FormatInt(id, 10) + "/announce"
}

// Recommended boosts a video channel ch recommends (any server's, by its
// IRI): the channel's Announce of it, public and copied to the channel's
// followers, as a PeerTube channel announces its own videos and Mastodon
// boosts; undo sends the Undo of that Announce. The Sender queues it
// durably.
func (s *Service) Recommended(ctx context.Context, ch model.Channel, r model.Recommendation, undo bool) error {
	if !s.On() || ch.Remote() || r.Kind != model.RecommendVideo || r.IRI == "" {
		return nil
	}
	u := s.Identity.URIs()
	path := uris.Channel(ch.Name)
	channel := u.Abs(path)
	to, err := s.Audience.Followers(ctx, channelKey(ch.ID))
	if err != nil {
		return fmt.Errorf("followers of channel %d: %w", ch.ID, err)
	}
	if len(to) == 0 {
		return nil
	}
	audience, cc := []string{vocab.Public}, []string{u.Abs(uris.Followers(path))}
	a := Activity{Context: announceContext, Type: "Announce", ID: recommendAnnounceID(channel, r.ID), Actor: channel,
		Object: r.IRI, To: audience, Cc: cc}
	from := federation.LocalActor{Key: channelKey(ch.ID), IRI: channel}
	if !undo {
		return s.send(ctx, from, a, to)
	}
	a.Context = nil
	undoA := UndoActivity{Context: announceContext, Type: "Undo", ID: a.ID + "/undo", Actor: channel, Object: a, To: audience, Cc: cc}
	return s.sendAny(ctx, from, undoA.Type, undoA.ID, undoA, to)
}
