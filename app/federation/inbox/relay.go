package inbox

import (
	"context"
	"net/url"
	"strings"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// relay forwards an accepted activity about a local video (a CacheFile's
// Create, Update or Undo: another server mirrors it) to the video's
// followers, as PeerTube does (forwardVideoRelatedActivity): those of its
// account and channel and, for a public video, of the server actor (the
// instances that follow this one). The body goes on as it came, so that
// a PeerTube receiver checks its sender's linked-data signature in it,
// and a Cabane asks the sender's server (forward.go); the request is
// signed by this box's server actor. Neither the sender's server nor the
// forwarder's (when it came forwarded) gets it back. A failure is logged:
// the mirror is recorded all the same.
func (s *Service) relay(ctx context.Context, a *activity, v model.Video) {
	if s.Audience == nil || s.Sender == nil || len(a.raw) == 0 {
		return
	}
	of := []keys.Actor{{Kind: keys.Account, ID: v.Channel.AccountID}, {Kind: keys.Channel, ID: v.ChannelID}}
	if visibility.PublicAudience(v) {
		of = append(of, keys.ServerActor)
	}
	followers, err := s.Audience.Followers(ctx, of...)
	if err != nil {
		s.log().Warn("inbox: followers to forward to", "id", a.ID, "err", err)
		return
	}
	skip := []string{hostOf(a.actor), hostOf(a.signer)}
	var to []federation.Recipient
	for _, r := range followers {
		if !onHosts(r, skip) {
			to = append(to, r)
		}
	}
	if len(to) == 0 {
		return
	}
	from := federation.LocalActor{Key: keys.ServerActor, IRI: s.Identity.URIs().Abs(uris.ServerActor)}
	if err := s.Sender.Send(ctx, from, a.raw, to); err != nil {
		s.log().Warn("inbox: forward an activity to a video's followers", "id", a.ID, "video", v.UUID, "err", err)
		return
	}
	s.log().Info("inbox: activity forwarded to a video's followers", "type", a.Type, "id", a.ID, "video", v.UUID, "recipients", len(to))
}

// onHosts says whether a recipient lives on one of hosts: its actor, or
// the inbox its activities would go to.
func onHosts(r federation.Recipient, hosts []string) bool {
	for _, u := range []string{r.Actor, r.Inbox, r.SharedInbox} {
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil {
			continue
		}
		for _, h := range hosts {
			if h != "" && strings.EqualFold(p.Host, h) {
				return true
			}
		}
	}
	return false
}
