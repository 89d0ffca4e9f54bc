package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"cabane.dev/cabane/app/firstboot"
)

// firstbootCmd applies cabane.txt from the boot partition. It runs early in
// the boot (cabane-firstboot.service) and must never stop it: bad lines are
// reported, and only a file that cannot be read at all is a failure.
func firstbootCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("firstboot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: cabane firstboot --boot DIR --root DIR [--data DIR]\n\n"+
			"Applies the settings in DIR/cabane.txt (Wi-Fi, host name, public URL, time zone,\n"+
			"SSH keys) to the system at --root, then rewrites cabane.txt with the applied\n"+
			"lines commented out and the Wi-Fi password removed.")
		fs.PrintDefaults()
	}
	boot := fs.String("boot", "/boot/firmware", "directory holding cabane.txt (the SD card's FAT partition)")
	root := fs.String("root", "/", "root of the system to configure")
	data := fs.String("data", os.Getenv("CABANE_DATA"), "Cabane's data directory, for the outcome shown on the setup page (env CABANE_DATA; default ROOT/var/lib/cabane)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("firstboot: unexpected argument %q", fs.Arg(0))
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	out, err := firstboot.Run(ctx, firstboot.Options{Boot: *boot, Root: *root, Data: *data, Log: log})
	if errors.Is(err, firstboot.ErrNoFile) {
		fmt.Fprintf(stdout, "no %s in %s: nothing to apply\n", firstboot.FileName, *boot)
		return nil
	}
	if err != nil {
		return fmt.Errorf("firstboot: %w", err)
	}
	fmt.Fprintf(stdout, "applied: %s\n", orNone(out.Applied))
	if len(out.Enabled) > 0 {
		fmt.Fprintf(stdout, "enabled: %s\n", strings.Join(out.Enabled, ", "))
	}
	for _, p := range out.Problems {
		fmt.Fprintln(stdout, "not applied:", p.Error())
	}
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "nothing"
	}
	return strings.Join(s, ", ")
}
