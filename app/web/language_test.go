package web

import (
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"cabane.dev/cabane/app/i18n"
	"cabane.dev/cabane/assets"
)

// Every message a template asks for is in every catalogue, and no
// catalogue lacks a key another has: a missing key would print as itself.
func TestCataloguesCoverTemplates(t *testing.T) {
	cat, err := i18n.Load(assets.Locales())
	if err != nil {
		t.Fatal(err)
	}
	if m := cat.Missing(); len(m) > 0 {
		t.Errorf("catalogues lack keys: %v", m)
	}
	use := regexp.MustCompile(`\.(T|N) "([^"]+)"`)
	pages, err := fs.Glob(assets.Templates(), "*.html")
	if err != nil {
		t.Fatal(err)
	}
	en := map[string]bool{}
	for _, k := range cat.Keys("en") {
		en[k] = true
	}
	used := 0
	for _, p := range pages {
		b, err := fs.ReadFile(assets.Templates(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			used++
			keys := []string{m[2]}
			if m[1] == "N" {
				keys = []string{m[2] + ".one", m[2] + ".other"}
			}
			for _, k := range keys {
				if !en[k] {
					t.Errorf("%s uses %q, which no catalogue defines", p, k)
				}
			}
		}
	}
	if used == 0 {
		t.Fatal("no template uses the catalogues: the pattern is stale")
	}
}

func TestLanguageSwitcher(t *testing.T) {
	r := newRig(t)
	get := func(path string, hdr map[string]string, cookies ...*http.Cookie) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, r.http.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	// The browser's language, then the switcher's choice over it.
	if _, body := get("/nearby", map[string]string{"Accept-Language": "fr-FR,fr;q=0.9"}); !strings.Contains(body, `<html lang="fr">`) {
		t.Errorf("Accept-Language fr: page is not French:\n%.300s", body)
	}
	if _, body := get("/nearby", nil); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, `href="/lang/fr?next=%2Fnearby"`) {
		t.Errorf("default page: not English or no link to French:\n%s", body)
	}
	res, _ := get("/lang/fr?next=/nearby", nil)
	var picked *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == langCookie {
			picked = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/nearby" || picked == nil || picked.Value != "fr" {
		t.Fatalf("switch to fr: %d to %q, cookie %v", res.StatusCode, res.Header.Get("Location"), picked)
	}
	if _, body := get("/nearby", map[string]string{"Accept-Language": "en"}, picked); !strings.Contains(body, `<html lang="fr">`) {
		t.Error("the switcher's cookie does not win over Accept-Language")
	}
	// The switcher never sends anyone off the site, and knows its languages.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		res, _ := get("/lang/en?next="+next, nil)
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirects to %q", next, loc)
		}
	}
	if res, _ := get("/lang/xx", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown language: %d", res.StatusCode)
	}
}
