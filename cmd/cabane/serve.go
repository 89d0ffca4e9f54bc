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
	getenv := os.Getenv
	if name != "serve" {
		// Under systemd the server gets the unit's environment; the
		// commands an administrator types on the box read the same.
		getenv = commandEnv(serviceEnv(serviceUnits))
	}
	if err := cfg.Flags(fs, getenv); err != nil {
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
	l := config.Layout{Root: cfg.DataDir}
	// The launcher: may become the current release here (exec), or roll
	// a failing one back first.
	launch(ctx, l, log)
	life := newLifecycle(l, log)
	a, err := app.Open(ctx, *cfg, log, version)
	if err != nil {
		return err
	}
	ctx = life.context(ctx)
	a.OnListening = life.onListening
	a.Web.Update = life.adminHooks(a.Store.DB())
	runErr := a.Run(ctx)
	if err := a.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr == nil && !life.restart.Load() {
		log.Info("stopped cleanly")
	}
	return life.finish(ctx, runErr)
}
