package following

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
)

// docs serves remote actor documents from a map, as inbox.Actors would
// fetch them (signed, from their own IRI).
type docs map[string]any

func (d docs) Object(_ context.Context, iri string) ([]byte, error) {
	doc, ok := d[iri]
	if !ok {
		return nil, fmt.Errorf("GET %s: 404", iri)
	}
	return json.Marshal(doc)
}

func (d docs) Actor(ctx context.Context, iri string) (store.RemoteActor, error) {
	b, err := d.Object(ctx, iri)
	if err != nil {
		return store.RemoteActor{}, err
	}
	return inbox.ReadActor(b, time.Now())
}

// locals names local accounts as /accounts/<id>.
type locals struct{}

func (locals) LocalActor(_ context.Context, a keys.Actor) (federation.LocalActor, error) {
	return federation.LocalActor{Key: a, IRI: fmt.Sprintf("https://cabane.example/accounts/%s%d", a.Kind, a.ID)}, nil
}

// sender records what would be delivered.
type sender struct {
	mu   sync.Mutex
	sent []map[string]any
}

func (s *sender) Send(_ context.Context, _ federation.LocalActor, activity []byte, _ []federation.Recipient) error {
	var m map[string]any
	if err := json.Unmarshal(activity, &m); err != nil {
		return err
	}
	s.mu.Lock()
	s.sent = append(s.sent, m)
	s.mu.Unlock()
	return nil
}

func (s *sender) all() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.sent...)
}

func remoteGroup(host, name string) (string, map[string]any, string, map[string]any) {
	g, p := "https://"+host+"/video-channels/"+name, "https://"+host+"/accounts/"+name+"_owner"
	actor := func(id, typ, user string) map[string]any {
		return map[string]any{"id": id, "type": typ, "preferredUsername": user, "inbox": id + "/inbox",
			"endpoints": map[string]string{"sharedInbox": "https://" + host + "/inbox"}}
	}
	group := actor(g, "Group", name)
	group["attributedTo"] = []map[string]string{{"type": "Person", "id": p}}
	return g, group, p, actor(p, "Person", name+"_owner")
}

// A local subscriber of a moved channel follows its new actor (Follow
// sent), keeps its subscription's date, and unfollows the old one (Undo
// sent); moving again sends nothing.
func TestMovedCarriesFollowsOver(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "cleo", Email: "c@example.org", PasswordHash: "x", ChannelName: "cleo_channel"})
	if err != nil {
		t.Fatal(err)
	}
	oldIRI, oldG, oldP, oldPDoc := remoteGroup("old.example", "anna")
	newIRI, newG, newP, newPDoc := remoteGroup("new.example", "ben")
	snd := &sender{}
	s := &Service{Identity: federation.NewIdentity("https://cabane.example", nil), Store: st.Follows(),
		Fetch: docs{oldIRI: oldG, oldP: oldPDoc, newIRI: newG, newP: newPDoc}, Locals: locals{}, Sender: snd}
	oldCh, err := s.Subscribe(ctx, u.AccountID, oldIRI)
	if err != nil {
		t.Fatal(err)
	}
	subs := st.Subscriptions()
	then := time.UnixMilli(time.Now().Add(-48 * time.Hour).UnixMilli())
	if err := subs.SetSubscriptionTime(ctx, u.AccountID, oldCh.ID, then); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Follows(ctx, oldIRI); err != nil || !ok {
		t.Fatalf("Follows(old) = %v %v", ok, err)
	}

	if err := s.Moved(ctx, oldIRI, newIRI); err != nil {
		t.Fatal(err)
	}
	sent := snd.all()[1:] // the first is the subscription's own Follow
	if len(sent) != 2 || sent[0]["type"] != "Follow" || sent[0]["object"] != newIRI ||
		sent[1]["type"] != "Undo" || sent[1]["object"].(map[string]any)["object"] != oldIRI {
		t.Fatalf("sent = %v", sent)
	}
	if _, err := st.Follows().FollowingOf(ctx, model.FollowerAccount, u.AccountID, oldIRI); err == nil {
		t.Error("still follows the old channel")
	}
	if f, err := st.Follows().FollowingOf(ctx, model.FollowerAccount, u.AccountID, newIRI); err != nil || f.State != model.FollowPending {
		t.Errorf("follow of the new channel: %+v %v", f, err)
	}
	list, total, err := subs.List(ctx, u.AccountID, 0, 10, "")
	if err != nil || total != 1 || list[0].Channel.Name != "ben@new.example" {
		t.Fatalf("subscriptions = %+v %d %v", list, total, err)
	}
	newCh := list[0].Channel
	if at, err := subs.SubscriptionTime(ctx, u.AccountID, newCh.ID); err != nil || !at.Equal(then) {
		t.Errorf("new subscription dated %v, want %v (%v)", at, then, err)
	}

	// Again (a replayed or repeated Move): nobody follows the old actor.
	if ok, _ := s.Follows(ctx, oldIRI); ok {
		t.Error("the old actor is still followed")
	}
	if err := s.Moved(ctx, oldIRI, newIRI); err != nil {
		t.Fatal(err)
	}
	if n := len(snd.all()); n != 3 {
		t.Errorf("%d activities after a replay, want 3", n)
	}
}
