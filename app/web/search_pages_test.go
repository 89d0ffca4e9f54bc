package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"cabane.dev/cabane/app/model"
)

// parsedPage is a fetched page's tree.
type parsedPage struct{ root *html.Node }

func (sr *searchRig) parsed(t *testing.T, path, who string, hdr map[string]string) parsedPage {
	t.Helper()
	res, body := sr.send(t, http.MethodGet, path, nil, hdr, who, false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return parsedPage{root}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// all returns the elements named tag for which keep is true, in order.
func (p parsedPage) all(tag string, keep func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag && (keep == nil || keep(n)) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(p.root)
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// resultTitles are the titles of the video cards, in order.
func (p parsedPage) resultTitles() []string {
	var out []string
	for _, h := range p.all("h3", nil) {
		out = append(out, text(h))
	}
	return out
}

func (p parsedPage) h1() string {
	if hs := p.all("h1", nil); len(hs) > 0 {
		return text(hs[0])
	}
	return ""
}

// The search page: results with thumbnails and links, matching channels,
// the query kept in its form, nothing private, English and French.
func TestSearchPage(t *testing.T) {
	sr := newSearchRig(t)
	v := sr.video(t, "Été au jardin", model.PrivacyPublic, model.Meta{Tags: []string{"jardin"}})
	sr.video(t, "Été secret", model.PrivacyPrivate, model.Meta{})
	sr.video(t, "Autre chose", model.PrivacyPublic, model.Meta{})

	p := sr.parsed(t, "/search?search=ete", "", nil)
	if got := p.resultTitles(); !slices.Equal(got, []string{"Été au jardin"}) {
		t.Errorf("results: %v", got)
	}
	if h := p.h1(); h != "Results for “ete”" {
		t.Errorf("heading: %q", h)
	}
	links := p.all("a", func(n *html.Node) bool { return attr(n, "href") == "/w/"+v.ShortUUID })
	imgs := p.all("img", func(n *html.Node) bool { return strings.Contains(attr(n, "src"), v.UUID) })
	if len(links) == 0 || len(imgs) != 1 {
		t.Errorf("the result links to /w/%s (%d) with its thumbnail (%d)", v.ShortUUID, len(links), len(imgs))
	}
	inputs := p.all("input", func(n *html.Node) bool { return attr(n, "id") == "search-page-input" })
	if len(inputs) != 1 || attr(inputs[0], "value") != "ete" {
		t.Errorf("the page's form does not keep the query")
	}
	// The owner finds their private video neither: a search lists.
	if got := sr.parsed(t, "/search?search=secret", "user", nil).resultTitles(); len(got) != 0 {
		t.Errorf("private video on the search page: %v", got)
	}
	// A channel's name finds the channel.
	p = sr.parsed(t, "/search?search="+url.QueryEscape(sr.userChannel.Name), "", nil)
	if chs := p.all("a", func(n *html.Node) bool { return attr(n, "href") == "/c/"+sr.userChannel.Name }); len(chs) == 0 {
		t.Errorf("no link to the matching channel")
	}
	// Nothing found: said so.
	p = sr.parsed(t, "/search?search=introuvable", "", nil)
	if got := p.all("p", func(n *html.Node) bool { return attr(n, "class") == "empty" }); len(got) != 1 || text(got[0]) != "Nothing matches this search." {
		t.Errorf("empty result not said")
	}
	// In French.
	fr := map[string]string{"Accept-Language": "fr-FR,fr;q=0.9"}
	p = sr.parsed(t, "/search?search=ete", "", fr)
	if h := p.h1(); h != "Résultats pour « ete »" {
		t.Errorf("French heading: %q", h)
	}
	if got := p.resultTitles(); !slices.Equal(got, []string{"Été au jardin"}) {
		t.Errorf("French results: %v", got)
	}
	// A duration filter link keeps the query.
	p = sr.parsed(t, "/search?search=ete", "", nil)
	long := p.all("a", func(n *html.Node) bool { return strings.Contains(attr(n, "href"), "duration=long") })
	if len(long) != 1 || !strings.Contains(attr(long[0], "href"), "search=ete") {
		t.Fatalf("duration filter links: %d", len(long))
	}
	if got := sr.parsed(t, attr(long[0], "href"), "", nil).resultTitles(); len(got) != 0 {
		t.Errorf("long videos (the test's have no duration): %v", got)
	}
}

// Tag pages, at PeerTube's /search?tagsOneOf= and at /videos/tags/<tag>.
func TestTagPages(t *testing.T) {
	sr := newSearchRig(t)
	sr.video(t, "Potager", model.PrivacyPublic, model.Meta{Tags: []string{"Jardin"}})
	sr.video(t, "Verger", model.PrivacyPublic, model.Meta{Tags: []string{"jardin", "fruits"}})
	sr.video(t, "Cuisine", model.PrivacyPublic, model.Meta{Tags: []string{"fruits"}})
	sr.video(t, "Caché", model.PrivacyUnlisted, model.Meta{Tags: []string{"jardin"}})
	for _, path := range []string{"/videos/tags/jardin", "/search?tagsOneOf=jardin"} {
		p := sr.parsed(t, path, "", nil)
		if got := p.resultTitles(); !sameNames(got, []string{"Potager", "Verger"}) {
			t.Errorf("%s: %v", path, got)
		}
		if h := p.h1(); h != "Videos tagged #jardin" {
			t.Errorf("%s heading: %q", path, h)
		}
	}
	if h := sr.parsed(t, "/videos/tags/jardin", "", map[string]string{"Accept-Language": "fr"}).h1(); h != "Vidéos avec le mot-clé #jardin" {
		t.Errorf("French tag heading: %q", h)
	}
	// A search within a tag.
	if got := sr.parsed(t, "/search?tagsOneOf=fruits&search=verg", "", nil).resultTitles(); !slices.Equal(got, []string{"Verger"}) {
		t.Errorf("search within a tag: %v", got)
	}
}

// Every page's header has the search form, labelled, in the visitor's
// language; it leads to the search page.
func TestHeaderSearchForm(t *testing.T) {
	sr := newSearchRig(t)
	for _, c := range []struct {
		lang, label, button string
	}{{"en", "Search videos and channels", "Search"}, {"fr", "Rechercher des vidéos et des chaînes", "Rechercher"}} {
		for _, path := range []string{"/", "/videos/trending", "/c/" + sr.userChannel.Name} {
			p := sr.parsed(t, path, "", map[string]string{"Accept-Language": c.lang})
			forms := p.all("form", func(n *html.Node) bool { return attr(n, "role") == "search" && attr(n, "action") == "/search" })
			if len(forms) == 0 {
				t.Errorf("%s (%s): no search form", path, c.lang)
				continue
			}
			f := parsedPage{forms[0]}
			inputs := f.all("input", func(n *html.Node) bool { return attr(n, "name") == "search" })
			labels := f.all("label", func(n *html.Node) bool { return len(inputs) == 1 && attr(n, "for") == attr(inputs[0], "id") })
			buttons := f.all("button", nil)
			if attr(forms[0], "method") != "get" || len(inputs) != 1 || len(labels) != 1 || text(labels[0]) != c.label ||
				len(buttons) != 1 || text(buttons[0]) != c.button {
				t.Errorf("%s (%s): the search form is not complete", path, c.lang)
			}
		}
	}
}

// The trending page's tabs: trending (recent views), most viewed, most
// liked, each in its order.
func TestTrendingPage(t *testing.T) {
	sr := newSearchRig(t)
	ctx := context.Background()
	a := sr.video(t, "Ancien succès", model.PrivacyPublic, model.Meta{})
	b := sr.video(t, "Nouveau", model.PrivacyPublic, model.Meta{})
	c := sr.video(t, "Aimé", model.PrivacyPublic, model.Meta{})
	sr.video(t, "Privé", model.PrivacyPrivate, model.Meta{})
	if err := sr.store.Videos.AddViews(ctx, map[int64]int64{b.ID: 5, a.ID: 2}); err != nil {
		t.Fatal(err)
	}
	// a's old views: counted in its total, not in the last days.
	if _, err := sr.store.DB().Exec("UPDATE videos SET views = views + 100 WHERE id = ?", a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sr.store.DB().Exec("UPDATE videos SET likes = 9 WHERE id = ?", c.ID); err != nil {
		t.Fatal(err)
	}
	sr.store.Videos.SetState(ctx, c.ID, model.StatePublished) // a write: listings' caches forget
	for _, tc := range []struct {
		path, heading string
		first         []string
	}{
		{"/videos/trending", "Trending", []string{"Nouveau", "Ancien succès"}},
		{"/videos/trending?sort=-trending", "Trending", []string{"Nouveau", "Ancien succès"}},
		{"/videos/trending?sort=-views", "Most viewed", []string{"Ancien succès", "Nouveau"}},
		{"/videos/trending?sort=-likes", "Most liked", []string{"Aimé"}},
	} {
		p := sr.parsed(t, tc.path, "", nil)
		got := p.resultTitles()
		if len(got) != 3 || !slices.Equal(got[:len(tc.first)], tc.first) {
			t.Errorf("%s: %v, want %v first (and never the private one)", tc.path, got, tc.first)
		}
		if h := p.h1(); h != tc.heading {
			t.Errorf("%s heading: %q", tc.path, h)
		}
		cur := p.all("a", func(n *html.Node) bool { return attr(n, "aria-current") == "page" })
		if len(cur) != 1 || text(cur[0]) != tc.heading {
			t.Errorf("%s: the current tab is not marked", tc.path)
		}
	}
	if h := sr.parsed(t, "/videos/trending?sort=-likes", "", map[string]string{"Accept-Language": "fr"}).h1(); h != "Les plus aimées" {
		t.Errorf("French: %q", h)
	}
}
