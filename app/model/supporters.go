package model

import "time"

// Supporter kinds: a local account, a remote actor, or a person known by
// name only (who holds nothing but their link).
const (
	SupporterLocal  = "local"
	SupporterRemote = "remote"
	SupporterNamed  = "named"
)

// Supporter is one person an account lets see its supporter-only videos
// (PrivacySupporters), with a personal, revocable link.
type Supporter struct {
	ID             int64
	AccountID      int64 // the creator's account
	Kind           string
	LocalAccountID int64  // kind local
	ActorIRI       string // kind remote
	Inbox          string // kind remote: where the direct Note goes
	Name           string // who it is, as the creator sees it
	Nonce          string // with the instance's key, makes the link's token
	CreatedAt      time.Time
	RevokedAt      time.Time // zero: active
}

// LocalSupporter is a supporter who has an account here: their user.
type LocalSupporter struct{ SupporterID, UserID int64 }

// Active reports whether the supporter still holds access.
func (s Supporter) Active() bool { return s.RevokedAt.IsZero() }
