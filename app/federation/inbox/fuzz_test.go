package inbox

import (
	"testing"
	"time"
)

// The inbox's decoders never panic, and what they accept holds their
// promises (an http(s) id on the actor's server; an actor with an inbox).
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":"https://a.example/1","type":"Follow","actor":"https://a.example/u","object":"https://b.example/c"}`))
	f.Add([]byte(`{"id":"https://a.example/1","type":"Undo","actor":{"id":"https://a.example/u"},"object":{"type":"Follow","id":"x"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parse(b)
		if err != nil {
			return
		}
		if !httpURL(a.ID) || !httpURL(a.actor) || hostOf(a.ID) != hostOf(a.actor) || a.Type == "" {
			t.Errorf("accepted %q: %+v", b, a)
		}
		_, _ = idOf(a.Object), typeOf(a.Object)
	})
}

func FuzzReadActor(f *testing.F) {
	f.Add([]byte(`{"id":"https://a.example/u","type":"Person","preferredUsername":"u","inbox":"https://a.example/u/inbox","icon":[{"url":"https://a.example/i.png"}]}`))
	f.Add([]byte(`{"id":"https://a.example/u","type":"Group","preferredUsername":"ü","inbox":"https://a.example/i","url":{"href":"x"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadActor(b, time.Unix(0, 0))
		if err != nil {
			return
		}
		if !httpURL(a.IRI) || !httpURL(a.Inbox) || a.PreferredUsername == "" || len(a.Name) > 500 {
			t.Errorf("accepted %q: %+v", b, a)
		}
	})
}
