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
	d := adminOverviewData{Version: s.Version, Disk: diskUsage(s.Config.DataDir), Workers: max(1, s.Config.Workers)}
	if d.Version == "" {
		d.Version = "development build"
	}
	if s.TLSStatus != nil {
		d.TLS = tlsWords(s.TLSStatus(), time.Now())
	} else {
		d.TLS = tlsWords(certs.Status{Mode: certs.ModeOff, State: certs.StateOff}, time.Now())
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
		if *x.into, err = s.countJobs(ctx, x.state); err != nil {
			return err
		}
	}
	if fb := s.firstBoot(visitorLang(c)); fb != nil && len(fb.Problems) > 0 {
		d.FirstBoot = fb
	}
	v := s.view(c, "Administration", d)
	v.Notice = noticeFrom(c)
	return s.renderView(c, http.StatusOK, "admin", v)
}

func (s *Server) countJobs(ctx context.Context, state string) (string, error) {
	js, err := s.Jobs.List(ctx, jobs.ListFilter{State: state, Limit: jobCountCap})
	if err != nil {
		return "", fmt.Errorf("admin overview: count %s jobs: %w", state, err)
	}
	if len(js) == jobCountCap {
		return fmt.Sprintf("%d or more", jobCountCap), nil
	}
	return fmt.Sprint(len(js)), nil
}

// tlsWords turns the certificate state into sentences for the admin.
func tlsWords(st certs.Status, now time.Time) tlsView {
	v := tlsView{Mode: st.Mode, State: st.State, LastError: st.LastError, Hosts: st.Hosts}
	if v.Mode == "" {
		v.Mode = certs.ModeOff
	}
	switch st.State {
	case certs.StateOff, "":
		v.State = certs.StateOff
		v.Summary = "HTTPS is off: Cabane serves plain HTTP. That is fine at home; to share over the internet, start it with --tls=acme --tls-hosts=your.host.name."
	case certs.StateOK:
		v.Summary = "HTTPS works: every host name has a valid certificate."
	case certs.StateObtaining:
		v.Summary = "Cabane is obtaining its first certificate. Visitors get HTTPS as soon as it arrives."
	case certs.StateFailing:
		v.Summary = "HTTPS is not working: the certificate could not be obtained or renewed."
	default:
		v.Summary = "HTTPS state: " + st.State
	}
	if !st.NotAfter.IsZero() {
		v.Expires = expiryWords(st.NotAfter, now)
	}
	if !st.NextRetry.IsZero() {
		v.NextRetry = "Next attempt " + st.NextRetry.Local().Format("2 January 2006 at 15:04") + "."
	}
	for _, h := range st.Certs {
		hv := hostView{Host: h.Host, State: h.State, Issuer: h.Issuer, LastError: h.LastError}
		if !h.NotAfter.IsZero() {
			hv.Expires = expiryWords(h.NotAfter, now)
		}
		v.Certs = append(v.Certs, hv)
	}
	return v
}

func expiryWords(t, now time.Time) string {
	date := t.Local().Format("2 January 2006")
	days := int(t.Sub(now).Hours() / 24)
	switch {
	case !t.After(now):
		return "expired on " + date
	case days == 0:
		return "expires today (" + date + ")"
	case days == 1:
		return "expires tomorrow (" + date + ")"
	}
	return fmt.Sprintf("expires on %s, in %d days", date, days)
}
