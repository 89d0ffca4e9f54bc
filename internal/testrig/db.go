package testrig

import (
	"context"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Rendition is a published rendition as the database records it.
type Rendition struct {
	Name   string // "720p"
	Height int
	Copied bool // packaged from the upload's own streams (the copy path), not encoded
}

// Renditions reads a video's renditions (by UUID) from the data
// directory's database, opened read-only beside the running server: facts
// a test can check that no log wording can fake.
func Renditions(t testing.TB, data, videoUUID string) []Rendition {
	t.Helper()
	db := openRO(t, data)
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT r.name, r.height, r.copied FROM renditions r
		JOIN videos v ON v.id = r.video_id WHERE v.uuid = ? ORDER BY r.height DESC`, videoUUID)
	if err != nil {
		t.Fatalf("read renditions of %s: %v", videoUUID, err)
	}
	defer rows.Close()
	var rs []Rendition
	for rows.Next() {
		var r Rendition
		if err := rows.Scan(&r.Name, &r.Height, &r.Copied); err != nil {
			t.Fatalf("read renditions of %s: %v", videoUUID, err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read renditions of %s: %v", videoUUID, err)
	}
	return rs
}
