package visibility

import "cabane.dev/cabane/app/model"

// PeerShare reports whether video's segments may travel between viewers
// (peer-to-peer playback, app/p2p). A swarm is open to whoever learns its
// info hash, and peers keep and pass on what they fetched, so only videos
// whose files anyone with the link may fetch are shared: public ones, and
// unlisted ones, as PeerTube does (their link is the secret, and a peer
// already holds it). Private, internal, password-protected,
// supporter-only and home-network-only videos never are: a stranger in the
// swarm would get what the box refuses them. A remote video plays from its
// origin, whose swarm is the origin's affair (JoinOriginSwarm).
func PeerShare(video model.Video) bool {
	if video.Channel.Remote() {
		return false
	}
	return video.Privacy == model.PrivacyPublic || video.Privacy == model.PrivacyUnlisted
}

// JoinOriginSwarm says whether this box's viewers of a remote video (one of
// a followed channel, played from its origin) join its origin's swarm:
// only a public one. PeerTube shares unlisted videos too, but Cabane keeps
// only the public videos of remote channels (remotevideo), and a page here
// must not put a viewer in a swarm the origin keeps to those with a link.
func JoinOriginSwarm(video model.Video) bool {
	return video.Channel.Remote() && video.Privacy == model.PrivacyPublic
}
