package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A command typed on the box sees the service's data directory and
// settings: the unit's Environment= lines, then its files in order, and the
// process's own environment over both.
func TestServiceEnv(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "default")
	env := filepath.Join(dir, "cabane.env")
	os.WriteFile(def, []byte("# comment\nCABANE_LISTEN=:8080\nCABANE_NAME=\"Box\"\n"), 0o644)
	os.WriteFile(env, []byte("CABANE_LISTEN=:80\n"), 0o644)
	unit := filepath.Join(dir, "cabane.service")
	os.WriteFile(unit, []byte("[Service]\nEnvironmentFile=-"+def+"\nEnvironmentFile=-"+filepath.Join(dir, "missing")+
		"\nEnvironmentFile=-"+env+"\nEnvironment=CABANE_DATA=/var/lib/cabane\n"), 0o644)

	got := serviceEnv([]string{filepath.Join(dir, "none.service"), unit})
	want := map[string]string{"CABANE_DATA": "/var/lib/cabane", "CABANE_LISTEN": ":80", "CABANE_NAME": "Box"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	t.Setenv("CABANE_LISTEN", ":9999")
	if v := commandEnv(got)("CABANE_LISTEN"); v != ":9999" {
		t.Errorf("the process's own environment must win: %q", v)
	}
	if serviceEnv([]string{filepath.Join(dir, "none.service")}) != nil {
		t.Error("no unit: no service environment")
	}
	// The real unit: its data directory is what the commands find.
	if v := serviceEnv([]string{"../../image/systemd/cabane.service"})["CABANE_DATA"]; v != "/var/lib/cabane" {
		t.Errorf("the shipped unit's CABANE_DATA: %q", v)
	}
}
