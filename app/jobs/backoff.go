package jobs

import (
	"math/rand/v2"
	"time"
)

const (
	backoffBase = 5 * time.Second
	backoffCap  = 10 * time.Minute
)

// DefaultBackoff waits 5 s after the first failure and doubles each time up
// to 10 minutes, with jitter in [d/2, d] so that jobs failing together (the
// disk was full) do not all retry in the same instant.
func DefaultBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := backoffCap
	if attempt <= 20 { // beyond that the shift would overflow anyway
		if s := backoffBase << (attempt - 1); s < backoffCap {
			d = s
		}
	}
	return d/2 + rand.N(d/2+1)
}
