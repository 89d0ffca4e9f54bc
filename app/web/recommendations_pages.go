package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// recommendedView is a channel's recommendations as its channel page and
// its videos' watch pages show them ("Recommended by <channel>").
type recommendedView struct {
	By    string // the recommending channel's display name
	Items []recommendedItem
}

// recommendedItem is one recommended video or channel: Href is its page
// here when it is stored here (a remote video plays from its origin
// there), else its page on its origin; Host is its server when not this
// one, Origin its page there.
type recommendedItem struct {
	Video              bool
	Name, Note         string
	Href, Origin, Host string
}

// recommended is channel ch's recommendations for the page, nil when it
// has none (or the service is off).
func (s *Server) recommended(c echo.Context, ch model.Channel) (*recommendedView, error) {
	if s.Recommendations == nil {
		return nil, nil
	}
	shown, err := s.Recommendations.Show(c.Request().Context(), viewer(c), ch.ID)
	if err != nil || len(shown) == 0 {
		return nil, err
	}
	local := strings.ToLower(s.urls(c).Host())
	v := &recommendedView{By: ch.DisplayName}
	if v.By == "" {
		v.By = ch.Name
	}
	for _, sh := range shown {
		it := recommendedItem{Video: sh.Kind == model.RecommendVideo, Name: sh.Name, Note: sh.Note, Href: sh.URL}
		if h := sh.Host(); !strings.EqualFold(h, local) {
			it.Host, it.Origin = h, sh.URL
		}
		switch {
		case sh.Video != nil:
			it.Href = uris.ShortWatch(sh.Video.ShortUUID)
		case sh.Channel != nil:
			it.Href = uris.ChannelPage(sh.Channel.Name)
		}
		if it.Name == "" {
			it.Name = sh.IRI
		}
		v.Items = append(v.Items, it)
	}
	return v, nil
}
