package feeds

import (
	"strings"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// Card is what a link preview shows (OpenGraph and Twitter-card tags in a
// page's head): Mastodon, chat apps and search engines read it. A video
// that anyone with the link may see carries a player (og:video,
// twitter:player) pointing at the embed page, so the card plays in place.
type Card struct {
	Type        string // og:type: "video.other" or "profile"
	Title       string
	Description string
	URL         string // the canonical page
	SiteName    string
	Image       *Image
	Player      *Player
	OEmbed      string // the JSON oEmbed URL (discovery link); "" for none
	// Feed is the page's RSS feed (channels and accounts).
	Feed string
}

// Player is an embeddable player and its size.
type Player struct {
	URL           string
	Width, Height int
}

// Secure: og:video:secure_url may only name an https URL.
func (p Player) Secure() bool { return strings.HasPrefix(p.URL, "https://") }

// TwitterCard is the twitter:card kind.
func (c Card) TwitterCard() string {
	switch {
	case c.Player != nil:
		return "player"
	case c.Image != nil:
		return "summary_large_image"
	}
	return "summary"
}

// VideoCard is a video page's card.
func VideoCard(u uris.Builder, site string, v model.Video) Card {
	c := Card{Type: "video.other", Title: v.Name, Description: summary(v.Description), URL: u.Abs(uris.Watch(v.UUID)), SiteName: site}
	if v.HasThumbnail {
		c.Image = &Image{URL: u.Abs(uris.Preview(v.UUID)), Width: PreviewWidth, Height: PreviewHeight}
	}
	// Only what a stranger may open gets a player and an oEmbed link: the
	// card's reader fetches them from elsewhere.
	if v.Published() && visibility.SharedCache(v) {
		w, h := EmbedWidth, EmbedHeight
		if v.Height > v.Width && v.Width > 0 {
			w, h = EmbedHeight, EmbedWidth // a phone's portrait video
		}
		c.Player = &Player{URL: u.Abs(uris.Embed(v.UUID)), Width: w, Height: h}
		c.OEmbed = u.Abs(uris.OEmbed(c.URL))
	}
	return c
}

// ChannelCard is a channel page's card.
func ChannelCard(u uris.Builder, site string, ch model.Channel) Card {
	return Card{Type: "profile", Title: ch.DisplayName, Description: summary(ch.Description), URL: u.Abs(uris.ChannelPage(ch.Name)),
		SiteName: site, Feed: u.Abs(uris.VideoFeed("xml", "?videoChannelId="+itoa(ch.ID)))}
}

// AccountCard is an account page's card.
func AccountCard(u uris.Builder, site string, a model.Account) Card {
	return Card{Type: "profile", Title: a.DisplayName, Description: summary(a.Description), URL: u.Abs(uris.AccountPage(a.Name)),
		SiteName: site, Feed: u.Abs(uris.VideoFeed("xml", "?accountId="+itoa(a.ID)))}
}
