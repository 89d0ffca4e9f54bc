package integration

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// A second server on the same data directory stops at once, saying why,
// before it touches anything (uploads, ffmpeg leftovers, jobs); the first
// one keeps serving.
func TestSecondServerOnOneDataDirectoryStops(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	first := testrig.Start(t, testrig.Options{Data: data})
	cmd := exec.Command(testrig.Binary(t), "serve", "--data", data, "--listen", testrig.FreeAddr(t), "--mdns=false")
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the second server did not stop")
	}
	if err == nil || !strings.Contains(string(out), "already running") {
		t.Errorf("second server: %v\n%s", err, out)
	}
	var cfg map[string]any
	if testrig.GetJSON(t, first.URL("/api/v1/config"), &cfg) != 200 {
		t.Error("the first server stopped answering")
	}
}
