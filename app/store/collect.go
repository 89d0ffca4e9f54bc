package store

import (
	"context"
	"database/sql"
)

// collect reads every row with scan and closes rows: the loop each listing
// query would otherwise repeat.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, classify(rows.Err())
}

// column reads a query's single column.
func column[T any](ctx context.Context, q dbtx, query string, args []any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, classify(err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (T, error) {
		var x T
		err := r.Scan(&x)
		return x, err
	})
}
