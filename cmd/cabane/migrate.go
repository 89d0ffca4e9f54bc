package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"cabane.dev/cabane/app/store"
)

// migrate opens a database, which applies this binary's migrations, and
// closes it. An update runs the new binary's migrate on a copy of the live
// database before switching to it: a release that cannot read the
// creator's data is refused while the old one still runs.
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cabane migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "database file to migrate (used by cabane update on a copy)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" {
		return errors.New("usage: cabane migrate --db PATH")
	}
	st, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return fmt.Errorf("migrate %s: %w", *db, err)
	}
	v, err := st.SchemaVersion(ctx)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", *db, err)
	}
	fmt.Fprintf(stdout, "%s is at schema version %d\n", *db, v)
	return nil
}
