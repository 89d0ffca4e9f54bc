package i18n

import (
	"testing"
	"testing/fstest"
)

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"en/a.json": {Data: []byte(`{"home.title":"Videos","video.views.one":"%d view","video.views.other":"%d views","greet":"Hello %s"}`)},
		"en/b.json": {Data: []byte(`{"only.en":"English only"}`)},
		"fr/a.json": {Data: []byte(`{"home.title":"Vidéos","video.views.one":"%d vue","video.views.other":"%d vues","greet":"Bonjour %s"}`)},
	}
}

func TestPrinter(t *testing.T) {
	c, err := Load(testFS())
	if err != nil {
		t.Fatal(err)
	}
	en, fr := c.Printer("en"), c.Printer("fr")
	for _, tc := range []struct{ got, want string }{
		{en.T("home.title"), "Videos"},
		{fr.T("home.title"), "Vidéos"},
		{fr.T("greet", "Zoé"), "Bonjour Zoé"},
		{en.N("video.views", 1), "1 view"},
		{en.N("video.views", 0), "0 views"},
		{fr.N("video.views", 0), "0 vue"}, // French counts zero as singular
		{fr.N("video.views", 2), "2 vues"},
		{fr.T("only.en"), "English only"}, // falls back to English
		{fr.T("no.such.key"), "no.such.key"},
		{c.Printer("de").T("home.title"), "Videos"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if m := c.Missing(); len(m) != 1 || len(m["fr"]) != 1 || m["fr"][0] != "only.en" {
		t.Errorf("Missing() = %v, want fr lacking only.en", m)
	}
}

func TestChoose(t *testing.T) {
	c, err := Load(testFS())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ picked, accept, want string }{
		{"", "fr-CA,fr;q=0.9,en;q=0.8", "fr"},
		{"", "de-DE,de;q=0.9", "en"},
		{"", "de,fr;q=0.5", "fr"},
		{"", "", "en"},
		{"en", "fr", "en"},          // the switcher wins over the browser
		{"xx", "fr", "fr"},          // an unknown cookie is ignored
		{"", "garbage;;;q=x", "en"}, // a malformed header is ignored
	} {
		if got := c.Choose(tc.picked, tc.accept); got != tc.want {
			t.Errorf("Choose(%q, %q) = %q, want %q", tc.picked, tc.accept, got, tc.want)
		}
	}
	if l := c.Langs(); len(l) != 2 || l[0] != "en" || l[1] != "fr" {
		t.Errorf("Langs() = %v", l)
	}
}

func TestLoadRefuses(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"duplicate key": {"en/a.json": {Data: []byte(`{"k":"a"}`)}, "en/b.json": {Data: []byte(`{"k":"b"}`)}},
		"bad json":      {"en/a.json": {Data: []byte(`{"k":`)}},
		"no default":    {"fr/a.json": {Data: []byte(`{"k":"a"}`)}},
		"bad tag":       {"en/a.json": {Data: []byte(`{}`)}, "not a tag!/a.json": {Data: []byte(`{}`)}},
	} {
		if _, err := Load(fsys); err == nil {
			t.Errorf("%s: Load succeeded", name)
		}
	}
}

// Plural forms follow CLDR for the language, and a form the catalogue
// lacks falls back to "other".
func TestPluralForms(t *testing.T) {
	c, err := Load(fstest.MapFS{
		"en/a.json": {Data: []byte(`{"n.one":"%d file","n.other":"%d files"}`)},
		"fr/a.json": {Data: []byte(`{"n.one":"%d fichier","n.other":"%d fichiers"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	en, fr := c.Printer("en"), c.Printer("fr")
	for _, tc := range []struct{ got, want string }{
		{en.N("n", -1), "-1 file"},
		{en.N("n", 1000000), "1000000 files"},
		{fr.N("n", 1), "1 fichier"},
		{fr.N("n", 2), "2 fichiers"},
		{fr.N("n", 0), "0 fichier"}, // French counts zero as singular
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
