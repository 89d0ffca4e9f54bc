package web

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"cabane.dev/cabane/assets"
)

// Pages are checked at start but held parsed only once rendered: a box
// answering the API keeps none of them.
func TestTemplatesParsedOnFirstUse(t *testing.T) {
	ts, err := loadTemplates(assets.Templates())
	if err != nil {
		t.Fatal(err)
	}
	if len(ts.files) < 20 {
		t.Fatalf("%d pages known, want every page of assets/templates", len(ts.files))
	}
	if n := ts.heldCount(); n != 0 {
		t.Fatalf("%d pages held before any render, want 0", n)
	}
	home, err := ts.page("home")
	if err != nil {
		t.Fatal(err)
	}
	again, err := ts.page("home")
	if err != nil || again != home {
		t.Fatalf("second lookup: %p %v, want the same set %p", again, err, home)
	}
	if n := ts.heldCount(); n != 1 {
		t.Fatalf("%d pages held after rendering one, want 1", n)
	}
	if home.Lookup("content") == nil || home.Lookup("layout") == nil {
		t.Fatal("home's set lacks its content or the layout")
	}
	if _, err := ts.page("nope"); err == nil {
		t.Fatal("an unknown page gave a template")
	}
}

// A broken page fails the start, not its first visitor.
func TestTemplatesBrokenPageFailsAtLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"layout.html": {Data: []byte(`{{define "layout"}}<main>{{template "content" .}}</main>{{end}}`)},
		"good.html":   {Data: []byte(`{{define "content"}}ok{{end}}`)},
		"bad.html":    {Data: []byte(`{{define "content"}}{{if}}{{end}}`)},
	}
	if _, err := loadTemplates(fsys); err == nil || !strings.Contains(err.Error(), "bad.html") {
		t.Fatalf("loading a broken page: %v, want an error naming bad.html", err)
	}
	delete(fsys, "bad.html")
	ts, err := loadTemplates(fsys)
	if err != nil {
		t.Fatal(err)
	}
	good, err := ts.page("good")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := good.ExecuteTemplate(&out, "layout", nil); err != nil || out.String() != "<main>ok</main>" {
		t.Fatalf("render: %q %v", out.String(), err)
	}
}
