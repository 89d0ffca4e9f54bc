package testrig

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"testing"
)

// Delivery is one federation delivery still pending in an instance's
// queue: an activity not yet accepted by one inbox.
type Delivery struct {
	Inbox     string
	Host      string
	Type      string // the activity's type: "Create", "Update", ...
	Object    string // the activity's object id, or the object's own id when embedded
	Tries     int    // failed tries so far
	LastError string
	Body      []byte // the activity as it is sent
}

// PendingDeliveries reads the deliveries still queued in the data
// directory's database, opened read-only beside the running server (or
// with no server at all): a test sees a delivery wait for a stopped
// instance without trusting any log line.
func PendingDeliveries(t testing.TB, data string) []Delivery {
	t.Helper()
	db := openRO(t, data)
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT t.inbox, t.host, t.tries, t.last_error, a.body
		FROM delivery_targets t JOIN delivery_activities a ON a.id = t.activity_id ORDER BY t.job_id`)
	if err != nil {
		t.Fatalf("read pending deliveries: %v", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var body []byte
		if err := rows.Scan(&d.Inbox, &d.Host, &d.Tries, &d.LastError, &body); err != nil {
			t.Fatalf("read pending deliveries: %v", err)
		}
		var act struct {
			Type   string          `json:"type"`
			Object json.RawMessage `json:"object"`
		}
		if err := json.Unmarshal(body, &act); err != nil {
			t.Fatalf("pending delivery to %s: activity is not JSON: %v", d.Inbox, err)
		}
		d.Type, d.Body = act.Type, body
		var id string
		if json.Unmarshal(act.Object, &id) != nil {
			var obj struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(act.Object, &obj)
			id = obj.ID
		}
		d.Object = id
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read pending deliveries: %v", err)
	}
	return out
}

// openRO opens the data directory's database read-only, waiting on the
// server's writes rather than failing on them.
func openRO(t testing.TB, data string) *sql.DB {
	t.Helper()
	q := url.Values{"mode": {"ro"}}
	q.Add("_pragma", "busy_timeout(5000)")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "cabane.db")+"?"+q.Encode())
	if err != nil {
		t.Fatalf("open database read-only: %v", err)
	}
	return db
}

// FollowState is the state of the instance's follow of a remote actor
// (by its IRI): "pending" until the actor's Accept has come, "accepted"
// after, "" when it follows it not. A test waits for the Accept before
// publishing: what the followed channel sends earlier is not taken.
func FollowState(t testing.TB, data, actorIRI string) string {
	t.Helper()
	db := openRO(t, data)
	defer db.Close()
	var state string
	err := db.QueryRowContext(context.Background(), `SELECT g.state FROM following g JOIN remote_actors r ON r.id = g.remote_actor_id
		WHERE r.iri = ?`, actorIRI).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return ""
	}
	if err != nil {
		t.Fatalf("read the follow of %s: %v", actorIRI, err)
	}
	return state
}
