// Package jobs is Cabane's durable job queue, kept in the SQLite "jobs" table
// (created by app/store's migrations) so that work survives restarts, power
// cuts and kill -9.
//
// A worker claims the next ready job with one atomic UPDATE ... RETURNING that
// marks it running under this process's random owner id and a lease; a
// heartbeat extends the lease while the handler runs. Errors are retried with
// exponential backoff and jitter up to the job's max_attempts; a clean stop
// puts interrupted jobs back in the queue without counting the attempt.
//
// Assumption: one data directory is served by one process. At start-up Run
// therefore re-queues every job still marked running by any other owner: that
// owner is a previous process that died. While running, leases that expire
// (a stalled or vanished owner) are re-queued too.
//
// Delivery is at least once: a job interrupted by a crash or a lost lease
// runs again from the start, so handlers must be idempotent (write to a temp
// name and rename, upsert rows).
//
// SQLite sits on an SD card on most boxes, so the queue writes little: an idle
// poll is an UPDATE that matches no row (no page is written), progress is
// written at most once per Options.ProgressEvery per job, and heartbeats come
// every Lease/3.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cabane.dev/cabane/app/model"
)

// Job states, as stored in jobs.state.
const (
	StateQueued    = "queued"
	StateRunning   = "running"
	StateDone      = "done"
	StateFailed    = "failed"
	StateCancelled = "cancelled"
)

var (
	// ErrCancelled is the cause of a handler's context when Cancel stopped
	// its job (context.Cause(ctx) == ErrCancelled).
	ErrCancelled = errors.New("job cancelled")
	// ErrPermanent, wrapped in a handler's error, fails the job at once:
	// retrying cannot help (a corrupt upload, an unsupported codec).
	ErrPermanent = errors.New("permanent failure")
	// ErrNotFound is model.ErrNotFound, so callers map both to a 404.
	ErrNotFound = model.ErrNotFound
	// ErrState is returned when a job is not in a state that allows the
	// operation (cancelling a finished job, retrying a queued one).
	ErrState = errors.New("job state does not allow this")
	// ErrLeaseLost is the cause of a handler's context when this process no
	// longer holds the job's lease (it expired and was re-queued, or another
	// tool changed the row): the handler must stop, its result is dropped.
	ErrLeaseLost = errors.New("job lease lost")
	// ErrOwnerQueueFull is returned by Enqueue with WithMaxPerOwner when
	// the owner already has that many jobs queued or running.
	ErrOwnerQueueFull = errors.New("too many jobs waiting for this account")
)

// Handler does one job. It must return when ctx is done; the error decides
// what happens next (nil: done; wraps ErrPermanent: failed; other: retried).
type Handler func(ctx context.Context, j *Job) error

// Job is one row of the jobs table.
type Job struct {
	ID   int64
	Kind string
	// Payload belongs to the service that registered Kind: only it decodes
	// it. What others need to know about a job is a column below.
	Payload json.RawMessage
	// VideoID is the video the job works on; 0 for jobs about no video.
	VideoID int64
	// OwnerAccountID is the account the job works for; 0 for the
	// instance's own work. Claims are fair between owners.
	OwnerAccountID int64
	Priority       int
	Attempts       int
	MaxAttempts    int
	State          string
	Progress       float64 // percent, 0 to 100
	LastError      string
	RunAfter       time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Decode unmarshals the job's payload into v.
func (j *Job) Decode(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return fmt.Errorf("job %d (%s) payload: %w", j.ID, j.Kind, err)
	}
	return nil
}

// Event tells subscribers that a job changed state or progress.
type Event struct {
	JobID    int64
	Kind     string
	State    string
	Progress float64
	Attempts int
	Error    string // last error, for failed jobs and retries
	At       time.Time
}

func ms(t time.Time) int64     { return t.UnixMilli() }
func fromMS(v int64) time.Time { return time.UnixMilli(v) }
