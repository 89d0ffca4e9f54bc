package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/store"
)

// Why a job waits instead of sending now; none of these spends a try.
var (
	errHostBusy = errors.New("host busy: as many deliveries to it as allowed are in flight")
	errHeld     = errors.New("host on hold")
	errProbing  = errors.New("host on hold: a probe is in flight")
)

// successEvery bounds how often a healthy host's last success is written:
// the row only tells the admin the host works, and SD cards wear out.
const successEvery = time.Minute

// outcome is what one POST told about its host.
type outcome int

const (
	reached   outcome = iota // it answered (2xx, or a 4xx: alive, just refusing)
	failed                   // unreachable, timed out, 5xx, 408
	throttled                // 429: alive, asks us to wait
	unjudged                 // stopped by us (shutdown), or refused before leaving
)

// hostState is one host's health and what is in flight to it.
type hostState struct {
	store.DeliveryHost
	active       int
	probing      bool
	savedSuccess time.Time // LastSuccess as last written

	saveMu sync.Mutex // writes of this host's row, in order
}

// hostGate decides when a job may POST to its host and keeps hosts' health.
type hostGate struct {
	o   *Options
	st  *store.Delivery
	log *slog.Logger

	mu    sync.Mutex
	hosts map[string]*hostState
}

func newHostGate(o *Options, st *store.Delivery, log *slog.Logger) *hostGate {
	return &hostGate{o: o, st: st, log: log, hosts: map[string]*hostState{}}
}

// load reads the health kept by the previous run: holds survive restarts.
func (g *hostGate) load(ctx context.Context) error {
	rows, err := g.st.Hosts(ctx)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range rows {
		if _, ok := g.hosts[r.Host]; !ok {
			g.hosts[r.Host] = &hostState{DeliveryHost: r, savedSuccess: r.LastSuccess}
		}
	}
	return nil
}

func (g *hostGate) get(host string) *hostState {
	h := g.hosts[host]
	if h == nil {
		h = &hostState{DeliveryHost: store.DeliveryHost{Host: host}}
		g.hosts[host] = h
	}
	return h
}

// slot is one POST allowed to a host; release it with its outcome.
type slot struct {
	h     *hostState
	probe bool
}

// acquire lets a POST to host go now, or says how long to wait and why.
func (g *hostGate) acquire(host string, now time.Time) (*slot, time.Duration, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.get(host)
	if now.Before(h.HeldUntil) {
		return nil, jitter(h.HeldUntil.Sub(now)), fmt.Errorf("%w until %s after %d failures (last: %s)",
			errHeld, h.HeldUntil.UTC().Format(time.RFC3339), h.Failures, h.LastError)
	}
	probe := h.Failures >= g.o.HoldAfter
	if probe && h.probing {
		return nil, jitter(g.o.ProbeWait), errProbing
	}
	if h.active >= g.o.PerHost {
		return nil, jitter(g.o.BusyDelay), errHostBusy
	}
	h.active++
	h.probing = h.probing || probe
	return &slot{h: h, probe: probe}, 0, nil
}

// release ends a POST: the host's health follows its outcome, and is
// written when it changed (a success only now and then).
func (g *hostGate) release(ctx context.Context, s *slot, o outcome, now time.Time, why string, wait time.Duration) {
	h := s.h
	g.mu.Lock()
	h.active--
	if s.probe {
		h.probing = false
	}
	save := false
	switch o {
	case reached:
		save = h.Failures > 0 || !h.HeldUntil.IsZero() || now.Sub(h.savedSuccess) >= successEvery
		h.Failures, h.HeldUntil, h.LastSuccess = 0, time.Time{}, now
	case failed:
		h.Failures++
		h.LastError, h.LastFailure = why, now
		if h.Failures >= g.o.HoldAfter {
			h.HeldUntil = now.Add(g.holdFor(h.Failures))
		}
		save = true
	case throttled:
		// Not a failure: the host is up and asked for a pause, which all
		// its deliveries honour.
		h.LastError = why
		if until := now.Add(wait); until.After(h.HeldUntil) {
			h.HeldUntil = until
		}
		save = true
	}
	g.mu.Unlock()
	if save {
		g.save(ctx, h)
	}
}

// holdFor is the hold after failures in a row: HoldBase at HoldAfter,
// doubled at each further failure (each failed probe), up to HoldMax.
func (g *hostGate) holdFor(failures int) time.Duration {
	d := g.o.HoldBase
	for i := g.o.HoldAfter; i < failures && d < g.o.HoldMax; i++ {
		d *= 2
	}
	return min(d, g.o.HoldMax)
}

// save writes h's row as it is now; saveMu keeps two writes of one host in
// order, so the row never goes back to an older state.
func (g *hostGate) save(ctx context.Context, h *hostState) {
	h.saveMu.Lock()
	defer h.saveMu.Unlock()
	g.mu.Lock()
	row := h.DeliveryHost
	g.mu.Unlock()
	// Written even while the job's context ends (shutdown): health is
	// what the next start reads.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := g.st.SaveHost(wctx, row); err != nil {
		g.log.Warn("delivery: save host health", "host", row.Host, "err", err)
		return
	}
	g.mu.Lock()
	h.savedSuccess = row.LastSuccess
	g.mu.Unlock()
}

// overlay puts the in-memory state (fresher last success, in-flight count)
// over rows read from the table, adding hosts not written yet.
func (g *hostGate) overlay(rows []store.DeliveryHost, now time.Time) []HostHealth {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]HostHealth, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	add := func(r store.DeliveryHost, active int) {
		out = append(out, HostHealth{DeliveryHost: r, Held: now.Before(r.HeldUntil), InFlight: active})
	}
	for _, r := range rows {
		seen[r.Host] = true
		if h := g.hosts[r.Host]; h != nil {
			add(h.DeliveryHost, h.active)
			continue
		}
		add(r, 0)
	}
	for name, h := range g.hosts {
		if !seen[name] && (h.active > 0 || !h.LastSuccess.IsZero()) {
			add(h.DeliveryHost, h.active)
		}
	}
	slices.SortFunc(out, func(a, b HostHealth) int { return strings.Compare(a.Host, b.Host) })
	return out
}
