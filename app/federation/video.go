package federation

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/feeds"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/hardware"
)

// File is one HLS rendition of a video with its torrent's magnet link:
// PeerTube refuses a file that has no magnet of the same height.
type File struct {
	Rendition model.Rendition
	Magnet    string
}

// Video is v as PeerTube's Video object. v must federate
// (visibility.Federates) and carry its channel, account and tags
// (videos.Details); views counts the ones not yet flushed; files are its
// renditions, any order.
func Video(u uris.Builder, v model.Video, views int64, files []File) vocab.Video {
	id := u.Abs(uris.Watch(v.UUID))
	account := u.Abs(uris.Account(v.Channel.Account.Name))
	followers := u.Abs(uris.Followers(uris.Account(v.Channel.Account.Name)))
	out := vocab.Video{Context: vocab.VideoContext, Type: vocab.TypeVideo, ID: id, Name: v.Name,
		Duration: duration(v.Duration.Seconds()), UUID: v.UUID, Views: views, Sensitive: v.NSFW,
		State: model.StatePublished, CommentsPolicy: v.CommentsPolicy,
		CommentsEnabled: v.CommentsPolicy != model.CommentsDisabled, DownloadEnabled: v.DownloadEnabled,
		Published: vocab.Time(firstSet(v.PublishedAt, v.CreatedAt)), Updated: vocab.Time(firstSet(v.UpdatedAt, v.PublishedAt, v.CreatedAt)),
		Tag: []vocab.Hashtag{}, MediaType: vocab.MediaMarkdown, Content: content(v.Description), Support: nullable(v.Support),
		SubtitleLanguage: []vocab.Identifier{},
		// Both sizes are always served (a placeholder until the
		// video's own are made), as PeerTube's thumbnail and preview.
		Icon: []vocab.Image{
			{Type: "Image", URL: u.Abs(uris.Thumbnail(v.UUID)), MediaType: vocab.MediaJPEG, Width: feeds.ThumbnailWidth, Height: feeds.ThumbnailHeight},
			{Type: "Image", URL: u.Abs(uris.Preview(v.UUID)), MediaType: vocab.MediaJPEG, Width: feeds.PreviewWidth, Height: feeds.PreviewHeight},
		},
		AttributedTo: []vocab.Ref{{Type: vocab.TypePerson, ID: account}, {Type: vocab.TypeGroup, ID: u.Abs(uris.Channel(v.Channel.Name))}},
		Likes:        u.Abs(uris.VideoLikes(v.UUID)), Dislikes: u.Abs(uris.VideoDislikes(v.UUID)),
		Shares: u.Abs(uris.VideoShares(v.UUID)), Comments: u.Abs(uris.VideoComments(v.UUID)),
	}
	// Public: listed (to Public, cc the account's followers); unlisted:
	// the reverse, which PeerTube and Mastodon read as "not in timelines".
	if visibility.PublicAudience(v) {
		out.To, out.Cc = []string{vocab.Public}, []string{followers}
	} else {
		out.To, out.Cc = []string{followers}, []string{vocab.Public}
	}
	// PeerTube's canReply: null when anyone may reply, else the public
	// collection (replies wait for approval).
	if v.CommentsPolicy != model.CommentsEnabled {
		p := vocab.Public
		out.CanReply = &p
	}
	if !v.OriginallyPublishedAt.IsZero() {
		t := vocab.Time(v.OriginallyPublishedAt)
		out.OriginallyPublishedAt = &t
	}
	if v.Category != 0 {
		out.Category = &vocab.Identifier{Identifier: strconv.Itoa(v.Category), Name: videos.CategoryLabel(v.Category)}
	}
	if v.Licence != 0 {
		out.Licence = &vocab.Identifier{Identifier: strconv.Itoa(v.Licence), Name: videos.LicenceLabel(v.Licence)}
	}
	if v.Language != "" {
		out.Language = &vocab.Identifier{Identifier: v.Language, Name: videos.LanguageLabel(v.Language)}
	}
	for _, t := range v.Tags {
		out.Tag = append(out.Tag, vocab.Hashtag{Type: "Hashtag", Name: t})
	}
	if v.Width > 0 && v.Height > 0 {
		r := math.Round(float64(v.Width)/float64(v.Height)*1e4) / 1e4
		out.AspectRatio = &r
	}
	// The watch page first, "so Mastodon displays the embed" (PeerTube),
	// then the HLS master playlist with its renditions.
	out.URL = []vocab.Link{{Type: "Link", MediaType: vocab.MediaHTML, Href: id}}
	if len(files) > 0 {
		out.URL = append(out.URL, vocab.Link{Type: "Link", MediaType: vocab.MediaHLS, Href: u.Abs(uris.Master(v.UUID)), Tag: hlsTags(u, v, files)})
	}
	return out
}

// Swarms gives the peer-to-peer swarms of a local video (the web server,
// which records them for its tracker).
type Swarms interface {
	// InfoHashes are the hex info hashes of v's streams under swarm id
	// playlistURL (its master playlist's URL, as PeerTube's players name
	// the swarm); none when v is not played peer to peer (p2p.Enabled,
	// the box's --p2p) or the box runs no tracker.
	InfoHashes(ctx context.Context, v model.Video, playlistURL string) ([]string, error)
}

// WithSwarms lists a video's peer-to-peer swarms as PeerTube does: an
// Infohash tag per stream at the head of the HLS entry's tag array (the
// hashes of the API's p2pMediaLoaderInfohashes), and the box's WebSocket
// tracker in the url array. A PeerTube server stores both for its
// players of the video, which then join the swarm of Cabane's own
// viewers through Cabane's tracker. Nothing is listed without hashes:
// a video that is not shared, or a box without a tracker. PeerTube also
// lists an HTTP tracker (tracker-http), which Cabane does not serve.
func WithSwarms(v *vocab.Video, infoHashes []string, tracker string) {
	if len(infoHashes) == 0 || tracker == "" {
		return
	}
	for i := range v.URL {
		if v.URL[i].MediaType != vocab.MediaHLS {
			continue
		}
		tags := make([]vocab.Link, 0, len(infoHashes)+len(v.URL[i].Tag))
		for _, h := range infoHashes {
			tags = append(tags, vocab.Link{Type: vocab.TypeInfohash, Name: h})
		}
		v.URL[i].Tag = append(tags, v.URL[i].Tag...)
		v.URL = append(v.URL, vocab.Link{Type: "Link", Name: "tracker-websocket", Rel: []string{"tracker", "websocket"}, Href: tracker})
		return
	}
}

// hlsTags are the HLS entry's tag array, as PeerTube builds it: the
// segments' hashes, then for each rendition (largest first) its
// fragmented MP4, its ffprobe metadata, its torrent and its magnet.
func hlsTags(u uris.Builder, v model.Video, files []File) []vocab.Link {
	files = slices.Clone(files)
	slices.SortStableFunc(files, func(a, b File) int { return b.Rendition.Height - a.Rendition.Height })
	tags := []vocab.Link{{Type: "Link", Name: "sha256", MediaType: vocab.MediaJSON, Href: u.Abs(uris.SegmentsSha256(v.UUID))}}
	for _, f := range files {
		r := f.Rendition
		res, _ := strconv.Atoi(hardware.Resolution(r.Name))
		h, w, fps, size := r.Height, r.Width, int(math.Round(r.FPS)), r.Size
		var streams []vocab.PropertyValue
		if strings.Contains(r.Codecs, "mp4a") || r.Height == 0 {
			streams = append(streams, vocab.PropertyValue{Type: "PropertyValue", Name: "ffprobe_codec_type", Value: "audio"})
		}
		if r.Height > 0 {
			streams = append(streams, vocab.PropertyValue{Type: "PropertyValue", Name: "ffprobe_codec_type", Value: "video"})
		}
		streams = append(streams, vocab.PropertyValue{Type: "PropertyValue", Name: "peertube_format_flag", Value: "fragmented"})
		tags = append(tags,
			vocab.Link{Type: "Link", MediaType: vocab.MediaMP4, Href: u.Abs(uris.HLSFile(v.UUID, hardware.FragmentedName(v.UUID, r.Name))),
				Height: &h, Width: &w, Size: &size, FPS: &fps, Attachment: streams},
			vocab.Link{Type: "Link", Rel: []string{"metadata", vocab.MediaMP4}, MediaType: vocab.MediaJSON,
				Href: u.Abs(uris.FileMetadata(v.UUID, r.ID)), Height: &h, Width: &w, FPS: &fps},
			vocab.Link{Type: "Link", MediaType: vocab.MediaTorrent, Href: u.Abs(uris.Torrent(uris.TorrentName(v.UUID, res))),
				Height: &h, Width: &w, FPS: &fps},
			vocab.Link{Type: "Link", MediaType: vocab.MediaMagnet, Href: f.Magnet, Height: &h, Width: &w, FPS: &fps})
	}
	return tags
}

// duration is ActivityStreams' duration as PeerTube writes it: whole
// seconds, PT<n>S.
func duration(seconds float64) string {
	return "PT" + strconv.FormatInt(int64(math.Round(seconds)), 10) + "S"
}

// torrentName is the torrent of rendition r's file (uris.TorrentName).
func torrentName(v model.Video, r model.Rendition) string {
	res, _ := strconv.Atoi(hardware.Resolution(r.Name))
	return uris.TorrentName(v.UUID, res)
}

// content is a description as PeerTube takes it: none rather than one of
// fewer than 3 characters, which would make PeerTube refuse the video.
func content(desc string) *string {
	if utf8.RuneCountInString(strings.TrimSpace(desc)) < 3 {
		return nil
	}
	return &desc
}
