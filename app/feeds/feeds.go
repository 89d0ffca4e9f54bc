// Package feeds describes Cabane's videos to other programs: RSS 2.0, Atom
// and JSON Feed listings and a podcast feed (PeerTube's /feeds/...), the
// oEmbed answer that chat apps and blogs ask for, and the OpenGraph /
// Twitter-card facts of a link preview. It reads through the videos and
// accounts services with visibility.FeedReader, so whatever it publishes is
// what a stranger may see: public, published videos.
//
// Feeds are built into a format-neutral Feed first; rss.go, atom.go,
// jsonfeed.go and podcast.go only encode it.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cabane.dev/cabane/app/accounts"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/hardware"
)

// MaxItems is how many videos a feed lists (PeerTube's feeds.videos.count
// default).
const MaxItems = 20

// Image sizes, as media.Thumbnail writes them (PeerTube's THUMBNAILS_SIZE
// and PREVIEWS_SIZE).
const (
	ThumbnailWidth, ThumbnailHeight = 280, 157
	PreviewWidth, PreviewHeight     = 850, 480
)

// summaryRunes bounds an item's plain-text summary (PeerTube truncates
// descriptions to 250 characters in listings).
const summaryRunes = 250

// ErrBadSort is a sort key feeds do not accept.
var ErrBadSort = errors.New("unknown sort")

// Service builds feeds.
type Service struct {
	Videos   *videos.Service
	Accounts *accounts.Service
	Layout   config.Layout // where the renditions an enclosure is made of lie
	// Comments lists the comments feed's comments (comments.Service); nil:
	// the comments feed is empty.
	Comments Comments
	// Remote says where a followed channel's videos play and lie on their
	// origin (following.Service); nil: no remote videos are listed.
	Remote RemoteVideos

	sizes   sizeCache
	muxOnce sync.Once
	muxSlot chan struct{} // one mux at a time: see fileOf
}

// Scope says whose videos a feed lists: the instance's (all zero), one
// channel's or one account's, named by id or by name.
type Scope struct {
	ChannelID   int64
	ChannelName string
	AccountID   int64
	AccountName string
}

// Request is one feed to build.
type Request struct {
	Scope
	Sort string // a videos sort key; "" is -publishedAt
	// URLs makes links absolute (from the public URL when one is set).
	URLs         uris.Builder
	InstanceName string
	// Query is the request's query string ("?videoChannelId=3", or ""),
	// carried into the feed's links to itself in other formats.
	Query string
	// Video scopes a comments feed to one video (its id, UUID or short
	// UUID); "" for none.
	Video string
	// Supporter makes a supporter's own podcast feed (#11): the
	// supporter-only videos of the accounts they support are in it, their
	// URLs carrying the link's token (supporter.go). Zero: a stranger's.
	Supporter Supporter
}

// Person is an author: a channel or an account.
type Person struct{ Name, URL string }

// Image is a picture with its size.
type Image struct {
	URL           string
	Width, Height int
}

// File is a downloadable rendition: one MP4 file (see enclosure.go).
type File struct {
	URL      string
	Type     string // MIME type
	Length   int64  // bytes
	Height   int
	FPS      float64
	Bitrate  int // bits per second, from the playlist
	Label    string
	Duration time.Duration
}

// Item is one video in a feed.
type Item struct {
	ID          string // the watch URL, PeerTube's video IRI
	Title       string
	Link        string // the watch page
	Summary     string // plain text, truncated
	ContentHTML string // the whole description, as escaped HTML
	Published   time.Time
	Updated     time.Time
	Author      Person
	Thumbnails  []Image
	// Enclosure is the one file a reader downloads (the best rendition;
	// podcast feeds pick the smallest); nil when no file could be read.
	Enclosure *File
	Files     []File // every rendition, best first (Media RSS)
	HLS       string // the master playlist
	EmbedURL  string
	Views     int64
	Duration  time.Duration
}

// Feed is a built feed, whatever its format.
type Feed struct {
	Title       string
	Description string
	Link        string // the HTML page the feed is about
	Updated     time.Time
	Author      Person
	Generator   string
	// Links to this feed in each format, with the request's query.
	RSS, Atom, JSON, Podcast string
	// Channel is set for a channel's feed (the podcast feed's is always).
	Channel *model.Channel
	Items   []Item
	// supporterOnly are the items (IDs) of supporter-only videos
	// (supporter.go).
	supporterOnly []string
}

// VideoFeed builds the feed of a scope's latest public videos.
func (s *Service) VideoFeed(ctx context.Context, r Request) (Feed, error) {
	if !videos.ValidSort(r.Sort) {
		return Feed{}, fmt.Errorf("%w %q", ErrBadSort, r.Sort)
	}
	f, q, err := s.scope(ctx, r)
	if err != nil {
		return Feed{}, err
	}
	q.Sort, q.Count = r.Sort, MaxItems
	if err := s.fill(ctx, r.URLs, &f, q, bestFirst); err != nil {
		return Feed{}, err
	}
	return f, nil
}

// Podcast builds a channel's podcast feed: its latest public videos, newest
// first, each enclosing its smallest rendition (an episode download).
func (s *Service) Podcast(ctx context.Context, r Request) (Feed, error) {
	if r.ChannelID == 0 && r.ChannelName == "" {
		return Feed{}, model.ErrNotFound
	}
	r.AccountID, r.AccountName = 0, ""
	f, q, err := s.scope(ctx, r)
	if err != nil {
		return Feed{}, err
	}
	q.Sort, q.Count = "-publishedAt", MaxItems
	if err := s.fillAs(ctx, r.Supporter.viewer(), r.URLs, &f, q, smallestFirst); err != nil {
		return Feed{}, err
	}
	r.Supporter.sign(&f)
	return f, nil
}

// scope resolves the channel or account and fills the feed's own fields.
func (s *Service) scope(ctx context.Context, r Request) (Feed, videos.ListQuery, error) {
	u := r.URLs
	f := Feed{Title: r.InstanceName, Link: u.Base() + "/", Author: Person{Name: r.InstanceName, URL: u.Base() + "/"},
		Generator: "Cabane - " + u.Base()}
	var q videos.ListQuery
	switch {
	case r.ChannelID != 0 || r.ChannelName != "":
		var ch model.Channel
		var err error
		if r.ChannelID != 0 {
			ch, err = s.Accounts.ChannelByID(ctx, visibility.FeedReader(), r.ChannelID)
		} else {
			ch, err = s.Accounts.Channel(ctx, visibility.FeedReader(), r.ChannelName)
		}
		if err != nil {
			return f, q, err
		}
		f.Title, f.Description, f.Link = ch.DisplayName, ch.Description, u.Abs(uris.ChannelPage(ch.Name))
		f.Author = Person{Name: ch.DisplayName, URL: f.Link}
		f.Channel = &ch
		q = videos.ListQuery{ChannelID: ch.ID, OwnerAccountID: ch.AccountID}
	case r.AccountID != 0 || r.AccountName != "":
		var a model.Account
		var err error
		if r.AccountID != 0 {
			a, err = s.Accounts.AccountByID(ctx, r.AccountID)
		} else {
			a, err = s.Accounts.Account(ctx, r.AccountName)
		}
		if err != nil {
			return f, q, err
		}
		f.Title, f.Description, f.Link = a.DisplayName, a.Description, u.Abs(uris.AccountPage(a.Name))
		f.Author = Person{Name: a.DisplayName, URL: f.Link}
		q = videos.ListQuery{OwnerAccountID: a.ID, AccountOnly: true}
	}
	if f.Title == "" {
		f.Title = "Cabane"
	}
	f.RSS = u.Abs(uris.VideoFeed("xml", r.Query))
	f.Atom = u.Abs(uris.VideoFeed("atom", r.Query))
	f.JSON = u.Abs(uris.VideoFeed("json", r.Query))
	if f.Channel != nil {
		f.Podcast = u.Abs(uris.PodcastFeed(f.Channel.ID))
	}
	return f, q, nil
}

// fill lists the videos and turns each into an item.
func (s *Service) fill(ctx context.Context, u uris.Builder, f *Feed, q videos.ListQuery, order fileOrder) error {
	return s.fillAs(ctx, visibility.FeedReader(), u, f, q, order)
}

// fillAs is fill for a given reader (a supporter's podcast feed).
func (s *Service) fillAs(ctx context.Context, reader visibility.Viewer, u uris.Builder, f *Feed, q videos.ListQuery, order fileOrder) error {
	vs, _, err := s.Videos.List(ctx, reader, q)
	if err != nil {
		return fmt.Errorf("feed videos: %w", err)
	}
	remote, err := s.remoteOf(ctx, vs)
	if err != nil {
		return err
	}
	for _, v := range vs {
		var it Item
		if v.Channel.Remote() {
			rv, ok := remote[v.ID]
			if !ok {
				continue // a remote video whose origin facts are gone
			}
			it = remoteItem(u, v, rv, order)
		} else {
			rs, err := s.Videos.Renditions(ctx, v)
			if err != nil {
				return fmt.Errorf("feed renditions of %s: %w", v.UUID, err)
			}
			it = s.item(ctx, u, v, rs, order)
		}
		if it.Updated.After(f.Updated) {
			f.Updated = it.Updated
		}
		if v.Privacy == model.PrivacySupporters {
			f.supporterOnly = append(f.supporterOnly, it.ID)
		}
		f.Items = append(f.Items, it)
	}
	return nil
}

func (s *Service) item(ctx context.Context, u uris.Builder, v model.Video, rs []model.Rendition, order fileOrder) Item {
	watch := u.Abs(uris.Watch(v.UUID))
	it := Item{ID: watch, Title: v.Name, Link: watch, Summary: summary(v.Description), ContentHTML: descriptionHTML(v.Description),
		Published: published(v), Author: Person{Name: v.Channel.DisplayName, URL: u.Abs(uris.ChannelPage(v.Channel.Name))},
		HLS: u.Abs(uris.Master(v.UUID)), EmbedURL: u.Abs(uris.Embed(v.UUID)), Views: s.Videos.Views(v), Duration: v.Duration}
	it.Updated = it.Published
	if v.UpdatedAt.After(it.Updated) {
		it.Updated = v.UpdatedAt
	}
	if v.HasThumbnail {
		it.Thumbnails = []Image{
			{URL: u.Abs(uris.Preview(v.UUID)), Width: PreviewWidth, Height: PreviewHeight},
			{URL: u.Abs(uris.Thumbnail(v.UUID)), Width: ThumbnailWidth, Height: ThumbnailHeight},
		}
	}
	for _, r := range rs {
		if r.Height == 0 && r.Name == hardware.AudioName {
			continue // the audio shared by the renditions: no picture, no video enclosure
		}
		var size int64
		var err error
		if _, split := sharedAudio(rs, r); split {
			f, err := s.fileOf(ctx, v.UUID, rs, r)
			if err != nil {
				continue
			}
			size = f.Size
		} else if size, err = s.sizes.size(s.Layout.HLS(v.UUID), v.UUID, r.Name); err != nil {
			continue // a rendition whose files cannot be read is not offered
		}
		res, _ := strconv.Atoi(hardware.Resolution(r.Name))
		it.Files = append(it.Files, File{URL: u.Abs(uris.Download(v.UUID, res)), Type: MP4Type, Length: size,
			Height: r.Height, FPS: r.FPS, Bitrate: r.Bandwidth, Label: fmt.Sprintf("%dp", r.Height), Duration: v.Duration})
	}
	if len(it.Files) > 0 {
		e := it.Files[0] // renditions come best first
		if order == smallestFirst {
			e = it.Files[len(it.Files)-1]
		}
		it.Enclosure = &e
	}
	return it
}

type fileOrder int

const (
	bestFirst fileOrder = iota
	smallestFirst
)

func published(v model.Video) time.Time {
	if !v.PublishedAt.IsZero() {
		return v.PublishedAt
	}
	return v.CreatedAt
}

// summary is the description's first summaryRunes characters on one line.
func summary(desc string) string {
	s := strings.Join(strings.Fields(desc), " ")
	if utf8.RuneCountInString(s) <= summaryRunes {
		return s
	}
	r := []rune(s)
	return string(r[:summaryRunes-1]) + "…"
}
