package model

import "time"

// Mirror is another server's copy of a local video's HLS files
// (PeerTube's redundancy, announced as a CacheFile): players may fetch the
// segments from BaseURL instead of this box.
type Mirror struct {
	ID        int64
	IRI       string // the CacheFile's id
	VideoID   int64
	VideoUUID string
	VideoName string
	ActorIRI  string // who announced it: only it may update or undo it
	Host      string // the actor's host, lower-case
	BaseURL   string // the folder of the mirror's HLS files (no trailing slash)
	ExpiresAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Who may mirror this box's videos (the admin's choice), PeerTube's
// remote_redundancy.videos.accept_from with a list of hosts in place of
// "anybody".
const (
	MirrorFromFollowed = "followings" // instances the server follows (default)
	MirrorFromList     = "list"       // the hosts the admin lists
	MirrorFromNobody   = "nobody"
)

// MirrorPolicy is the admin's choice of who may mirror this box's videos.
type MirrorPolicy struct {
	AcceptFrom string   // one of MirrorFrom*
	Hosts      []string // for MirrorFromList: lower-case hosts (with a port where one is given)
}

// Strategies of mirroring friends: PeerTube's redundancy strategies.
const (
	StrategyMostViews     = "most-views"
	StrategyTrending      = "trending"
	StrategyRecentlyAdded = "recently-added"
	// StrategyManual: a copy the admin asked for (PeerTube's POST
	// /server/redundancy/videos); it does not expire, and the budget of
	// the strategies does not count it.
	StrategyManual = "manual"
)

// MirroringConfig is the admin's choice of what this box mirrors of the
// instances it follows: off (Strategy ""), or one of PeerTube's
// strategies within Budget bytes, each copy kept at least MinLifetime;
// RecentlyAdded considers only videos with at least MinViews views.
type MirroringConfig struct {
	Strategy    string
	Budget      int64
	MinLifetime time.Duration
	MinViews    int64
}

// MirroredVideo is a remote video this box mirrors.
type MirroredVideo struct {
	VideoID     int64
	UUID        string
	Name        string
	Host        string // the origin's host
	IRI         string // the remote Video's id
	Strategy    string
	State       string // MirrorCopying or MirrorReady
	Size        int64
	OriginInbox string // where Create and Undo CacheFile go
	ExpiresAt   time.Time
	CreatedAt   time.Time
}

// States of a MirroredVideo.
const (
	MirrorCopying = "copying"
	MirrorReady   = "ready"
)

// MirrorCandidate is a remote video this box could mirror: its row, its
// Video's IRI, and the size its origin gave for its files (0: unknown).
type MirrorCandidate struct {
	VideoID int64
	UUID    string
	Name    string
	IRI     string
	Views   int64
	Size    int64
}

// MirrorTarget is a video the admin asks this box to mirror: whether it
// is remote (and its Video's IRI), may be copied (public, published, with
// an HLS playlist), the size its origin gave, and whether it is mirrored
// already.
type MirrorTarget struct {
	VideoID  int64
	UUID     string
	Name     string
	Remote   bool
	IRI      string
	Privacy  int
	State    int
	HLS      bool
	Size     int64
	Mirrored bool
}
