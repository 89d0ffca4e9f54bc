package feeds

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// EmbedWidth and EmbedHeight are the iframe's size unless the consumer asks
// smaller (PeerTube's EMBED_SIZE).
const EmbedWidth, EmbedHeight = 560, 315

// ErrBadURL is an oEmbed url that is not one of this instance's video
// pages (PeerTube answers 400).
var ErrBadURL = errors.New("invalid url")

// OEmbedRequest is one oEmbed question.
type OEmbedRequest struct {
	URL string
	// MaxWidth and MaxHeight are the consumer's bounds; 0 is none.
	MaxWidth, MaxHeight int
	URLs                uris.Builder
	InstanceName        string
}

// OEmbed is the answer, a "video" in oEmbed 1.0's fields as PeerTube
// fills them.
type OEmbed struct {
	Type            string `json:"type"`
	Version         string `json:"version"`
	HTML            string `json:"html"`
	Width           int    `json:"width"`
	Height          int    `json:"height"`
	Title           string `json:"title"`
	AuthorName      string `json:"author_name"`
	AuthorURL       string `json:"author_url"`
	ProviderName    string `json:"provider_name"`
	ProviderURL     string `json:"provider_url"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	ThumbnailWidth  int    `json:"thumbnail_width,omitempty"`
	ThumbnailHeight int    `json:"thumbnail_height,omitempty"`
}

// videoPagePrefixes are the page paths oEmbed answers for (PeerTube's
// /videos/watch/<id> and /w/<id>); playlists' pages are refused as unknown
// until playlists exist.
var (
	videoPagePrefixes    = []string{"/videos/watch/", "/w/"}
	playlistPagePrefixes = []string{"/videos/watch/playlist/", "/w/p/"}
)

// embedParams are the player options a shared URL may carry into the
// iframe's src (PeerTube's list; Cabane's player reads what it supports).
var embedParams = map[string]bool{"start": true, "stop": true, "loop": true, "autoplay": true, "muted": true, "controls": true,
	"controlBar": true, "title": true, "api": true, "warningTitle": true, "peertubeLink": true, "p2p": true, "subtitle": true,
	"bigPlayBackgroundColor": true, "mode": true, "foregroundColor": true, "playbackRate": true, "waitPasswordFromEmbedAPI": true,
	"playlistPosition": true}

// OEmbed answers for a video page's URL. A URL of another site, or not a
// video page, is ErrBadURL; a video a stranger may not see is
// model.ErrNotFound, as one that does not exist.
func (s *Service) OEmbed(ctx context.Context, r OEmbedRequest) (OEmbed, error) {
	pu, err := url.Parse(r.URL)
	if err != nil || pu.Host == "" || (pu.Scheme != "http" && pu.Scheme != "https") {
		return OEmbed{}, fmt.Errorf("%w: %q", ErrBadURL, r.URL)
	}
	base, err := url.Parse(r.URLs.Base())
	if err != nil || !strings.EqualFold(pu.Host, base.Host) || pu.Scheme != base.Scheme {
		return OEmbed{}, fmt.Errorf("%w: not a page of %s", ErrBadURL, r.URLs.Base())
	}
	for _, p := range playlistPagePrefixes {
		if strings.HasPrefix(pu.Path, p) {
			return OEmbed{}, model.ErrNotFound
		}
	}
	id := ""
	for _, p := range videoPagePrefixes {
		if rest, ok := strings.CutPrefix(pu.Path, p); ok && rest != "" && !strings.Contains(rest, "/") {
			id = rest
		}
	}
	if id == "" {
		return OEmbed{}, fmt.Errorf("%w: not a video page", ErrBadURL)
	}
	v, err := s.Videos.Get(ctx, visibility.FeedReader(), id)
	if err != nil {
		return OEmbed{}, err
	}
	if v.Channel.Remote() {
		// A remote video's card is its origin's to give (from its own
		// watch page, which is the url we list): an embed of ours would
		// present another server's video as this one's.
		return OEmbed{}, model.ErrNotFound
	}
	u := r.URLs
	w, h := EmbedWidth, EmbedHeight
	if r.MaxWidth > 0 && r.MaxWidth < w {
		w = r.MaxWidth
	}
	if r.MaxHeight > 0 && r.MaxHeight < h {
		h = r.MaxHeight
	}
	src := u.Abs(uris.Embed(v.UUID)) + embedQuery(pu.Query())
	o := OEmbed{Type: "video", Version: "1.0", Width: w, Height: h, Title: v.Name,
		HTML: fmt.Sprintf(`<iframe width="%d" height="%d" sandbox="allow-same-origin allow-scripts allow-popups allow-forms" title="%s" src="%s" frameborder="0" allowfullscreen></iframe>`,
			w, h, html.EscapeString(v.Name), html.EscapeString(src)),
		AuthorName: v.Channel.Name, AuthorURL: u.Abs(uris.Channel(v.Channel.Name)),
		ProviderName: r.InstanceName, ProviderURL: u.Base()}
	// A picture bigger than the consumer's bounds is left out, as PeerTube does.
	fits := (r.MaxWidth == 0 || r.MaxWidth >= PreviewWidth) && (r.MaxHeight == 0 || r.MaxHeight >= PreviewHeight)
	if v.HasThumbnail && fits {
		o.ThumbnailURL, o.ThumbnailWidth, o.ThumbnailHeight = u.Abs(uris.Preview(v.UUID)), PreviewWidth, PreviewHeight
	}
	return o, nil
}

// embedQuery keeps the player options of a shared URL.
func embedQuery(q url.Values) string {
	out := url.Values{}
	for k, vs := range q {
		if embedParams[k] {
			out[k] = vs
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "?" + out.Encode()
}
