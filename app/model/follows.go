package model

import "time"

// RemoteActor is a remote actor as last fetched. Name and Summary are the
// remote server's text, unsanitised.
type RemoteActor struct {
	ID                int64
	IRI               string
	Type              string // Person, Group, Application, Service...
	PreferredUsername string
	Host              string
	Name              string
	Summary           string
	Inbox             string
	SharedInbox       string
	Followers         string
	Outbox            string
	URL               string
	Icon              string
	FetchedAt         time.Time
}

// Follow states.
const (
	FollowPending  = "pending"
	FollowAccepted = "accepted"
)

// Follow is a remote actor following a local one (TargetKind "account",
// "channel" or "server", TargetID 0 for the server).
type Follow struct {
	ID         int64
	Follower   RemoteActor
	TargetKind string
	TargetID   int64
	State      string
	ActivityID string // the Follow activity's id
	CreatedAt  time.Time
}
