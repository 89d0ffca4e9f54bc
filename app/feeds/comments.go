package feeds

import (
	"context"
	"fmt"
	"net/url"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// Comments lists a comments feed's comments (comments.Service.Feed).
type Comments interface {
	Feed(ctx context.Context, viewer visibility.Viewer, scope comments.FeedScope, count int) ([]repo.FeedComment, error)
}

// CommentFeed builds PeerTube's comments feed (/feeds/video-comments.*):
// the latest comments anyone may read, on one video (r.Video, an id, UUID
// or short UUID), a channel's or an account's videos, or the instance's.
// Each item is "<video> - <author>", linking to the comment's page.
func (s *Service) CommentFeed(ctx context.Context, r Request) (Feed, error) {
	var scope comments.FeedScope
	var f Feed
	if r.Video != "" {
		v, err := s.Videos.Get(ctx, visibility.FeedReader(), r.Video)
		if err != nil {
			return Feed{}, err
		}
		if !visibility.PublicAudience(v) {
			return Feed{}, model.ErrNotFound // an unlisted video's comments are not advertised
		}
		u := r.URLs
		watch := u.Abs(uris.Watch(v.UUID))
		f = Feed{Title: v.Name, Description: summary(v.Description), Link: watch, Author: Person{Name: v.Channel.DisplayName,
			URL: u.Abs(uris.ChannelPage(v.Channel.Name))}, Generator: "Cabane - " + u.Base()}
		scope.VideoID = v.ID
	} else {
		var q videos.ListQuery
		var err error
		if f, q, err = s.scope(ctx, r); err != nil {
			return Feed{}, err
		}
		scope.ChannelID = q.ChannelID
		if q.AccountOnly {
			scope.AccountID = q.OwnerAccountID
		}
	}
	f.RSS = r.URLs.Abs(uris.CommentFeed("xml", r.Query))
	f.Atom = r.URLs.Abs(uris.CommentFeed("atom", r.Query))
	f.JSON = r.URLs.Abs(uris.CommentFeed("json", r.Query))
	f.Podcast, f.Channel = "", nil
	if s.Comments == nil {
		return f, nil
	}
	cs, err := s.Comments.Feed(ctx, visibility.FeedReader(), scope, MaxItems)
	if err != nil {
		return Feed{}, fmt.Errorf("comments feed: %w", err)
	}
	for _, c := range cs {
		link := r.URLs.Abs(uris.Comment(c.VideoUUID, c.ID))
		it := Item{ID: link, Title: c.VideoName, Link: link, Summary: summary(c.Text), ContentHTML: markup.CommentHTML(c.Text),
			Published: c.CreatedAt, Updated: c.CreatedAt}
		if c.Account.ID != 0 {
			name := c.Account.DisplayName
			if name == "" {
				name = c.Account.Name
			}
			it.Title += " - " + name
			it.Author = Person{Name: name, URL: authorURL(r.URLs, c.Account)}
		}
		if it.Updated.After(f.Updated) {
			f.Updated = it.Updated
		}
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// authorURL is where a comment's author is read: a remote author's
// profile on their own server, a local one's account page.
func authorURL(u uris.Builder, a model.Account) string {
	if a.Remote() && a.RemoteURL != "" {
		if p, err := url.Parse(a.RemoteURL); err == nil && (p.Scheme == "https" || p.Scheme == "http") {
			return a.RemoteURL
		}
	}
	return u.Abs(uris.AccountPage(a.Name))
}
