package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/update"
)

// maxUpdateUpload bounds the admin's update upload: the binary (at most
// update.MaxBinary) plus the header and the form around it.
const maxUpdateUpload = update.MaxBinary + 4<<20

// UpdateHooks connect the admin page to the self-update; cmd builds them
// (the key, the launcher and the database snapshot live there).
type UpdateHooks struct {
	State   func() (update.State, error)
	Stage   func(ctx context.Context, r io.Reader) (update.Manifest, error)
	Restart func() // graceful shutdown, then the launcher starts the new release
	// Unavailable says why this build cannot install updates ("" when it can).
	Unavailable string

	busy sync.Mutex // one update at a time
}

type updateData struct {
	Version     string
	State       update.State
	Previous    string
	Rollback    *rollbackView
	Unavailable string
	Installing  string // the version just staged: the page says it restarts
}

type rollbackView struct {
	From, To, Reason, At string
}

func (s *Server) adminUpdate(c echo.Context) error {
	d, err := s.updateData()
	if err != nil {
		return err
	}
	return s.renderView(c, http.StatusOK, "admin_update", s.view(c, "Updates", d))
}

func (s *Server) updateData() (updateData, error) {
	d := updateData{Version: s.Version}
	if d.Version == "" {
		d.Version = "development build"
	}
	if s.Update == nil {
		d.Unavailable = "This server was started without the updater."
		return d, nil
	}
	d.Unavailable = s.Update.Unavailable
	st, err := s.Update.State()
	if err != nil {
		return d, fmt.Errorf("admin update page: %w", err)
	}
	d.State = st
	d.Previous = st.Previous
	if st.Previous == "" && st.Current != "" {
		d.Previous = "the installed package"
	}
	if r := st.LastRollback; r != nil {
		to := r.To
		if to == "" {
			to = "the installed package"
		}
		d.Rollback = &rollbackView{From: r.From, To: to, Reason: r.Reason, At: r.At.Local().Format("2 January 2006 15:04")}
	}
	return d, nil
}

// adminUpdateUpload streams an .update file into the updater: the CSRF
// field comes first and is checked before a byte of the file is read; the
// file is verified as it arrives and never stored whole anywhere else.
func (s *Server) adminUpdateUpload(c echo.Context) error {
	if s.Update == nil || s.Update.Unavailable != "" {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "This Cabane cannot install updates.")
	}
	if !s.Update.busy.TryLock() {
		return echo.NewHTTPError(http.StatusConflict, "Another update is being installed.")
	}
	defer s.Update.busy.Unlock()
	r := c.Request()
	if r.ContentLength > maxUpdateUpload {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "An update file is at most "+humanBytes(update.MaxBinary)+".")
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxUpdateUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Send the update file with the form.")
	}
	csrfOK := c.Get(ctxCSRFOK) == true
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return echo.NewHTTPError(http.StatusBadRequest, "No file: choose an .update file.")
		}
		if err != nil {
			return &echo.HTTPError{Code: http.StatusBadRequest, Message: "The upload was cut off.", Internal: err}
		}
		switch part.FormName() {
		case csrfField:
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			csrfOK = csrfOK || csrfValid(c, string(b))
			continue
		case "update":
		default:
			continue
		}
		if !csrfOK {
			return errCSRF
		}
		m, err := s.Update.Stage(r.Context(), part)
		if err != nil {
			s.Log.Warn("update refused", "err", err, "user", currentUser(c).Username)
			d, derr := s.updateData()
			if derr != nil {
				return derr
			}
			v := s.view(c, "Updates", d)
			v.Error = "The update was refused: " + err.Error()
			return s.renderView(c, http.StatusUnprocessableEntity, "admin_update", v)
		}
		s.Log.Info("update staged by the administrator; restarting", "version", m.Version, "user", currentUser(c).Username)
		d, err := s.updateData()
		if err != nil {
			return err
		}
		d.Installing = m.Version
		v := s.view(c, "Updates", d)
		v.Notice = "Installing version " + m.Version + ": Cabane restarts. Reload this page in a minute."
		if err := s.renderView(c, http.StatusOK, "admin_update", v); err != nil {
			return err
		}
		// The graceful shutdown lets this response finish first.
		s.Update.Restart()
		return nil
	}
}
