package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/feeds"
	"cabane.dev/cabane/app/model"
)

// oembed answers /services/oembed?url=<a video page>&format=json as
// PeerTube does: JSON only (xml is 501), 400 for a URL that is not one of
// this instance's video pages, 404 for a video a stranger may not see.
func (s *Server) oembed(c echo.Context) error {
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	if f := c.QueryParam("format"); f != "" && f != "json" {
		if f == "xml" {
			return apiError(http.StatusNotImplemented, "Requested format is not implemented on server.")
		}
		return fieldError("format", "Invalid value")
	}
	maxW, err := oembedBound(c, "maxwidth")
	if err != nil {
		return err
	}
	maxH, err := oembedBound(c, "maxheight")
	if err != nil {
		return err
	}
	if c.QueryParam("url") == "" {
		return fieldError("url", "Invalid value")
	}
	o, err := s.Feeds.OEmbed(c.Request().Context(), feeds.OEmbedRequest{URL: c.QueryParam("url"), MaxWidth: maxW, MaxHeight: maxH,
		URLs: s.urls(c), InstanceName: s.instanceName()})
	switch {
	case errors.Is(err, feeds.ErrBadURL):
		return fieldError("url", "Invalid url.")
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Video not found")
	case err != nil:
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(feedCacheSeconds))
	return c.JSON(http.StatusOK, o)
}

func oembedBound(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fieldError(name, "Invalid value")
	}
	return n, nil
}
