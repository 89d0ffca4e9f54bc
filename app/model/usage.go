package model

// Usage is what this server holds, counted for NodeInfo and PeerTube's
// server stats: the local counts are this server's own (its users, the
// videos and comments they published), never the remote rows that
// federation stores beside them; the totals add those.
type Usage struct {
	LocalUsers, Admins, Moderators int
	// LocalVideos are published videos of local channels; LocalVideoViews
	// their views; LocalVideoFilesSize the bytes of their renditions.
	LocalVideos         int
	LocalVideoViews     int64
	LocalVideoFilesSize int64
	// LocalComments are the comments local accounts wrote (not deleted).
	LocalComments     int
	LocalChannels     int
	LocalPlaylists    int
	Videos, Comments  int // local and remote
	InstanceFollowers int // remote actors following the server actor
	InstanceFollowing int // remote actors the server actor follows
}
