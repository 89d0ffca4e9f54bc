package uris

import (
	"net/url"
	"strconv"
	"strings"
)

// Torrents, as PeerTube serves them: the file at /lazy-static/torrents/,
// the same as an attachment at /download/torrents/.
const (
	TorrentsPrefix         = "/lazy-static/torrents/"
	TorrentDownloadsPrefix = "/download/torrents/"
)

// TorrentName is the torrent of a video's file at a resolution (PeerTube's
// short side; 0 for the audio): "<uuid>-<resolution>.torrent".
func TorrentName(uuid string, resolution int) string {
	return uuid + "-" + strconv.Itoa(resolution) + ".torrent"
}

// WebTorrentName is the torrent of a video's web video file at a
// resolution (WebVideo), when that file is not the HLS rendition's own:
// "<uuid>-<resolution>-web.torrent".
func WebTorrentName(uuid string, resolution int) string {
	return uuid + "-" + strconv.Itoa(resolution) + "-web.torrent"
}

// ParseTorrentName undoes TorrentName and WebTorrentName (web).
func ParseTorrentName(name string) (uuid string, resolution int, web, ok bool) {
	base, found := strings.CutSuffix(name, ".torrent")
	base, web = strings.CutSuffix(base, "-web")
	i := strings.LastIndexByte(base, '-')
	if !found || i <= 0 {
		return "", 0, false, false
	}
	res, err := strconv.Atoi(base[i+1:])
	if err != nil || res < 0 || strconv.Itoa(res) != base[i+1:] {
		return "", 0, false, false
	}
	return base[:i], res, web, true
}

// Torrent is a torrent file's URL.
func Torrent(name string) string { return TorrentsPrefix + url.PathEscape(name) }

// TorrentDownload is a torrent file's URL as an attachment.
func TorrentDownload(name string) string { return TorrentDownloadsPrefix + url.PathEscape(name) }

// PrivateWebVideo is where PeerTube serves a web video file only some may
// fetch (Cabane: an upload's input file while it processes).
func PrivateWebVideo(name string) string { return "/static/web-videos/private/" + url.PathEscape(name) }

// WebVideoName is a video's web video file at a resolution (PeerTube's
// "<uuid>-<resolution>.mp4"): one MP4 with the picture and the sound.
func WebVideoName(uuid string, resolution int) string {
	return uuid + "-" + strconv.Itoa(resolution) + ".mp4"
}

// ParseWebVideoName undoes WebVideoName.
func ParseWebVideoName(name string) (uuid string, resolution int, ok bool) {
	base, found := strings.CutSuffix(name, ".mp4")
	i := strings.LastIndexByte(base, '-')
	if !found || i <= 0 {
		return "", 0, false
	}
	res, err := strconv.Atoi(base[i+1:])
	if err != nil || res < 0 || strconv.Itoa(res) != base[i+1:] {
		return "", 0, false
	}
	return base[:i], res, true
}

// WebVideo is where PeerTube serves a web video file (WebVideoName).
func WebVideo(name string) string { return "/static/web-videos/" + url.PathEscape(name) }
