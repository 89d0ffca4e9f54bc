package delivery

import (
	"context"
	"slices"
	"strings"
)

// HostReport is one remote host as the admin's delivery health table shows
// it: what waits for it, what was given up, and its health.
type HostReport struct {
	HostHealth
	Queued   int // deliveries not tried yet
	Retrying int // deliveries that failed and wait for a retry
	GivenUp  int // deliveries given up, still on record
}

// Report lists every host deliveries went to or wait for, by name: the
// health (Health) joined to the counts of what waits and what was given
// up, so that a host whose deliveries all failed before any health was
// written still shows.
func (s *Service) Report(ctx context.Context) ([]HostReport, error) {
	health, err := s.Health(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.st.HostCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]HostReport, 0, len(health)+len(counts))
	for _, h := range health {
		c := counts[h.Host]
		delete(counts, h.Host)
		out = append(out, HostReport{HostHealth: h, Queued: c.Queued, Retrying: c.Retrying, GivenUp: c.GivenUp})
	}
	for host, c := range counts {
		r := HostReport{Queued: c.Queued, Retrying: c.Retrying, GivenUp: c.GivenUp}
		r.Host = host
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b HostReport) int { return strings.Compare(a.Host, b.Host) })
	return out, nil
}
