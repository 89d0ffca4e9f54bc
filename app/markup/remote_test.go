package markup

import "testing"

func TestRemoteHTML(t *testing.T) {
	r := New()
	cases := []struct{ in, want string }{
		{`<p>Hi <a href="https://x.example/@a" class="u-url mention">@a</a></p>`, `<p>Hi <a href="https://x.example/@a" rel="nofollow noreferrer noopener" target="_blank">@a</a></p>`},
		{`<script>alert(1)</script>ok`, `ok`},
		{`<img src=x onerror=alert(1)>`, ``},
		{`<a href="javascript:alert(1)">x</a>`, `x`},
		{`# not a heading`, `# not a heading`},
	}
	for _, c := range cases {
		if got := r.RemoteHTML(c.in); got != c.want {
			t.Errorf("RemoteHTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	cases := []struct{ in, want string }{
		{`Alice <span class="emoji">:cat:</span>`, `Alice :cat:`},
		{`<script>x</script>Bob &amp; co`, `Bob & co`},
		{`  Carol  `, `Carol`},
	}
	for _, c := range cases {
		if got := PlainText(c.in); got != c.want {
			t.Errorf("PlainText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
