package update

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"cabane.dev/cabane/app/durable"
)

// State is releases/state.json: which release runs, which ran before, and
// whether the current one has proved itself yet.
type State struct {
	// Current is the release the launcher starts; "" is the launcher's
	// own (factory) binary.
	Current  string `json:"current"`
	Previous string `json:"previous"`
	// Pending: Current was installed and has not yet answered its own
	// health check. Attempts counts its starts; Deadline is set at the
	// first one.
	Pending  bool      `json:"pending"`
	Deadline time.Time `json:"deadline"`
	Attempts int       `json:"attempts"`
	// Launcher is the factory binary these releases were installed over:
	// if the package manager replaces it, the releases no longer apply.
	Launcher     Identity  `json:"launcher"`
	LastRollback *Rollback `json:"last_rollback,omitempty"`
}

// Identity names a binary.
type Identity struct {
	Path    string `json:"path,omitempty"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// Rollback records why a release was abandoned.
type Rollback struct {
	From   string    `json:"from"`
	To     string    `json:"to"` // "" is the factory binary
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Dir is the releases directory inside the data directory
// (config.Layout.Releases()).
type Dir string

func (d Dir) statePath() string            { return filepath.Join(string(d), "state.json") }
func (d Dir) release(v string) string      { return filepath.Join(string(d), v) }
func (d Dir) Binary(v string) string       { return filepath.Join(string(d), v, "cabane") }
func (d Dir) snapshot(v string) string     { return filepath.Join(string(d), v, "pre-update.db") }
func (d Dir) stagingDir(v string) string   { return filepath.Join(string(d), "."+v+".staging") }
func (d Dir) stagedBinary(v string) string { return filepath.Join(d.stagingDir(v), "cabane") }

// Load reads the state; a missing file is the zero State (nothing
// installed).
func (d Dir) Load() (State, error) {
	var s State
	b, err := os.ReadFile(d.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read update state: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("read update state %s: %w", d.statePath(), err)
	}
	return s, nil
}

// Save writes the state durably (write, fsync, rename, fsync).
func (d Dir) Save(s State) error {
	if err := os.MkdirAll(string(d), 0o750); err != nil {
		return fmt.Errorf("create %s: %w", d, err)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := durable.WriteFile(d.statePath(), append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("save update state: %w", err)
	}
	return nil
}
