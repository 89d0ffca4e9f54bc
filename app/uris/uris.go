// Package uris builds every URL Cabane hands out: page links, the API's
// absolute URLs, HLS playlists, images, and the ActivityPub IRIs federation
// will use. They follow PeerTube's URL scheme, so PeerTube's clients and
// servers find things where they expect them. Paths are relative; a Builder
// makes them absolute from the public URL when one is set.
package uris

import (
	"net/url"
	"strconv"
	"strings"
)

// Paths. Names and ids are path-escaped: a channel name is user input.

// Watch is a video's watch page (PeerTube's canonical video URL and IRI).
func Watch(uuid string) string { return "/videos/watch/" + url.PathEscape(uuid) }

// ShortWatch is the short form PeerTube shares (/w/<shortUUID>).
func ShortWatch(short string) string { return "/w/" + url.PathEscape(short) }

// Embed is a video's embeddable player.
func Embed(uuid string) string { return "/videos/embed/" + url.PathEscape(uuid) }

// HLSDir is the folder of a video's HLS files.
func HLSDir(uuid string) string { return "/static/streaming-playlists/hls/" + url.PathEscape(uuid) }

// Master is a video's HLS master playlist.
func Master(uuid string) string { return HLSDir(uuid) + "/master.m3u8" }

// HLSFile is a file in a video's HLS folder: a rendition's media playlist
// or its single fragmented MP4 (PeerTube's fileUrl).
func HLSFile(uuid, name string) string { return HLSDir(uuid) + "/" + url.PathEscape(name) }

// SegmentsSha256 is the hashes of a video's HLS segments.
func SegmentsSha256(uuid string) string { return HLSFile(uuid, "segments-sha256.json") }

// Thumbnail is a video's small card image (PeerTube's thumbnailPath).
func Thumbnail(uuid string) string { return "/lazy-static/thumbnails/" + url.PathEscape(uuid) + ".jpg" }

// Preview is a video's large image (PeerTube's previewPath).
func Preview(uuid string) string { return "/lazy-static/previews/" + url.PathEscape(uuid) + ".jpg" }

// Account is an account's URL and ActivityPub IRI.
func Account(name string) string { return "/accounts/" + url.PathEscape(name) }

// AccountPage is the short link to an account's page.
func AccountPage(name string) string { return "/a/" + url.PathEscape(name) }

// Channel is a channel's URL and ActivityPub IRI.
func Channel(name string) string { return "/video-channels/" + url.PathEscape(name) }

// ChannelPage is the short link to a channel's page.
func ChannelPage(name string) string { return "/c/" + url.PathEscape(name) }

// Actor collections, under an account's or channel's IRI.
func Inbox(actor string) string     { return actor + "/inbox" }
func Outbox(actor string) string    { return actor + "/outbox" }
func Followers(actor string) string { return actor + "/followers" }
func Following(actor string) string { return actor + "/following" }

// Recommendations is a channel's recommendations collection (Cabane's).
func Recommendations(actor string) string { return actor + "/recommendations" }

// MainKey is an actor's public key id.
func MainKey(actor string) string { return actor + "#main-key" }

// SharedInbox is the instance's shared inbox.
const SharedInbox = "/inbox"

// ServerActor is the instance's own actor (PeerTube names it "peertube").
const ServerActor = "/accounts/peertube"

// APIVideo is a video in PeerTube's REST API.
func APIVideo(uuid string) string { return "/api/v1/videos/" + url.PathEscape(uuid) }

// FileMetadata is ffprobe's description of one of the video's files
// (PeerTube's metadataUrl).
func FileMetadata(uuid string, fileID int64) string {
	return APIVideo(uuid) + "/metadata/" + strconv.FormatInt(fileID, 10)
}

// VideoEvents is a video's server-sent processing events.
func VideoEvents(uuid string) string { return "/videos/" + url.PathEscape(uuid) + "/events" }

// Builder makes paths absolute.
type Builder struct {
	base string // scheme://host[:port], no trailing slash
}

// New is a Builder for base, e.g. "https://videos.example.org".
func New(base string) Builder { return Builder{base: strings.TrimSuffix(base, "/")} }

// Base is the scheme and host.
func (b Builder) Base() string { return b.base }

// Host is the host (and port) without the scheme.
func (b Builder) Host() string {
	h := strings.TrimPrefix(strings.TrimPrefix(b.base, "https://"), "http://")
	return h
}

// Abs makes a path absolute.
func (b Builder) Abs(path string) string { return b.base + path }

// Handle is an actor's fediverse handle, name@host.
func (b Builder) Handle(name string) string { return name + "@" + b.Host() }

// Feeds, oEmbed and downloads (PeerTube's paths).

// VideoFeed is the videos feed in a format ("xml" for RSS, "atom",
// "json"); query ("?videoChannelId=3") scopes it.
func VideoFeed(format, query string) string { return "/feeds/videos." + format + query }

// CommentFeed is the comments feed in a format, scoped by query.
func CommentFeed(format, query string) string { return "/feeds/video-comments." + format + query }

// SubscriptionFeed is a user's subscriptions feed in a format; its query
// names the account and carries the user's feed token.
func SubscriptionFeed(format, query string) string { return "/feeds/subscriptions." + format + query }

// PodcastFeed is a channel's podcast feed.
func PodcastFeed(channelID int64) string {
	return "/feeds/podcast/videos.xml?videoChannelId=" + strconv.FormatInt(channelID, 10)
}

// OEmbed is the oEmbed answer about a page's URL.
func OEmbed(pageURL string) string { return "/services/oembed?url=" + url.QueryEscape(pageURL) }

// DownloadPrefix is where a video's renditions are served as single files.
const DownloadPrefix = "/download/streaming-playlists/hls/videos/"

// Download is one rendition's single MP4 file as an attachment, named as
// PeerTube names an HLS rendition's file; resolution is PeerTube's (the
// short side; 0 for the audio).
func Download(uuid string, resolution int) string {
	return DownloadPrefix + url.PathEscape(uuid) + "-" + strconv.Itoa(resolution) + "-fragmented.mp4"
}
