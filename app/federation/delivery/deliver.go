package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/store"
)

// errorBodyBytes is how much of a refusal's body is read: enough for the
// reason a server gives, and for the connection to be reused.
const errorBodyBytes = 512

// handle is the job: one signed POST of the activity to the target inbox.
func (s *Service) handle(ctx context.Context, j *jobs.Job) error {
	p, err := s.st.Pending(ctx, j.ID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: job %d has nothing left to deliver (delivered, or dropped after it ended)", jobs.ErrPermanent, j.ID)
	}
	if err != nil {
		return err
	}
	now := s.o.Now()
	if age := now.Sub(p.CreatedAt); age > s.o.MaxAge {
		why := p.LastError
		if why == "" {
			why = "never tried"
		}
		return s.giveUp(ctx, p, p.Tries, fmt.Errorf("not delivered %s after it was queued (%s)", age.Round(time.Minute), why))
	}
	// A key that cannot be read is this box's trouble, not the host's: a
	// plain error, which the queue retries and counts.
	pair, err := s.keys.Get(ctx, keys.Actor{Kind: keys.Kind(p.ActorKind), ID: p.ActorID})
	if err != nil {
		return fmt.Errorf("deliver to %s: key of %s: %w", p.Inbox, p.ActorIRI, err)
	}
	sl, wait, why := s.hosts.acquire(p.Host, now)
	if sl == nil {
		return jobs.RetryAfter(why, wait)
	}
	code, retryAfter, body, err := s.post(ctx, p, pair)
	now = s.o.Now()
	switch {
	case code >= 200 && code <= 299:
		// Delivered, even if a shutdown began meanwhile: never send twice
		// for that.
		s.hosts.release(ctx, sl, reached, now, "", 0)
		if err := s.st.Finish(context.WithoutCancel(ctx), p.JobID, nil); err != nil && !errors.Is(err, store.ErrNotFound) {
			// The sweep removes the target later.
			s.log.Warn("delivery: delivered, but its record was not cleared", "job", p.JobID, "err", err)
		}
		return nil
	case ctx.Err() != nil:
		// Shutdown, or the lease was lost: not the host's fault, and the
		// queue gives the attempt back.
		s.hosts.release(ctx, sl, unjudged, now, "", 0)
		return errors.Join(err, ctx.Err())
	case errors.Is(err, httpclient.ErrBlockedAddress) || errors.Is(err, httpclient.ErrScheme):
		s.hosts.release(ctx, sl, unjudged, now, "", 0)
		return s.giveUp(ctx, p, p.Tries+1, err)
	case err != nil:
		s.hosts.release(ctx, sl, failed, now, err.Error(), 0)
		return s.retry(ctx, p, err, 0)
	}
	herr := fmt.Errorf("POST %s: HTTP %d", p.Inbox, code)
	if body != "" {
		herr = fmt.Errorf("%w: %s", herr, body)
	}
	switch {
	case code == http.StatusTooManyRequests:
		wait := min(retryAfter, s.o.MaxRetryAfter)
		if wait <= 0 {
			wait = s.delay(p.Tries + 1)
		}
		s.hosts.release(ctx, sl, throttled, now, herr.Error(), wait)
		return s.retry(ctx, p, herr, wait)
	case code == http.StatusRequestTimeout || code >= 500:
		s.hosts.release(ctx, sl, failed, now, herr.Error(), 0)
		return s.retry(ctx, p, herr, 0)
	}
	// The host answered and refused (4xx), or redirected a POST, which is
	// not followed: trying again cannot help.
	s.hosts.release(ctx, sl, reached, now, "", 0)
	if code == http.StatusGone && s.o.Gone != nil {
		s.o.Gone(ctx, p.Inbox, p.Actor)
	}
	return s.giveUp(ctx, p, p.Tries+1, herr)
}

// post signs and sends the activity. It returns the status code and, for
// an answer other than 2xx, its Retry-After and the start of its body (the
// reason a server gives). A request that got no answer returns the error.
func (s *Service) post(ctx context.Context, p store.PendingDelivery, pair *keys.Pair) (code int, wait time.Duration, body string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Inbox, bytes.NewReader(p.Body))
	if err != nil {
		return 0, 0, "", fmt.Errorf("POST %s: %w", p.Inbox, errors.Join(httpclient.ErrScheme, err))
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept", ContentType)
	keyID := signature.KeyID(p.ActorIRI)
	resp, err := s.client.DoSigned(ctx, req, func(r *http.Request) error {
		return s.signer.Sign(r, pair.Private, keyID, p.Body)
	})
	if err != nil {
		return 0, 0, "", fmt.Errorf("POST %s: %w", p.Inbox, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10) // reuse the connection
		return resp.StatusCode, 0, "", nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyBytes))
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), s.o.Now()), strings.ToValidUTF8(strings.Join(strings.Fields(string(b)), " "), "?"), nil
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// delay is the wait before retry number try (1 after the first failure).
func (s *Service) delay(try int) time.Duration {
	i := min(max(try, 1), len(s.o.Schedule)) - 1
	if i < 0 {
		return 0
	}
	return jitter(s.o.Schedule[i])
}

// retry counts a failed try and puts the job back for later, or gives up
// once the schedule is spent. wait > 0 overrides the schedule (429).
func (s *Service) retry(ctx context.Context, p store.PendingDelivery, err error, wait time.Duration) error {
	tries := p.Tries + 1
	if tries > len(s.o.Schedule) {
		return s.giveUp(ctx, p, tries, fmt.Errorf("gave up after %d tries: %w", tries, err))
	}
	if wait <= 0 {
		wait = s.delay(tries)
	}
	if terr := s.st.Tried(ctx, p.JobID, tries, err.Error()); terr != nil {
		return errors.Join(err, terr) // a counted retry of the queue's own
	}
	return jobs.RetryAfter(err, wait)
}

// giveUp ends the delivery: its target goes, the failure is recorded with
// why, and the job fails.
func (s *Service) giveUp(ctx context.Context, p store.PendingDelivery, tries int, why error) error {
	id, typ := idType(p.Body)
	f := &store.DeliveryFailure{Host: p.Host, Inbox: p.Inbox, Recipient: p.Actor, Sender: p.ActorIRI, Activity: id,
		ActivityType: typ, Tries: tries, Error: why.Error(), At: s.o.Now()}
	if err := s.st.Finish(ctx, p.JobID, f); err != nil && !errors.Is(err, store.ErrNotFound) {
		return errors.Join(why, err)
	}
	s.log.Warn("delivery given up", "inbox", p.Inbox, "activity", id, "type", typ, "tries", tries, "err", why)
	return fmt.Errorf("%w: %w", jobs.ErrPermanent, why)
}
