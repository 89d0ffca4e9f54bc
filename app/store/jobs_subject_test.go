package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"cabane.dev/cabane/app/model"
)

// Migration 0003 fills the new jobs columns of an existing database from
// the payloads, once; FailAbandoned then finds a video's jobs by the column.
func TestJobsSubjectMigrationBackfillsAndFailAbandonedUsesIt(t *testing.T) {
	ctx := context.Background()
	db, err := openDB(filepath.Join(t.TempDir(), "cabane.db"))
	if err != nil {
		t.Fatal(err)
	}
	st := &Store{db: db, counts: newCounts(), Aggregates: aggregates(db, db, newCounts())}
	defer st.Close()
	old := fstest.MapFS{}
	for _, name := range []string{"0001_init.sql", "0002_list_indexes.sql"} {
		b, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		old["migrations/"+name] = &fstest.MapFile{Data: b}
	}
	if err := st.migrateFrom(ctx, old, ""); err != nil {
		t.Fatal(err)
	}
	ch := oldSchemaChannel(t, db, "alice", "alice_ch", "alice_ch")
	// A row as version 2 wrote it (Create writes today's columns).
	v := model.Video{UUID: "11111111-1111-1111-1111-111111111111", ShortUUID: "short1", ChannelID: ch.ID, Name: "v"}
	res, err := db.ExecContext(ctx, `INSERT INTO videos(uuid, short_uuid, channel_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)`,
		v.UUID, v.ShortUUID, v.ChannelID, v.Name)
	if err != nil {
		t.Fatal(err)
	}
	v.ID, _ = res.LastInsertId()
	// A video.process job as version 2 wrote it (payload only), failed for
	// good, and a job of another kind whose payload has no video.
	for _, row := range []struct{ kind, payload, state string }{
		{"video.process", `{"video_id":` + strconv.FormatInt(v.ID, 10) + `}`, "failed"},
		{"other.kind", `not json`, "queued"},
	} {
		if _, err := db.ExecContext(ctx, `INSERT INTO jobs(kind, payload, state, run_after, created_at, updated_at) VALUES (?, ?, ?, 0, 0, 0)`,
			row.kind, row.payload, row.state); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.migrateFrom(ctx, migrationFiles, ""); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT kind, video_id, owner_account_id FROM jobs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		kind         string
		video, owner *int64
	}
	var gs []got
	for rows.Next() {
		var g got
		if err := rows.Scan(&g.kind, &g.video, &g.owner); err != nil {
			t.Fatal(err)
		}
		gs = append(gs, g)
	}
	rows.Close()
	if len(gs) != 2 || gs[0].video == nil || *gs[0].video != v.ID || gs[0].owner == nil || *gs[0].owner != ch.AccountID {
		t.Fatalf("video job after migration: %+v, want video %d owner %d", gs, v.ID, ch.AccountID)
	}
	if gs[1].video != nil || gs[1].owner != nil {
		t.Errorf("other job got video %v owner %v, want NULLs", gs[1].video, gs[1].owner)
	}

	// The payload no longer matters: FailAbandoned reads the column.
	if _, err := db.ExecContext(ctx, `UPDATE jobs SET payload = '{}' WHERE kind = 'video.process'`); err != nil {
		t.Fatal(err)
	}
	n, err := st.Videos.FailAbandoned(ctx, "video.process")
	if err != nil || n != 1 {
		t.Fatalf("FailAbandoned: %d, %v; want 1 video", n, err)
	}
	if got, _ := st.Videos.ByID(ctx, v.ID); got.State != model.StateTranscodingFailed {
		t.Errorf("video state %d, want failed", got.State)
	}
	// The lookup is an index search, not a scan of the jobs table.
	var plan string
	r, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT 1 FROM jobs j WHERE j.video_id = 1 AND j.kind = 'video.process'`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var id, parent, unused int
		var detail string
		r.Scan(&id, &parent, &unused, &detail)
		plan += detail + ";"
	}
	r.Close()
	if want := "USING INDEX jobs_video"; !strings.Contains(plan, want) {
		t.Errorf("query plan %q does not use jobs_video", plan)
	}
}

// oldSchemaChannel writes a user, their account and a channel with the
// columns of the first schema, for migration tests that stop before the
// tables today's CreateUser touches exist. It returns the channel.
func oldSchemaChannel(t *testing.T, db *sql.DB, name, channel, display string) model.Channel {
	t.Helper()
	ctx := context.Background()
	exec := func(q string, args ...any) int64 {
		res, err := db.ExecContext(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	u := exec(`INSERT INTO users(username, email, password_hash, created_at) VALUES (?, ?, 'x', 0)`, name, name+"@example.org")
	a := exec(`INSERT INTO accounts(user_id, name, display_name, created_at) VALUES (?, ?, ?, 0)`, u, name, name)
	c := exec(`INSERT INTO channels(account_id, name, display_name, created_at) VALUES (?, ?, ?, 0)`, a, channel, display)
	return model.Channel{ID: c, AccountID: a, Name: channel, DisplayName: display}
}
