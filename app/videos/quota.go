package videos

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrQuotaExceeded refuses an upload that would take its user past their
// quota or daily quota. The message is PeerTube's.
var ErrQuotaExceeded = errors.New("The user video quota is exceeded with this video.")

// Quota is a user's quotas (bytes, -1 unlimited) and what they use.
type Quota struct {
	VideoQuota, VideoQuotaDaily         int64
	VideoQuotaUsed, VideoQuotaUsedDaily int64
}

// QuotaOf is the user's quotas (their own, else the instance's defaults)
// and their use. Without a quota store every quota is unlimited.
func (s *Service) QuotaOf(ctx context.Context, userID int64) (Quota, error) {
	q := Quota{VideoQuota: unlimited(s.Limits.VideoQuota), VideoQuotaDaily: unlimited(s.Limits.VideoQuotaDaily)}
	if s.DefaultQuotas != nil {
		q.VideoQuota, q.VideoQuotaDaily = s.DefaultQuotas(ctx)
	}
	if s.Quotas == nil {
		return q, nil
	}
	own, daily, err := s.Quotas.UserQuota(ctx, userID)
	if err != nil {
		return q, err
	}
	if own != nil {
		q.VideoQuota = *own
	}
	if daily != nil {
		q.VideoQuotaDaily = *daily
	}
	q.VideoQuotaUsed, q.VideoQuotaUsedDaily, err = s.Quotas.Used(ctx, userID, time.Now().Add(-24*time.Hour))
	return q, err
}

// unlimited reads the config's "0 is no limit" as PeerTube's -1.
func unlimited(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}

// CheckQuota refuses, before a byte is stored, an upload of size bytes
// that would exceed the user's quota or daily quota.
func (s *Service) CheckQuota(ctx context.Context, userID, size int64) error {
	q, err := s.QuotaOf(ctx, userID)
	if err != nil {
		return fmt.Errorf("quota of user %d: %w", userID, err)
	}
	if q.VideoQuota >= 0 && q.VideoQuotaUsed+size > q.VideoQuota ||
		q.VideoQuotaDaily >= 0 && q.VideoQuotaUsedDaily+size > q.VideoQuotaDaily {
		return ErrQuotaExceeded
	}
	return nil
}

// SetQuota is the admin's setting of a user's quotas (nil: unchanged;
// -1: unlimited). Whether the caller is an admin is the caller's check.
func (s *Service) SetQuota(ctx context.Context, userID int64, quota, daily *int64) error {
	for _, p := range []*int64{quota, daily} {
		if p != nil && *p < -1 {
			return fmt.Errorf("%w: a quota is a number of bytes, or -1 for unlimited", ErrBadUpload)
		}
	}
	if s.Quotas == nil {
		return errors.New("no quota store")
	}
	return s.Quotas.SetUserQuota(ctx, userID, quota, daily)
}

// QuotaLeft is how many more bytes the user may upload now, the lesser of
// what their quota and daily quota leave; -1: unlimited.
func (s *Service) QuotaLeft(ctx context.Context, userID int64) (int64, error) {
	q, err := s.QuotaOf(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("quota of user %d: %w", userID, err)
	}
	left := int64(-1)
	for _, l := range [][2]int64{{q.VideoQuota, q.VideoQuotaUsed}, {q.VideoQuotaDaily, q.VideoQuotaUsedDaily}} {
		if l[0] < 0 {
			continue
		}
		if n := max(l[0]-l[1], 0); left < 0 || n < left {
			left = n
		}
	}
	return left, nil
}
