package jobs

import (
	"errors"
	"time"
)

// RetryAfter wraps err, returned by a handler, to put the job back in the
// queue after d (released at once, not left running until its lease ends)
// without spending one of its attempts: the cause is the box's state (the
// disk is full), not the job, and the job should run once it is fixed
// rather than fail after a few quick retries. The admin can still cancel
// it; last_error says why it waits.
func RetryAfter(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &retryLater{err: err, after: max(d, 0)}
}

type retryLater struct {
	err   error
	after time.Duration
}

func (r *retryLater) Error() string { return r.err.Error() }
func (r *retryLater) Unwrap() error { return r.err }

// retryDelay reports whether err asks for a later, uncounted retry.
func retryDelay(err error) (time.Duration, bool) {
	var r *retryLater
	if errors.As(err, &r) {
		return r.after, true
	}
	return 0, false
}
