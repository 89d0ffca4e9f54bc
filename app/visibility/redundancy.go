package visibility

import "cabane.dev/cabane/app/model"

// Mirrorable reports whether another server may mirror a local video
// (PeerTube's redundancy) and players be sent to its mirrors: published
// and public. An unlisted video federates to followers but is not handed
// to caches; private, internal, password-protected, supporter-only and
// local-network-only ones never leave the box.
func Mirrorable(video model.Video) bool {
	return Federates(video) && video.Privacy == model.PrivacyPublic
}

// ManageRedundancy reports whether viewer may choose who mirrors this
// box's videos and what this box mirrors, and see who mirrors what: the
// admins (PeerTube's MANAGE_VIDEOS_REDUNDANCIES).
func ManageRedundancy(viewer Viewer) bool { return viewer.Admin() }
