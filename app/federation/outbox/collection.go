package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/uris"
)

// PublicVideos lists local public videos for outboxes (store.Follows).
type PublicVideos interface {
	PublicLocalVideos(ctx context.Context, accountID, channelID int64, offset, limit int) ([]store.OutboxVideo, int, error)
}

// Collection serves the outboxes (federation.OutboxItems) as PeerTube's
// do, so that a server that follows an actor here can read its recent
// videos (app/federation/following's backfill): an account's outbox
// holds the Creates of its public videos, each with its Video; a
// channel's the channel's Announces; the server actor's its own
// Announces of every public video (PeerTube shares each by its server
// actor). Unlisted videos are never listed: an outbox is public.
type Collection struct {
	Identity  federation.Identity
	Documents Documents
	Videos    PublicVideos
	Log       *slog.Logger // nil: slog.Default()
}

func (c Collection) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// Activities lists one page of c's outbox, newest first, with the total.
func (c Collection) Activities(ctx context.Context, ref federation.CollectionRef, offset, limit int) ([]json.RawMessage, int, error) {
	if ref.Which != federation.Outbox || !c.Identity.On() {
		return []json.RawMessage{}, 0, nil
	}
	var accountID, channelID int64
	switch ref.Kind {
	case federation.KindAccount:
		accountID = ref.ID
	case federation.KindChannel:
		channelID = ref.ID
	case federation.KindServer:
	default:
		return []json.RawMessage{}, 0, nil
	}
	vs, total, err := c.Videos.PublicLocalVideos(ctx, accountID, channelID, offset, limit)
	if err != nil {
		return nil, 0, err
	}
	u := c.Identity.URIs()
	out := make([]json.RawMessage, 0, len(vs))
	for _, v := range vs {
		va := actorsOf(u, v.UUID, v.AccountName, v.ChannelName, v.ChannelID, true)
		var a Activity
		switch ref.Kind {
		case federation.KindAccount:
			doc, err := c.Documents.Video(ctx, v.UUID)
			if errors.Is(err, federation.ErrNotFound) {
				continue // hidden from remote viewers since it was listed (a blocked account)
			}
			if ctx.Err() != nil {
				return nil, 0, ctx.Err()
			}
			if err != nil {
				// One video whose document cannot be made (a file gone
				// missing) must not hide the others from every follower.
				c.log().Warn("outbox: video left out", "video", v.UUID, "err", err)
				continue
			}
			a = videoCreate(va, doc)
		case federation.KindChannel:
			a = videoAnnounce(va)
		default:
			a = serverAnnounce(va, u.Abs(uris.ServerActor))
		}
		a.Context = nil // the page's @context holds
		b, err := json.Marshal(a)
		if err != nil {
			return nil, 0, fmt.Errorf("encode outbox item %s: %w", a.ID, err)
		}
		out = append(out, b)
	}
	return out, total, nil
}

// serverAnnounce is the server actor's Announce of a public video, which
// PeerTube makes of each local video (its server share).
func serverAnnounce(va videoActors, server string) Activity {
	to, cc := va.audience()
	return Activity{Type: "Announce", ID: va.video + "/announces/server", Actor: server, Object: va.video,
		To: to, Cc: append(cc, server+"/followers")}
}
