package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/redundancy"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// PeerTube's redundancy admin API (#12): GET /server/redundancy/videos
// lists the local videos other servers mirror (target=my-videos) or the
// remote videos this box mirrors (target=remote-videos), as PeerTube's
// controller answers it ({total, data}); DELETE
// /server/redundancy/videos/{id} drops one of this box's copies (an Undo
// goes to its origin); POST /server/redundancy/videos copies one remote
// video the admin chose. Admins only, checked by the service.

// apiRedundancyInfo is PeerTube's FileRedundancyInformation.
type apiRedundancyInfo struct {
	ID        int64     `json:"id"`
	FileURL   string    `json:"fileUrl"`
	Strategy  string    `json:"strategy,omitempty"` // PeerTube sends null for another server's copy
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// ExpiresOn is null for a copy that does not expire (one the admin
	// asked for, or a mirror announced without expiry), as PeerTube.
	ExpiresOn *time.Time `json:"expiresOn"`
}

// expiresOn is t for ExpiresOn, nil for none.
func expiresOn(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// apiVideoRedundancy is PeerTube's VideoRedundancy.
type apiVideoRedundancy struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	URL          string `json:"url"`
	UUID         string `json:"uuid"`
	Redundancies struct {
		Files              []apiRedundancyInfo `json:"files"`
		StreamingPlaylists []apiRedundancyInfo `json:"streamingPlaylists"`
	} `json:"redundancies"`
}

func (s *Server) redundancyAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/server/redundancy/videos", s.apiRedundancyVideos, user...)
	g.POST("/server/redundancy/videos", s.apiRedundancyAdd, user...)
	g.DELETE("/server/redundancy/videos/:id", s.apiRedundancyDelete, user...)
	g.PUT("/server/redundancy/:host", s.apiRedundancyHost, user...)
}

// redundancyHostBody is PeerTube's body of PUT /server/redundancy/{host}.
type redundancyHostBody struct {
	RedundancyAllowed *bool `json:"redundancyAllowed"`
}

// apiRedundancyHost lets this box copy a followed instance's videos or
// not (404 for an instance it does not follow, as PeerTube).
func (s *Server) apiRedundancyHost(c echo.Context) error {
	var b redundancyHostBody
	if err := c.Bind(&b); err != nil || b.RedundancyAllowed == nil {
		return fieldError("redundancyAllowed", "Should have a valid redundancyAllowed boolean")
	}
	if s.Mirrors == nil {
		return apiError(http.StatusNotFound, "Server is not already known")
	}
	err := s.Mirrors.AllowCopiesFrom(c.Request().Context(), viewer(c), c.Param("host"), *b.RedundancyAllowed)
	switch {
	case errors.Is(err, redundancy.ErrInvalid):
		return fieldError("host", "Should have a valid host")
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Server is not already known")
	}
	return redundancyAPIDone(c, err)
}

func (s *Server) apiRedundancyVideos(c echo.Context) error {
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	target := c.QueryParam("target")
	if target != "my-videos" && target != "remote-videos" {
		return fieldError("target", "Should have a valid redundancy target (my-videos or remote-videos)")
	}
	out := listJSON[apiVideoRedundancy]{Data: []apiVideoRedundancy{}}
	if s.Mirrors == nil {
		return c.JSON(http.StatusOK, out)
	}
	ctx, v, u := c.Request().Context(), viewer(c), s.urls(c)
	var all []apiVideoRedundancy
	if target == "my-videos" {
		ms, _, err := s.Mirrors.List(ctx, v, mirrorsListMax)
		if err != nil {
			return redundancyAPIError(err)
		}
		byVideo := map[int64]int{}
		for _, m := range ms {
			i, ok := byVideo[m.VideoID]
			if !ok {
				i = len(all)
				byVideo[m.VideoID] = i
				all = append(all, newAPIVideoRedundancy(m.VideoID, m.VideoName, u.Abs(uris.Watch(m.VideoUUID)), m.VideoUUID))
			}
			all[i].Redundancies.StreamingPlaylists = append(all[i].Redundancies.StreamingPlaylists,
				apiRedundancyInfo{ID: m.ID, FileURL: m.BaseURL, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, ExpiresOn: expiresOn(m.ExpiresAt)})
		}
	} else {
		ms, _, err := s.Mirrors.MirroredList(ctx, v)
		if err != nil {
			return redundancyAPIError(err)
		}
		for _, m := range ms {
			if m.State != model.MirrorReady {
				continue
			}
			r := newAPIVideoRedundancy(m.VideoID, m.Name, m.IRI, m.UUID)
			r.Redundancies.StreamingPlaylists = []apiRedundancyInfo{{ID: m.VideoID, FileURL: redundancy.MirrorBase(u, m.UUID),
				Strategy: m.Strategy, Size: m.Size, CreatedAt: m.CreatedAt, UpdatedAt: m.CreatedAt, ExpiresOn: expiresOn(m.ExpiresAt)}}
			all = append(all, r)
		}
	}
	out.Total = len(all)
	if start < len(all) {
		out.Data = all[start:min(len(all), start+count)]
	}
	return c.JSON(http.StatusOK, out)
}

func newAPIVideoRedundancy(id int64, name, url, uuid string) apiVideoRedundancy {
	r := apiVideoRedundancy{ID: id, Name: name, URL: url, UUID: uuid}
	r.Redundancies.Files, r.Redundancies.StreamingPlaylists = []apiRedundancyInfo{}, []apiRedundancyInfo{}
	return r
}

// redundancyAddBody is PeerTube's body of POST /server/redundancy/videos:
// the video's id, or its UUID or short UUID, which PeerTube takes too.
type redundancyAddBody struct {
	VideoID json.RawMessage `json:"videoId"`
}

// apiRedundancyAdd copies a remote video by hand, with PeerTube's answers
// (addVideoRedundancyValidator): 404 for no such video, 400 for a local
// one (or one Cabane cannot copy), 409 when it is mirrored already; 204
// once the copy is queued.
func (s *Server) apiRedundancyAdd(c echo.Context) error {
	var b redundancyAddBody
	if err := c.Bind(&b); err != nil {
		return fieldError("videoId", "Should have a valid video id")
	}
	ref, ok := redundancyVideoRef(b.VideoID)
	if !ok {
		return fieldError("videoId", "Should have a valid video id")
	}
	if s.Mirrors == nil {
		return apiError(http.StatusNotFound, "Video not found")
	}
	err := s.Mirrors.MirrorByHand(c.Request().Context(), viewer(c), ref)
	switch {
	case errors.Is(err, redundancy.ErrLocalVideo):
		return apiError(http.StatusBadRequest, "Cannot create a redundancy on a local video")
	case errors.Is(err, redundancy.ErrNotCopyable):
		return apiError(http.StatusBadRequest, "Cannot create a redundancy of this video")
	case errors.Is(err, redundancy.ErrAlreadyMirrored):
		return apiError(http.StatusConflict, "This video is already duplicated by your instance.")
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Video not found")
	}
	return redundancyAPIDone(c, err)
}

// redundancyVideoRef reads videoId: a positive integer, or a UUID or
// short UUID (plausibleVideoRef).
func redundancyVideoRef(raw json.RawMessage) (string, bool) {
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return strconv.FormatInt(n, 10), n > 0
	}
	var ref string
	if json.Unmarshal(raw, &ref) != nil || !plausibleVideoRef(ref) {
		return "", false
	}
	return ref, true
}

func (s *Server) apiRedundancyDelete(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return fieldError("redundancyId", "Should have a valid redundancy id")
	}
	if s.Mirrors == nil {
		return apiError(http.StatusNotFound, "Video redundancy not found")
	}
	return redundancyAPIDone(c, s.Mirrors.Unmirror(c.Request().Context(), viewer(c), id))
}

func redundancyAPIDone(c echo.Context, err error) error {
	if err != nil {
		return redundancyAPIError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func redundancyAPIError(err error) error {
	switch {
	case errors.Is(err, redundancy.ErrForbidden):
		return apiError(http.StatusForbidden, "User cannot manage videos redundancies")
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Video redundancy not found")
	}
	return err
}
