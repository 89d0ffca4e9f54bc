package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/userexport"
)

// User exports (#11 point 4): PeerTube's API for them, the download with
// a private token, and the settings page's "Export my data" section.

// userExportStateLabels are PeerTube's USER_EXPORT_STATES.
var userExportStateLabels = map[int]string{userexport.StatePending: "Pending", userexport.StateProcessing: "Processing",
	userexport.StateCompleted: "Completed", userexport.StateErrored: "Failed"}

type userExportStateJSON struct {
	ID    int    `json:"id"`
	Label string `json:"label"`
}

// userExportJSON is PeerTube's UserExport (user-export.model.ts).
type userExportJSON struct {
	ID                 int64               `json:"id"`
	State              userExportStateJSON `json:"state"`
	Size               int64               `json:"size"`
	FileURL            string              `json:"fileUrl"`
	PrivateDownloadURL string              `json:"privateDownloadUrl"`
	CreatedAt          string              `json:"createdAt"`
	ExpiresOn          string              `json:"expiresOn"`
	WithVideoFiles     bool                `json:"withVideoFiles"`
}

type userExportListJSON struct {
	Total int              `json:"total"`
	Data  []userExportJSON `json:"data"`
}

type userExportRequestedJSON struct {
	Export struct {
		ID int64 `json:"id"`
	} `json:"export"`
}

// userExportDownload is where an archive is downloaded (PeerTube's path);
// the token (a JWT, as PeerTube's) makes it work without a session.
func userExportDownload(base string, e repo.UserExport, jwt string) string {
	u := base + "/download/user-exports/" + url.PathEscape(e.Filename)
	if jwt != "" {
		u += "?jwt=" + url.QueryEscape(jwt)
	}
	return u
}

func (s *Server) userExportJSON(c echo.Context, e repo.UserExport) userExportJSON {
	j := userExportJSON{ID: e.ID, State: userExportStateJSON{ID: e.State, Label: userExportStateLabels[e.State]}, Size: e.Size,
		CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339Nano), WithVideoFiles: e.WithVideoFiles}
	// As PeerTube: the URLs are known from the start (they answer 404
	// until the archive is ready), and the expiry is counted from the
	// request until the archive is done, then from then.
	base := s.baseURL(c)
	j.FileURL, j.PrivateDownloadURL = userExportDownload(base, e, ""), userExportDownload(base, e, s.Exports.DownloadToken(e))
	exp := e.ExpiresAt
	if exp.IsZero() {
		exp = e.CreatedAt.Add(userexport.Keep)
	}
	j.ExpiresOn = exp.UTC().Format(time.RFC3339Nano)
	return j
}

func userExportError(err error) error {
	switch {
	case errors.Is(err, userexport.ErrForbidden):
		return apiError(http.StatusForbidden, "Cannot manage exports of another user")
	case errors.Is(err, userexport.ErrBusy):
		// PeerTube's 400s: "User has already processing or completed
		// exports", and a deletion while it is being built.
		return apiError(http.StatusBadRequest, "User has already processing or completed exports, or this export is being built")
	case errors.Is(err, userexport.ErrTooLarge):
		return apiError(http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, userexport.ErrNotReady), errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Export not found")
	}
	return err
}

func (s *Server) exportAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(whenReady(api, func() bool { return s.Exports != nil }), requireAPIUser)
	g.POST("/users/:userId/exports/request", s.apiRequestUserExport, user...)
	g.GET("/users/:userId/exports", s.apiUserExports, user...)
	g.DELETE("/users/:userId/exports/:id", s.apiDeleteUserExport, user...)
}

func userIDParam(c echo.Context) (int64, error) {
	n, err := strconv.ParseInt(c.Param("userId"), 10, 64)
	if err != nil || n <= 0 {
		return 0, apiError(http.StatusNotFound, "User not found")
	}
	return n, nil
}

func (s *Server) apiRequestUserExport(c echo.Context) error {
	userID, err := userIDParam(c)
	if err != nil {
		return err
	}
	var b struct {
		WithVideoFiles bool `json:"withVideoFiles"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&b); err != nil && !errors.Is(err, io.EOF) {
		return fieldError("withVideoFiles", "invalid body")
	}
	id, err := s.Exports.Request(c.Request().Context(), viewer(c), userID, b.WithVideoFiles)
	if err != nil {
		return userExportError(err)
	}
	var out userExportRequestedJSON
	out.Export.ID = id
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiUserExports(c echo.Context) error {
	userID, err := userIDParam(c)
	if err != nil {
		return err
	}
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	list, err := s.Exports.List(c.Request().Context(), viewer(c), userID)
	if err != nil {
		return userExportError(err)
	}
	// A user has a few exports at most: the page is cut here.
	out := userExportListJSON{Total: len(list), Data: []userExportJSON{}}
	list = list[min(start, len(list)):]
	list = list[:min(count, len(list))]
	for _, e := range list {
		out.Data = append(out.Data, s.userExportJSON(c, e))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiDeleteUserExport(c echo.Context) error {
	userID, err := userIDParam(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return apiError(http.StatusNotFound, "Export not found")
	}
	if err := s.Exports.Delete(c.Request().Context(), viewer(c), userID, id); err != nil {
		return userExportError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// exportPageRoutes are the download and the settings page's forms.
func (s *Server) exportPageRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	ready := whenReady(page, func() bool { return s.Exports != nil })
	e.GET("/download/user-exports/:filename", s.downloadUserExport, ready...)
	user := append(ready[:len(ready):len(ready)], s.requireLogin)
	e.POST("/my/settings/export", s.mySettingsExport, user...)
	e.POST("/my/settings/export/:id/delete", s.mySettingsExportDelete, user...)
}

// downloadUserExport serves an archive (ranges too: a big one resumes)
// to whoever has its token, or to its owner signed in; anyone else gets
// a 403, the same for an archive that exists as for one that does not.
func (s *Server) downloadUserExport(c echo.Context) error {
	f, e, err := s.Exports.Open(c.Request().Context(), viewer(c), c.Param("filename"), c.QueryParam("jwt"))
	if err != nil {
		if errors.Is(err, userexport.ErrForbidden) {
			return echo.NewHTTPError(http.StatusForbidden)
		}
		if errors.Is(err, userexport.ErrNotReady) {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+e.Filename+`"`)
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(c.Response(), c.Request(), e.Filename, e.CreatedAt, f)
	return nil
}

func (s *Server) mySettingsExport(c echo.Context) error {
	who := viewer(c)
	_, err := s.Exports.Request(c.Request().Context(), who, who.UserID, c.FormValue("withVideoFiles") == "1")
	if errors.Is(err, userexport.ErrBusy) {
		return c.Redirect(http.StatusSeeOther, "/my/settings?done=export_busy#export")
	}
	if errors.Is(err, userexport.ErrTooLarge) {
		return c.Redirect(http.StatusSeeOther, "/my/settings?done=export_too_large#export")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings?done=export_requested#export")
}

func (s *Server) mySettingsExportDelete(c echo.Context) error {
	who := viewer(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err := s.Exports.Delete(c.Request().Context(), who, who.UserID, id); err != nil {
		if errors.Is(err, userexport.ErrBusy) {
			return c.Redirect(http.StatusSeeOther, "/my/settings?done=export_busy#export")
		}
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings?done=export_deleted#export")
}

// myExport is one export as the settings page lists it.
type myExport struct {
	ID             int64
	State          string // the catalogue key's last part: pending, processing, completed, errored
	Progress       int
	Size           string
	Download       string
	WithVideoFiles bool
	Created        string
	Expires        string
	Error          string
}

var myExportStates = map[int]string{userexport.StatePending: "pending", userexport.StateProcessing: "processing",
	userexport.StateCompleted: "completed", userexport.StateErrored: "errored"}

// myExports lists the signed-in user's exports for the settings page, and
// whether a new one may be asked for (none pending, processing or ready).
func (s *Server) myExports(c echo.Context) ([]myExport, bool) {
	if s.Exports == nil {
		return nil, false
	}
	who := viewer(c)
	list, err := s.Exports.List(c.Request().Context(), who, who.UserID)
	if err != nil {
		return nil, false
	}
	out, can := []myExport{}, true
	for _, e := range list {
		m := myExport{ID: e.ID, State: myExportStates[e.State], Progress: int(e.Progress), Size: humanBytes(e.Size),
			WithVideoFiles: e.WithVideoFiles, Created: e.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), Error: e.Error}
		if !e.ExpiresAt.IsZero() {
			m.Expires = e.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		if e.State == userexport.StateCompleted {
			m.Download = userExportDownload("", e, "")
		}
		if strings.Contains(e.Error, userexport.ErrTooLarge.Error()) {
			// The one failure the user can act on, in their language.
			m.Error = s.pageWords(c).T("export.done.export_too_large")
		}
		can = can && e.State == userexport.StateErrored
		out = append(out, m)
	}
	return out, can
}
