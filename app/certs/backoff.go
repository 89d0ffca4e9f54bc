package certs

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"golang.org/x/crypto/acme"
)

// retryDelay is how long to wait after the n-th consecutive failure (n ≥ 1):
// min·2^(n-1) capped at max, with ±10 % jitter so boxes that failed together
// (a CA outage) do not come back together. When the CA said how long to
// wait (a rate limit's Retry-After), that wait wins if it is longer: asking
// earlier only burns more of the limit.
func retryDelay(n int, min, max time.Duration, err error, jitter func() float64) time.Duration {
	d := min
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	d = time.Duration(float64(d) * (0.9 + 0.2*jitter()))
	if ra, ok := caRetryAfter(err); ok && ra > d {
		d = ra
	}
	return d
}

// caRetryAfter reports the wait the CA asked for, if err is a rate-limit
// error. A rate limit without Retry-After still counts: the caller's
// backoff then applies.
func caRetryAfter(err error) (time.Duration, bool) {
	var ae *acme.Error
	if !errors.As(err, &ae) {
		return 0, false
	}
	return acme.RateLimit(ae)
}

// acmeRetryBackoff replaces acme.Client's default in-request retry policy.
// The default retries 429 and 5xx until the request context ends, which
// for autocert is five minutes: a rate limit would then be retried in a
// tight loop and surface late. Here rate limits come back at once, to the
// issuance loop that honours Retry-After; other transient failures (5xx,
// bad nonces) get three quick retries.
func acmeRetryBackoff(n int, _ *http.Request, res *http.Response) time.Duration {
	if res != nil && res.StatusCode == http.StatusTooManyRequests {
		return 0
	}
	if n > 3 {
		return 0
	}
	return time.Duration(n)*time.Second/2 + time.Duration(rand.N(100))*time.Millisecond
}
