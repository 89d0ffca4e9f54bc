package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Get reads one job. A job running in this process reports its latest
// in-memory progress, fresher than the throttled row.
func (q *Queue) Get(ctx context.Context, id int64) (*Job, error) {
	j, err := scanJob(q.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get job %d: %w", id, err)
	}
	if j.State == StateRunning {
		if p, ok := q.Progress(id); ok {
			j.Progress = p
		}
	}
	return j, nil
}

// ListFilter selects jobs for List.
type ListFilter struct {
	State  string // empty: all states
	Kind   string // empty: all kinds
	Limit  int    // default 50, at most 500
	Offset int
}

// List returns jobs, newest first.
func (q *Queue) List(ctx context.Context, f ListFilter) ([]Job, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	f.Offset = max(f.Offset, 0)
	rows, err := q.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE (? = '' OR state = ?) AND (? = '' OR kind = ?)
		ORDER BY id DESC LIMIT ? OFFSET ?`,
		f.State, f.State, f.Kind, f.Kind, f.Limit, f.Offset)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		if j.State == StateRunning {
			if p, ok := q.Progress(j.ID); ok {
				j.Progress = p
			}
		}
		out = append(out, *j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return out, nil
}

// state reads a job's state, for error messages.
func (q *Queue) state(ctx context.Context, id int64) (string, error) {
	var st string
	err := q.db.QueryRowContext(ctx, `SELECT state FROM jobs WHERE id = ?`, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return st, err
}
