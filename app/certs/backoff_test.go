package certs

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
)

func TestRetryDelay(t *testing.T) {
	mid := func() float64 { return 0.5 } // no jitter
	min, max := 2*time.Minute, time.Hour
	for n, want := range map[int]time.Duration{
		1: 2 * time.Minute, 2: 4 * time.Minute, 3: 8 * time.Minute, 5: 32 * time.Minute, 6: time.Hour, 40: time.Hour,
	} {
		if got := retryDelay(n, min, max, errors.New("x"), mid); got != want {
			t.Errorf("failure %d: wait %v, want %v", n, got, want)
		}
	}
	if lo, hi := retryDelay(1, min, max, nil, func() float64 { return 0 }), retryDelay(1, min, max, nil, func() float64 { return 1 }); lo != 108*time.Second || hi != 132*time.Second {
		t.Errorf("jitter bounds %v..%v, want ±10%% of 2m", lo, hi)
	}

	// A rate limit's Retry-After wins when longer than the backoff,
	// also through wrapping.
	limited := &acme.Error{
		StatusCode:  http.StatusTooManyRequests,
		ProblemType: "urn:ietf:params:acme:error:rateLimited",
		Header:      http.Header{"Retry-After": {"10800"}},
	}
	if got := retryDelay(1, min, max, fmt.Errorf("order: %w", limited), mid); got != 3*time.Hour {
		t.Errorf("rate limited: wait %v, want the CA's 3h", got)
	}
	short := &acme.Error{ProblemType: limited.ProblemType, Header: http.Header{"Retry-After": {"5"}}}
	if got := retryDelay(3, min, max, short, mid); got != 8*time.Minute {
		t.Errorf("short Retry-After: wait %v, want the backoff's 8m", got)
	}
}

func TestACMERetryBackoffSurfacesRateLimits(t *testing.T) {
	if d := acmeRetryBackoff(1, nil, &http.Response{StatusCode: http.StatusTooManyRequests}); d != 0 {
		t.Errorf("429 retried in-request after %v, want handed to the issuance loop", d)
	}
	if d := acmeRetryBackoff(1, nil, &http.Response{StatusCode: http.StatusServiceUnavailable}); d <= 0 || d > 2*time.Second {
		t.Errorf("first 503 retry after %v, want a quick retry", d)
	}
	if d := acmeRetryBackoff(4, nil, &http.Response{StatusCode: http.StatusServiceUnavailable}); d != 0 {
		t.Errorf("fourth 503 retried after %v, want to give up", d)
	}
}
