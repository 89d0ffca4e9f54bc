package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/store"
)

// ErrBadActor: a remote actor document Cabane cannot use (no inbox, an id
// other than the one fetched, a name PeerTube would refuse...).
var ErrBadActor = errors.New("inbox: unusable actor document")

// ActorFetcher fetches a remote actor's document.
type ActorFetcher interface {
	Actor(ctx context.Context, iri string) (store.RemoteActor, error)
}

// Documents GETs ActivityPub documents (httpclient.Client).
type Documents interface {
	GetActivity(ctx context.Context, url string, sign httpclient.Signer) (*httpclient.Document, error)
}

// KeyGetter gives a local actor's key pair (keys.Keyring).
type KeyGetter interface {
	Get(ctx context.Context, a keys.Actor) (*keys.Pair, error)
}

// Actors fetches remote actors with a GET signed as the server actor
// (GoToSocial, and Mastodon in authorized-fetch mode, refuse unsigned
// ones), through the outbound client (no private addresses, bounded).
type Actors struct {
	Client Documents
	Keys   KeyGetter
	// ServerIRI is the server actor's IRI; its keyId signs the GETs.
	ServerIRI string
	Signer    signature.Signer
	Now       func() time.Time
}

// Actor fetches iri and reads it as an actor: its id must be iri, and the
// document must have come from iri itself, not through a redirect, or
// anyone could serve an actor for someone else.
func (f *Actors) Actor(ctx context.Context, iri string) (store.RemoteActor, error) {
	pair, err := f.Keys.Get(ctx, keys.ServerActor)
	if err != nil {
		return store.RemoteActor{}, fmt.Errorf("fetch actor %s: %w", iri, err)
	}
	sign := func(r *http.Request) error {
		return f.Signer.Sign(r, pair.Private, signature.KeyID(f.ServerIRI), nil)
	}
	doc, err := f.Client.GetActivity(ctx, iri, sign)
	if err != nil {
		return store.RemoteActor{}, fmt.Errorf("fetch actor %s: %w", iri, err)
	}
	if doc.URL != iri {
		// Not even a redirect on the same host: an open redirector there
		// would let anyone serve the actor (signature.Fetcher's rule).
		return store.RemoteActor{}, fmt.Errorf("%w: %s answered from %s", ErrBadActor, iri, doc.URL)
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	a, err := ReadActor(doc.Body, now())
	if err != nil {
		return store.RemoteActor{}, err
	}
	if a.IRI != iri {
		return store.RemoteActor{}, fmt.Errorf("%w: fetched %s, document is %s", ErrBadActor, iri, a.IRI)
	}
	return a, nil
}

// actorDoc is what Cabane reads of a remote actor.
type actorDoc struct {
	ID                string          `json:"id"`
	Type              string          `json:"type"`
	PreferredUsername string          `json:"preferredUsername"`
	Name              string          `json:"name"`
	Summary           string          `json:"summary"`
	Inbox             string          `json:"inbox"`
	Outbox            string          `json:"outbox"`
	Followers         string          `json:"followers"`
	URL               json.RawMessage `json:"url"`
	Icon              json.RawMessage `json:"icon"`
	Endpoints         struct {
		SharedInbox string `json:"sharedInbox"`
	} `json:"endpoints"`
}

// actorTypes are the ActivityStreams actor types.
var actorTypes = map[string]bool{"Person": true, "Group": true, "Application": true, "Service": true, "Organization": true}

// IsActorType reports whether typ is an actor's type.
func IsActorType(typ string) bool { return actorTypes[typ] }

// preferredUsername is PeerTube's rule for actor names.
var preferredUsername = regexp.MustCompile(`^[\p{L}\p{N}\-_.:]+$`)

// ReadActor reads an actor document, fetched at now.
func ReadActor(body []byte, now time.Time) (store.RemoteActor, error) {
	var d actorDoc
	if err := json.Unmarshal(body, &d); err != nil {
		return store.RemoteActor{}, fmt.Errorf("%w: %w", ErrBadActor, err)
	}
	switch {
	case !httpURL(d.ID):
		return store.RemoteActor{}, fmt.Errorf("%w: id %q", ErrBadActor, d.ID)
	case !actorTypes[d.Type]:
		return store.RemoteActor{}, fmt.Errorf("%w: type %q", ErrBadActor, d.Type)
	case len(d.PreferredUsername) > 250 || !preferredUsername.MatchString(d.PreferredUsername):
		return store.RemoteActor{}, fmt.Errorf("%w: preferredUsername %q", ErrBadActor, d.PreferredUsername)
	case !httpURL(d.Inbox):
		return store.RemoteActor{}, fmt.Errorf("%w: inbox %q", ErrBadActor, d.Inbox)
	case d.Endpoints.SharedInbox != "" && !httpURL(d.Endpoints.SharedInbox):
		return store.RemoteActor{}, fmt.Errorf("%w: sharedInbox %q", ErrBadActor, d.Endpoints.SharedInbox)
	}
	a := store.RemoteActor{IRI: d.ID, Type: d.Type, PreferredUsername: d.PreferredUsername, Host: hostOf(d.ID),
		Name: limit(d.Name, 500), Summary: limit(d.Summary, 10000), Inbox: d.Inbox, SharedInbox: d.Endpoints.SharedInbox,
		Followers: optionalURL(d.Followers), Outbox: optionalURL(d.Outbox), URL: optionalURL(linkOf(d.URL)),
		Icon: optionalURL(linkOf(d.Icon)), FetchedAt: now}
	return a, nil
}

// linkOf is the first URL in an ActivityStreams url or icon: a string, a
// Link or Image object (href or url), or an array of those.
func linkOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	case '[':
		var many []json.RawMessage
		if json.Unmarshal(raw, &many) != nil {
			return ""
		}
		for _, m := range many {
			if s := linkOf(m); s != "" {
				return s
			}
		}
	case '{':
		var o struct {
			Href string          `json:"href"`
			URL  json.RawMessage `json:"url"`
		}
		if json.Unmarshal(raw, &o) != nil {
			return ""
		}
		if o.Href != "" {
			return o.Href
		}
		return linkOf(o.URL)
	}
	return ""
}

func optionalURL(s string) string {
	if httpURL(s) {
		return s
	}
	return ""
}

// limit cuts s to at most n bytes, dropping a rune cut in two.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
