package certs

import (
	"context"
	"math/rand/v2"
	"time"
)

// refreshEvery is how often a held certificate is looked at again, so the
// admin page shows the expiry of the certificate autocert renewed on its
// own timer.
const refreshEvery = 12 * time.Hour

// obtainLoop gets host's certificate in the background: from the cache at
// start-up when it is there (no order), otherwise from the CA, retrying with
// exponential backoff until it succeeds or ctx ends. Once obtained, autocert
// renews it; the loop only refreshes what Status shows.
func (s *Server) obtainLoop(ctx context.Context, host string, iss *acmeIssuer) {
	failures := 0
	for {
		start := time.Now()
		hitsBefore := iss.challengeHits.Load()
		cert, err := iss.obtain(ctx)
		if ctx.Err() != nil {
			return
		}
		var wait time.Duration
		if err == nil && cert.Leaf != nil {
			s.mu.Lock()
			h := s.hosts[host]
			fresh := h.leaf == nil || !h.leaf.Equal(cert.Leaf)
			h.leaf, h.lastErr, h.nextRetry = cert.Leaf, "", time.Time{}
			s.mu.Unlock()
			if fresh {
				s.log.Info("tls certificate ready", "host", host, "not_after", cert.Leaf.NotAfter,
					"issuer", issuerName(cert.Leaf), "took", time.Since(start).Round(time.Millisecond))
			}
			failures = 0
			wait = refreshEvery
		} else {
			if err == nil {
				err = errNoLeaf
			}
			failures++
			wait = retryDelay(failures, s.cfg.RetryMin, s.cfg.RetryMax, err, rand.Float64)
			seen := iss.challengeHits.Load() > hitsBefore
			msg := explain(err, host, s.cfg.DirectoryURL, seen)
			s.mu.Lock()
			h := s.hosts[host]
			if h.leaf == nil {
				iss.reset()
			}
			h.lastErr, h.lastTry, h.nextRetry = msg, time.Now(), time.Now().Add(wait)
			s.mu.Unlock()
			s.log.Warn("tls certificate not obtained; serving HTTP meanwhile", "host", host,
				"err", err, "attempt", failures, "retry_in", wait.Round(time.Second))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
