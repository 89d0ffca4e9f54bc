package delivery

import (
	"context"
	"encoding/json"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/ldsig"
	"cabane.dev/cabane/app/federation/signature"
)

// ldSign returns activity with a linked-data signature by its sender, as
// PeerTube signs what it sends: a server that receives one of Cabane's
// comments, likes or CacheFiles on its video forwards it to the video's
// followers, and a PeerTube among those takes a forwarded activity only
// with that signature (ldsig's package comment). It is made once, when
// the activity is queued, whatever the number of inboxes.
//
// Left as they are: activities of someone else (relay.go forwards them,
// their bytes unchanged), ones signed already, ones without a @context
// (nothing to canonicalize), and Follow, Accept and Reject, which go to
// one server and are never forwarded. A signature that cannot be made
// (a context not embedded in ldsig) is logged and the activity goes
// unsigned: the HTTP signature still vouches for it where it is sent.
func (s *Service) ldSign(ctx context.Context, from federation.LocalActor, activity []byte) []byte {
	var head struct {
		Context   json.RawMessage `json:"@context"`
		Type      any             `json:"type"`
		Actor     json.RawMessage `json:"actor"`
		Signature json.RawMessage `json:"signature"`
	}
	if json.Unmarshal(activity, &head) != nil || len(head.Context) == 0 || head.Signature != nil {
		return activity
	}
	var actor string
	if json.Unmarshal(head.Actor, &actor) != nil || actor != from.IRI {
		return activity
	}
	switch typeName(head.Type) {
	case "Follow", "Accept", "Reject":
		return activity
	}
	pair, err := s.keys.Get(ctx, keys.Actor{Kind: from.Key.Kind, ID: from.Key.ID})
	if err != nil {
		s.log.Warn("delivery: no key for a linked-data signature; sent without", "activity", activityID(activity), "err", err)
		return activity
	}
	signed, err := ldsig.Sign(activity, pair.Private, signature.KeyID(from.IRI), s.o.Now())
	if err != nil {
		s.log.Warn("delivery: linked-data signature not made; sent without", "activity", activityID(activity), "err", err)
		return activity
	}
	return signed
}
