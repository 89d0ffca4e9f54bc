package visibility

import "cabane.dev/cabane/app/model"

// Remote is who a federated server is when it fetches an object: a
// stranger outside the home network, signed in nowhere here. What it gets
// it copies to everyone it serves.
func Remote() Viewer { return Anonymous(false) }

// Federates reports whether video may leave the box as an ActivityPub
// object: published, and public or unlisted (PeerTube federates both; an
// unlisted video is addressed to followers only, see PublicAudience).
// Private, internal, password-protected and local-network-only videos
// never reach a remote server, nor does one still processing.
func Federates(video model.Video) bool {
	if !video.Published() {
		return false
	}
	return video.Privacy == model.PrivacyPublic || video.Privacy == model.PrivacyUnlisted
}

// PublicAudience reports whether a federated video is addressed to the
// public collection (listed in timelines) rather than to followers only.
func PublicAudience(video model.Video) bool { return video.Privacy == model.PrivacyPublic }
