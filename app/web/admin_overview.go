package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/certs"
	"cabane.dev/cabane/app/jobs"
)

// jobCountCap bounds the overview's counting queries.
const jobCountCap = 500

type adminOverviewData struct {
	Version  string
	TLS      tlsView
	Disk     diskView
	Videos   int
	Queued   string
	Running  string
	Failed   string
	Encoder  string
	Hardware bool
	Workers  int
	// FirstBoot is set when lines of cabane.txt were not applied.
	FirstBoot *firstBootView
}

// tlsView is certs.Status in plain words.
type tlsView struct {
	Mode      string
	State     string // certs.State*: the CSS class too
	Summary   string
	LastError string
	Expires   string // "" when no certificate
	NextRetry string
	Hosts     []string
	Certs     []hostView
}

type hostView struct {
	Host, State, Issuer, Expires, LastError string
}

func (s *Server) adminOverview(c echo.Context) error {
	ctx := c.Request().Context()
	w := s.pageWords(c)
	d := adminOverviewData{Version: s.Version, Disk: diskUsage(w, s.Config.DataDir), Workers: max(1, s.Config.Workers)}
	if d.Version == "" {
		d.Version = w.T("admin.dev_build")
	}
	if s.TLSStatus != nil {
		d.TLS = tlsWords(w, s.TLSStatus(), time.Now())
	} else {
		d.TLS = tlsWords(w, certs.Status{Mode: certs.ModeOff, State: certs.StateOff}, time.Now())
	}
	if st, ok := s.transcodingStatus(); ok {
		d.Encoder, d.Hardware = st.Encoder, st.Hardware
	}
	var err error
	if d.Videos, err = s.Videos.Count(ctx); err != nil {
		return fmt.Errorf("admin overview: count videos: %w", err)
	}
	for _, x := range []struct {
		state string
		into  *string
	}{{jobs.StateQueued, &d.Queued}, {jobs.StateRunning, &d.Running}, {jobs.StateFailed, &d.Failed}} {
		if *x.into, err = s.countJobs(ctx, w, x.state); err != nil {
			return err
		}
	}
	if fb := s.firstBoot(visitorLang(c)); fb != nil && len(fb.Problems) > 0 {
		d.FirstBoot = fb
	}
	v := s.view(c, w.T("admin.title"), d)
	v.Notice = noticeFrom(c, w)
	return s.renderView(c, http.StatusOK, "admin", v)
}

func (s *Server) countJobs(ctx context.Context, w words, state string) (string, error) {
	js, err := s.Jobs.List(ctx, jobs.ListFilter{State: state, Limit: jobCountCap})
	if err != nil {
		return "", fmt.Errorf("admin overview: count %s jobs: %w", state, err)
	}
	if len(js) == jobCountCap {
		return w.T("admin.or_more", jobCountCap), nil
	}
	return fmt.Sprint(len(js)), nil
}

// tlsWords turns the certificate state into sentences for the admin.
func tlsWords(w words, st certs.Status, now time.Time) tlsView {
	v := tlsView{Mode: st.Mode, State: st.State, LastError: st.LastError, Hosts: st.Hosts}
	if v.Mode == "" {
		v.Mode = certs.ModeOff
	}
	switch st.State {
	case certs.StateOff, "":
		v.State = certs.StateOff
		v.Summary = w.T("admin.tls.summary.off")
	case certs.StateOK:
		v.Summary = w.T("admin.tls.summary.ok")
	case certs.StateObtaining:
		v.Summary = w.T("admin.tls.summary.obtaining")
	case certs.StateFailing:
		v.Summary = w.T("admin.tls.summary.failing")
	default:
		v.Summary = w.T("admin.tls.summary.other", st.State)
	}
	if !st.NotAfter.IsZero() {
		v.Expires = expiryWords(w, st.NotAfter, now)
	}
	if !st.NextRetry.IsZero() {
		v.NextRetry = w.T("admin.tls.next_retry", w.DateTime(st.NextRetry.Local()))
	}
	for _, h := range st.Certs {
		hv := hostView{Host: h.Host, State: h.State, Issuer: h.Issuer, LastError: h.LastError}
		if !h.NotAfter.IsZero() {
			hv.Expires = expiryWords(w, h.NotAfter, now)
		}
		v.Certs = append(v.Certs, hv)
	}
	return v
}

func expiryWords(w words, t, now time.Time) string {
	date := w.Date(t.Local())
	days := int(t.Sub(now).Hours() / 24)
	switch {
	case !t.After(now):
		return w.T("admin.tls.expired", date)
	case days == 0:
		return w.T("admin.tls.expires_today", date)
	case days == 1:
		return w.T("admin.tls.expires_tomorrow", date)
	}
	return w.N("admin.tls.expires_in", days, date)
}
