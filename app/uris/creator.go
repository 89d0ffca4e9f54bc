package uris

import "net/url"

// Caption is a caption file's URL, as PeerTube serves them.
func Caption(filename string) string {
	return "/lazy-static/video-captions/" + url.PathEscape(filename)
}

// ChaptersTrack is a video's chapters as a WebVTT track (Cabane's own: the
// player's "chapters" track).
func ChaptersTrack(uuid string) string { return "/videos/" + url.PathEscape(uuid) + "/chapters.vtt" }

// UnlockVideo is where the watch page's password form posts.
func UnlockVideo(uuid string) string { return "/videos/" + url.PathEscape(uuid) + "/unlock" }
