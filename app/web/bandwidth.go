package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/bandwidth"
)

// Upload bandwidth (#12 point 5): the HLS segments sent to viewers off
// the home network are counted (app/bandwidth), the watch and embed pages
// tell the player the bitrate it may start at (data-max-bitrate, read by
// player.js), and the admin sets or measures the box's upstream.

// segmentTypes are the HLS files that carry media: a player fetches one
// every few seconds while it plays, so they tell who is watching.
var segmentTypes = map[string]bool{".mp4": true, ".m4s": true, ".ts": true, ".aac": true}

// countSegment records what serveHLS just sent, when it was media.
func (s *Server) countSegment(c echo.Context, video, clean string) {
	if s.Bandwidth == nil || !segmentTypes[path.Ext(clean)] {
		return
	}
	n := c.Response().Size
	if n <= 0 {
		return
	}
	home := atHome(c)
	var key bandwidth.Key // only remote viewers are told apart: no hash per home segment
	if !home {
		r := c.Request()
		key = s.Bandwidth.ViewerKey(s.LAN.Client(r), r.UserAgent())
	}
	s.Bandwidth.Served(time.Now(), video, key, home, n)
}

// startCap is what the watch page's player is told: nil, no cap.
type startCap struct {
	MaxBitrate int64
	Saturated  bool
}

// startCapOf is the cap for this request's viewer of a local video.
func (s *Server) startCapOf(c echo.Context) (*startCap, error) {
	if s.Bandwidth == nil {
		return nil, nil
	}
	r := c.Request()
	cp, err := s.Bandwidth.StartCap(r.Context(), time.Now(), s.Bandwidth.ViewerKey(s.LAN.Client(r), r.UserAgent()), atHome(c))
	if err != nil {
		return nil, fmt.Errorf("start bitrate: %w", err)
	}
	if cp.MaxBitrate <= 0 {
		return nil, nil
	}
	return &startCap{MaxBitrate: cp.MaxBitrate, Saturated: cp.Saturated}, nil
}

func (s *Server) adminBandwidthRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	g := e.Group("/admin/bandwidth", append(page[:len(page):len(page)], s.requireAdmin, s.requireBandwidth)...)
	g.GET("", s.adminBandwidth)
	g.POST("", s.adminBandwidthSave)
	g.POST("/measure", s.adminBandwidthMeasure)
}

func (s *Server) requireBandwidth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Bandwidth == nil {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		return next(c)
	}
}

type bandwidthData struct {
	Capacity     string // Mb/s, as the form shows it ("" when not set)
	Usage        bandwidth.Usage
	Headroom     int // percent
	Window       int // seconds
	Used, LAN    string
	PerViewer    string // "" when no capacity
	Measured     *measuredView
	MeasureURL   string
	CanMeasure   bool
	Videos       []bandwidthVideo
	Saved        bool
	MeasureError string
	FormError    string
}

type measuredView struct {
	Rate, Host, Size, Seconds, At string
	Kbps                          int64
}

type bandwidthVideo struct {
	UUID, Name string
	Viewers    int
}

// mbps writes kb/s as Mb/s with one decimal.
func mbps(kbps int64) string { return strconv.FormatFloat(float64(kbps)/1000, 'f', 1, 64) }

func (s *Server) bandwidthData(c echo.Context) (bandwidthData, error) {
	ctx := c.Request().Context()
	w := s.pageWords(c)
	u, err := s.Bandwidth.Usage(ctx, time.Now())
	if err != nil {
		return bandwidthData{}, fmt.Errorf("admin bandwidth page: %w", err)
	}
	d := bandwidthData{Usage: u, Headroom: int(math.Round(u.Headroom * 100)), Window: int(u.Window / time.Second),
		Used: mbps(u.UsedKbps), LAN: mbps(u.LANKbps), CanMeasure: s.Bandwidth.Uploader != nil}
	if u.CapacityKbps > 0 {
		d.Capacity = strconv.FormatFloat(float64(u.CapacityKbps)/1000, 'f', -1, 64)
		d.PerViewer = mbps(u.PerViewerKbps)
	}
	if m := u.Measured; m != nil {
		d.Measured = &measuredView{Rate: mbps(m.Kbps), Host: m.Host, Size: w.Bytes(m.Bytes),
			Seconds: strconv.FormatFloat(m.Seconds, 'f', 1, 64), At: w.DateTime(m.At.Local()), Kbps: m.Kbps}
	}
	for i, v := range u.Videos {
		if i == 10 {
			break
		}
		bv := bandwidthVideo{UUID: v.UUID, Name: v.UUID, Viewers: v.Viewers}
		if vid, err := s.Videos.GetFile(ctx, viewer(c), v.UUID); err == nil {
			bv.Name = vid.Name
		}
		d.Videos = append(d.Videos, bv)
	}
	return d, nil
}

func (s *Server) adminBandwidth(c echo.Context) error {
	d, err := s.bandwidthData(c)
	if err != nil {
		return err
	}
	d.Saved = c.QueryParam("saved") == "1"
	return s.renderView(c, http.StatusOK, "admin_bandwidth", s.view(c, s.pageWords(c).T("admin.bandwidth.title"), d))
}

// adminBandwidthSave stores the capacity the admin typed, in Mb/s (an
// empty field: no capacity, nobody capped).
func (s *Server) adminBandwidthSave(c echo.Context) error {
	w := s.pageWords(c)
	raw := strings.TrimSpace(strings.ReplaceAll(c.FormValue("capacity"), ",", "."))
	var kbps int64
	if raw != "" {
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(f) || f < 0 || f*1000 > bandwidth.MaxCapacityKbps {
			return s.bandwidthFormError(c, w.T("admin.bandwidth.bad_capacity"))
		}
		kbps = int64(math.Round(f * 1000))
	}
	err := s.Bandwidth.SetCapacity(c.Request().Context(), viewer(c), kbps)
	if errors.Is(err, bandwidth.ErrBadCapacity) {
		return s.bandwidthFormError(c, w.T("admin.bandwidth.bad_capacity"))
	}
	if err != nil {
		return fmt.Errorf("save the upload capacity: %w", err)
	}
	s.Log.Info("upload capacity set by the administrator", "kbps", kbps, "user", currentUser(c).Username)
	return c.Redirect(http.StatusSeeOther, "/admin/bandwidth?saved=1")
}

func (s *Server) bandwidthFormError(c echo.Context, msg string) error {
	d, err := s.bandwidthData(c)
	if err != nil {
		return err
	}
	d.FormError = msg
	d.Capacity = c.FormValue("capacity")
	return s.renderView(c, http.StatusUnprocessableEntity, "admin_bandwidth", s.view(c, s.pageWords(c).T("admin.bandwidth.title"), d))
}

// adminBandwidthMeasure runs a measured upload to the URL the admin gave
// and shows the page with its result (or why it failed).
func (s *Server) adminBandwidthMeasure(c echo.Context) error {
	w := s.pageWords(c)
	target := strings.TrimSpace(c.FormValue("url"))
	_, err := s.Bandwidth.Measure(c.Request().Context(), viewer(c), target)
	d, derr := s.bandwidthData(c)
	if derr != nil {
		return derr
	}
	d.MeasureURL = target
	status := http.StatusOK
	if err != nil {
		s.Log.Info("upload measurement failed", "err", err)
		status = http.StatusUnprocessableEntity
		switch {
		case errors.Is(err, bandwidth.ErrBadURL):
			d.MeasureError = w.T("admin.bandwidth.measure_bad_url")
		case errors.Is(err, bandwidth.ErrNoUploader):
			d.MeasureError = w.T("admin.bandwidth.measure_unavailable")
		default:
			d.MeasureError = w.T("admin.bandwidth.measure_failed", err.Error())
		}
	}
	return s.renderView(c, status, "admin_bandwidth", s.view(c, w.T("admin.bandwidth.title"), d))
}
