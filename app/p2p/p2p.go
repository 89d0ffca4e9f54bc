// Package p2p holds the rules of peer-to-peer playback: which videos are
// shared between viewers, and the names their swarms go by, computed
// exactly as p2p-media-loader v2 (the player's library, vendored in
// assets/static/vendor/p2p-media-loader) and PeerTube compute them, so
// that Cabane's tracker, PeerTube's players and Cabane's player agree.
//
// A swarm is one stream of one video: the viewers of rendition 720p
// exchange 720p segments. p2p-media-loader 2.3 names it
// "v2-<swarm id>-<stream type>-<stream id>", where the swarm id is the
// video's master playlist URL (PeerTube's streamingPlaylists[].playlistUrl),
// the type "main" for a level of the master playlist and "secondary" for
// an audio rendition of its EXT-X-MEDIA group, and the stream id a hash of
// the stream's attributes as hls.js parses them from the master playlist
// (StreamIDs). The tracker sees only a 20-character info hash made from
// that name (InfoHash); PeerTube's API lists the hex of those 20 bytes
// (p2pMediaLoaderInfohashes).
package p2p

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// PeerProtocol is p2p-media-loader's peer protocol version, the first
// part of every stream's swarm name: peers of another version never meet.
const PeerProtocol = "v2"

// Stream types, as p2p-media-loader names them.
const (
	Main      = "main"      // a level (EXT-X-STREAM-INF) of the master playlist
	Secondary = "secondary" // an audio rendition (EXT-X-MEDIA TYPE=AUDIO)
)

// Enabled reports whether video is played peer to peer: the admin has
// not turned P2P off (on), and the video is one whose segments may pass
// between viewers (visibility.PeerShare).
func Enabled(video model.Video, on bool) bool {
	return on && visibility.PeerShare(video)
}

// StreamSwarm is the name p2p-media-loader gives one stream's swarm.
func StreamSwarm(swarmID, streamType, streamID string) string {
	return PeerProtocol + "-" + swarmID + "-" + streamType + "-" + streamID
}

// InfoHash is the info hash p2p-media-loader announces for a stream's
// swarm: the first 15 bytes of the name's SHA-1 in base64, 20 ASCII
// characters (a WebTorrent tracker wants 20 bytes).
func InfoHash(streamSwarm string) string {
	sum := sha1.Sum([]byte(streamSwarm))
	return base64.StdEncoding.EncodeToString(sum[:15])
}

// HexInfoHash is an announced info hash as PeerTube writes it in its API
// and database: the hex of its 20 bytes.
func HexInfoHash(infoHash string) string { return hex.EncodeToString([]byte(infoHash)) }

// InfoHashes are the hex info hashes of every stream of the video whose
// swarm id (master playlist URL) is swarmID and whose master playlist is
// master: the main streams in playlist order, then the secondary ones, as
// PeerTube lists them.
func InfoHashes(swarmID string, master []byte) []string {
	streams := StreamIDs(master)
	out := make([]string, 0, len(streams))
	for _, st := range streams {
		out = append(out, HexInfoHash(InfoHash(StreamSwarm(swarmID, st.Type, st.ID))))
	}
	return out
}
