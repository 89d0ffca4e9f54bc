package userexport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// An archive is capped, so that one export cannot fill the box's disk:
// at twice the user's video quota (their videos, plus the rest), or the
// configured limit (--max-export) when that is smaller or the quota is
// unlimited; never below minLimit, which the JSON and pictures of a large
// account fit in.
const minLimit = 256 << 20

// ErrTooLarge: the archive would be larger than its limit.
var ErrTooLarge = errors.New("the archive would be larger than this box allows")

// TooLargeError says what the limit was and why.
type TooLargeError struct {
	Limit int64
	// Quota: the limit is twice the user's quota (else the box's).
	Quota bool
}

func (e *TooLargeError) Error() string {
	why := "the box's limit for exports"
	if e.Quota {
		why = "twice your video quota"
	}
	return fmt.Sprintf("%v: %s bytes (%s); export without the video files, or ask the administrator", ErrTooLarge, strconv.FormatInt(e.Limit, 10), why)
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// limit is the largest archive userID may have; -1: none.
func (s *Service) limit(ctx context.Context, userID int64) (lim int64, byQuota bool, used int64, err error) {
	lim = -1
	if s.MaxBytes > 0 {
		lim = s.MaxBytes
	}
	if s.Quota == nil {
		return lim, false, 0, nil
	}
	quota, used, err := s.Quota(ctx, userID)
	if err != nil {
		return 0, false, 0, fmt.Errorf("quota of user %d: %w", userID, err)
	}
	if quota >= 0 {
		if q := max(2*quota, minLimit); lim < 0 || q < lim {
			return q, true, used, nil
		}
	}
	return lim, false, used, nil
}

// capWriter fails a write that would take the archive past max.
type capWriter struct {
	w   io.Writer
	n   int64
	err *TooLargeError // nil: no cap
}

func (c *capWriter) Write(p []byte) (int, error) {
	if c.err != nil && c.n+int64(len(p)) > c.err.Limit {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
