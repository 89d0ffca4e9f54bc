package inbox

import (
	"errors"
	"log/slog"
	"net/http"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/uris"
)

// Config is what New builds an inbox from: the App's parts.
type Config struct {
	Identity federation.Identity
	Client   *httpclient.Client // the outbound client
	Keyring  *keys.Keyring      // local actors' keys: the server actor signs fetches
	KeyStore keys.RemoteStore   // remote keys (store.ActorKeys)
	Store    Store              // store.Follows
	Locals   federation.Accounts
	Answers  Answers // follows.Service; may be set after New
	Log      *slog.Logger
	// What remote likes, comments, views and reports reach; see Service.
	Videos  Videos
	Notify  CommentNotifier
	Views   ViewCounter
	Reports ReportNotifier
}

// New builds the inbox with its key resolver (signed fetches as the
// server actor, keys kept in KeyStore), verifier and actor fetcher. Its
// Resolver is the one to share with anything else that verifies.
func New(c Config) (*Service, error) {
	if c.Client == nil || c.Keyring == nil || c.KeyStore == nil || c.Store == nil || c.Locals == nil {
		return nil, errors.New("inbox: Client, Keyring, KeyStore, Store and Locals are required")
	}
	serverIRI := ""
	if c.Identity.On() {
		serverIRI = c.Identity.URIs().Abs(uris.ServerActor)
	}
	fetcher := &signature.Fetcher{Client: doer{c.Client}, Keys: c.Keyring, Actor: keys.ServerActor, ActorIRI: serverIRI}
	resolver := keys.NewResolver(fetcher, c.KeyStore, keys.ResolverOptions{})
	actors := &Actors{Client: c.Client, Keys: c.Keyring, ServerIRI: serverIRI}
	return &Service{Identity: c.Identity, Verifier: &signature.Verifier{Keys: resolver}, Store: c.Store, Locals: c.Locals,
		Actors: actors, Objects: actors, Answers: c.Answers, Keys: resolver, Log: c.Log,
		Videos: c.Videos, Notify: c.Notify, Views: c.Views, Reports: c.Reports}, nil
}

// doer adapts the outbound client to signature.Doer.
type doer struct{ c *httpclient.Client }

func (d doer) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r.Context(), r) }
