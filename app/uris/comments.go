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
