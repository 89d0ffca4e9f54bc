package store

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cabane.dev/cabane/app/model"
)

// ErrBusy (locked past busy_timeout) and ErrFull (disk full) are the
// model's, so that handlers can answer them without importing the store.
var (
	ErrBusy = model.ErrBusy
	ErrFull = model.ErrFull
)

// code is SQLite's extended result code of err, or 0.
func code(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// isUnique reports a UNIQUE or PRIMARY KEY constraint failure, by SQLite's
// result code rather than its message.
func isUnique(err error) bool {
	c := code(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// classify wraps err with ErrBusy or ErrFull when SQLite says so, keeping the
// original for the log.
func classify(err error) error {
	switch c := code(err); {
	case err == nil:
		return nil
	case c&0xff == sqlite3.SQLITE_BUSY || c&0xff == sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w: %w", ErrBusy, err)
	case c&0xff == sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: %w", ErrFull, err)
	}
	return err
}

// conflict turns a unique-constraint failure into ErrConflict naming what.
func conflict(err error, what string) error {
	if isUnique(err) {
		return fmt.Errorf("%s: %w", what, ErrConflict)
	}
	return classify(err)
}
