package model

import "time"

// Following is a follow sent by a local actor to a remote one: a user's
// account subscribing to a remote channel, or the server actor following
// a remote instance (FollowerKind "server", FollowerID 0). Pending until
// the remote side accepts it.
type Following struct {
	ID           int64
	FollowerKind string // "account" or "server"
	FollowerID   int64
	Target       RemoteActor
	State        string // FollowPending or FollowAccepted
	ActivityID   string // the Follow's id, which Accept, Reject and Undo name
	CreatedAt    time.Time
}

// Follower kinds of a Following.
const (
	FollowerAccount = "account"
	FollowerServer  = "server"
)

// RemoteVideo is where a video of a remote channel lives: it is a row of
// videos (its channel remote), and nothing of it is stored on this box.
type RemoteVideo struct {
	VideoID      int64
	IRI          string // the Video object's id
	WatchURL     string // its text/html page on the origin
	HLSURL       string // the origin's HLS master playlist ("" if none)
	ThumbnailURL string // hot-linked from the origin
	Renditions   []RemoteRendition
	// P2P is how the origin's players share the video peer to peer, as
	// its Video object says (#12): its swarm's hashes, segment hashes and
	// trackers.
	P2P       RemoteP2P
	UpdatedAt time.Time
}

// RemoteP2P is what a remote video's Video object says of its
// peer-to-peer swarm: PeerTube's Infohash tags and sha256 link in the
// HLS entry, and its tracker links.
type RemoteP2P struct {
	// SegmentsSha256URL is the origin's segments-sha256.json: a segment
	// from a peer is played only if its hash is there.
	SegmentsSha256URL string `json:"segmentsSha256Url,omitempty"`
	// InfoHashes are the hex info hashes of the streams' swarms
	// (PeerTube's p2pMediaLoaderInfohashes).
	InfoHashes []string `json:"infohashes,omitempty"`
	// Trackers are the WebSocket trackers the object lists.
	Trackers []string `json:"trackers,omitempty"`
}

// RemoteRendition is one file of a remote video's HLS playlist.
type RemoteRendition struct {
	Height int    `json:"height"`
	Width  int    `json:"width,omitempty"`
	FPS    int    `json:"fps,omitempty"`
	Size   int64  `json:"size,omitempty"`
	Href   string `json:"href"`
}
