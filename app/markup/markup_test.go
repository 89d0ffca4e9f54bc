package markup

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"Hello\nworld\n\nSecond", "<p>Hello<br>world</p><p>Second</p>"},
		{"# Rules\n- be **kind**\n- no *spam*", "<h2>Rules</h2><ul><li>be <strong>kind</strong></li><li>no <em>spam</em></li></ul>"},
		{"see [the site](https://example.org/a?b=1&c=2)", `<p>see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">the site</a></p>`},
		{"`a*b*c`", "<p><code>a*b*c</code></p>"},
		{"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"},
		{`[x](https://a.b/"onmouseover="alert(1))`, `<p><a href="https://a.b/&#34;onmouseover=&#34;alert(1" rel="nofollow noopener noreferrer">x</a>)</p>`},
	}
	for _, c := range cases {
		if got := HTML(c.in); got != c.want {
			t.Errorf("HTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// FuzzHTML: whatever the text, no tag other than the package's own, and no
// attribute other than href and rel, reaches the output.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{"<img src=x onerror=alert(1)>", "[a](https://x)", "**<b>**", "`<i>`"} {
		f.Add(s)
	}
	allowed := []string{"<p>", "</p>", "<br>", "<h2>", "</h2>", "<h3>", "</h3>", "<h4>", "</h4>", "<ul>", "</ul>", "<li>", "</li>",
		"<strong>", "</strong>", "<em>", "</em>", "<code>", "</code>", "</a>"}
	f.Fuzz(func(t *testing.T, s string) {
		out := HTML(s)
		for i := strings.IndexByte(out, '<'); i >= 0; i = strings.IndexByte(out, '<') {
			rest := out[i:]
			ok := false
			for _, a := range allowed {
				if strings.HasPrefix(rest, a) {
					out, ok = rest[len(a):], true
					break
				}
			}
			if !ok && strings.HasPrefix(rest, `<a href="`) {
				end := strings.Index(rest, `" rel="nofollow noopener noreferrer">`)
				if end < 0 || strings.ContainsAny(rest[len(`<a href="`):end], `"<>`) {
					t.Fatalf("unsafe link in %q", HTML(s))
				}
				out, ok = rest[end:], true
			}
			if !ok {
				t.Fatalf("unexpected markup %q in %q", rest[:min(len(rest), 20)], HTML(s))
			}
		}
	})
}
