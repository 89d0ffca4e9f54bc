package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

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
	From, To, Reason string
	At               time.Time
}

func (s *Server) adminUpdate(c echo.Context) error {
	w := s.pageWords(c)
	d, err := s.updateData(w)
	if err != nil {
		return err
	}
	return s.renderView(c, http.StatusOK, "admin_update", s.view(c, w.T("admin.update.title"), d))
}

func (s *Server) updateData(w words) (updateData, error) {
	d := updateData{Version: s.Version}
	if d.Version == "" {
		d.Version = w.T("admin.dev_build")
	}
	if s.Update == nil {
		d.Unavailable = w.T("admin.update.no_updater")
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
		d.Previous = w.T("admin.update.package")
	}
	if r := st.LastRollback; r != nil {
		to := r.To
		if to == "" {
			to = w.T("admin.update.package")
		}
		d.Rollback = &rollbackView{From: r.From, To: to, Reason: r.Reason, At: r.At.Local()}
	}
	return d, nil
}

// adminUpdateUpload streams an .update file into the updater: the CSRF
// field comes first and is checked before a byte of the file is read; the
// file is verified as it arrives and never stored whole anywhere else.
func (s *Server) adminUpdateUpload(c echo.Context) error {
	if s.Update == nil || s.Update.Unavailable != "" {
		return pageError(http.StatusServiceUnavailable, "admin.update.cannot")
	}
	if !s.Update.busy.TryLock() {
		return pageError(http.StatusConflict, "admin.update.busy")
	}
	defer s.Update.busy.Unlock()
	r := c.Request()
	if r.ContentLength > maxUpdateUpload {
		return pageError(http.StatusRequestEntityTooLarge, "admin.update.too_big", humanBytes(update.MaxBinary))
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxUpdateUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return pageError(http.StatusBadRequest, "admin.update.no_form")
	}
	csrfOK := c.Get(ctxCSRFOK) == true
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return pageError(http.StatusBadRequest, "admin.update.no_file")
		}
		if err != nil {
			return fmt.Errorf("update upload: %w: %w", pageError(http.StatusBadRequest, "admin.update.cut_off"), err)
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
			w := s.pageWords(c)
			d, derr := s.updateData(w)
			if derr != nil {
				return derr
			}
			v := s.view(c, w.T("admin.update.title"), d)
			v.Error = w.T("admin.update.refused", err)
			return s.renderView(c, http.StatusUnprocessableEntity, "admin_update", v)
		}
		s.Log.Info("update staged by the administrator; restarting", "version", m.Version, "user", currentUser(c).Username)
		w := s.pageWords(c)
		d, err := s.updateData(w)
		if err != nil {
			return err
		}
		d.Installing = m.Version
		v := s.view(c, w.T("admin.update.title"), d)
		v.Notice = w.T("admin.update.installing_notice", m.Version)
		if err := s.renderView(c, http.StatusOK, "admin_update", v); err != nil {
			return err
		}
		// The graceful shutdown lets this response finish first.
		s.Update.Restart()
		return nil
	}
}
