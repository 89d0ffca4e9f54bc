package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cabane.dev/cabane/app/firstboot"
)

// cabane firstboot on a temporary card and root: the good lines apply, the
// bad one is reported and kept, and the command still succeeds (a bad line
// must not fail the boot).
func TestFirstbootCommand(t *testing.T) {
	boot, root, data := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "data")
	zone := filepath.Join(root, "usr/share/zoneinfo/Europe/Paris")
	if err := os.MkdirAll(filepath.Dir(zone), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zone, []byte("TZif"), 0o644); err != nil {
		t.Fatal(err)
	}
	card := filepath.Join(boot, "cabane.txt")
	if err := os.WriteFile(card, []byte("hostname = box\ntimezone = Europe/Paris\nwifi_pasword = hunter22hunter22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"firstboot", "--boot", boot, "--root", root, "--data", data}, nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/hostname")); string(b) != "box\n" {
		t.Errorf("hostname %q", b)
	}
	if dest, _ := os.Readlink(filepath.Join(root, "etc/localtime")); dest != "../usr/share/zoneinfo/Europe/Paris" {
		t.Errorf("localtime -> %q", dest)
	}
	b, _ := os.ReadFile(card)
	if !strings.Contains(string(b), "wifi_pasword = hunter22hunter22\n") || !strings.Contains(string(b), ": hostname = box\n") {
		t.Errorf("card %q", b)
	}
	var o firstboot.Outcome
	raw, err := os.ReadFile(filepath.Join(data, firstboot.OutcomeFile))
	if err != nil || json.Unmarshal(raw, &o) != nil {
		t.Fatalf("outcome %s %v", raw, err)
	}
	if len(o.Applied) != 2 || len(o.Problems) != 1 || o.Problems[0].Line != 3 || strings.Contains(string(raw), "hunter") {
		t.Errorf("outcome %s", raw)
	}
	if !strings.Contains(stdout.String(), "line 3") {
		t.Errorf("stdout %q", stdout.String())
	}

	// No card file: nothing to do, no failure.
	if err := run(context.Background(), []string{"firstboot", "--boot", t.TempDir(), "--root", root}, nil, &stdout, &stderr); err != nil {
		t.Errorf("without cabane.txt: %v", err)
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"firstboot", "--help"}, nil, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "-boot") {
		t.Errorf("--help: %v %q", err, stdout.String())
	}
}
