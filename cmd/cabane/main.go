// Command cabane is the whole Cabane video platform in one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// releaseKey is the base64 ed25519 public key that updates must be signed
// with, set with -ldflags "-X main.releaseKey=..." (make build does it when
// the builder has a release key). Empty: this build cannot be updated.
var releaseKey = ""

const usage = `Cabane: your video channel on a box at home.

Usage:
  cabane [serve] [flags]     start the server (default)
  cabane admin create-user --username NAME --email ADDRESS [--password PASSWORD] [--admin]
                             create a user (password read from standard input if not given)
  cabane doctor [flags]      say what this box can do: board, encoders, speed
  cabane firstboot --boot DIR --root DIR [--data DIR]
                             apply cabane.txt from the SD card's boot partition
  cabane update FILE|URL     install a signed release (cabane-<version>-linux-<arch>.update)
                             and restart the running server on it; rolls back by itself
  cabane release keygen|sign make a release key, sign a binary into an update file
  cabane version             print the version

Run "cabane serve -h" for the server's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cabane:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stderr)
	case "admin":
		return admin(ctx, args, stdin, stdout, stderr)
	case "doctor":
		return doctor(ctx, args, stdout, stderr)
	case "firstboot":
		return firstbootCmd(ctx, args, stdout, stderr)
	case "update":
		return updateCmd(ctx, args, stdout, stderr)
	case "release":
		return release(args, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "cabane", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
