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
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// releaseKey is the base64 ed25519 public key that updates must be signed
// with, set with -ldflags "-X main.releaseKey=..." (make build does it when
// the builder has a release key). Empty: this build cannot be updated.
var releaseKey = ""

// runFunc is what every command is: its arguments after the command name,
// and the process's standard streams.
type runFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// command is one entry of the dispatch table. The usage text and the man
// page are printed from this same table, so they cannot drift from what
// the binary accepts.
type command struct {
	name    string
	summary string
	run     runFunc
	// helpArgs are the arguments that make run print its flags, for a
	// command whose flags sit behind a subcommand; default ["-h"].
	helpArgs []string
}

// commands is the table, in the order the usage text lists them. It is a
// function, not a variable, because "help" lists the table itself.
func commands() []command {
	return []command{
		{name: "serve", summary: "start the server (the default command)",
			run: func(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
				return serve(ctx, args, stderr)
			}},
		{name: "admin", summary: "create a user: admin create-user --username NAME --email ADDRESS [--admin]",
			run: admin, helpArgs: []string{"create-user", "-h"}},
		{name: "doctor", summary: "say what this box can do: board, encoders, speed",
			run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return doctor(ctx, args, stdout, stderr)
			}},
		{name: "update", summary: "install a newer signed release (file or URL) on the running box; rolls back by itself if it fails",
			run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return updateCmd(ctx, args, stdout, stderr)
			}},
		{name: "release", summary: "make a release key (release keygen) or sign a built binary into an update file (release sign)",
			run: func(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return release(args, stdout, stderr)
			}, helpArgs: []string{"sign", "-h"}},
		{name: "migrate", summary: "bring a database up to this binary's schema (update checks a copy with it)",
			run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return migrate(ctx, args, stdout, stderr)
			}},
		{name: "backup", summary: "write a consistent backup of the box (database and media) to FILE, while it runs",
			run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return backupCmd(ctx, args, stdout, stderr)
			}},
		{name: "restore", summary: "restore a backup FILE into an empty data directory (the server stopped)",
			run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return restoreCmd(ctx, args, stdout, stderr)
			}},
		{name: "firstboot", summary: "apply cabane.txt from the boot partition (run by systemd at boot)",
			run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
				return firstbootCmd(ctx, args, stdout, stderr)
			}},
		{name: "version", summary: "print the version", run: versionCmd},
		{name: "help", summary: "list the commands, or print a command's flags: help [COMMAND]", run: help},
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cabane:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelpFlag(args[0]) {
		return help(ctx, args[1:], stdin, stdout, stderr)
	}
	name := "serve"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		name, args = args[0], args[1:]
	}
	c, ok := lookup(name)
	if !ok {
		writeUsage(stderr)
		return fmt.Errorf("unknown command %q", name)
	}
	if wantsHelp(args) {
		return commandHelp(ctx, c, args, stdout)
	}
	err := c.run(ctx, args, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func isHelpFlag(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// wantsHelp says whether the flags ask for help: the flag package then
// prints the usage and returns flag.ErrHelp, without running anything.
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelpFlag(a) {
			return true
		}
	}
	return false
}

// commandHelp prints c's flags on stdout: help that was asked for is the
// answer, not a diagnostic, so it goes where a pager or grep reads it. The
// flag sets write their usage on the stderr they are given, hence the
// swap; stdin is empty so that nothing waits on a terminal.
func commandHelp(ctx context.Context, c command, args []string, stdout io.Writer) error {
	if len(args) == 0 || isHelpFlag(args[0]) {
		args = c.helpArgs
		if args == nil {
			args = []string{"-h"}
		}
	}
	err := c.run(ctx, args, strings.NewReader(""), stdout, stdout)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return fmt.Errorf("%s --help: %w", c.name, err)
}

func writeUsage(w io.Writer) {
	fmt.Fprint(w, "Cabane: your video channel on a box at home.\n\nUsage: cabane [COMMAND] [FLAGS]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\n\"cabane help COMMAND\" or \"cabane COMMAND --help\" prints a command's flags.\n"+
		"Every setting can also come from a CABANE_* environment variable (named in the flags).\n")
}

// help lists the commands, prints one command's flags, or with -man
// prints the manual page that the Debian package ships.
func help(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cabane help", flag.ContinueOnError)
	fs.SetOutput(stderr)
	man := fs.Bool("man", false, "print the manual page cabane(1) in roff (the Debian package ships it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *man {
		return writeManPage(ctx, stdout, os.Getenv("SOURCE_DATE_EPOCH"))
	}
	if fs.NArg() == 0 {
		writeUsage(stdout)
		return nil
	}
	c, ok := lookup(fs.Arg(0))
	if !ok {
		writeUsage(stderr)
		return fmt.Errorf("help: unknown command %q", fs.Arg(0))
	}
	return commandHelp(ctx, c, nil, stdout)
}

func versionCmd(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cabane version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "cabane", version)
	return nil
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
