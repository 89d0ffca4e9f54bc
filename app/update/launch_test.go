package update

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// rig is a data directory with releases v1 (previous) and v2 (pending),
// a "database" and its pre-update copy, as files with known contents.
type rig struct {
	dir  Dir
	db   string
	now  time.Time
	self Identity
}

func newRig(t *testing.T) *rig {
	root := t.TempDir()
	r := &rig{dir: Dir(filepath.Join(root, "releases")), db: filepath.Join(root, "cabane.db"),
		now: time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC), self: Identity{Version: "1.0", SHA256: "aaaa"}}
	for _, v := range []string{"1.1", "1.2"} {
		os.MkdirAll(r.dir.release(v), 0o750)
		os.WriteFile(r.dir.Binary(v), []byte("bin "+v), 0o755)
	}
	write(t, r.db, "after migration by 1.2")
	write(t, r.db+"-wal", "1.2's wal")
	write(t, r.dir.snapshot("1.2"), "before 1.2")
	if err := r.dir.Save(State{Current: "1.2", Previous: "1.1", Pending: true, Launcher: r.self}); err != nil {
		t.Fatal(err)
	}
	return r
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func (r *rig) launch(t *testing.T) (string, State) {
	t.Helper()
	l := Launcher{Dir: r.dir, DB: r.db, Self: r.self, Now: func() time.Time { return r.now }}
	bin, err := l.Decide(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.dir.Load()
	if err != nil {
		t.Fatal(err)
	}
	return bin, st
}

func TestLauncherCrashesThreeTimes(t *testing.T) {
	r := newRig(t)
	for i := 1; i <= MaxAttempts; i++ {
		bin, st := r.launch(t)
		if bin != r.dir.Binary("1.2") || st.Attempts != i || !st.Pending {
			t.Fatalf("start %d: %s, %+v", i, bin, st)
		}
		if i == 1 && !st.Deadline.Equal(r.now.Add(HealthWindow)) {
			t.Errorf("deadline %s, want a minute after the first start", st.Deadline)
		}
		r.now = r.now.Add(5 * time.Second) // each crash is quick
	}
	bin, st := r.launch(t)
	if bin != r.dir.Binary("1.1") || st.Current != "1.1" || st.Pending {
		t.Fatalf("after three crashes: %s, %+v", bin, st)
	}
	if rb := st.LastRollback; rb == nil || rb.From != "1.2" || rb.To != "1.1" || rb.Reason != ReasonCrashed {
		t.Errorf("last rollback %+v", st.LastRollback)
	}
	if got := read(t, r.db); got != "before 1.2" {
		t.Errorf("database after rollback: %q", got)
	}
	if _, err := os.Stat(r.db + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the failed release's WAL is still there: %v", err)
	}
	if _, err := os.Stat(r.dir.release("1.2")); !os.IsNotExist(err) {
		t.Error("the failed release is still installed")
	}
	// The next start runs 1.1 again, without another rollback.
	if bin, st2 := r.launch(t); bin != r.dir.Binary("1.1") || st2.LastRollback.At != st.LastRollback.At {
		t.Errorf("start after rollback: %s %+v", bin, st2)
	}
}

func TestLauncherNoHealthCheckInTime(t *testing.T) {
	r := newRig(t)
	r.launch(t)
	r.now = r.now.Add(HealthWindow + time.Second) // the release hung and was killed
	bin, st := r.launch(t)
	if bin != r.dir.Binary("1.1") || st.LastRollback == nil || st.LastRollback.Reason != ReasonNoHealth {
		t.Fatalf("after the deadline: %s %+v", bin, st)
	}
}

// Back to the factory binary: no exec, the launcher runs its own code.
func TestLauncherRollsBackToFactory(t *testing.T) {
	r := newRig(t)
	st, _ := r.dir.Load()
	st.Previous = ""
	r.dir.Save(st)
	r.dir.Abandon(t, r)
	bin, st := r.launch(t)
	if bin != "" || st.Current != "" || st.LastRollback.To != "" {
		t.Fatalf("%q %+v", bin, st)
	}
}

func (d Dir) Abandon(t *testing.T, r *rig) {
	t.Helper()
	l := Launcher{Dir: d, DB: r.db, Self: r.self}
	if err := l.Abandon("test"); err != nil {
		t.Fatal(err)
	}
}

func TestCommit(t *testing.T) {
	r := newRig(t)
	os.MkdirAll(r.dir.release("1.0"), 0o750) // older than previous: removed
	r.launch(t)
	if err := r.dir.Commit("1.1"); err == nil {
		t.Error("committed a release that is not pending")
	}
	if err := r.dir.Commit("1.2"); err != nil {
		t.Fatal(err)
	}
	bin, st := r.launch(t)
	if bin != r.dir.Binary("1.2") || st.Pending || st.Attempts != 0 || st.LastRollback != nil {
		t.Fatalf("after commit: %s %+v", bin, st)
	}
	for v, want := range map[string]bool{"1.0": false, "1.1": true, "1.2": true} {
		if _, err := os.Stat(r.dir.release(v)); (err == nil) != want {
			t.Errorf("release %s kept: %v, want %v", v, err == nil, want)
		}
	}
	if _, err := os.Stat(r.dir.snapshot("1.2")); !os.IsNotExist(err) {
		t.Error("the pre-update copy outlived the commit")
	}
}

// A package upgrade replaced the launcher: it runs, not the releases.
func TestLauncherReplacedByPackageManager(t *testing.T) {
	r := newRig(t)
	r.self = Identity{Version: "2.0", SHA256: "bbbb"}
	bin, st := r.launch(t)
	if bin != "" || st.Current != "" || st.Pending || st.Launcher.SHA256 != "bbbb" {
		t.Fatalf("%q %+v", bin, st)
	}
	if got := read(t, r.db); got != "after migration by 1.2" {
		t.Errorf("the database was touched: %q", got)
	}
}

func TestPendingFor(t *testing.T) {
	r := newRig(t)
	if _, p, _ := r.dir.PendingFor("1.2"); !p {
		t.Error("1.2 is pending")
	}
	if _, p, _ := r.dir.PendingFor("1.1"); p {
		t.Error("1.1 is not")
	}
}

// A release whose first start cannot copy the database is rolled back
// without touching the live database: it never ran, and the older copy
// from staging would lose what was written since.
func TestLauncherNoSnapshotKeepsTheDatabase(t *testing.T) {
	r := newRig(t)
	write(t, r.db, "written after staging")
	l := Launcher{Dir: r.dir, DB: r.db, Self: r.self, Now: func() time.Time { return r.now },
		Snapshot: func(context.Context, string) error { return os.ErrPermission }}
	bin, err := l.Decide(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st, _ := r.dir.Load()
	if bin != r.dir.Binary("1.1") || st.LastRollback == nil || st.LastRollback.Reason != ReasonNoSnapshot {
		t.Fatalf("after a failed copy: %s %+v", bin, st)
	}
	if got := read(t, r.db); got != "written after staging" {
		t.Errorf("the live database was replaced by the staging copy: %q", got)
	}
}

// A committed release whose binary vanished: back to the previous binary,
// and the database, which holds everything since the update, stays.
func TestLauncherMissingCommittedBinaryKeepsTheDatabase(t *testing.T) {
	r := newRig(t)
	if err := r.dir.Save(State{Current: "1.2", Previous: "1.1", Launcher: r.self}); err != nil {
		t.Fatal(err)
	}
	os.Remove(r.dir.Binary("1.2"))
	bin, st := r.launch(t)
	if bin != r.dir.Binary("1.1") || st.LastRollback == nil || st.LastRollback.Reason != ReasonNoBinary {
		t.Fatalf("missing binary: %s %+v", bin, st)
	}
	if got := read(t, r.db); got != "after migration by 1.2" {
		t.Errorf("the database of a committed release was replaced: %q", got)
	}
}
