package firstboot

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/durable"
)

// OutcomeFile is the outcome's name in the data directory.
const OutcomeFile = "firstboot.json"

// Outcome is what the last run did with cabane.txt; the setup page and the
// admin overview show it.
type Outcome struct {
	Time     time.Time `json:"time"`
	File     string    `json:"file"`
	Applied  []string  `json:"applied,omitempty"` // keys
	Enabled  []string  `json:"enabled,omitempty"` // systemd units
	Problems []Problem `json:"problems,omitempty"`
}

// ReadOutcome reads the data directory's outcome; ok is false when there
// is none (no cabane.txt was ever given).
func ReadOutcome(dataDir string) (o Outcome, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dataDir, OutcomeFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Outcome{}, false, nil
	}
	if err != nil {
		return Outcome{}, false, fmt.Errorf("read first-boot outcome: %w", err)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return Outcome{}, false, fmt.Errorf("read first-boot outcome: %w", err)
	}
	return o, true, nil
}

// writeOutcome stores o in dataDir, owned by the cabane user when root has
// one: the service runs as that user and its data directory is its own.
func writeOutcome(root, dataDir string, o Outcome) error {
	uid, gid, hasUser := lookupUser(root, "cabane")
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		if hasUser {
			if err := os.Lchown(dataDir, uid, gid); err != nil {
				return fmt.Errorf("data directory owner: %w", err)
			}
		}
	}
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return fmt.Errorf("encode first-boot outcome: %w", err)
	}
	p := filepath.Join(dataDir, OutcomeFile)
	// 0644: no secret is in it (passwords are masked), and the data
	// directory itself is closed to others.
	if err := durable.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write first-boot outcome: %w", err)
	}
	if hasUser {
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("first-boot outcome owner: %w", err)
		}
	}
	return nil
}

// lookupUser finds a user in root's /etc/passwd (not this process's: the
// root may be an image being prepared).
func lookupUser(root, name string) (uid, gid int, ok bool) {
	f, err := os.Open(filepath.Join(root, "etc/passwd"))
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) < 4 || fields[0] != name {
			continue
		}
		u, err1 := strconv.Atoi(fields[2])
		g, err2 := strconv.Atoi(fields[3])
		return u, g, err1 == nil && err2 == nil
	}
	return 0, 0, false
}
