package signature

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"cabane.dev/cabane/app/federation/keys"
)

// Doer sends a request. In the server it must be app/httpclient's client
// (which refuses private addresses at dial time); tests use httptest's.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// KeyGetter gives a local actor's key pair (keys.Keyring).
type KeyGetter interface {
	Get(ctx context.Context, a keys.Actor) (*keys.Pair, error)
}

// ErrRedirected: a fetched document came from another URL than asked.
var ErrRedirected = errors.New("document not served at its own URL")

// Accept is what a fetch of an ActivityPub document asks for.
const Accept = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// DefaultMaxBody bounds a fetched document: actors are a few KiB.
const DefaultMaxBody = 1 << 20

// Fetcher GETs ActivityPub documents signed as one local actor (the server
// actor): GoToSocial, and Mastodon in authorized-fetch mode, refuse
// unsigned GETs. It is the keys.Fetcher the resolver uses.
type Fetcher struct {
	Client   Doer
	Keys     KeyGetter
	Actor    keys.Actor // keys.ServerActor
	ActorIRI string     // its IRI; the keyId is KeyID(ActorIRI)
	MaxBody  int64      // default DefaultMaxBody
	Signer   Signer
}

// Fetch GETs iri and returns its body; an answer other than 200 is an
// error.
func (f *Fetcher) Fetch(ctx context.Context, iri string) ([]byte, error) {
	pair, err := f.Keys.Get(ctx, f.Actor)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, iri, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	req.Header.Set("Accept", Accept)
	if err := f.Signer.Sign(req, pair.Private, KeyID(f.ActorIRI), nil); err != nil {
		return nil, err
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	defer resp.Body.Close()
	// A key or actor document is trusted for the id it names, so it must
	// be served at that id: a redirect (an open redirector on the victim's
	// server) would let another host answer for it.
	if resp.Request != nil && resp.Request.URL.String() != req.URL.String() {
		return nil, fmt.Errorf("fetch %s: redirected to %s: %w", iri, resp.Request.URL.Redacted(), ErrRedirected)
	}
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("fetch %s: %s", iri, resp.Status)
	}
	max := f.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", iri, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("fetch %s: document over %d bytes", iri, max)
	}
	return body, nil
}
