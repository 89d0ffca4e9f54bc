package federation

import (
	"context"

	"cabane.dev/cabane/app/federation/keys"
)

// The seams between the federation slices: the inbox (follows), the
// outbox (what a publish, an edit or a deletion sends) and delivery (the
// durable, signed sending) meet here, so that each is built and tested
// against the others' contract rather than their code.

// LocalActor is one of this server's actors as it signs: its key and its
// IRI (the keyId is the IRI's #main-key).
type LocalActor struct {
	Key keys.Actor
	IRI string
}

// Recipient is where an activity goes: a remote actor's own inbox, and its
// server's shared inbox when it has one. Delivery sends one request per
// shared inbox, and to the actor's inbox only for servers without one.
type Recipient struct {
	Actor       string // the remote actor's IRI
	Inbox       string
	SharedInbox string // "" when the server has none
}

// Sender delivers an activity to remote inboxes, signed as from. It
// returns once the delivery is durably queued; retries, backoff and
// giving up are its business.
type Sender interface {
	Send(ctx context.Context, from LocalActor, activity []byte, to []Recipient) error
}

// Audience lists the accepted remote followers of local actors, each once
// even when it follows several of them.
type Audience interface {
	Followers(ctx context.Context, of ...keys.Actor) ([]Recipient, error)
}
