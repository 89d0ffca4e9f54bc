package federation_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"cabane.dev/cabane/app/federation"
)

// moves is a Moves for tests: aliases and moves by kind.
type moves map[string][2][]string

func (m moves) ActorMove(_ context.Context, kind string, _ int64) ([]string, string, error) {
	v := m[kind]
	moved := ""
	if len(v[1]) > 0 {
		moved = v[1][0]
	}
	return v[0], moved, nil
}

// A moved account's Person says movedTo; a channel's Group lists its
// aliases in alsoKnownAs (Mastodon's terms, in the @context); an actor
// without either leaves them out.
func TestActorsAlsoKnownAsAndMovedTo(t *testing.T) {
	s, _ := service(t)
	ctx := context.Background()
	s.Moves = moves{federation.KindAccount: {nil, {"https://new.example/users/alice"}},
		federation.KindChannel: {{"https://old.example/video-channels/a", "https://old.example/video-channels/b"}, nil}}
	p, err := s.Person(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Group(ctx, "alice_channel")
	if err != nil {
		t.Fatal(err)
	}
	var pj, gj map[string]any
	for doc, into := range map[any]*map[string]any{&p: &pj, &g: &gj} {
		b, _ := json.Marshal(doc)
		if err := json.Unmarshal(b, into); err != nil {
			t.Fatal(err)
		}
	}
	if pj["movedTo"] != "https://new.example/users/alice" || pj["alsoKnownAs"] != nil {
		t.Errorf("Person: movedTo %v alsoKnownAs %v", pj["movedTo"], pj["alsoKnownAs"])
	}
	if aka, _ := gj["alsoKnownAs"].([]any); len(aka) != 2 || aka[1] != "https://old.example/video-channels/b" || gj["movedTo"] != nil {
		t.Errorf("Group: alsoKnownAs %v movedTo %v", gj["alsoKnownAs"], gj["movedTo"])
	}
	ctxTerms := string(p.Context)
	for _, term := range []string{`"alsoKnownAs":{"@id":"as:alsoKnownAs","@type":"@id"}`, `"movedTo":{"@id":"as:movedTo","@type":"@id"}`} {
		if !strings.Contains(ctxTerms, term) {
			t.Errorf("@context lacks %s", term)
		}
	}
}
