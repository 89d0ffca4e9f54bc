package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"
)

// templates are the pages, each the layout plus its own file. A page's set
// holds its own copy of the layout's trees (html/template escapes a set in
// place, so sets cannot share them): the 28 pages kept parsed from the
// start were 3 MB of a 7 MB live heap, on a box that mostly answers the
// API. So each page is parsed at start only to fail there when broken, and
// kept from its first render on.
type templates struct {
	fsys   fs.FS
	layout *template.Template // only cloned, never executed
	files  map[string]string  // page name ("home") → file ("home.html")

	mu   sync.Mutex
	held map[string]*template.Template
}

func loadTemplates(fsys fs.FS) (*templates, error) {
	layout, err := template.New("").Funcs(funcs).ParseFS(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	ts := &templates{fsys: fsys, layout: layout, files: map[string]string{}, held: map[string]*template.Template{}}
	for _, p := range names {
		if p == "layout.html" {
			continue
		}
		if _, err := ts.parse(p); err != nil {
			return nil, err
		}
		ts.files[strings.TrimSuffix(p, ".html")] = p
	}
	return ts, nil
}

func (ts *templates) parse(file string) (*template.Template, error) {
	t, err := template.Must(ts.layout.Clone()).ParseFS(ts.fsys, file)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	return t, nil
}

// page is the template set of a page ("home" for home.html), parsed on its
// first call and kept.
func (ts *templates) page(name string) (*template.Template, error) {
	file, ok := ts.files[name]
	if !ok {
		return nil, fmt.Errorf("no template %q", name)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t, ok := ts.held[name]; ok {
		return t, nil
	}
	t, err := ts.parse(file)
	if err != nil {
		return nil, err
	}
	ts.held[name] = t
	return t, nil
}

// heldCount is how many pages are kept parsed (tests read it).
func (ts *templates) heldCount() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return len(ts.held)
}
