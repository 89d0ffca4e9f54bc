package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/config"
)

// Manager makes backups in the background for the admin page: one at a
// time, into the data directory's backups/ folder, keeping the newest few.
type Manager struct {
	Layout  config.Layout
	Version string
	Log     *slog.Logger
	// Keep is how many archives stay in backups/ (the newest); 2 when 0.
	// Each holds all the media: more would fill a small box's disk.
	Keep int
	Now  func() time.Time

	mu     sync.Mutex
	status Status
	cancel context.CancelFunc
	done   chan struct{}
}

// Status is the current or last background backup.
type Status struct {
	Running  bool
	Started  time.Time
	Finished time.Time
	Files    int
	Bytes    int64
	Name     string // the archive, once made
	Err      string // why the last one failed
}

// Archive is one backup kept in backups/.
type Archive struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// ErrBusy: a backup is already being made.
var ErrBusy = errors.New("a backup is already being made")

// ErrNoArchive: no kept backup has that name.
var ErrNoArchive = errors.New("no such backup")

// archiveName is what Manager names its archives; nothing else in
// backups/ (the database copies taken before a migration) is listed,
// served or deleted.
var archiveName = regexp.MustCompile(`^cabane-\d{8}-\d{6}\.tar$`)

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Start begins a backup in the background and returns at once.
func (m *Manager) Start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.status.Running {
		return ErrBusy
	}
	started := m.now()
	name := "cabane-" + started.UTC().Format("20060102-150405") + ".tar"
	ctx, cancel := context.WithCancel(context.Background())
	m.status = Status{Running: true, Started: started}
	m.cancel, m.done = cancel, make(chan struct{})
	go m.run(ctx, name, m.done)
	return nil
}

func (m *Manager) run(ctx context.Context, name string, done chan struct{}) {
	defer close(done)
	log := m.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dst := filepath.Join(m.Layout.Backups(), name)
	man, err := Create(ctx, m.Layout, dst, Options{Version: m.Version, Log: log, Now: m.Now,
		Progress: func(files int, bytes int64) {
			m.mu.Lock()
			m.status.Files, m.status.Bytes = files, bytes
			m.mu.Unlock()
		}})
	m.mu.Lock()
	m.status.Running, m.status.Finished = false, m.now()
	if err != nil {
		m.status.Err = err.Error()
	} else {
		m.status.Name, m.status.Files, m.status.Bytes = name, len(man.Files), man.Bytes()
	}
	m.mu.Unlock()
	if err != nil {
		log.Error("backup failed", "err", err)
		return
	}
	log.Info("backup made", "file", dst, "files", len(man.Files), "bytes", man.Bytes())
	if err := m.prune(); err != nil {
		log.Warn("remove old backups", "err", err)
	}
	if n, err := SweepLeftovers(m.Layout, m.now()); err != nil {
		log.Warn("remove crashed backups' leftovers", "err", err)
	} else if n > 0 {
		log.Info("removed crashed backups' leftovers", "count", n)
	}
}

// Status says what the background backup is doing or last did.
func (m *Manager) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status
}

// List returns the kept archives, newest first.
func (m *Manager) List() ([]Archive, error) {
	entries, err := os.ReadDir(m.Layout.Backups())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var as []Archive
	for _, e := range entries {
		if !e.Type().IsRegular() || !archiveName.MatchString(e.Name()) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		as = append(as, Archive{Name: e.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
	}
	// The names sort by time.
	sort.Slice(as, func(i, j int) bool { return as[i].Name > as[j].Name })
	return as, nil
}

// Open opens the kept archive called name for download.
func (m *Manager) Open(name string) (*os.File, error) {
	if !archiveName.MatchString(name) {
		return nil, ErrNoArchive
	}
	f, err := os.Open(filepath.Join(m.Layout.Backups(), name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoArchive
	}
	return f, err
}

// prune deletes all but the newest Keep archives.
func (m *Manager) prune() error {
	keep := m.Keep
	if keep <= 0 {
		keep = 2
	}
	as, err := m.List()
	if err != nil {
		return err
	}
	for i := keep; i < len(as); i++ {
		if err := os.Remove(filepath.Join(m.Layout.Backups(), as[i].Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Close stops a backup being made (its partial file is removed) and waits.
func (m *Manager) Close() {
	m.mu.Lock()
	cancel, done := m.cancel, m.done
	m.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Wait waits for the backup being made, if any, to end.
func (m *Manager) Wait() {
	m.mu.Lock()
	done := m.done
	m.mu.Unlock()
	if done != nil {
		<-done
	}
}

// staleAfter is how old a backup's leftovers must be before they are
// swept: a backup running now (the admin's, or `cabane backup` in another
// process) writes into its own, far younger than this.
const staleAfter = 24 * time.Hour

// SweepLeftovers removes what crashed backups left in backups/: their
// scratch folders (the database snapshot) and partial archives, once they
// are older than staleAfter. It returns how many it removed.
func SweepLeftovers(l config.Layout, now time.Time) (int, error) {
	entries, err := os.ReadDir(l.Backups())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sweep backups: %w", err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, ".scratch-") && !(strings.HasPrefix(name, ".") && strings.Contains(name, ".partial-")) {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < staleAfter {
			continue
		}
		if err := os.RemoveAll(filepath.Join(l.Backups(), name)); err != nil {
			return n, fmt.Errorf("sweep backups: %w", err)
		}
		n++
	}
	return n, nil
}
