package jobs

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"cabane.dev/cabane/app/store"
)

// crashChildEnv, when set to a database path, turns the test binary into the
// child process of TestKill9ResumesJob instead of running the tests.
const crashChildEnv = "CABANE_JOBS_CRASH_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		if err := crashChild(path); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild runs a queue whose handler blocks forever, ignoring its
// context, until the parent kills the process.
func crashChild(path string) error {
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	q := New(st.DB(), slog.New(slog.NewTextHandler(os.Stderr, nil)), Options{Owner: "child"})
	q.Register("encode", func(ctx context.Context, j *Job) error {
		select {} // stuck in ffmpeg, until SIGKILL
	})
	return q.Run(ctx, 1)
}

// A real kill -9 of the process running a job: the next process resumes it
// at start-up, without waiting out the dead process's 60 s lease.
func TestKill9ResumesJob(t *testing.T) {
	db, path := openDB(t)
	ctx := context.Background()
	q := newQueue(t, db, Options{Poll: time.Hour})
	id, err := q.Enqueue(ctx, "encode", map[string]string{"video": "v1"})
	if err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), crashChildEnv+"="+path)
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			child.Process.Kill()
			child.Wait()
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st, owner, _ := leaseOf(t, db, id); st == StateRunning && owner == "child" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child never ran the job; its output:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	killed = true
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL; output:\n%s", child.ProcessState, out.String())
	}
	st, owner, until := leaseOf(t, db, id)
	if st != StateRunning || owner != "child" || time.Until(until) < 30*time.Second {
		t.Fatalf("after the kill the row is %s by %q until %v; want still running under the dead child's lease", st, owner, until)
	}

	var got map[string]string
	q.Register("encode", func(ctx context.Context, j *Job) error { return j.Decode(&got) })
	began := time.Now()
	start(t, q, 1)
	j := waitState(t, q, id, StateDone)
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("resumed after %v; want at once", took)
	}
	if j.Attempts != 2 || got["video"] != "v1" {
		t.Fatalf("resumed job %+v with payload %v; want attempt 2 with the same payload", j, got)
	}
}
