package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/videos"
)

// PeerTube's resumable upload (node-uploadx's protocol), which its web
// client and Cabane's upload page use:
//
//	POST   /api/v1/videos/upload-resumable  JSON metadata, X-Upload-Content-Length
//	       → 201, Location: …?upload_id=ID
//	PUT    …?upload_id=ID, Content-Range: bytes a-b/total, the chunk
//	       → 308 with Range: bytes=0-n until the last chunk, then 200 {video}
//	PUT    …?upload_id=ID, Content-Range: bytes */total, no body
//	       → 308 with what is stored (resume after a dropped connection)
//	DELETE …?upload_id=ID → 204, the partial file removed
func (s *Server) resumableRoutes(g *echo.Group, user []echo.MiddlewareFunc) {
	g.POST("/videos/upload-resumable", s.apiResumableInit, user...)
	g.PUT("/videos/upload-resumable", s.apiResumableChunk, user...)
	g.DELETE("/videos/upload-resumable", s.apiResumableCancel, user...)
	g.GET("/users/me/video-quota-used", s.apiQuotaUsed, user...)
	g.PUT("/users/:id", s.apiUpdateUserQuota, user...)
}

const resumablePath = "/api/v1/videos/upload-resumable"

func (s *Server) apiResumableInit(c echo.Context) error {
	r := c.Request()
	usr := currentUser(c)
	size, err := strconv.ParseInt(r.Header.Get("X-Upload-Content-Length"), 10, 64)
	if err != nil || size <= 0 {
		return apiError(http.StatusBadRequest, "X-Upload-Content-Length must be the file's size in bytes.")
	}
	f, err := readForm(c)
	if err != nil {
		return err
	}
	fileName := first(f["filename"])
	if fileName == "" {
		return fieldError("filename", "Send the file's name in \"filename\".")
	}
	meta, err := s.uploadMeta(c, f, fileName)
	if err != nil {
		return err
	}
	id, err := s.Videos.StartResumable(r.Context(), videos.ResumableInit{UserID: usr.ID, Meta: meta, Size: size,
		MaxBytes: s.Config.MaxUploadBytes, ContentType: r.Header.Get("X-Upload-Content-Type")})
	if err != nil {
		return s.uploadError(err)
	}
	c.Response().Header().Set("Location", s.baseURL(c)+resumablePath+"?upload_id="+id)
	c.Response().Header().Set("Content-Length", "0")
	return c.NoContent(http.StatusCreated)
}

func (s *Server) apiResumableChunk(c echo.Context) error {
	r := c.Request()
	usr := currentUser(c)
	id := c.QueryParam("upload_id")
	start, end, total, query, err := parseContentRange(r.Header.Get("Content-Range"))
	if err != nil {
		return apiError(http.StatusBadRequest, "%v", err)
	}
	if query {
		stored, size, err := s.Videos.ResumableStatus(usr.ID, id)
		if err != nil {
			return s.uploadError(err)
		}
		if total >= 0 && total != size {
			return apiError(http.StatusBadRequest, "Content-Range says %d bytes; the upload announced %d.", total, size)
		}
		return resumeIncomplete(c, stored)
	}
	if r.ContentLength >= 0 && r.ContentLength != end-start+1 {
		return apiError(http.StatusBadRequest, "Content-Range says %d bytes; Content-Length says %d.", end-start+1, r.ContentLength)
	}
	stored, v, err := s.Videos.WriteResumable(r.Context(), usr.ID, id, start, http.MaxBytesReader(c.Response(), r.Body, end-start+1))
	if errors.Is(err, videos.ErrUploadConflict) {
		// node-uploadx answers 409; the client asks where to resume.
		c.Response().Header().Set("Range", rangeHeader(stored))
		return apiError(http.StatusConflict, "This chunk starts at byte %d; %d bytes are stored.", start, stored)
	}
	if err != nil {
		return s.uploadError(err)
	}
	if v == nil {
		return resumeIncomplete(c, stored)
	}
	return c.JSON(http.StatusOK, uploaded{Video: uploadedVideo{ID: v.ID, UUID: v.UUID, ShortUUID: v.ShortUUID}})
}

func (s *Server) apiResumableCancel(c echo.Context) error {
	if err := s.Videos.CancelResumable(currentUser(c).ID, c.QueryParam("upload_id")); err != nil {
		return s.uploadError(err)
	}
	c.Response().Header().Set("Content-Length", "0")
	return c.NoContent(http.StatusNoContent)
}

// resumeIncomplete is 308 with the stored range (none when nothing is).
func resumeIncomplete(c echo.Context, stored int64) error {
	h := c.Response().Header()
	if stored > 0 {
		h.Set("Range", rangeHeader(stored))
	}
	h.Set("Content-Length", "0")
	return c.NoContent(http.StatusPermanentRedirect)
}

func rangeHeader(stored int64) string { return fmt.Sprintf("bytes=0-%d", stored-1) }

// parseContentRange reads "bytes a-b/total" (a chunk), or "bytes */total"
// and an absent header (a question: how much is stored?). total is -1
// when the header says "*".
func parseContentRange(h string) (start, end, total int64, query bool, err error) {
	if h == "" {
		return 0, 0, -1, true, nil
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	rng, tot, ok2 := strings.Cut(spec, "/")
	if !ok || !ok2 {
		return 0, 0, 0, false, fmt.Errorf("Content-Range must be \"bytes first-last/total\" or \"bytes */total\", not %q", h)
	}
	total = -1
	if tot != "*" {
		if total, err = strconv.ParseInt(tot, 10, 64); err != nil || total < 0 {
			return 0, 0, 0, false, fmt.Errorf("bad total in Content-Range %q", h)
		}
	}
	if rng == "*" {
		return 0, 0, total, true, nil
	}
	a, b, ok := strings.Cut(rng, "-")
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || start < 0 || end < start || (total >= 0 && end >= total) {
		return 0, 0, 0, false, fmt.Errorf("bad range in Content-Range %q", h)
	}
	return start, end, total, false, nil
}

// uploadError turns the videos service's refusals into PeerTube's answers.
func (s *Server) uploadError(err error) error {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return err
	case errors.Is(err, videos.ErrQuotaExceeded):
		return quotaError()
	case errors.Is(err, videos.ErrUploadTooBig):
		return &echo.HTTPError{Code: http.StatusRequestEntityTooLarge, Internal: &apiDetail{code: "max_file_size_reached"},
			Message: fmt.Sprintf("The file is larger than announced, or than this box accepts (%s).", humanBytes(s.Config.MaxUploadBytes))}
	case errors.Is(err, videos.ErrUploadConflict):
		// A cancel (or a question) while a chunk is still being written,
		// as when a browser aborts a PUT the server has not seen end yet:
		// the client may try again in a moment.
		return apiError(http.StatusConflict, "A chunk of this upload is being written; try again in a moment.")
	case errors.Is(err, videos.ErrUploadNotFound):
		return apiError(http.StatusNotFound, "No such upload: it finished, was cancelled or expired.")
	case errors.Is(err, videos.ErrUploadNotYours):
		return apiError(http.StatusForbidden, "This upload is not yours.")
	case errors.Is(err, videos.ErrNoChannel):
		return apiError(http.StatusBadRequest, "This account has no channel to upload to.")
	case errors.Is(err, videos.ErrNotYourChannel):
		return &echo.HTTPError{Code: http.StatusForbidden, Message: "You cannot upload to this channel.", Internal: &apiDetail{field: "channelId"}}
	case errors.Is(err, videos.ErrAccountBlocked):
		return apiError(http.StatusForbidden, "This account is blocked on this Cabane: it cannot upload.")
	case errors.Is(err, videos.ErrBadUpload):
		return apiError(http.StatusUnprocessableEntity, "%s", strings.TrimPrefix(err.Error(), videos.ErrBadUpload.Error()+": "))
	}
	return readError(err, apiError(http.StatusRequestEntityTooLarge, "The chunk is larger than its Content-Range."))
}

// quotaError is PeerTube's 413 for a quota, daily or total.
func quotaError() error {
	return &echo.HTTPError{Code: http.StatusRequestEntityTooLarge, Message: videos.ErrQuotaExceeded.Error(),
		Internal: &apiDetail{code: "quota_reached"}}
}
