package firstboot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"cabane.dev/cabane/app/durable"
)

// FileName is the settings file on the boot partition.
const FileName = "cabane.txt"

// Options are what `cabane firstboot` is told.
type Options struct {
	Boot string // the directory holding cabane.txt (/boot/firmware)
	Root string // the system to configure ("/")
	Data string // Cabane's data directory; default Root/var/lib/cabane
	Now  func() time.Time
	Log  *slog.Logger
}

// ErrNoFile says there is no cabane.txt: nothing to do.
var ErrNoFile = errors.New("no " + FileName)

// Run applies cabane.txt: parse, apply, rewrite the card's copy, record
// the outcome. Only a file that cannot be read is an error: every other
// problem is in the Outcome (and logged), so the boot goes on.
func Run(ctx context.Context, o Options) (Outcome, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Data == "" {
		o.Data = filepath.Join(o.Root, "var/lib/cabane")
	}
	path := filepath.Join(o.Boot, FileName)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Outcome{}, ErrNoFile
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("read %s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Outcome{}, fmt.Errorf("read %s: %w", path, err)
	}
	out := Outcome{Time: o.Now().UTC(), File: path}
	s, problems := Parser{Root: o.Root}.Parse(bytes.NewReader(data))
	lines, _ := splitLines(data)

	res, _ := Apply(ctx, o.Root, s)
	out.Applied, out.Enabled = res.Applied, res.Enabled
	applied := map[int]bool{}
	for _, k := range res.Applied {
		for _, n := range s.Lines[k] {
			applied[n] = true
		}
	}
	for _, f := range res.Failed {
		for _, n := range s.Lines[f.Key] {
			problems = append(problems, Problem{Line: n, Key: f.Key, Text: masked(f.Key, lines[n-1].text),
				Message: msg("could not be applied: %v", "n'a pas pu être appliqué : %v", f.Err)})
		}
	}

	// A file the parser could not read as lines (UTF-16, too large) is
	// left as it is: rewriting it line by line would garble it.
	readable := !(len(problems) > 0 && problems[0].Line == 0)
	if readable {
		if next := Consume(data, applied, problems, o.Now()); !bytes.Equal(next, data) {
			// The file's own mode: on FAT a chmod to anything else fails.
			if err := durable.WriteFile(path, next, fi.Mode().Perm()); err != nil {
				problems = append(problems, Problem{Message: msg(
					"could not be rewritten on the card (%v): remove the Wi-Fi password from it yourself",
					"n'a pas pu être réécrit sur la carte (%v) : retirez-en vous-même le mot de passe Wi-Fi", err)})
			}
		}
	}
	out.Problems = problems
	for _, p := range problems {
		o.Log.Warn("firstboot: "+FileName+" line not applied", "line", p.Line, "key", p.Key, "problem", p.Message.EN)
	}
	o.Log.Info("firstboot: "+FileName+" applied", "keys", out.Applied, "units", out.Enabled, "live", res.Live, "problems", len(problems))

	// Nothing given and nothing wrong (a card whose lines were all applied
	// at an earlier boot): keep the earlier outcome for the setup page.
	if s.Empty() && len(problems) == 0 {
		return out, nil
	}
	if err := writeOutcome(o.Root, o.Data, out); err != nil {
		o.Log.Error("firstboot: record the outcome", "err", err)
	}
	return out, nil
}
