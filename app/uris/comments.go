package uris

import (
	"net/url"
	"strconv"
)

// Comment is a comment's URL and ActivityPub IRI, as PeerTube builds it.
func Comment(videoUUID string, id int64) string {
	return "/videos/watch/" + url.PathEscape(videoUUID) + "/comments/" + strconv.FormatInt(id, 10)
}

// APIVideoViews is where the player reports playback (PeerTube's
// POST /api/v1/videos/{id}/views).
func APIVideoViews(uuid string) string { return APIVideo(uuid) + "/views" }

// A video's ActivityPub collections, named as PeerTube names them (its
// activitypub/url.ts): its likes, dislikes, shares (the Announces) and
// comments.
func VideoLikes(uuid string) string    { return Watch(uuid) + "/likes" }
func VideoDislikes(uuid string) string { return Watch(uuid) + "/dislikes" }
func VideoShares(uuid string) string   { return Watch(uuid) + "/announces" }
func VideoComments(uuid string) string { return Watch(uuid) + "/comments" }
