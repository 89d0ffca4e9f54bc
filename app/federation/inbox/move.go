package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/store"
)

// ErrNotAlias: a Move whose new actor does not list the old one in its
// alsoKnownAs. Anyone can name any target; only the target itself can
// say it is the old actor's new home (Mastodon's rule), so the Move is
// refused as unauthenticated (401).
var ErrNotAlias = fmt.Errorf("%w: the Move's target does not list its actor in alsoKnownAs", ErrNotSigner)

// Mover carries the local follows of a moved remote actor over to its
// new actor (following.Service).
type Mover interface {
	// Follows reports whether any local actor follows iri.
	Follows(ctx context.Context, iri string) (bool, error)
	// Moved makes each local follower of oldIRI follow newIRI (a signed
	// Follow) and unfollow oldIRI (an Undo); what is already moved is
	// left as it is.
	Moved(ctx context.Context, oldIRI, newIRI string) error
}

// move handles Move{actor: old, object: old, target: new} (Mastodon's
// account migration, which Cabane also sends): the old actor, as signed,
// moves itself; the new actor is fetched from its own server (never read
// from the activity) and must list the old one in alsoKnownAs; then each
// local follower of the old actor follows the new one instead. A Move of
// an actor nobody here follows concerns nothing here (202); a replay
// finds nobody left to move and changes nothing.
func (s *Service) move(ctx context.Context, a *activity) (Outcome, error) {
	if obj := idOf(a.Object); obj != a.actor {
		return 0, fmt.Errorf("%w: Move of %s by %s", ErrNotSigner, obj, a.actor)
	}
	target := idOf(a.Target)
	if !httpURL(target) || target == a.actor {
		return 0, fmt.Errorf("%w: Move target %q", ErrMalformed, target)
	}
	if strings.EqualFold(hostOf(target), s.Identity.URIs().Host()) {
		return s.moveHere(ctx, a, target)
	}
	if s.Mover == nil || s.Objects == nil {
		return Dropped, fmt.Errorf("%w: Move (no mover)", errUnsupported)
	}
	if followed, err := s.Mover.Follows(ctx, a.actor); err != nil {
		return 0, err
	} else if !followed {
		return Dropped, fmt.Errorf("%w: Move of %s, whom nobody here follows", errUnsupported, a.actor)
	}
	body, err := s.Objects.Object(ctx, target)
	if err != nil {
		return 0, fmt.Errorf("Move %s: fetch target: %w", a.ID, err)
	}
	newActor, err := ReadActor(body, s.now())
	if err != nil {
		return 0, fmt.Errorf("Move %s: %w", a.ID, err)
	}
	if newActor.IRI != target {
		return 0, fmt.Errorf("%w: fetched %s, document is %s", ErrBadActor, target, newActor.IRI)
	}
	if !Lists(AlsoKnownAs(body), a.actor) {
		return 0, fmt.Errorf("%w: %s moving to %s", ErrNotAlias, a.actor, target)
	}
	if err := s.Mover.Moved(ctx, a.actor, target); err != nil {
		return 0, fmt.Errorf("Move %s to %s: %w", a.actor, target, err)
	}
	// Remembered once done: moving again would change nothing anyway.
	if _, err := s.apply(ctx, a, func(*store.FollowsTx) error { return nil }); err != nil {
		return 0, err
	}
	return Processed, nil
}

// LocalMover carries the local follows of a remote actor over to the
// local actor it moved to (move.Service).
type LocalMover interface {
	// MovedHere checks that the local actor to lists oldIRI in its
	// alsoKnownAs (ErrNotAlias when not), then makes each local
	// follower of oldIRI subscribe to it instead.
	MovedHere(ctx context.Context, oldIRI string, to keys.Actor) error
}

// moveHere is a remote creator moving to this server: the target is a
// local actor, read here rather than fetched, and its alsoKnownAs is what
// its owner listed on their settings page. The users here who followed
// the old actor subscribe to the local channel.
func (s *Service) moveHere(ctx context.Context, a *activity, target string) (Outcome, error) {
	if s.Mover == nil || s.LocalMover == nil {
		return Dropped, fmt.Errorf("%w: Move to %s, on this server (no mover)", errUnsupported, target)
	}
	if followed, err := s.Mover.Follows(ctx, a.actor); err != nil {
		return 0, err
	} else if !followed {
		return Dropped, fmt.Errorf("%w: Move of %s, whom nobody here follows", errUnsupported, a.actor)
	}
	to, ok, err := s.local(ctx, target)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("%w: Move target %s is no actor of this server", ErrMalformed, target)
	}
	if err := s.LocalMover.MovedHere(ctx, a.actor, to); err != nil {
		return 0, fmt.Errorf("Move %s to %s: %w", a.actor, target, err)
	}
	if _, err := s.apply(ctx, a, func(*store.FollowsTx) error { return nil }); err != nil {
		return 0, err
	}
	return Processed, nil
}

// AlsoKnownAs reads an actor document's alsoKnownAs: an IRI or an array
// of IRIs (or of objects with an id).
func AlsoKnownAs(body []byte) []string {
	var d struct {
		AKA json.RawMessage `json:"alsoKnownAs"`
	}
	if json.Unmarshal(body, &d) != nil || len(d.AKA) == 0 {
		return nil
	}
	var refs []json.RawMessage
	if d.AKA[0] == '[' {
		if json.Unmarshal(d.AKA, &refs) != nil {
			return nil
		}
	} else {
		refs = []json.RawMessage{d.AKA}
	}
	var out []string
	for _, r := range refs {
		if id := idOf(r); httpURL(id) {
			out = append(out, id)
		}
	}
	return out
}

// Lists reports whether iris holds iri.
func Lists(iris []string, iri string) bool {
	for _, s := range iris {
		if s == iri {
			return true
		}
	}
	return false
}
