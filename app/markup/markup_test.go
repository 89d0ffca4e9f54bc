package markup

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestHTML(t *testing.T) {
	r := New()
	cases := []struct{ in, want string }{
		{"", ""},
		{"  \n", ""},
		{"Hello\nworld\n\nSecond", "<p>Hello<br>\nworld</p>\n<p>Second</p>\n"},
		{"# Rules\n- be **kind**\n- no *spam*", "<h2>Rules</h2>\n<ul>\n<li>be <strong>kind</strong></li>\n<li>no <em>spam</em></li>\n</ul>\n"},
		{"see [the site](https://example.org/a?b=1&c=2)", `<p>see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noreferrer noopener" target="_blank">the site</a></p>` + "\n"},
		{"visit https://peertube.example/w/abc today", `<p>visit <a href="https://peertube.example/w/abc" rel="nofollow noreferrer noopener" target="_blank">https://peertube.example/w/abc</a> today</p>` + "\n"},
		{"`a*b*c`", "<p><code>a*b*c</code></p>\n"},
		{"<script>alert(1)</script>", ""},
		{"x <b onclick=alert(1)>y</b>", "<p>x y</p>\n"},
		{"[x](javascript:alert(1))", "<p>x</p>\n"},
		{"![img](https://tracker.example/pixel.gif)", "<p></p>\n"},
		{"~~old~~", "<p><del>old</del></p>\n"},
	}
	for _, c := range cases {
		if got := r.HTML(c.in); got != c.want {
			t.Errorf("HTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// allowed are the elements and attributes a rendered text may contain.
var allowed = map[string]map[string]bool{
	"p": {}, "br": {}, "strong": {}, "em": {}, "del": {}, "code": {}, "pre": {}, "blockquote": {},
	"ul": {}, "ol": {"start": true}, "li": {}, "hr": {}, "h2": {}, "h3": {}, "h4": {}, "h5": {}, "h6": {},
	"a": {"href": true, "rel": true, "target": true},
}

// FuzzHTML: whatever the text, only the allowed elements and attributes
// come out, and links go to http, https or mailto addresses only.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{"<img src=x onerror=alert(1)>", "[a](https://x)", "**<b>**", "`<i>`",
		"[a](JaVaScRiPt:alert(1))", "<a href=\"data:text/html,x\">d</a>", "1. one\n2. two", "> quote\n\n---"} {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, s string) {
		out := r.HTML(s)
		z := html.NewTokenizer(strings.NewReader(out))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			attrs, ok := allowed[tok.Data]
			if !ok {
				t.Fatalf("HTML(%q) has <%s>: %q", s, tok.Data, out)
			}
			for _, a := range tok.Attr {
				if !attrs[a.Key] {
					t.Fatalf("HTML(%q) has %s=%q on <%s>", s, a.Key, a.Val, tok.Data)
				}
				if a.Key == "href" {
					u, err := url.Parse(a.Val)
					if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
						t.Fatalf("HTML(%q) links to %q", s, a.Val)
					}
				}
			}
		}
	})
}
