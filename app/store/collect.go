package store

import "database/sql"

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
