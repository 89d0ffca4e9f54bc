package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// EnqueueOption tunes one Enqueue.
type EnqueueOption func(*enqueueOpts)

type enqueueOpts struct {
	priority    int
	maxAttempts int
	delay       time.Duration
}

// WithPriority runs the job before queued jobs of lower priority (default 0).
func WithPriority(p int) EnqueueOption { return func(o *enqueueOpts) { o.priority = p } }

// WithMaxAttempts bounds how many times the job runs (default 5, minimum 1).
func WithMaxAttempts(n int) EnqueueOption {
	return func(o *enqueueOpts) {
		if n >= 1 {
			o.maxAttempts = n
		}
	}
}

// WithDelay makes the job ready only after d.
func WithDelay(d time.Duration) EnqueueOption { return func(o *enqueueOpts) { o.delay = d } }

// execer is what *sql.DB and *sql.Tx share for inserting a job.
type execer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Enqueue adds a job of kind with payload (marshalled to JSON) and wakes an
// idle worker.
func (q *Queue) Enqueue(ctx context.Context, kind string, payload any, opts ...EnqueueOption) (int64, error) {
	j, err := insert(ctx, q.db, kind, payload, opts)
	if err != nil {
		return 0, err
	}
	q.publish(Event{JobID: j.ID, Kind: kind, State: StateQueued, At: j.CreatedAt})
	q.notify()
	return j.ID, nil
}

// EnqueueTx adds a job inside the caller's transaction, so that a video row
// and the job that processes it exist together or not at all. The worker it
// wakes waits for the write lock, so it sees the job once tx commits; if tx
// stays open longer, the next poll finds it. No event is published (the
// transaction may still roll back); the "running" event follows.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, kind string, payload any, opts ...EnqueueOption) (int64, error) {
	j, err := insert(ctx, tx, kind, payload, opts)
	if err != nil {
		return 0, err
	}
	q.notify()
	return j.ID, nil
}

func insert(ctx context.Context, db execer, kind string, payload any, opts []EnqueueOption) (*Job, error) {
	o := enqueueOpts{maxAttempts: 5}
	for _, f := range opts {
		f(&o)
	}
	body := []byte("{}")
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, fmt.Errorf("enqueue %s: marshal payload: %w", kind, err)
		}
		body = b
	}
	now := time.Now()
	j := &Job{Kind: kind, Payload: body, Priority: o.priority, MaxAttempts: o.maxAttempts,
		State: StateQueued, RunAfter: now.Add(o.delay), CreatedAt: now, UpdatedAt: now}
	err := db.QueryRowContext(ctx, `INSERT INTO jobs
		(kind, payload, state, priority, max_attempts, run_after, created_at, updated_at)
		VALUES (?, ?, 'queued', ?, ?, ?, ?, ?) RETURNING id`,
		kind, string(body), o.priority, o.maxAttempts, ms(j.RunAfter), ms(now), ms(now)).Scan(&j.ID)
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return j, nil
}
