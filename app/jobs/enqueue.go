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
	videoID     int64
	owner       int64
	maxPerOwner int
}

// WithVideo names the video the job works on (Job.VideoID), so that the
// admin pages and the store find it without reading the payload.
func WithVideo(id int64) EnqueueOption { return func(o *enqueueOpts) { o.videoID = id } }

// WithOwner names the account the job works for (Job.OwnerAccountID):
// claims are fair between accounts.
func WithOwner(accountID int64) EnqueueOption { return func(o *enqueueOpts) { o.owner = accountID } }

// WithMaxPerOwner refuses the job with ErrOwnerQueueFull when its owner
// (WithOwner) already has n jobs queued or running; n <= 0: no bound. The
// count and the insert share one statement's snapshot only inside a write
// transaction (EnqueueTx under store.WithTx, which begins IMMEDIATE), so
// use it there when the bound must hold under concurrent uploads.
func WithMaxPerOwner(n int) EnqueueOption { return func(o *enqueueOpts) { o.maxPerOwner = n } }

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

// nullID stores 0 as NULL: "no video", "no owner".
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
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
	if o.maxPerOwner > 0 && o.owner != 0 {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE owner_account_id = ? AND state IN ('queued', 'running')`,
			o.owner).Scan(&n); err != nil {
			return nil, fmt.Errorf("enqueue %s: count the owner's jobs: %w", kind, err)
		}
		if n >= o.maxPerOwner {
			return nil, fmt.Errorf("enqueue %s: account %d has %d jobs waiting (at most %d): %w", kind, o.owner, n, o.maxPerOwner, ErrOwnerQueueFull)
		}
	}
	now := time.Now()
	j := &Job{Kind: kind, Payload: body, VideoID: o.videoID, OwnerAccountID: o.owner, Priority: o.priority, MaxAttempts: o.maxAttempts,
		State: StateQueued, RunAfter: now.Add(o.delay), CreatedAt: now, UpdatedAt: now}
	err := db.QueryRowContext(ctx, `INSERT INTO jobs
		(kind, payload, video_id, owner_account_id, state, priority, max_attempts, run_after, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?) RETURNING id`,
		kind, string(body), nullID(o.videoID), nullID(o.owner), o.priority, o.maxAttempts, ms(j.RunAfter), ms(now), ms(now)).Scan(&j.ID)
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return j, nil
}
