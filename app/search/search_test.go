package search

import "testing"

// What a person types becomes words that must all appear, each also as a
// prefix; nothing typed is FTS5 syntax.
func TestMatchExpr(t *testing.T) {
	for in, want := range map[string]string{
		"été à Paris":            `"été"* "à"* "Paris"*`,
		`  "AND" OR NEAR(x, 2)*`: `"AND"* "OR"* "NEAR"* "x"* "2"*`,
		"l'île-de-France":        `"l"* "île"* "de"* "France"*`,
		"!!! ...":                ``,
		"":                       ``,
	} {
		if got := MatchExpr(in); got != want {
			t.Errorf("MatchExpr(%q) = %s, want %s", in, got, want)
		}
	}
	long := ""
	for range 20 {
		long += "mot "
	}
	if got := MatchExpr(long); len(got) != maxTerms*len(`"mot"* `)-1 {
		t.Errorf("20 words gave %q, want %d terms", got, maxTerms)
	}
}

// Handles and channel URLs: ours resolve to a name, others' to nothing.
func TestChannelRefs(t *testing.T) {
	s := &Service{}
	for _, c := range []struct {
		in        string
		name      string
		ok, local bool
	}{
		{"@chan@box.local", "chan", true, true},
		{"chan@BOX.local", "chan", true, true},
		{"@chan@elsewhere.example", "", true, false},
		{"https://box.local/c/chan/videos", "chan", true, true},
		{"http://box.local/video-channels/chan", "chan", true, true},
		{"https://elsewhere.example/c/chan", "chan", true, false},
		{"https://box.local/about", "", true, false},
		{"chan", "", false, false},
		{"cooking with gas", "", false, false},
	} {
		name, ok, local := s.channelRef(c.in, "box.local")
		if ok != c.ok || local != c.local || local && name != c.name {
			t.Errorf("%q: %q %v %v, want %q %v %v", c.in, name, ok, local, c.name, c.ok, c.local)
		}
	}
}
