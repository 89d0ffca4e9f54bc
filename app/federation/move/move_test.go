package move

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

const base = "https://cabane.example"

// remoteDocs serves remote actors' documents; ResolveActor takes URLs as
// they are.
type remoteDocs map[string]map[string]any

func (d remoteDocs) Object(_ context.Context, iri string) ([]byte, error) {
	doc, ok := d[iri]
	if !ok {
		return nil, fmt.Errorf("GET %s: 404", iri)
	}
	return json.Marshal(doc)
}

func (d remoteDocs) ResolveActor(_ context.Context, uri string) (string, error) { return uri, nil }

func (d remoteDocs) Subscribe(context.Context, int64, string) (model.Channel, error) {
	return model.Channel{}, errors.New("no subscriber here")
}

func (d remoteDocs) MovedHere(context.Context, string, int64) error {
	return errors.New("no follower here")
}

type localNames struct{}

func (localNames) LocalActor(_ context.Context, a keys.Actor) (federation.LocalActor, error) {
	return federation.LocalActor{Key: a, IRI: base + "/accounts/anna"}, nil
}

type audience struct{}

func (audience) Followers(context.Context, ...keys.Actor) ([]federation.Recipient, error) {
	return []federation.Recipient{{Actor: "https://m.example/users/f", Inbox: "https://m.example/users/f/inbox", SharedInbox: "https://m.example/inbox"}}, nil
}

type recorder struct {
	mu      sync.Mutex
	sent    []map[string]any
	changed []keys.Actor
}

func (r *recorder) Send(_ context.Context, from federation.LocalActor, b []byte, to []federation.Recipient) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return nil
}

func newService(t *testing.T, aka any) (*Service, *recorder, *store.Moves) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	target := map[string]any{"id": "https://new.example/users/anna", "type": "Person", "preferredUsername": "anna",
		"inbox": "https://new.example/users/anna/inbox", "url": "https://new.example/@anna"}
	if aka != nil {
		target["alsoKnownAs"] = aka
	}
	docs := remoteDocs{"https://new.example/users/anna": target}
	rec := &recorder{}
	s := &Service{Identity: federation.NewIdentity(base, nil), Store: st.Moves(), Following: docs, Fetch: docs, Locals: localNames{},
		Audience: audience{}, Sender: rec, Changed: func(_ context.Context, a keys.Actor) { rec.changed = append(rec.changed, a) }}
	return s, rec, st.Moves()
}

var anna = visibility.Viewer{UserID: 1, AccountID: 7}

// An account moves to an actor that names it: movedTo is stored (the
// page goes there), its followers get Move{actor, object: itself,
// target}, and an Update is queued.
func TestMoveAccount(t *testing.T) {
	s, rec, st := newService(t, []string{base + "/accounts/anna"})
	ctx := context.Background()
	me := keys.Actor{Kind: keys.Account, ID: 7}
	got, err := s.MoveTo(ctx, anna, me, "https://new.example/users/anna")
	if err != nil || got != "https://new.example/users/anna" {
		t.Fatalf("MoveTo = %q %v", got, err)
	}
	m, err := st.MovedTo(ctx, "account", 7)
	if err != nil || m.IRI != "https://new.example/users/anna" || m.URL != "https://new.example/@anna" {
		t.Fatalf("stored move = %+v %v", m, err)
	}
	if len(rec.sent) != 1 {
		t.Fatalf("sent %d activities", len(rec.sent))
	}
	mv := rec.sent[0]
	if mv["type"] != "Move" || mv["actor"] != base+"/accounts/anna" || mv["object"] != base+"/accounts/anna" || mv["target"] != "https://new.example/users/anna" {
		t.Errorf("Move = %v", mv)
	}
	if len(rec.changed) != 1 || rec.changed[0] != me {
		t.Errorf("updates queued: %v", rec.changed)
	}
	if aka, moved, err := s.ActorMove(ctx, "account", 7); err != nil || moved != "https://new.example/users/anna" || len(aka) != 0 {
		t.Errorf("ActorMove = %v %q %v", aka, moved, err)
	}
}

// Refused, nothing stored nor sent: a target without the old actor in
// its alsoKnownAs, someone else's account, an actor of this server.
func TestMoveRefused(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		aka    any
		viewer visibility.Viewer
		target string
		want   error
	}{
		{"no alsoKnownAs", nil, anna, "https://new.example/users/anna", ErrNotAlias},
		{"another alias", []string{"https://elsewhere.example/anna"}, anna, "https://new.example/users/anna", ErrNotAlias},
		{"not hers", []string{base + "/accounts/anna"}, visibility.Viewer{UserID: 2, AccountID: 8}, "https://new.example/users/anna", ErrForbidden},
		{"anonymous", []string{base + "/accounts/anna"}, visibility.Viewer{}, "https://new.example/users/anna", ErrForbidden},
		{"itself", []string{base + "/accounts/anna"}, anna, base + "/accounts/anna", ErrSelf},
		{"this server", []string{base + "/accounts/anna"}, anna, base + "/accounts/ben", ErrLocal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, rec, st := newService(t, tc.aka)
			if _, err := s.MoveTo(ctx, tc.viewer, keys.Actor{Kind: keys.Account, ID: 7}, tc.target); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if _, err := st.MovedTo(ctx, "account", 7); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a move was stored: %v", err)
			}
			if len(rec.sent) != 0 || len(rec.changed) != 0 {
				t.Errorf("sent %v, updates %v", rec.sent, rec.changed)
			}
		})
	}
}

// Aliases: added once fetched (an actor that exists), listed, removed;
// each change queues an Update.
func TestAliases(t *testing.T) {
	s, rec, _ := newService(t, nil)
	ctx := context.Background()
	me := keys.Actor{Kind: keys.Account, ID: 7}
	if _, err := s.AddAlias(ctx, anna, me, "https://nowhere.example/users/x"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("alias of a missing actor: %v", err)
	}
	if iri, err := s.AddAlias(ctx, anna, me, "https://new.example/users/anna"); err != nil || iri != "https://new.example/users/anna" {
		t.Fatalf("AddAlias = %q %v", iri, err)
	}
	st, err := s.State(ctx, anna, me)
	if err != nil || len(st.AlsoKnownAs) != 1 || st.AlsoKnownAs[0] != "https://new.example/users/anna" || st.IRI != base+"/accounts/anna" {
		t.Fatalf("State = %+v %v", st, err)
	}
	if err := s.RemoveAlias(ctx, anna, me, "https://new.example/users/anna"); err != nil {
		t.Fatal(err)
	}
	if aka, _, _ := s.ActorMove(ctx, "account", 7); len(aka) != 0 {
		t.Errorf("aliases after removal: %v", aka)
	}
	if len(rec.changed) != 2 {
		t.Errorf("%d updates queued, want 2", len(rec.changed))
	}
}
