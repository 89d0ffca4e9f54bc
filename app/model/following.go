package model

import "time"

// Following is a local actor (the server, an account, a channel) following
// a remote one: a Follow the other way round. The following-out slice of
// #10 keeps them; the admin's federation page lists the server's.
type Following struct {
	ID         int64
	Following  RemoteActor
	LocalKind  string // "server", "account" or "channel"
	LocalID    int64
	State      string // FollowPending until the remote side accepts
	ActivityID string // the Follow activity's id
	CreatedAt  time.Time
}
