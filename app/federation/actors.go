package federation

import (
	"time"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// ServerName is the server actor's preferredUsername, PeerTube's.
const ServerName = "peertube"

// Key kinds, as app/federation/keys names them (keys.Account, ...): this
// package sees keys through PublicKeys, without the store behind them.
const (
	KindAccount = "account"
	KindChannel = "channel"
	KindServer  = "server"
)

// AvatarSide is the side of a stored avatar (profile.AvatarSide).
const AvatarSide = 600

// actor is what Person, Group and Application share: PeerTube's collections
// and endpoints under the actor's IRI, and its key at #main-key.
func actor(u uris.Builder, typ, path, name, display, pem string, published time.Time) vocab.Actor {
	id := u.Abs(path)
	a := vocab.Actor{Context: vocab.ActorContext, Type: typ, ID: id,
		Following: u.Abs(uris.Following(path)), Followers: u.Abs(uris.Followers(path)),
		Inbox: u.Abs(uris.Inbox(path)), Outbox: u.Abs(uris.Outbox(path)),
		PreferredUsername: name, URL: id, Name: display,
		Endpoints: vocab.Endpoints{SharedInbox: u.Abs(uris.SharedInbox)},
		PublicKey: vocab.PublicKey{ID: u.Abs(uris.MainKey(path)), Owner: id, PublicKeyPem: pem}}
	if !published.IsZero() {
		a.Published = vocab.Time(published)
	}
	return a
}

// Person is an account as PeerTube publishes it; avatarFile is its
// picture's file name ("" for none), pem its SPKI public key.
func Person(u uris.Builder, a model.Account, pem, avatarFile string) vocab.Actor {
	p := actor(u, vocab.TypePerson, uris.Account(a.Name), a.Name, displayName(a.DisplayName, a.Name), pem, a.CreatedAt)
	p.Summary = nullable(a.Description)
	if avatarFile != "" {
		p.Icon = []vocab.Image{{Type: "Image", URL: u.Abs(uris.Avatar(avatarFile)), MediaType: vocab.MediaJPEG, Width: AvatarSide, Height: AvatarSide}}
	}
	return p
}

// Group is a channel, attributed to its account's Person (PeerTube needs
// that to attach the channel to an account). ch.Account must be filled.
func Group(u uris.Builder, ch model.Channel, pem string) vocab.Group {
	g := vocab.Group{Actor: actor(u, vocab.TypeGroup, uris.Channel(ch.Name), ch.Name, displayName(ch.DisplayName, ch.Name), pem, ch.CreatedAt),
		Support: nullable(ch.Support), PostingRestrictedToMods: true,
		AttributedTo: []vocab.Ref{{Type: vocab.TypePerson, ID: u.Abs(uris.Account(ch.Account.Name))}}}
	g.Summary = nullable(ch.Description)
	g.Context, g.Recommendations = vocab.GroupContext, u.Abs(uris.Recommendations(uris.Channel(ch.Name)))
	return g
}

// Application is the server actor at /accounts/peertube, the one that
// follows instances and signs the server's own fetches.
func Application(u uris.Builder, pem string, published time.Time) vocab.Actor {
	return actor(u, vocab.TypeApplication, uris.ServerActor, ServerName, ServerName, pem, published)
}

func displayName(display, name string) string {
	if display == "" {
		return name
	}
	return display
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// firstSet is the first of ts that is not zero.
func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
