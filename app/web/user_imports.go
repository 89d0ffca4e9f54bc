package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/userimport"
)

// User imports (#11 point 4): PeerTube's API for them (a resumable upload
// of the archive, then the latest import's state) and the settings page's
// "Import an archive" section.

// userImportStateLabels are PeerTube's USER_IMPORT_STATES.
var userImportStateLabels = map[int]string{userimport.StatePending: "Pending", userimport.StateProcessing: "Processing",
	userimport.StateCompleted: "Completed", userimport.StateErrored: "Failed"}

// userImportJSON is PeerTube's UserImport (user-import.model.ts) as
// GET /users/{userId}/imports/latest answers it.
type userImportJSON struct {
	ID        int64               `json:"id"`
	State     userExportStateJSON `json:"state"`
	CreatedAt string              `json:"createdAt"`
}

// userImportCreatedJSON is the last chunk's answer (PeerTube's
// { userImport: { id } }).
type userImportCreatedJSON struct {
	UserImport struct {
		ID int64 `json:"id"`
	} `json:"userImport"`
}

const importResumableSuffix = "/imports/import-resumable"

// isImportChunk is a chunk of an archive (bodylimit.go: streamed, not
// buffered).
func isImportChunk(r *http.Request) bool {
	p := strings.TrimSuffix(r.URL.Path, "/")
	return r.Method == http.MethodPut && strings.HasPrefix(p, "/api/v1/users/") && strings.HasSuffix(p, importResumableSuffix) ||
		r.Method == http.MethodPost && p == "/my/settings/import"
}

func userImportError(err error) error {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return err
	case errors.Is(err, userimport.ErrForbidden):
		return apiError(http.StatusForbidden, "Cannot manage imports of another user")
	case errors.Is(err, userimport.ErrBusy):
		return apiError(http.StatusConflict, "An import is already waiting or running for this user")
	case errors.Is(err, userimport.ErrUploadNotFound), errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "No such upload or import")
	case errors.Is(err, userimport.ErrUploadConflict):
		return apiError(http.StatusConflict, "A chunk of this upload is being written; try again in a moment.")
	case errors.Is(err, userimport.ErrUploadTooBig):
		return apiError(http.StatusRequestEntityTooLarge, "%v", err)
	case errors.Is(err, userimport.ErrBadArchive):
		return apiError(http.StatusBadRequest, "%v", err)
	}
	return err
}

func (s *Server) importAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(whenReady(api, func() bool { return s.Imports != nil }), requireAPIUser)
	g.POST("/users/:userId"+importResumableSuffix, s.apiImportInit, user...)
	g.PUT("/users/:userId"+importResumableSuffix, s.apiImportChunk, user...)
	g.DELETE("/users/:userId"+importResumableSuffix, s.apiImportCancel, user...)
	g.GET("/users/:userId/imports/latest", s.apiLatestImport, user...)
}

func (s *Server) apiImportInit(c echo.Context) error {
	userID, err := userIDParam(c)
	if err != nil {
		return err
	}
	r := c.Request()
	size, err := strconv.ParseInt(r.Header.Get("X-Upload-Content-Length"), 10, 64)
	if err != nil || size <= 0 {
		return apiError(http.StatusBadRequest, "X-Upload-Content-Length must be the archive's size in bytes.")
	}
	var b struct {
		Filename string `json:"filename"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil && !errors.Is(err, io.EOF) {
		return fieldError("filename", "Send the archive's name in \"filename\".")
	}
	if b.Filename == "" {
		return fieldError("filename", "Send the archive's name in \"filename\".")
	}
	id, err := s.Imports.StartUpload(r.Context(), viewer(c), userID, b.Filename, size)
	if err != nil {
		return userImportError(err)
	}
	c.Response().Header().Set("Location", s.baseURL(c)+strings.TrimSuffix(r.URL.Path, "/")+"?upload_id="+id)
	c.Response().Header().Set("Content-Length", "0")
	return c.NoContent(http.StatusCreated)
}

func (s *Server) apiImportChunk(c echo.Context) error {
	userID, err := userIDParam(c)
	if err != nil {
		return err
	}
	r := c.Request()
	who := viewer(c)
	id := c.QueryParam("upload_id")
	start, end, total, query, err := parseContentRange(r.Header.Get("Content-Range"))
	if err != nil {
		return apiError(http.StatusBadRequest, "%v", err)
	}
	if query {
		stored, size, err := s.Imports.UploadStatus(who, userID, id)
		if err != nil {
			return userImportError(err)
		}
		if total >= 0 && total != size {
			return apiError(http.StatusBadRequest, "Content-Range says %d bytes; the upload announced %d.", total, size)
		}
		return resumeIncomplete(c, stored)
	}
	if r.ContentLength >= 0 && r.ContentLength != end-start+1 {
		return apiError(http.StatusBadRequest, "Content-Range says %d bytes; Content-Length says %d.", end-start+1, r.ContentLength)
	}
	stored, importID, err := s.Imports.WriteUpload(r.Context(), who, userID, id, start, http.MaxBytesReader(c.Response(), r.Body, end-start+1))
	if errors.Is(err, userimport.ErrUploadConflict) {
		c.Response().Header().Set("Range", rangeHeader(stored))
		return apiError(http.StatusConflict, "This chunk starts at byte %d; %d bytes are stored.", start, stored)
	}
	if err != nil {
		return userImportError(readError(err, apiError(http.StatusRequestEntityTooLarge, "The chunk is larger than its Content-Range.")))
	}
	if importID == 0 {
		return resumeIncomplete(c, stored)
	}
	var out userImportCreatedJSON
	out.UserImport.ID = importID
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiImportCancel(c echo.Context) error {
	userID, err := userIDParam(c)
	if err != nil {
		return err
	}
	if err := s.Imports.CancelUpload(viewer(c), userID, c.QueryParam("upload_id")); err != nil {
		return userImportError(err)
	}
	c.Response().Header().Set("Content-Length", "0")
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiLatestImport(c echo.Context) error {
	userID, err := userIDParam(c)
	if err != nil {
		return err
	}
	im, err := s.Imports.Latest(c.Request().Context(), viewer(c), userID)
	if err != nil {
		return userImportError(err)
	}
	return c.JSON(http.StatusOK, userImportJSON{ID: im.ID, CreatedAt: im.CreatedAt.UTC().Format(time.RFC3339Nano),
		State: userExportStateJSON{ID: im.State, Label: userImportStateLabels[im.State]}})
}

// importPageRoutes are the settings page's form, which streams its file
// (the CSRF field is checked before a byte of it is stored, as /upload).
func (s *Server) importPageRoutes(e *echo.Echo, _ []echo.MiddlewareFunc) {
	streaming := whenReady([]echo.MiddlewareFunc{s.identifySession, s.language, s.csrfStreaming, s.firstRun, pageHeaders},
		func() bool { return s.Imports != nil })
	e.POST("/my/settings/import", s.mySettingsImport, append(streaming, s.requireLogin)...)
}

// mySettingsImport takes the form's archive (multipart, streamed to the
// data directory; the page's script sends a big one with the resumable
// API instead) and queues its import.
func (s *Server) mySettingsImport(c echo.Context) error {
	r := c.Request()
	who := viewer(c)
	// The disk must take the archive (and keep its reserve): a form that
	// says it is bigger is refused before a byte is stored, one that lied
	// is cut off there.
	room, err := s.Imports.Room()
	if err != nil {
		return err
	}
	if r.ContentLength > room {
		return c.Redirect(http.StatusSeeOther, "/my/settings?done=import_too_big#import")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return c.Redirect(http.StatusSeeOther, "/my/settings?done=import_refused#import")
	}
	var tmp string
	defer func() {
		if tmp != "" {
			os.Remove(tmp) // Import moved it away when it took it
		}
	}()
	token := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return readError(err, echo.NewHTTPError(http.StatusRequestEntityTooLarge))
		}
		switch part.FormName() {
		case csrfField:
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			token = string(b)
		case "archive":
			if c.Get(ctxCSRFOK) != true && !csrfValid(c, token) {
				return errCSRF
			}
			if tmp != "" {
				return echo.NewHTTPError(http.StatusBadRequest)
			}
			if tmp, err = s.saveFilePart(part, room); errors.Is(err, errTooBig) {
				return c.Redirect(http.StatusSeeOther, "/my/settings?done=import_too_big#import")
			} else if err != nil {
				return c.Redirect(http.StatusSeeOther, "/my/settings?done=import_refused#import")
			}
		}
	}
	if tmp == "" {
		return c.Redirect(http.StatusSeeOther, "/my/settings?done=import_refused#import")
	}
	if c.Get(ctxCSRFOK) != true && !csrfValid(c, token) {
		return errCSRF
	}
	_, err = s.Imports.Import(r.Context(), who, who.UserID, tmp)
	tmp = ""
	if errors.Is(err, userimport.ErrBusy) {
		return c.Redirect(http.StatusSeeOther, "/my/settings?done=import_busy#import")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings?done=import_requested#import")
}

// myImport is the latest import as the settings page shows it.
type myImport struct {
	State    string // pending, processing, completed, errored
	Progress int
	Created  string
	Error    string
	Summary  []myImportLine
}

type myImportLine struct {
	Kind                        string // catalogue key's last part
	Success, Duplicates, Errors int
}

var myImportStates = map[int]string{userimport.StatePending: "pending", userimport.StateProcessing: "processing",
	userimport.StateCompleted: "completed", userimport.StateErrored: "errored"}

// myLatestImport is the signed-in user's latest import; nil when none.
func (s *Server) myLatestImport(c echo.Context) *myImport {
	if s.Imports == nil {
		return nil
	}
	who := viewer(c)
	im, err := s.Imports.Latest(c.Request().Context(), who, who.UserID)
	if err != nil {
		return nil
	}
	return myImportOf(im)
}

func myImportOf(im repo.UserImport) *myImport {
	m := &myImport{State: myImportStates[im.State], Progress: int(im.Progress), Created: im.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"),
		Error: im.Error}
	var sum userimport.Summary
	if json.Unmarshal([]byte(im.Summary), &sum) == nil {
		for _, k := range []string{"channels", "videos", "videoPlaylists", "likes", "dislikes", "following", "account"} {
			if n := sum.Stats[k]; n != nil {
				m.Summary = append(m.Summary, myImportLine{Kind: k, Success: n.Success, Duplicates: n.Duplicates, Errors: n.Errors})
			}
		}
	}
	return m
}
