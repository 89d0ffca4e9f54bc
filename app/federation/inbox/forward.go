package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cabane.dev/cabane/app/httpclient"
)

// A forwarded activity is signed by someone other than its actor: PeerTube
// forwards the comments a third party makes on its videos to the videos'
// followers under its own signature, with the author's linked-data
// signature inside. Cabane checks no linked-data signatures (they need
// JSON-LD canonicalisation, a large dependency for one case); it asks the
// author's own server instead, as Mastodon does for what it cannot verify:
// the Note is fetched from its id, on the actor's server, and only that
// server's copy is used. A Note is taken forwarded only when that copy is
// the actor's; a forwarded Delete only when the Note is gone there.
//
// CacheFiles come forwarded too: the origin of a video forwards the
// Create, Update and Undo of a third server's copy of it to the video's
// followers (relay.go is Cabane's side of that). The CacheFile is fetched
// from its id, on the mirroring server, whose copy is used (PeerTube and
// Cabane serve it there while the copy lasts); a forwarded Undo is taken
// once it is gone there.

// errNotVouched says why a forwarded activity was not taken.
var errNotVouched = errors.New("not confirmed by the actor's server")

// vouch replaces a forwarded activity's object by what the actor's own
// server serves at its id, or refuses it.
func (s *Service) vouch(ctx context.Context, a *activity) error {
	if s.Objects == nil {
		return fmt.Errorf("%w: no fetcher", errNotVouched)
	}
	if cf, ok := cacheFileOf(a); ok {
		return s.vouchCacheFile(ctx, a, cf)
	}
	id := idOf(a.Object)
	switch {
	case a.Type != "Create" && a.Type != "Update" && a.Type != "Delete":
		return fmt.Errorf("%w: a forwarded %s is not taken", errNotVouched, a.Type)
	case a.Type != "Delete" && typeOf(a.Object) != "Note":
		return fmt.Errorf("%w: a forwarded %s of %q is not taken", errNotVouched, a.Type, typeOf(a.Object))
	case !httpURL(id) || !strings.EqualFold(hostOf(id), hostOf(a.actor)) || id == a.actor:
		return fmt.Errorf("%w: object %q not the actor's", errNotVouched, id)
	}
	body, gone, err := s.fetchOwn(ctx, id, a.Type == "Delete")
	if err != nil {
		return err
	}
	if gone {
		a.Object = idJSON(id)
		return nil
	}
	var n struct {
		ID           string          `json:"id"`
		Type         string          `json:"type"`
		AttributedTo json.RawMessage `json:"attributedTo"`
	}
	if err := json.Unmarshal(body, &n); err != nil {
		return fmt.Errorf("%w: %s: %w", errNotVouched, id, err)
	}
	if n.ID != id || n.Type != "Note" || idOf(n.AttributedTo) != a.actor {
		return fmt.Errorf("%w: %s serves a %s by %q", errNotVouched, id, n.Type, idOf(n.AttributedTo))
	}
	a.Object = body
	return nil
}

// fetchOwn fetches the object at id from its own server. For a removal
// (a forwarded Delete or Undo) it reports gone when that server answers
// 404 or 410 or serves a Tombstone, and refuses while the object is
// still served there.
func (s *Service) fetchOwn(ctx context.Context, id string, removal bool) (body []byte, gone bool, err error) {
	body, err = s.Objects.Object(ctx, id)
	if removal {
		var se *httpclient.StatusError
		switch {
		case errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone):
			return nil, true, nil
		case err == nil && typeOf(body) == "Tombstone":
			return nil, true, nil
		case err == nil:
			return nil, false, fmt.Errorf("%w: %s is still served", errNotVouched, id)
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", errNotVouched, err)
	}
	if len(body) > MaxBody {
		return nil, false, fmt.Errorf("%w: %s is %d bytes", errNotVouched, id, len(body))
	}
	return body, false, nil
}

// idJSON is an IRI as a JSON string, the form of an object named by id.
func idJSON(id string) json.RawMessage {
	b, _ := json.Marshal(id)
	return b
}

// vouchCacheFile checks a forwarded CacheFile activity with the mirroring
// server: a Create or Update takes the CacheFile that server serves at its
// id; an Undo holds once that server no longer serves it.
func (s *Service) vouchCacheFile(ctx context.Context, a *activity, cf json.RawMessage) error {
	id := idOf(cf)
	if !httpURL(id) || !strings.EqualFold(hostOf(id), hostOf(a.actor)) {
		return fmt.Errorf("%w: CacheFile %q not on the actor's server", errNotVouched, id)
	}
	body, gone, err := s.fetchOwn(ctx, id, a.Type == "Undo")
	if err != nil || gone {
		return err
	}
	if idOf(body) != id || typeOf(body) != "CacheFile" {
		return fmt.Errorf("%w: %s serves a %q of id %q", errNotVouched, id, typeOf(body), idOf(body))
	}
	a.Object = body
	return nil
}
