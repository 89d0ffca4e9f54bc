package inbox

import (
	"context"
	"fmt"
	"net/http"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
)

// ObjectFetcher GETs a remote object (a Video an Announce names by IRI)
// from its origin.
type ObjectFetcher interface {
	Object(ctx context.Context, iri string) ([]byte, error)
}

// Backfiller is told of an accepted follow, to fetch what the followed
// actor published lately (following.Service).
type Backfiller interface {
	Accepted(ctx context.Context, actorIRI string) error
}

// ChannelFinder stores a channel never seen here whose instance the
// server actor follows, so that its videos are kept; any other is
// remotevideo.ErrNotFollowed (following.Service).
type ChannelFinder interface {
	KnowChannel(ctx context.Context, iri string) error
}

// Object fetches iri signed as the server actor. The document must come
// from iri itself, not through a redirect: whoever answers speaks for it.
func (f *Actors) Object(ctx context.Context, iri string) ([]byte, error) {
	pair, err := f.Keys.Get(ctx, keys.ServerActor)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	sign := func(r *http.Request) error {
		return f.Signer.Sign(r, pair.Private, signature.KeyID(f.ServerIRI), nil)
	}
	doc, err := f.Client.GetActivity(ctx, iri, sign)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	if doc.URL != iri {
		return nil, fmt.Errorf("%w: %s answered from %s", ErrMalformed, iri, doc.URL)
	}
	return doc.Body, nil
}
