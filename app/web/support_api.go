package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/funding"
	"cabane.dev/cabane/app/model"
)

// apiFundingLink is one funding link in Cabane's own "fundingLinks" field
// of GET and PUT /api/v1/video-channels/{handle} (#11). PeerTube's
// VideoChannel allows more properties than it lists, so its clients
// still validate the answer.
type apiFundingLink struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
	Note  string `json:"note,omitempty"`
}

// apiChannelFunding is a channel as GET /video-channels/{handle} answers:
// PeerTube's VideoChannel and the channel's funding links ([] for none).
type apiChannelFunding struct {
	apiChannel
	FundingLinks []apiFundingLink `json:"fundingLinks"`
}

// withFunding adds ch's funding links to its JSON, when the service is
// wired; out as it is otherwise.
func (s *Server) withFunding(c echo.Context, out apiChannel, ch model.Channel) (any, error) {
	if s.Funding == nil {
		return out, nil
	}
	links, err := s.Funding.Links(c.Request().Context(), model.ChannelFunding(ch.ID))
	if err != nil {
		return nil, err
	}
	full := apiChannelFunding{apiChannel: out, FundingLinks: make([]apiFundingLink, 0, len(links))}
	for _, l := range links {
		full.FundingLinks = append(full.FundingLinks, apiFundingLink{Kind: l.Kind, Label: l.Label, URL: l.URL, Note: l.Note})
	}
	return full, nil
}

// apiChannelUpdate is PeerTube's VideoChannelUpdate and Cabane's
// fundingLinks. Cabane changes the support text and the links here; a
// display name or description may be sent (PeerTube's client sends the
// whole form) but not changed.
type apiChannelUpdate struct {
	DisplayName             *string           `json:"displayName"`
	Description             *string           `json:"description"`
	Support                 *string           `json:"support"`
	BulkVideosSupportUpdate *bool             `json:"bulkVideosSupportUpdate"`
	FundingLinks            *[]apiFundingLink `json:"fundingLinks"`
}

// supportAPIRoutes: PUT /api/v1/video-channels/{handle}, the owner's.
func (s *Server) supportAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := whenReady(append(api[:len(api):len(api)], requireAPIUser), func() bool { return s.Funding != nil })
	g.PUT("/video-channels/:handle", s.apiUpdateChannel, user...)
}

func (s *Server) apiUpdateChannel(c echo.Context) error {
	ch, err := s.channelByHandle(c)
	if err != nil {
		return err
	}
	var in apiChannelUpdate
	if err := json.NewDecoder(c.Request().Body).Decode(&in); err != nil {
		return apiError(http.StatusBadRequest, "send the channel's fields as JSON")
	}
	if in.DisplayName != nil && strings.TrimSpace(*in.DisplayName) != ch.DisplayName {
		return fieldError("displayName", "Cabane does not rename a channel through this API")
	}
	if in.Description != nil && strings.TrimSpace(*in.Description) != strings.TrimSpace(ch.Description) {
		return fieldError("description", "Cabane does not change a channel's description through this API")
	}
	if in.BulkVideosSupportUpdate != nil && *in.BulkVideosSupportUpdate {
		return fieldError("bulkVideosSupportUpdate", "Cabane does not copy the support text to every video: videos without their own show the channel's")
	}
	u := funding.ChannelUpdate{Support: in.Support}
	if in.FundingLinks != nil {
		links := make([]model.FundingLink, 0, len(*in.FundingLinks))
		for _, l := range *in.FundingLinks {
			links = append(links, model.FundingLink{Kind: l.Kind, Label: l.Label, URL: l.URL, Note: l.Note})
		}
		u.Links = &links
	}
	err = s.Funding.UpdateChannel(c.Request().Context(), viewer(c), ch.ID, u)
	var fe *funding.FieldError
	switch {
	case errors.As(err, &fe) && fe.Field == "support":
		return fieldError("support", fe.Msg)
	case errors.As(err, &fe):
		return fieldError("fundingLinks", fe.Error())
	case errors.Is(err, funding.ErrForbidden):
		return apiError(http.StatusForbidden, "Cannot manage video channel of another user")
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Video channel not found")
	case err != nil:
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
