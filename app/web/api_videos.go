package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
)

// videoPage is PeerTube's paged list.
type videoPage = listJSON[apiVideo]

func (s *Server) apiVideos(c echo.Context) error {
	// PeerTube's filters (tagsOneOf, categoryOneOf, ...) go to the search
	// service (helper D, #9 point 5).
	if done, err := s.filteredVideos(c); done {
		return err
	}
	// Summary: the list JSON shows PeerTube's Video, not VideoDetails.
	q := videos.ListQuery{Sort: c.QueryParam("sort"), Count: 15, Summary: true}
	var err error
	if v := c.QueryParam("start"); v != "" {
		if q.Start, err = strconv.Atoi(v); err != nil || q.Start < 0 {
			return fieldError("start", "start must be a non-negative integer")
		}
	}
	if v := c.QueryParam("count"); v != "" {
		if q.Count, err = strconv.Atoi(v); err != nil || q.Count < 0 || q.Count > 100 {
			return fieldError("count", "count must be an integer from 0 to 100")
		}
	}
	if !videos.ValidSort(q.Sort) {
		return fieldError("sort", "unknown sort %q", q.Sort)
	}
	vs, total, err := s.Videos.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return err
	}
	return s.renderVideoList(c, vs, total)
}

func (s *Server) apiVideo(c echo.Context) error {
	id := c.Param("id")
	if !plausibleVideoRef(id) {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	v, err := s.Videos.Details(c.Request().Context(), viewer(c), id)
	if pe := passwordError(err); pe != nil { // password-protected videos (creator_api.go)
		return pe
	}
	if errors.Is(err, model.ErrNotFound) {
		return apiError(http.StatusNotFound, "Video not found")
	}
	if err != nil {
		return err
	}
	j, err := s.videoDetailsJSON(c, v)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}

// plausibleVideoRef tells a video id (number, UUID, short UUID) from a
// word: /api/v1/videos/imports is an endpoint Cabane lacks, not a video.
func plausibleVideoRef(id string) bool {
	if id == "" || len(id) > 36 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	digits := strings.Trim(id, "0123456789") == ""
	return digits || len(id) == 36 || len(id) >= 20 && !strings.Contains(id, "-")
}

// apiUpdateVideo is PUT /api/v1/videos/{id}: PeerTube's VideoUpdate, as
// JSON (its web client) or a form (its CLI and apps). 204 on success.
func (s *Server) apiUpdateVideo(c echo.Context) error {
	if isCreatorUpload(c.Request()) { // images ride along: streamed, bounded here
		c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxImagesBody)
	}
	f, err := readForm(c)
	if err != nil {
		return err
	}
	e, err := videos.ParseEdit(f)
	if err != nil {
		return videoError(err)
	}
	// thumbnailfile, previewfile: decoded by Update before it changes anything.
	if e.Images, err = formImages(c); err != nil {
		return videoError(err)
	}
	if _, err := s.Videos.Update(c.Request().Context(), viewer(c), c.Param("id"), e); err != nil {
		return videoError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// apiDeleteVideo is DELETE /api/v1/videos/{id}: 204 once the row and
// the files are gone.
func (s *Server) apiDeleteVideo(c echo.Context) error {
	if err := s.Videos.Delete(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return videoError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// videoError renders the videos service's refusals as PeerTube does.
func videoError(err error) error {
	if fe, ok := videos.AsFieldError(err); ok {
		return fieldError(fe.Field, "%s", fe.Msg)
	}
	if pe := passwordError(err); pe != nil { // password-protected videos (creator_api.go)
		return pe
	}
	switch {
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Video not found")
	case errors.Is(err, videos.ErrForbidden):
		return apiError(http.StatusForbidden, "Cannot manage a video of another user")
	case errors.Is(err, videos.ErrNotYourChannel):
		return &echo.HTTPError{Code: http.StatusForbidden, Message: "You cannot move the video to this channel.", Internal: &apiDetail{field: "channelId"}}
	}
	return err
}

// readForm reads a request's fields, JSON or form, into a videos.Form.
func readForm(c echo.Context) (videos.Form, error) {
	r := c.Request()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var raw map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			return nil, fieldError("body", "the JSON body could not be read: %v", err)
		}
		f := videos.Form{}
		for k, v := range raw {
			vals, err := jsonValues(v)
			if err != nil {
				return nil, fieldError(k, "%s: %v", k, err)
			}
			f[k] = vals
		}
		return f, nil
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxFieldBytes * maxFields); err != nil {
			return nil, fieldError("body", "the form could not be read: %v", err)
		}
		return videos.Form(r.MultipartForm.Value), nil
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, fieldError("body", "the form could not be read: %v", err)
		}
		return videos.Form(r.PostForm), nil
	}
	return nil, apiError(http.StatusUnsupportedMediaType, "send the fields as JSON, multipart/form-data or application/x-www-form-urlencoded")
}

// jsonValues writes a JSON value as a form's strings: null is "", numbers
// and booleans their text, arrays their elements.
func jsonValues(v json.RawMessage) ([]string, error) {
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return nil, err
	}
	one := func(x any) (string, error) {
		switch x := x.(type) {
		case nil:
			return "", nil
		case string:
			return x, nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
		return "", fmt.Errorf("must be a string, a number or a boolean")
	}
	if arr, ok := x.([]any); ok {
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			s, err := one(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := one(x)
	return []string{s}, err
}

// The constants endpoints: PeerTube's id → label objects.
func (s *Server) apiCategories(c echo.Context) error {
	return c.JSON(http.StatusOK, videos.Categories())
}
func (s *Server) apiLicences(c echo.Context) error  { return c.JSON(http.StatusOK, videos.Licences()) }
func (s *Server) apiLanguages(c echo.Context) error { return c.JSON(http.StatusOK, videos.Languages()) }
func (s *Server) apiPrivacies(c echo.Context) error { return c.JSON(http.StatusOK, videos.Privacies()) }
