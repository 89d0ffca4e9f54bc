package jobs

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Options tune a Queue. Zero values take the defaults.
type Options struct {
	// Owner names this process in jobs.lease_owner. Default: random per
	// process, which is what start-up recovery relies on.
	Owner string
	// Lease is how long a claim lasts without a heartbeat (default 60 s).
	// Heartbeats come every Lease/3; expired leases are re-queued.
	Lease time.Duration
	// Poll is how often idle workers look for due jobs (default 1 s).
	// Enqueue wakes them at once, so this only matters for delayed jobs
	// and retries.
	Poll time.Duration
	// Backoff is the delay before retry number attempt (1 after the first
	// failure). Default: DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// ProgressEvery bounds progress writes per job (default 2 s): SD cards
	// wear out, and the latest value is in memory anyway.
	ProgressEvery time.Duration
	// FairWindow is how far back a claim counts an account's finished jobs
	// when choosing whose job runs next (default 1 h).
	FairWindow time.Duration
}

// Queue runs jobs from the jobs table. It is safe for concurrent use.
type Queue struct {
	db  *sql.DB
	log *slog.Logger
	opt Options

	wake chan struct{} // buffered(1): a job may be ready now

	mu       sync.Mutex
	handlers map[string]Handler
	running  map[int64]*runningJob
	active   bool // Run is in progress

	subMu   sync.Mutex
	subs    map[int]chan Event
	nextSub int
}

// New returns a queue on db, the handle from store.Store.DB().
func New(db *sql.DB, log *slog.Logger, opt Options) *Queue {
	if log == nil {
		log = slog.Default()
	}
	if opt.Owner == "" {
		opt.Owner = newOwner()
	}
	if opt.Lease <= 0 {
		opt.Lease = 60 * time.Second
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.Backoff == nil {
		opt.Backoff = DefaultBackoff
	}
	if opt.ProgressEvery <= 0 {
		opt.ProgressEvery = 2 * time.Second
	}
	if opt.FairWindow <= 0 {
		opt.FairWindow = time.Hour
	}
	return &Queue{
		db:       db,
		log:      log.With("component", "jobs", "owner", opt.Owner),
		opt:      opt,
		wake:     make(chan struct{}, 1),
		handlers: map[string]Handler{},
		running:  map[int64]*runningJob{},
		subs:     map[int]chan Event{},
	}
}

// Owner is this queue's lease owner id.
func (q *Queue) Owner() string { return q.opt.Owner }

// Register sets the handler for kind. Jobs of kinds without a handler stay
// queued (a newer version may know them) rather than failing.
func (q *Queue) Register(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handlers[kind] = h
}

func (q *Queue) handler(kind string) Handler {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.handlers[kind]
}

func (q *Queue) kinds() []any {
	q.mu.Lock()
	defer q.mu.Unlock()
	ks := make([]any, 0, len(q.handlers))
	for k := range q.handlers {
		ks = append(ks, k)
	}
	return ks
}

// notify wakes an idle worker without blocking.
func (q *Queue) notify() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func newOwner() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(b))
}
