package feeds

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// The podcast feed is PeerTube 6's: RSS 2.0 plus the itunes: tags podcast
// apps and directories read, and the Podcasting 2.0 namespace (a stable
// podcast:guid, podcast:medium, and every rendition as an alternate
// enclosure beside the HLS stream). Its enclosure is the channel's episode
// file: the smallest rendition, one MP4 with AAC sound that audio-only apps
// play as sound and video-capable ones as video.

// podcastLanguage is the language a podcast declares until videos carry
// theirs (PeerTube defaults to "en" too).
const podcastLanguage = "en"

// podcastGUIDSpace is the Podcasting 2.0 namespace for podcast:guid
// (UUIDv5 of the feed's URL without its scheme).
var podcastGUIDSpace = uuid.MustParse("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

type podcastChannel struct {
	ItunesAuthor   string       `xml:"itunes:author,omitempty"`
	ItunesSummary  string       `xml:"itunes:summary,omitempty"`
	ItunesImage    *itunesImage `xml:"itunes:image,omitempty"`
	ItunesExplicit string       `xml:"itunes:explicit,omitempty"`
	ItunesType     string       `xml:"itunes:type,omitempty"`
	PodcastGUID    string       `xml:"podcast:guid,omitempty"`
	PodcastMedium  string       `xml:"podcast:medium,omitempty"`
}

type itunesImage struct {
	Href string `xml:"href,attr"`
}

type podcastItem struct {
	ItunesDuration    string         `xml:"itunes:duration,omitempty"`
	ItunesImage       *itunesImage   `xml:"itunes:image,omitempty"`
	ItunesExplicit    string         `xml:"itunes:explicit,omitempty"`
	ItunesEpisodeType string         `xml:"itunes:episodeType,omitempty"`
	Alternates        []altEnclosure `xml:"podcast:alternateEnclosure"`
}

type altEnclosure struct {
	Type    string      `xml:"type,attr"`
	Length  int64       `xml:"length,attr,omitempty"`
	Bitrate int         `xml:"bitrate,attr,omitempty"`
	Height  int         `xml:"height,attr,omitempty"`
	Title   string      `xml:"title,attr,omitempty"`
	Default bool        `xml:"default,attr,omitempty"`
	Sources []altSource `xml:"podcast:source"`
}

type altSource struct {
	URI         string `xml:"uri,attr"`
	ContentType string `xml:"contentType,attr,omitempty"`
}

// Podcast encodes f (from Service.Podcast) as a podcast RSS feed.
func Podcast(f Feed) ([]byte, error) {
	doc := rssOf(f, true)
	doc.NSItunes = nsItunes
	ch := &doc.Channel
	ch.Language = podcastLanguage
	ch.ItunesAuthor = f.Author.Name
	if f.Channel != nil && f.Channel.Account.DisplayName != "" {
		ch.ItunesAuthor = f.Channel.Account.DisplayName
	}
	ch.ItunesSummary = f.Description
	ch.ItunesExplicit = "false"
	ch.ItunesType = "episodic"
	ch.PodcastMedium = "video"
	ch.PodcastGUID = PodcastGUID(f.Link)
	// No channel avatars yet: the newest episode's picture stands in.
	for _, it := range f.Items {
		if len(it.Thumbnails) > 0 {
			ch.ItunesImage = &itunesImage{Href: it.Thumbnails[0].URL}
			ch.Image = &rssImage{URL: it.Thumbnails[0].URL, Title: f.Title, Link: f.Link}
			break
		}
	}
	return encodeXML(doc)
}

func podcastItemOf(f Feed, it Item) podcastItem {
	pi := podcastItem{ItunesDuration: strconv.Itoa(seconds(it.Duration)), ItunesExplicit: "false", ItunesEpisodeType: "full"}
	if len(it.Thumbnails) > 0 {
		pi.ItunesImage = &itunesImage{Href: it.Thumbnails[0].URL}
	}
	// Smallest first, as PeerTube lists them: the first is the default.
	for i := len(it.Files) - 1; i >= 0; i-- {
		fl := it.Files[i]
		pi.Alternates = append(pi.Alternates, altEnclosure{Type: fl.Type, Length: fl.Length, Bitrate: fl.Bitrate, Height: fl.Height,
			Title: fl.Label, Default: i == len(it.Files)-1, Sources: []altSource{{URI: fl.URL}}})
	}
	if it.HLS != "" {
		pi.Alternates = append(pi.Alternates, altEnclosure{Type: "application/x-mpegURL", Title: "HLS", Sources: []altSource{{URI: it.HLS}}})
	}
	return pi
}

// PodcastGUID is the Podcasting 2.0 guid of a feed at url: a UUIDv5 of the
// URL without its scheme and trailing slashes (PeerTube takes the channel's
// URL).
func PodcastGUID(url string) string {
	s := url
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.TrimRight(s, "/")
	return uuid.NewSHA1(podcastGUIDSpace, []byte(s)).String()
}
