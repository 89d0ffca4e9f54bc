// Package delivery sends ActivityPub activities to remote inboxes, durably:
// it is federation.Sender. Send stores the activity once and one job per
// target inbox (one per shared inbox, each actor's own inbox for servers
// without one) in one transaction; the jobs sign and POST it, retry with
// backoff over about two days (PeerTube gives up after about as long), then
// give up and record why.
//
// Concurrency is bounded twice: the queue's workers (a global cap) and a
// per-host cap, so that one slow server cannot take every worker. A job
// whose host is at its cap, on hold, or asked us to wait (429 Retry-After)
// goes back to the queue for later without spending a try. A host that
// fails N times in a row is put on hold: its jobs wait, one probe tries
// when the hold ends, and a success clears it. Host health is kept in the
// delivery_hosts table for the admin (Health).
//
// The deliveries run on their own jobs.Queue, on the same database as the
// main one but with its own workers: the main queue's single worker spends
// minutes on an encode, and a new video's Create must not wait behind it.
package delivery

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/store"
)

// JobKind is the kind of the delivery jobs: one POST of one activity to
// one inbox.
const JobKind = "federation.deliver"

// ContentType is what deliveries are sent as (and what they accept back):
// GoToSocial answers 406 to anything but activity+json or ld+json.
const ContentType = "application/activity+json"

// DefaultSchedule is the wait before each retry: doubling from 30 s to
// 16 h, about two days in all (47 h 42 min before jitter), then the
// delivery is given up.
var DefaultSchedule = []time.Duration{
	30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 16 * time.Hour,
}

// ScaledTo is o with every wait of the retry machinery scaled so that the
// first retry comes after first instead of 30 s: the schedule, the host
// holds (1 min to 1 h by default) and the probe wait (30 s). It is for
// tests only (config.DeliveryFirstRetry): a test sees a delivery wait for
// a stopped instance and arrive once it is back, within seconds. A first
// that is not positive changes nothing.
func (o Options) ScaledTo(first time.Duration) Options {
	if first <= 0 {
		return o
	}
	scale := func(d time.Duration) time.Duration {
		return time.Duration(float64(d) * float64(first) / float64(DefaultSchedule[0]))
	}
	o.Schedule = make([]time.Duration, len(DefaultSchedule))
	for i, d := range DefaultSchedule {
		o.Schedule[i] = scale(d)
	}
	o.HoldBase, o.HoldMax, o.ProbeWait = scale(defaultHoldBase), scale(defaultHoldMax), scale(defaultProbeWait)
	return o
}

// The defaults of the waits ScaledTo scales.
const (
	defaultHoldBase  = time.Minute
	defaultHoldMax   = time.Hour
	defaultProbeWait = 30 * time.Second
)

// Options tune a Service. Zero values take the defaults.
type Options struct {
	// Workers is the global cap: deliveries in flight at once (default 8).
	Workers int
	// PerHost caps deliveries in flight to one host (default 2).
	PerHost int
	// Schedule is the wait before each retry; a delivery that failed
	// len(Schedule)+1 times is given up (default DefaultSchedule).
	Schedule []time.Duration
	// MaxAge gives up a delivery queued longer ago than this whatever its
	// tries: its host may have been on hold all along (default 3 days).
	MaxAge time.Duration
	// HoldAfter is how many failures in a row put a host on hold
	// (default 5); HoldBase the first hold (default 1 min), doubled at
	// each failed probe up to HoldMax (default 1 h).
	HoldAfter int
	HoldBase  time.Duration
	HoldMax   time.Duration
	// BusyDelay is how long a job whose host is at its cap waits before it
	// is tried again (default 1 s); ProbeWait the same while a held host's
	// probe is in flight (default 30 s).
	BusyDelay time.Duration
	ProbeWait time.Duration
	// MaxRetryAfter bounds a 429's Retry-After (default 6 h).
	MaxRetryAfter time.Duration
	// SweepEvery is how often ended deliveries are cleared away (default
	// 10 min); done jobs older than KeepJobs (default 24 h) and failures
	// older than KeepFailures (default 30 days) go too.
	SweepEvery   time.Duration
	KeepJobs     time.Duration
	KeepFailures time.Duration
	// Gone, if set, is told when an inbox answers 410 Gone: recipient is
	// the actor whose own inbox it is, "" for a shared inbox. The inbox
	// side may then forget that follower.
	Gone func(ctx context.Context, inbox, recipient string)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.PerHost <= 0 {
		o.PerHost = 2
	}
	if o.Schedule == nil {
		o.Schedule = DefaultSchedule
	}
	if o.HoldAfter <= 0 {
		o.HoldAfter = 5
	}
	def(&o.MaxAge, 72*time.Hour)
	def(&o.HoldBase, defaultHoldBase)
	def(&o.HoldMax, defaultHoldMax)
	def(&o.BusyDelay, time.Second)
	def(&o.ProbeWait, defaultProbeWait)
	def(&o.MaxRetryAfter, 6*time.Hour)
	def(&o.SweepEvery, 10*time.Minute)
	def(&o.KeepJobs, 24*time.Hour)
	def(&o.KeepFailures, 30*24*time.Hour)
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Doer sends a request signed by sign: *httpclient.Client, which refuses
// private addresses unless the admin allowed them.
type Doer interface {
	DoSigned(ctx context.Context, req *http.Request, sign httpclient.Signer) (*http.Response, error)
}

// KeyGetter gives a local actor's key pair (keys.Keyring).
type KeyGetter interface {
	Get(ctx context.Context, a keys.Actor) (*keys.Pair, error)
}

// Service is the durable Sender.
type Service struct {
	st     *store.Delivery
	q      *jobs.Queue
	client Doer
	keys   KeyGetter
	log    *slog.Logger
	o      Options
	hosts  *hostGate
	signer signature.Signer
}

var _ federation.Sender = (*Service)(nil)

// New returns a Service that queues on q and sends with client, signed
// with the keys from kr. q must be a queue of its own on the store's
// database (jobs.New(db, log, jobs.Options{Owner: main.Owner()})): the
// same owner as the main queue, so that neither one's start-up recovery
// takes the other's running jobs for a dead process's, and its own
// workers, since Run runs it with Options.Workers. New registers JobKind
// on q.
func New(st *store.Delivery, q *jobs.Queue, client Doer, kr KeyGetter, log *slog.Logger, o Options) *Service {
	o.defaults()
	if log == nil {
		log = slog.Default()
	}
	s := &Service{st: st, q: q, client: client, keys: kr, log: log, o: o, hosts: newHostGate(&o, st, log)}
	s.signer = signature.Signer{Now: o.Now}
	q.Register(JobKind, s.handle)
	return s
}

// payload is the job's: only the inbox, for whoever lists the jobs; the
// rest is in delivery_targets under the job's id.
type payload struct {
	Inbox string `json:"inbox"`
}

// maxRuns bounds how often a job may crash the process or lose its lease
// before the queue fails it: retries of failed POSTs are not counted there
// (they wait with jobs.RetryAfter) but in the target's tries.
const maxRuns = 5

// Send queues activity, signed as from, for every distinct target inbox
// of to, in one transaction, and returns: the jobs deliver it. Recipients
// without a usable http(s) inbox are skipped and logged.
func (s *Service) Send(ctx context.Context, from federation.LocalActor, activity []byte, to []federation.Recipient) error {
	if from.IRI == "" {
		return errors.New("deliver: the sending actor has no IRI")
	}
	if !json.Valid(activity) {
		return errors.New("deliver: the activity is not JSON")
	}
	targets := s.targets(to)
	if len(targets) == 0 {
		return nil
	}
	activity = s.ldSign(ctx, from, activity)
	_, err := s.st.Queue(ctx, store.OutgoingActivity{ActorKind: string(from.Key.Kind), ActorID: from.Key.ID, ActorIRI: from.IRI, Body: activity},
		targets, func(tx *sql.Tx, t store.DeliveryTarget) (int64, error) {
			return s.q.EnqueueTx(ctx, tx, JobKind, payload{Inbox: t.Inbox}, jobs.WithMaxAttempts(maxRuns))
		})
	if err != nil {
		return fmt.Errorf("deliver %s: %w", activityID(activity), err)
	}
	return nil
}

// targets turns recipients into inboxes: a recipient's server's shared
// inbox when it has one, else its own inbox; each inbox once.
func (s *Service) targets(to []federation.Recipient) []store.DeliveryTarget {
	seen := make(map[string]struct{}, len(to))
	var out []store.DeliveryTarget
	for _, r := range to {
		inbox, recipient := r.SharedInbox, ""
		if inbox == "" {
			inbox, recipient = r.Inbox, r.Actor
		}
		if _, dup := seen[inbox]; dup {
			continue
		}
		u, err := url.Parse(inbox)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			s.log.Warn("delivery: recipient without a usable inbox skipped", "recipient", r.Actor, "inbox", inbox)
			continue
		}
		seen[inbox] = struct{}{}
		out = append(out, store.DeliveryTarget{Inbox: inbox, Host: hostKey(u), Actor: recipient})
	}
	return out
}

// hostKey names an inbox's server as health and the per-host cap count
// it: its host in lower case, with its port unless it is the scheme's.
func hostKey(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" || (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		return host
	}
	return net.JoinHostPort(host, port)
}

// Run processes deliveries until ctx ends, and clears away ended ones now
// and then.
func (s *Service) Run(ctx context.Context) error {
	if err := s.hosts.load(ctx); err != nil {
		s.log.Warn("delivery: host health not loaded; starting from none", "err", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.sweepEvery(ctx)
	}()
	err := s.q.Run(ctx, s.o.Workers)
	<-done
	return err
}

func (s *Service) sweepEvery(ctx context.Context) {
	t := time.NewTicker(s.o.SweepEvery)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("delivery: sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep clears away ended deliveries (see store.Delivery.Sweep).
func (s *Service) Sweep(ctx context.Context) (store.DeliverySweep, error) {
	now := s.o.Now()
	return s.st.Sweep(ctx, JobKind, now.Add(-s.o.KeepJobs), now.Add(-s.o.KeepFailures))
}

// HostHealth is one remote host's delivery health, for the admin.
type HostHealth struct {
	store.DeliveryHost
	Held     bool // HeldUntil is still ahead: its deliveries wait
	InFlight int  // deliveries to it right now
}

// Health lists every host deliveries went to, by name.
func (s *Service) Health(ctx context.Context) ([]HostHealth, error) {
	rows, err := s.st.Hosts(ctx)
	if err != nil {
		return nil, err
	}
	return s.hosts.overlay(rows, s.o.Now()), nil
}

// Failures lists deliveries given up, newest first (host "" for all).
func (s *Service) Failures(ctx context.Context, host string, limit int) ([]store.DeliveryFailure, error) {
	return s.st.Failures(ctx, host, limit)
}

// jitter adds up to a tenth of d, so that jobs that failed together do not
// come back together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + rand.N(d/10+1)
}

// activityID is the activity's id and type, for logs and failure records.
func activityID(body []byte) string {
	id, typ := idType(body)
	return typ + " " + id
}

func idType(body []byte) (id, typ string) {
	var a struct {
		ID   string `json:"id"`
		Type any    `json:"type"`
	}
	_ = json.Unmarshal(body, &a)
	return a.ID, typeName(a.Type)
}

// typeName is an activity's type as decoded: a string, or the first of
// an array of them.
func typeName(t any) string {
	switch t := t.(type) {
	case string:
		return t
	case []any:
		if len(t) > 0 {
			s, _ := t[0].(string)
			return s
		}
	}
	return ""
}
