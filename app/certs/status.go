package certs

import (
	"crypto/x509"
	"fmt"
	"time"
)

// States shown on the admin page.
const (
	StateOff       = "off"       // ModeOff: plain HTTP only
	StateOK        = "ok"        // every host has a valid certificate
	StateObtaining = "obtaining" // first attempt under way, nothing failed yet
	StateFailing   = "failing"   // the last attempt failed, or a certificate expired
)

// expiryWarning is how close to expiry a certificate has to be before the
// admin page warns. autocert renews 30 days ahead, so reaching this means
// renewals have been failing for weeks.
const expiryWarning = 7 * 24 * time.Hour

// Status is the TLS state for the admin page.
type Status struct {
	Mode  string // ModeOff, ModeACME or ModeManual
	State string // worst state across hosts: StateOff, StateOK, StateObtaining or StateFailing

	Hosts     []string  // configured public host names, normalised
	NotAfter  time.Time // earliest expiry among obtained certificates; zero if none
	LastError string    // plain words for the admin; "" when all is well
	NextRetry time.Time // earliest scheduled retry; zero when none

	Certs []HostStatus // one per host (acme), or the one certificate (manual)
}

// HostStatus is the state of one host's certificate.
type HostStatus struct {
	Host      string
	State     string
	NotAfter  time.Time
	Issuer    string // the CA's name, from the certificate
	LastError string
	LastTry   time.Time // when the last error happened
	NextRetry time.Time
}

// hostState is the mutable record behind a HostStatus, guarded by Server.mu.
type hostState struct {
	leaf      *x509.Certificate // nil until a certificate is obtained
	lastErr   string
	lastTry   time.Time
	nextRetry time.Time
}

func (h *hostState) status(host string, now time.Time) HostStatus {
	hs := HostStatus{Host: host, LastError: h.lastErr, LastTry: h.lastTry, NextRetry: h.nextRetry}
	switch {
	case h.leaf == nil && h.lastErr == "":
		hs.State = StateObtaining
	case h.leaf == nil:
		hs.State = StateFailing
	default:
		hs.NotAfter = h.leaf.NotAfter
		hs.Issuer = issuerName(h.leaf)
		hs.State = StateOK
		switch left := h.leaf.NotAfter.Sub(now); {
		case left <= 0:
			hs.State = StateFailing
			hs.LastError = fmt.Sprintf("The certificate for %s expired on %s and could not be renewed. %s",
				host, h.leaf.NotAfter.Format(time.DateOnly), h.lastErr)
		case left < expiryWarning && hs.LastError == "":
			hs.LastError = fmt.Sprintf("The certificate for %s expires on %s and has not been renewed yet.",
				host, h.leaf.NotAfter.Format(time.DateOnly))
		}
	}
	return hs
}

func issuerName(c *x509.Certificate) string {
	if len(c.Issuer.Organization) > 0 {
		return c.Issuer.Organization[0]
	}
	return c.Issuer.CommonName
}

// summarize folds per-host states into the page's headline.
func summarize(mode string, hosts []string, certs []HostStatus) Status {
	st := Status{Mode: mode, Hosts: hosts, Certs: certs, State: StateOK}
	rank := map[string]int{StateOK: 0, StateObtaining: 1, StateFailing: 2}
	for _, c := range certs {
		if rank[c.State] > rank[st.State] {
			st.State = c.State
		}
		if !c.NotAfter.IsZero() && (st.NotAfter.IsZero() || c.NotAfter.Before(st.NotAfter)) {
			st.NotAfter = c.NotAfter
		}
		if !c.NextRetry.IsZero() && (st.NextRetry.IsZero() || c.NextRetry.Before(st.NextRetry)) {
			st.NextRetry = c.NextRetry
		}
		if st.LastError == "" {
			st.LastError = c.LastError
		}
	}
	return st
}
