package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/backup"
)

// Backups on the admin page (#11 point 5): the box makes an archive in the
// background and offers it for download. Restoring stays a command on the
// box (cabane restore): it replaces the data the server runs on, so the
// server must be stopped, which a page served by that server cannot do.
func (s *Server) adminBackupRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	if s.Backups == nil {
		s.Backups = &backup.Manager{Layout: s.layout, Version: s.Version, Log: s.Log}
	}
	g := e.Group("/admin/backup", append(page[:len(page):len(page)], s.requireAdmin)...)
	g.GET("", s.adminBackup)
	g.POST("", s.adminBackupStart)
	g.GET("/:name", s.adminBackupDownload)
}

type backupData struct {
	Status   backup.Status
	Progress string // "12 files, 1.2 GB" while running or once made
	Archives []backupArchive
}

type backupArchive struct {
	Name, Size, Made string
}

func (s *Server) adminBackup(c echo.Context) error {
	w := s.pageWords(c)
	st := s.Backups.Status()
	d := backupData{Status: st}
	if st.Running || st.Name != "" {
		d.Progress = w.T("admin.backup.progress", st.Files, w.Bytes(st.Bytes))
	}
	as, err := s.Backups.List()
	if err != nil {
		return fmt.Errorf("admin backup page: %w", err)
	}
	for _, a := range as {
		d.Archives = append(d.Archives, backupArchive{Name: a.Name, Size: w.Bytes(a.Size), Made: w.DateTime(a.ModTime.Local())})
	}
	return s.renderView(c, http.StatusOK, "admin_backup", s.view(c, w.T("admin.backup.title"), d))
}

// adminBackupStart starts a backup and comes back to the page, which shows
// its progress.
func (s *Server) adminBackupStart(c echo.Context) error {
	if err := s.Backups.Start(); errors.Is(err, backup.ErrBusy) {
		return pageError(http.StatusConflict, "admin.backup.busy")
	} else if err != nil {
		return fmt.Errorf("start backup: %w", err)
	}
	s.Log.Info("backup started by the administrator", "user", currentUser(c).Username)
	return c.Redirect(http.StatusSeeOther, "/admin/backup")
}

// adminBackupDownload serves a kept archive (with Range, so a long
// download can resume).
func (s *Server) adminBackupDownload(c echo.Context) error {
	f, err := s.Backups.Open(c.Param("name"))
	if errors.Is(err, backup.ErrNoArchive) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/x-tar")
	h.Set("Content-Disposition", `attachment; filename="`+fi.Name()+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.Response(), c.Request(), fi.Name(), fi.ModTime(), f)
	return nil
}
