package main

// Stand-ins for the commands that other branches of issue #8 implement in
// their own files (update.go, release.go, migrate.go, firstboot.go). They
// keep the command table compiling and answering --help until those land;
// the lead deletes this file at merge.

import (
	"context"
	"errors"
	"flag"
	"io"
)

func pending(name string, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("cabane "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return errors.New(name + ": not in this build yet")
}

func update(_ context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	return pending("update", args, stderr)
}

func release(_ context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	return pending("release", args, stderr)
}

func migrate(_ context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	return pending("migrate", args, stderr)
}

func firstboot(_ context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	return pending("firstboot", args, stderr)
}
