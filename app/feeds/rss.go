package feeds

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"time"
)

// RSS 2.0 with the extensions PeerTube's feeds carry: Media RSS (every
// rendition, thumbnails, the player and embed, view counts), Dublin Core's
// creator, content:encoded for the HTML description, atom:link to itself.
// The podcast feed (podcast.go) adds itunes: and podcast: elements to the
// same types. encoding/xml writes a tag such as "media:content" literally,
// which is how a prefixed element of a declared namespace is spelled.

const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsMedia   = "http://search.yahoo.com/mrss/"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsPodcast = "https://podcastindex.org/namespace/1.0"
	nsItunes  = "http://www.itunes.com/dtds/podcast-1.0.dtd"
)

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSMedia   string     `xml:"xmlns:media,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSPodcast string     `xml:"xmlns:podcast,attr"`
	NSItunes  string     `xml:"xmlns:itunes,attr,omitempty"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string     `xml:"title"`
	Link          string     `xml:"link"`
	Description   string     `xml:"description"`
	Language      string     `xml:"language,omitempty"`
	Generator     string     `xml:"generator"`
	LastBuildDate string     `xml:"lastBuildDate"`
	Docs          string     `xml:"docs"`
	Self          atomLink   `xml:"atom:link"`
	Image         *rssImage  `xml:"image,omitempty"`
	PodcastTxt    *podcastTx `xml:"podcast:txt,omitempty"`
	podcastChannel
	Items []rssItem `xml:"item"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssImage struct {
	URL   string `xml:"url"`
	Title string `xml:"title"`
	Link  string `xml:"link"`
}

type podcastTx struct {
	Purpose string `xml:"purpose,attr"`
	Value   string `xml:",chardata"`
}

type rssItem struct {
	Title       string        `xml:"title"`
	Link        string        `xml:"link"`
	Description cdata         `xml:"description"`
	Content     *cdata        `xml:"content:encoded,omitempty"`
	GUID        rssGUID       `xml:"guid"`
	PubDate     string        `xml:"pubDate"`
	Creator     string        `xml:"dc:creator"`
	Enclosure   *rssEnclosure `xml:"enclosure,omitempty"`
	MediaTitle  string        `xml:"media:title,omitempty"`
	MediaDesc   string        `xml:"media:description,omitempty"`
	Group       *mediaGroup   `xml:"media:group,omitempty"`
	Thumbnails  []mediaThumb  `xml:"media:thumbnail"`
	Player      *mediaPlayer  `xml:"media:player,omitempty"`
	Embed       *mediaEmbed   `xml:"media:embed,omitempty"`
	Community   *mediaComm    `xml:"media:community,omitempty"`
	podcastItem
}

// cdata keeps HTML readable in the file (and is what PeerTube sends).
type cdata struct {
	Text string `xml:",cdata"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssEnclosure struct {
	URL    string `xml:"url,attr"`
	Length int64  `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

type mediaGroup struct {
	Contents []mediaContent `xml:"media:content"`
}

type mediaContent struct {
	URL       string `xml:"url,attr"`
	Type      string `xml:"type,attr"`
	Medium    string `xml:"medium,attr"`
	Height    int    `xml:"height,attr,omitempty"`
	FileSize  int64  `xml:"fileSize,attr"`
	Framerate string `xml:"framerate,attr,omitempty"`
	Bitrate   int    `xml:"bitrate,attr,omitempty"` // kilobits per second, as MRSS says
	Duration  int    `xml:"duration,attr,omitempty"`
	IsDefault bool   `xml:"isDefault,attr,omitempty"`
}

type mediaThumb struct {
	URL    string `xml:"url,attr"`
	Width  int    `xml:"width,attr,omitempty"`
	Height int    `xml:"height,attr,omitempty"`
}

type mediaPlayer struct {
	URL string `xml:"url,attr"`
}

type mediaEmbed struct {
	URL             string `xml:"url,attr"`
	AllowFullscreen bool   `xml:"allowFullscreen,attr"`
}

type mediaComm struct {
	Statistics mediaStats `xml:"media:statistics"`
}

type mediaStats struct {
	Views int64 `xml:"views,attr"`
}

// RSS encodes f as RSS 2.0.
func RSS(f Feed) ([]byte, error) {
	return encodeXML(rssOf(f, false))
}

func rssOf(f Feed, podcast bool) rssDoc {
	self := f.RSS
	if podcast {
		self = f.Podcast
	}
	doc := rssDoc{Version: "2.0", NSAtom: nsAtom, NSMedia: nsMedia, NSContent: nsContent, NSDC: nsDC, NSPodcast: nsPodcast,
		Channel: rssChannel{Title: f.Title, Link: f.Link, Description: f.Description, Generator: f.Generator,
			LastBuildDate: rssDate(lastBuild(f)), Docs: "https://validator.w3.org/feed/docs/rss2.html",
			Self: atomLink{Href: self, Rel: "self", Type: "application/rss+xml"}}}
	if doc.Channel.Description == "" {
		doc.Channel.Description = f.Title
	}
	if f.Channel != nil && !podcast {
		// Where podcast apps find this channel's podcast feed (PeerTube's
		// podcast:txt purpose="p20url").
		doc.Channel.PodcastTxt = &podcastTx{Purpose: "p20url", Value: f.Podcast}
	}
	for _, it := range f.Items {
		ri := rssItem{Title: it.Title, Link: it.Link, Description: cdata{it.Summary}, GUID: rssGUID{Value: it.ID},
			PubDate: rssDate(it.Published), Creator: it.Author.Name, MediaTitle: it.Title, MediaDesc: it.Summary}
		if it.ContentHTML != "" {
			ri.Content = &cdata{it.ContentHTML}
		}
		if e := it.Enclosure; e != nil {
			ri.Enclosure = &rssEnclosure{URL: e.URL, Length: e.Length, Type: e.Type}
		}
		if !podcast && it.EmbedURL != "" { // a video, not a comment
			ri.Player = &mediaPlayer{URL: it.Link}
			ri.Embed = &mediaEmbed{URL: it.EmbedURL, AllowFullscreen: true}
			ri.Community = &mediaComm{Statistics: mediaStats{Views: it.Views}}
			if len(it.Files) > 0 {
				ri.Group = &mediaGroup{}
				for i, fl := range it.Files {
					ri.Group.Contents = append(ri.Group.Contents, mediaContent{URL: fl.URL, Type: fl.Type, Medium: "video",
						Height: fl.Height, FileSize: fl.Length, Framerate: fps(fl.FPS), Bitrate: fl.Bitrate / 1000,
						Duration: seconds(fl.Duration), IsDefault: i == 0})
				}
			}
		}
		for _, th := range it.Thumbnails {
			ri.Thumbnails = append(ri.Thumbnails, mediaThumb(th))
		}
		if podcast {
			ri.podcastItem = podcastItemOf(f, it)
		}
		doc.Channel.Items = append(doc.Channel.Items, ri)
	}
	return doc
}

func lastBuild(f Feed) time.Time {
	if f.Updated.IsZero() {
		return time.Unix(0, 0)
	}
	return f.Updated
}

func rssDate(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

func seconds(d time.Duration) int { return int(d.Round(time.Second) / time.Second) }

func fps(f float64) string {
	if f <= 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func encodeXML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode feed: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
