package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Delivery keeps federation's outgoing deliveries: each activity once, its
// target inboxes (one per job of the queue), the health of remote hosts and
// the deliveries given up. app/federation/delivery decides what to send,
// when to retry and when to give up; this only keeps it.
type Delivery struct{ base }

// Delivery returns the delivery aggregate on the pool.
func (s *Store) Delivery() *Delivery {
	return &Delivery{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// OutgoingActivity is an activity to deliver and who signs it.
type OutgoingActivity struct {
	ActorKind string // keys.Kind of the signing local actor
	ActorID   int64
	ActorIRI  string
	Body      []byte
}

// DeliveryTarget is one inbox an activity goes to.
type DeliveryTarget struct {
	Inbox string
	Host  string // the inbox's host[:port], lower case: what health is kept by
	Actor string // the recipient when Inbox is its own; "" for a shared inbox
}

// PendingDelivery is a target still to deliver, with its activity.
type PendingDelivery struct {
	JobID      int64
	ActivityID int64
	DeliveryTarget
	Tries     int
	LastError string
	OutgoingActivity
	CreatedAt time.Time // when the activity was queued
}

// DeliveryHost is a remote host's delivery health.
type DeliveryHost struct {
	Host        string
	Failures    int // consecutive failed deliveries
	LastError   string
	HeldUntil   time.Time // zero: not held
	LastSuccess time.Time // zero: never
	LastFailure time.Time // zero: never
}

// DeliveryFailure is a delivery given up.
type DeliveryFailure struct {
	Host         string
	Inbox        string
	Recipient    string // "" for a shared inbox
	Sender       string // the signing actor's IRI
	Activity     string // the activity's id
	ActivityType string
	Tries        int
	Error        string
	At           time.Time
}

// Queue stores a and its targets in one transaction, calling enqueue for
// each target to insert its job in that same transaction (jobs.EnqueueTx):
// a crash leaves all of them queued or none. It returns the activity's id.
func (d *Delivery) Queue(ctx context.Context, a OutgoingActivity, targets []DeliveryTarget,
	enqueue func(tx *sql.Tx, t DeliveryTarget) (jobID int64, err error)) (int64, error) {
	if d.db == nil {
		return 0, errors.New("queue delivery: not on the pool")
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("queue delivery: begin: %w", classify(err))
	}
	defer tx.Rollback()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO delivery_activities(actor_kind, actor_id, actor_iri, body, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, a.ActorKind, a.ActorID, a.ActorIRI, a.Body, now()).Scan(&id); err != nil {
		return 0, fmt.Errorf("queue delivery: store activity: %w", classify(err))
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO delivery_targets(job_id, activity_id, inbox, host, actor) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, fmt.Errorf("queue delivery: %w", classify(err))
	}
	defer ins.Close()
	for _, t := range targets {
		job, err := enqueue(tx, t)
		if err != nil {
			return 0, fmt.Errorf("queue delivery to %s: %w", t.Inbox, err)
		}
		if _, err := ins.ExecContext(ctx, job, id, t.Inbox, t.Host, t.Actor); err != nil {
			return 0, fmt.Errorf("queue delivery to %s: %w", t.Inbox, classify(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("queue delivery: commit: %w", classify(err))
	}
	return id, nil
}

// Pending returns the delivery job jobID works on; ErrNotFound when it has
// none (it ended, or was swept after its job was cancelled).
func (d *Delivery) Pending(ctx context.Context, jobID int64) (PendingDelivery, error) {
	p := PendingDelivery{JobID: jobID}
	var created int64
	err := d.q.QueryRowContext(ctx, `SELECT t.activity_id, t.inbox, t.host, t.actor, t.tries, t.last_error,
		a.actor_kind, a.actor_id, a.actor_iri, a.body, a.created_at
		FROM delivery_targets t JOIN delivery_activities a ON a.id = t.activity_id WHERE t.job_id = ?`, jobID).
		Scan(&p.ActivityID, &p.Inbox, &p.Host, &p.Actor, &p.Tries, &p.LastError,
			&p.ActorKind, &p.ActorID, &p.ActorIRI, &p.Body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return PendingDelivery{}, ErrNotFound
	}
	if err != nil {
		return PendingDelivery{}, fmt.Errorf("read delivery of job %d: %w", jobID, classify(err))
	}
	p.CreatedAt = time.UnixMilli(created)
	return p, nil
}

// Tried records a failed try that will be retried.
func (d *Delivery) Tried(ctx context.Context, jobID int64, tries int, lastErr string) error {
	res, err := d.q.ExecContext(ctx, `UPDATE delivery_targets SET tries = ?, last_error = ? WHERE job_id = ?`, tries, lastErr, jobID)
	return affected(res, err, "record delivery try")
}

// Finish deletes the target of jobID, records f when the delivery was given
// up (nil after a success), and deletes the activity once no target needs
// it, in one transaction.
func (d *Delivery) Finish(ctx context.Context, jobID int64, f *DeliveryFailure) error {
	return d.atomic(ctx, func(q dbtx) error {
		var activity int64
		err := q.QueryRowContext(ctx, `DELETE FROM delivery_targets WHERE job_id = ? RETURNING activity_id`, jobID).Scan(&activity)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("finish delivery of job %d: %w", jobID, classify(err))
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM delivery_activities WHERE id = ?
			AND NOT EXISTS (SELECT 1 FROM delivery_targets WHERE activity_id = ?)`, activity, activity); err != nil {
			return fmt.Errorf("finish delivery of job %d: drop its activity: %w", jobID, classify(err))
		}
		if f == nil {
			return nil
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO delivery_failures(host, inbox, recipient, sender, activity, activity_type, tries, error, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.Host, f.Inbox, f.Recipient, f.Sender, f.Activity, f.ActivityType, f.Tries, f.Error,
			f.At.UnixMilli()); err != nil {
			return fmt.Errorf("record failed delivery to %s: %w", f.Inbox, classify(err))
		}
		return nil
	})
}

// msOrZero stores the zero time as 0.
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func timeOrZero(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// SaveHost writes a host's health.
func (d *Delivery) SaveHost(ctx context.Context, h DeliveryHost) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO delivery_hosts(host, failures, last_error, held_until, last_success, last_failure)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(host) DO UPDATE SET failures = excluded.failures, last_error = excluded.last_error,
		held_until = excluded.held_until, last_success = excluded.last_success, last_failure = excluded.last_failure`,
		h.Host, h.Failures, h.LastError, msOrZero(h.HeldUntil), msOrZero(h.LastSuccess), msOrZero(h.LastFailure))
	if err != nil {
		return fmt.Errorf("save delivery health of %s: %w", h.Host, classify(err))
	}
	return nil
}

// Hosts lists every host's health, by host name.
func (d *Delivery) Hosts(ctx context.Context) ([]DeliveryHost, error) {
	rows, err := d.q.QueryContext(ctx, `SELECT host, failures, last_error, held_until, last_success, last_failure
		FROM delivery_hosts ORDER BY host`)
	if err != nil {
		return nil, fmt.Errorf("list delivery hosts: %w", classify(err))
	}
	defer rows.Close()
	var out []DeliveryHost
	for rows.Next() {
		var h DeliveryHost
		var held, ok, bad int64
		if err := rows.Scan(&h.Host, &h.Failures, &h.LastError, &held, &ok, &bad); err != nil {
			return nil, fmt.Errorf("list delivery hosts: %w", classify(err))
		}
		h.HeldUntil, h.LastSuccess, h.LastFailure = timeOrZero(held), timeOrZero(ok), timeOrZero(bad)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list delivery hosts: %w", classify(err))
	}
	return out, nil
}

// Failures lists deliveries given up, newest first: host's only unless
// host is "", at most limit (default 50).
func (d *Delivery) Failures(ctx context.Context, host string, limit int) ([]DeliveryFailure, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := d.q.QueryContext(ctx, `SELECT host, inbox, recipient, sender, activity, activity_type, tries, error, at
		FROM delivery_failures WHERE (? = '' OR host = ?) ORDER BY at DESC, id DESC LIMIT ?`, host, host, limit)
	if err != nil {
		return nil, fmt.Errorf("list failed deliveries: %w", classify(err))
	}
	defer rows.Close()
	var out []DeliveryFailure
	for rows.Next() {
		var f DeliveryFailure
		var at int64
		if err := rows.Scan(&f.Host, &f.Inbox, &f.Recipient, &f.Sender, &f.Activity, &f.ActivityType, &f.Tries, &f.Error, &at); err != nil {
			return nil, fmt.Errorf("list failed deliveries: %w", classify(err))
		}
		f.At = time.UnixMilli(at)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list failed deliveries: %w", classify(err))
	}
	return out, nil
}

// DeliverySweep says what a Sweep removed.
type DeliverySweep struct {
	Targets, Activities, Jobs, Failures int64
}

// Sweep removes what no running delivery needs: targets whose job is no
// longer queued or running (cancelled by the admin, or failed by the queue
// after crashes, so the delivery code never saw it end), activities without
// targets, jobs of kind that ended before jobsBefore (a delivery leaves one
// row per inbox; its outcome is in delivery_failures or nowhere to look),
// and failures recorded before failuresBefore.
func (d *Delivery) Sweep(ctx context.Context, kind string, jobsBefore, failuresBefore time.Time) (DeliverySweep, error) {
	var s DeliverySweep
	err := d.atomic(ctx, func(q dbtx) error {
		steps := []struct {
			n     *int64
			query string
			args  []any
		}{
			{&s.Targets, `DELETE FROM delivery_targets WHERE job_id IN (SELECT t.job_id FROM delivery_targets t
				LEFT JOIN jobs j ON j.id = t.job_id WHERE j.id IS NULL OR j.state NOT IN ('queued', 'running'))`, nil},
			{&s.Activities, `DELETE FROM delivery_activities WHERE NOT EXISTS
				(SELECT 1 FROM delivery_targets t WHERE t.activity_id = delivery_activities.id)`, nil},
			{&s.Jobs, `DELETE FROM jobs WHERE kind = ? AND state IN ('done', 'failed', 'cancelled') AND updated_at < ?`,
				[]any{kind, jobsBefore.UnixMilli()}},
			{&s.Failures, `DELETE FROM delivery_failures WHERE at < ?`, []any{failuresBefore.UnixMilli()}},
		}
		for _, st := range steps {
			res, err := q.ExecContext(ctx, st.query, st.args...)
			if err != nil {
				return fmt.Errorf("sweep deliveries: %w", classify(err))
			}
			*st.n, _ = res.RowsAffected()
		}
		return nil
	})
	return s, err
}
