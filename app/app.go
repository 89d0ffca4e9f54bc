// Package app wires Cabane's parts together: one App holds the shared
// dependencies that cmd/cabane builds and runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/web"
	"cabane.dev/cabane/hardware"
)

// App is a running Cabane.
type App struct {
	Config config.Config
	Layout config.Layout
	Log    *slog.Logger
	Store  *store.Store
	Jobs   *jobs.Queue
	Media  *media.Runner
	Auth   *auth.Service
	Videos *videos.Service
	Web    *web.Server
}

// Open prepares the data directory, opens and migrates the database, and
// builds the services. It starts nothing.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, version string) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	a := &App{Config: cfg, Layout: config.Layout{Root: cfg.DataDir}, Log: log}
	if err := a.Layout.Prepare(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, a.Layout.DB(), store.Options{BackupDir: a.Layout.Backups()})
	if err != nil {
		return nil, err
	}
	a.Store = st
	a.Jobs = jobs.New(st.DB(), log.With("part", "jobs"), jobs.Options{})
	// Transcodes run below the web server's priority: a playing video and a
	// page load must stay quick while the box encodes.
	a.Media = &media.Runner{FFmpeg: cfg.FFmpeg, FFprobe: cfg.FFprobe, Nice: 10, IdleIO: true, Logger: log.With("part", "media")}
	a.Auth = &auth.Service{Store: st}
	enc := hardware.Encoder(hardware.Libx264{})
	a.Videos = &videos.Service{Store: st, Jobs: a.Jobs, Media: a.Media, Layout: a.Layout, Log: log.With("part", "videos"),
		Encoder: func() hardware.Encoder { return enc }}
	a.Jobs.Register(videos.JobKind, a.Videos.Handle)
	a.Web, err = web.New(web.Deps{Config: cfg, Store: st, Auth: a.Auth, Videos: a.Videos, Log: log.With("part", "web"), Version: version})
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// Run serves HTTP and processes jobs until ctx ends (SIGTERM), then stops
// taking requests, lets the current job be re-queued, and returns.
func (a *App) Run(ctx context.Context) error {
	if err := a.Videos.SweepOrphans(ctx); err != nil {
		return fmt.Errorf("clean up after the last run: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 3)
	wg.Add(3)
	go func() {
		defer wg.Done()
		if err := a.Jobs.Run(ctx, a.Config.Workers); err != nil {
			errc <- fmt.Errorf("jobs: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		a.Videos.RunViewFlusher(ctx, 30*time.Second)
	}()
	go func() {
		defer wg.Done()
		srv := &http.Server{Addr: a.Config.Listen, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
		a.Log.Info("serving", "listen", a.Config.Listen, "data", a.Config.DataDir)
		if err := a.Web.Serve(ctx, srv); err != nil {
			errc <- err
		}
	}()
	var err error
	select {
	case err = <-errc:
		cancel()
	case <-ctx.Done():
	}
	wg.Wait()
	close(errc)
	for e := range errc {
		err = errors.Join(err, e)
	}
	return err
}

// Close closes the database cleanly.
func (a *App) Close() error {
	return a.Store.Close()
}
