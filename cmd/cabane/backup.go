package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"
	"time"

	"cabane.dev/cabane/app"
	"cabane.dev/cabane/app/backup"
	"cabane.dev/cabane/app/config"
)

// dataFlags is the flag set of backup and restore: the data directory, as
// the installed service has it (its unit's CABANE_DATA) unless told.
func dataFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("cabane "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := config.Default().DataDir
	if v := commandEnv(serviceEnv(serviceUnits))("CABANE_DATA"); v != "" {
		def = v
	}
	return fs, fs.String("data", def, "data directory (env CABANE_DATA)")
}

// parseWithFile parses flags before and after the one FILE argument, so
// that both "restore --force f" and "restore f --force" work.
func parseWithFile(fs *flag.FlagSet, args []string, usage string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", errors.New(usage)
	}
	file := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() != 0 {
		return "", errors.New(usage)
	}
	return file, nil
}

// backupCmd writes a backup of the (running or stopped) box to FILE. It
// reads the database through a connection of its own, so the server keeps
// serving, and runs at a low CPU and I/O priority, so viewers come first.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, data := dataFlags("backup", stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of cabane backup: cabane backup [--data DIR] FILE\n")
		fs.PrintDefaults()
	}
	file, err := parseWithFile(fs, args, "usage: cabane backup [--data DIR] FILE")
	if err != nil {
		return err
	}
	if err := lowerPriority(); err != nil {
		fmt.Fprintln(stderr, "cabane backup:", err) // slower viewers, not a failed backup
	}
	start := time.Now()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m, err := backup.Create(ctx, config.Layout{Root: *data}, file, backup.Options{Version: version, Log: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %d files, %d bytes, in %s\n", *data, file, len(m.Files), m.Bytes(),
		time.Since(start).Round(time.Millisecond))
	return nil
}

// restoreCmd restores FILE into the data directory. A restore replaces what
// the box serves, so it refuses a directory a server is running on: stop
// the service, restore, start it.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, data := dataFlags("restore", stderr)
	force := fs.Bool("force", false, "replace a non-empty data directory (it is kept beside, renamed)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of cabane restore: cabane restore FILE [--data DIR] [--force]\n")
		fs.PrintDefaults()
	}
	file, err := parseWithFile(fs, args, "usage: cabane restore FILE [--data DIR] [--force]")
	if err != nil {
		return err
	}
	if entries, err := os.ReadDir(*data); err == nil && len(entries) > 0 && *force {
		// Held until the end: no server may start on the directory while
		// it is replaced.
		lock, err := app.LockDataDir(*data)
		if err != nil {
			return fmt.Errorf("restore: %w (stop it first)", err)
		}
		defer lock.Close()
	}
	opt := backup.RestoreOptions{Force: *force}
	// Root restoring for the service: the files go to whoever owns the
	// data directory (the cabane user on the image), or --owner's.
	if fi, err := os.Stat(*data); err == nil && os.Geteuid() == 0 {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
			opt.Owner = &backup.Owner{UID: int(st.Uid), GID: int(st.Gid)}
		}
	}
	res, err := backup.Restore(ctx, file, *data, opt)
	if err != nil {
		return err
	}
	m := res.Manifest
	fmt.Fprintf(stdout, "restored %s (cabane %s, %s) into %s: %d files, %d bytes; integrity_check ok\n",
		file, m.CabaneVersion, m.CreatedAt.Format(time.RFC3339), *data, len(m.Files), m.Bytes())
	if res.Requeued > 0 {
		fmt.Fprintf(stdout, "%d interrupted jobs will run again when the server starts\n", res.Requeued)
	}
	if res.Previous != "" {
		fmt.Fprintf(stdout, "the previous data directory is kept at %s\n", res.Previous)
	}
	return nil
}
