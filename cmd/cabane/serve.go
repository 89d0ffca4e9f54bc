package main

import (
	"context"
	"flag"
	"io"
	"os"

	"cabane.dev/cabane/app"
	"cabane.dev/cabane/app/config"
)

func loadConfig(name string, args []string, stderr io.Writer) (*config.Config, *flag.FlagSet, error) {
	cfg := config.Default()
	// The flags write into cfg, so the pointer is what the caller keeps.
	fs := flag.NewFlagSet("cabane "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := cfg.Flags(fs, os.Getenv); err != nil {
		return &cfg, fs, err
	}
	return &cfg, fs, nil
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, fs, err := loadConfig("serve", args, stderr)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, *cfg, log, version)
	if err != nil {
		return err
	}
	runErr := a.Run(ctx)
	if err := a.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr == nil {
		log.Info("stopped cleanly")
	}
	return runErr
}
