package model

// RemoteOrigin is where a remote video lives and who owns it there: what
// comments, ratings and views made here on it are sent to (PeerTube's
// sendVideoRelatedActivityToOrigin).
type RemoteOrigin struct {
	Video   RemoteVideo
	Channel RemoteActor // the video's channel (a Group)
	Account RemoteActor // its channel's account (a Person); zero if unknown
}

// RatingRecord is an account's rating of a video as stored: its kind
// (RatingNone when there is none) and the Like or Dislike activity it
// came from or was sent as ("" for a local rating that never left).
type RatingRecord struct {
	Type       string
	ActivityID string
}
