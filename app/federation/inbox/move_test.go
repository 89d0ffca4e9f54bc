package inbox

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

// fakeMover is following.Service's side of a Move: who follows whom here,
// and the moves it was asked to make.
type fakeMover struct {
	mu       sync.Mutex
	followed map[string]bool
	moves    [][2]string
}

func (m *fakeMover) Follows(_ context.Context, iri string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.followed[iri], nil
}

func (m *fakeMover) Moved(_ context.Context, oldIRI, newIRI string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.moves = append(m.moves, [2]string{oldIRI, newIRI})
	delete(m.followed, oldIRI)
	m.followed[newIRI] = true
	return nil
}

func (m *fakeMover) all() [][2]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][2]string(nil), m.moves...)
}

// moveRig is the inbox with a local follower of alice (remote), whose new
// actor is bob on the same remote server, served with alsoKnownAs aka.
func moveRig(t *testing.T) (*rig, *remote, *fakeMover) {
	t.Helper()
	r := newRig(t)
	rem := newRemote(t, false)
	m := &fakeMover{followed: map[string]bool{rem.iri("alice"): true}}
	r.svc.Mover = m
	rem.notes = map[string]any{"/users/bob": rem.actor("bob")}
	return r, rem, m
}

func moveJSON(t *testing.T, rem *remote, id, actor, object, target string) []byte {
	return activityJSON(t, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": rem.srv.URL + id,
		"type": "Move", "actor": actor, "object": object, "target": target})
}

// A Move of a followed actor to one that lists it in alsoKnownAs is
// carried out once: the follows move, and the replay changes nothing.
func TestMoveAccepted(t *testing.T) {
	r, rem, m := moveRig(t)
	rem.notes["/users/bob"].(map[string]any)["alsoKnownAs"] = []string{"https://elsewhere.example/users/x", rem.iri("alice")}
	body := moveJSON(t, rem, "/moves/1", rem.iri("alice"), rem.iri("alice"), rem.iri("bob"))
	if st := r.post(rem, "alice", body); st != http.StatusNoContent {
		t.Fatalf("Move: %d", st)
	}
	if got := m.all(); len(got) != 1 || got[0] != [2]string{rem.iri("alice"), rem.iri("bob")} {
		t.Fatalf("moves = %v", got)
	}
	// The same Move again, and another one of the now unfollowed actor.
	if st := r.post(rem, "alice", body); st != http.StatusNoContent && st != http.StatusAccepted {
		t.Fatalf("replay: %d", st)
	}
	if st := r.post(rem, "alice", moveJSON(t, rem, "/moves/2", rem.iri("alice"), rem.iri("alice"), rem.iri("bob"))); st != http.StatusAccepted {
		t.Fatalf("second Move: %d", st)
	}
	if got := m.all(); len(got) != 1 {
		t.Fatalf("a replay moved again: %v", got)
	}
}

// alsoKnownAs may be a single IRI (Mastodon's compaction of a one-item
// array).
func TestMoveAcceptsOneAlias(t *testing.T) {
	r, rem, m := moveRig(t)
	rem.notes["/users/bob"].(map[string]any)["alsoKnownAs"] = rem.iri("alice")
	if st := r.post(rem, "alice", moveJSON(t, rem, "/moves/1", rem.iri("alice"), rem.iri("alice"), rem.iri("bob"))); st != http.StatusNoContent {
		t.Fatalf("Move: %d", st)
	}
	if len(m.all()) != 1 {
		t.Fatal("not moved")
	}
}

// Refused, nothing moved: a target that does not name the old actor
// (no alsoKnownAs, or others only), a Move of someone else, a target
// that is no actor.
func TestMoveRefused(t *testing.T) {
	for _, tc := range []struct {
		name          string
		aka           []string
		object, their string
		want          int
	}{
		{"no alsoKnownAs", nil, "alice", "bob", http.StatusUnauthorized},
		{"others only", []string{"https://elsewhere.example/users/alice"}, "alice", "bob", http.StatusUnauthorized},
		{"someone else's move", []string{"BOB"}, "bob", "bob", http.StatusUnauthorized},
		{"target is not an actor", []string{"ALICE"}, "alice", "carol", http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, rem, m := moveRig(t)
			if tc.aka != nil {
				for i, a := range tc.aka {
					switch a {
					case "ALICE":
						tc.aka[i] = rem.iri("alice")
					case "BOB":
						tc.aka[i] = rem.iri("bob")
					}
				}
				rem.notes["/users/bob"].(map[string]any)["alsoKnownAs"] = tc.aka
			}
			body := moveJSON(t, rem, "/moves/1", rem.iri("alice"), rem.iri(tc.object), rem.iri(tc.their))
			if st := r.post(rem, "alice", body); st != tc.want {
				t.Fatalf("status %d, want %d", st, tc.want)
			}
			if got := m.all(); len(got) != 0 {
				t.Fatalf("moved: %v", got)
			}
		})
	}
}

// A Move of an actor nobody here follows concerns nothing here: answered
// 202.
func TestMoveOfUnfollowedActor(t *testing.T) {
	r, rem, m := moveRig(t)
	m.followed = map[string]bool{}
	if st := r.post(rem, "alice", moveJSON(t, rem, "/moves/1", rem.iri("alice"), rem.iri("alice"), rem.iri("bob"))); st != http.StatusAccepted {
		t.Fatalf("Move: %d", st)
	}
	if len(m.all()) != 0 {
		t.Fatal("moved")
	}
}
