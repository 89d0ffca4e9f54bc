package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// jobColumns is the column list scanJob reads, in order.
const jobColumns = `id, kind, payload, COALESCE(video_id, 0), COALESCE(owner_account_id, 0),
	priority, attempts, max_attempts, state, progress, last_error, run_after, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanJob(s scanner) (*Job, error) {
	var j Job
	var payload string
	var runAfter, created, updated int64
	if err := s.Scan(&j.ID, &j.Kind, &payload, &j.VideoID, &j.OwnerAccountID, &j.Priority, &j.Attempts, &j.MaxAttempts, &j.State,
		&j.Progress, &j.LastError, &runAfter, &created, &updated); err != nil {
		return nil, err
	}
	j.Payload = []byte(payload)
	j.RunAfter, j.CreatedAt, j.UpdatedAt = fromMS(runAfter), fromMS(created), fromMS(updated)
	return &j, nil
}

// claim takes the next ready job of a registered kind and leases it to this
// process, in one statement so that two workers, even in two processes, can
// never take the same job. It returns nil, nil when nothing is ready.
//
// The order is fair between accounts first: the ready job whose account has
// the fewest jobs running or finished within Options.FairWindow goes first,
// so one user's ten uploads cannot make another's one clip wait behind all
// of them; then highest priority, then earliest due, then oldest. Jobs with
// no owner (the instance's own work) count as one account. Each account's
// load is counted once per claim, not once per ready job: federation
// deliveries queue a thousand jobs at a time under no owner, and a count per
// candidate made each claim cost candidates × finished jobs (a thousand
// no-op jobs took 67 s to drain instead of 1 s). MATERIALIZED keeps SQLite
// from folding the counts back into the outer query. An idle poll has no
// ready job, hence no account to count, finds no row and writes nothing.
func (q *Queue) claim(ctx context.Context) (*Job, error) {
	kinds := q.kinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	now := time.Now()
	args := []any{q.opt.Owner, ms(now.Add(q.opt.Lease)), ms(now), ms(now)}
	args = append(args, kinds...)
	args = append(args, ms(now.Add(-q.opt.FairWindow)))
	query := `UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?,
		attempts = attempts + 1, updated_at = ?
		WHERE id = (WITH ready AS MATERIALIZED (SELECT id, owner_account_id, priority, run_after FROM jobs
				WHERE state = 'queued' AND run_after <= ? AND kind IN (?` + strings.Repeat(", ?", len(kinds)-1) + `)),
			load AS MATERIALIZED (SELECT o.owner_account_id AS owner, (SELECT COUNT(*) FROM jobs r WHERE r.owner_account_id IS o.owner_account_id
				AND (r.state = 'running' OR (r.state IN ('done', 'failed') AND r.updated_at >= ?))) AS n
				FROM (SELECT DISTINCT owner_account_id FROM ready) o)
			SELECT ready.id FROM ready JOIN load ON load.owner IS ready.owner_account_id
			ORDER BY load.n, ready.priority DESC, ready.run_after, ready.id LIMIT 1)
		RETURNING ` + jobColumns
	j, err := scanJob(q.db.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim job: %w", err)
	}
	return j, nil
}

// recoverOrphans re-queues jobs that a dead process left running. At start-up
// (all=true) that is every running job of another owner, because one data
// directory is served by one process; later it is only expired leases, of any
// owner (ours too: a heartbeat that could not write for a whole lease means
// the handler's result can no longer be trusted to be the only one).
//
// The interrupted attempt stays counted, so a job that crashes the process
// every time ends failed instead of looping forever.
func (q *Queue) recoverOrphans(ctx context.Context, all bool) error {
	now := time.Now()
	cond := `state = 'running' AND lease_until < ?`
	args := []any{ms(now)}
	reason := "lease expired (owner stopped heartbeating)"
	if all {
		cond = `state = 'running' AND lease_owner != ?`
		args = []any{q.opt.Owner}
		reason = "interrupted: the process running it stopped"
	}
	rows, err := q.db.QueryContext(ctx, `UPDATE jobs SET
		state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
		last_error = ?, lease_owner = '', lease_until = 0, run_after = ?, updated_at = ?
		WHERE `+cond+` RETURNING id, kind, state, attempts, progress`,
		append([]any{reason, ms(now), ms(now)}, args...)...)
	if err != nil {
		return fmt.Errorf("recover interrupted jobs: %w", err)
	}
	defer rows.Close()
	var evs []Event
	for rows.Next() {
		e := Event{Error: reason, At: now}
		if err := rows.Scan(&e.JobID, &e.Kind, &e.State, &e.Attempts, &e.Progress); err != nil {
			return fmt.Errorf("recover interrupted jobs: %w", err)
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("recover interrupted jobs: %w", err)
	}
	for _, e := range evs {
		q.log.Warn("job re-queued after interruption", "job", e.JobID, "kind", e.Kind,
			"state", e.State, "attempts", e.Attempts, "reason", reason)
		q.publish(e)
	}
	if len(evs) > 0 {
		q.notify()
	}
	return nil
}
