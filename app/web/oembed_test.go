package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// oembedOf asks the oEmbed endpoint about a page URL.
func (f *feedRig) oembedOf(t *testing.T, page string, extra string) (int, map[string]any) {
	t.Helper()
	res, body := f.fetch(t, "/services/oembed?url="+url.QueryEscape(page)+extra, nil)
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("oembed %s: %d %q", page, res.StatusCode, body)
	}
	return res.StatusCode, m
}

// iframeSrc parses an oEmbed html field and returns its iframe's attributes.
func iframeAttrs(t *testing.T, frag string) map[string]string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(frag), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil || len(nodes) != 1 || nodes[0].Data != "iframe" {
		t.Fatalf("oembed html %q: %v", frag, err)
	}
	attrs := map[string]string{}
	for _, a := range nodes[0].Attr {
		attrs[a.Key] = a.Val
	}
	return attrs
}

func TestOEmbed(t *testing.T) {
	f := newFeedRig(t)
	base := f.http.URL
	v := f.real
	for _, page := range []string{base + "/w/" + v.ShortUUID, base + "/videos/watch/" + v.UUID, base + "/w/" + v.UUID + "?start=2&evil=1"} {
		code, o := f.oembedOf(t, page, "&format=json")
		if code != http.StatusOK {
			t.Fatalf("%s: %d %v", page, code, o)
		}
		want := map[string]any{"type": "video", "version": "1.0", "title": v.Name, "width": 560.0, "height": 315.0,
			"author_name": v.Channel.Name, "author_url": base + "/video-channels/" + v.Channel.Name, "provider_name": "Cabane", "provider_url": base,
			"thumbnail_url": base + "/lazy-static/previews/" + v.UUID + ".jpg", "thumbnail_width": 850.0, "thumbnail_height": 480.0}
		for k, w := range want {
			if o[k] != w {
				t.Errorf("%s: %s = %v, want %v", page, k, o[k], w)
			}
		}
		a := iframeAttrs(t, o["html"].(string))
		src := base + "/videos/embed/" + v.UUID
		if strings.Contains(page, "start=2") {
			src += "?start=2" // player options pass, others do not
		}
		if a["src"] != src || a["width"] != "560" || a["height"] != "315" || a["title"] != v.Name {
			t.Errorf("%s: iframe %v", page, a)
		}
		// The iframe's page is served, and may be framed.
		res, _ := f.fetch(t, strings.TrimPrefix(a["src"], base), nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("X-Frame-Options") != "" {
			t.Errorf("embed %s: %d, X-Frame-Options %q", a["src"], res.StatusCode, res.Header.Get("X-Frame-Options"))
		}
	}
	// Smaller bounds shrink the player and drop a picture that would not fit.
	_, o := f.oembedOf(t, base+"/w/"+v.ShortUUID, "&maxwidth=400&maxheight=300")
	if o["width"] != 400.0 || o["height"] != 300.0 || o["thumbnail_url"] != nil {
		t.Errorf("bounded: %v", o)
	}
	// Unlisted answers to its UUID; private, internal and family videos are
	// nobody's here (404, as for a video that does not exist).
	if code, o := f.oembedOf(t, base+"/w/"+f.hidden[0].ShortUUID, ""); code != http.StatusOK || o["title"] != f.hidden[0].Name {
		t.Errorf("unlisted: %d %v", code, o)
	}
	for _, h := range f.hidden[1:] {
		if code, _ := f.oembedOf(t, base+"/w/"+h.ShortUUID, ""); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", privacyLabel(h.Privacy), code)
		}
	}
	for page, want := range map[string]int{
		"https://elsewhere.example/w/" + v.ShortUUID: http.StatusBadRequest,
		base + "/c/" + v.Channel.Name:                http.StatusBadRequest,
		"not a url":                                  http.StatusBadRequest,
		base + "/w/nosuchvideo":                      http.StatusNotFound,
		base + "/w/p/somePlaylist":                   http.StatusNotFound,
	} {
		if code, o := f.oembedOf(t, page, ""); code != want {
			t.Errorf("%s: %d %v, want %d", page, code, o, want)
		}
	}
	if code, _ := f.oembedOf(t, base+"/w/"+v.ShortUUID, "&format=xml"); code != http.StatusNotImplemented {
		t.Errorf("format=xml: %d, want 501", code)
	}
}

// metaTags reads a page's <meta property|name=... content=...> and
// <link rel=... type=... href=...> with a real HTML parser.
func metaTags(t *testing.T, page string) (meta map[string]string, links map[string]string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	meta, links = map[string]string{}, map[string]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			a := map[string]string{}
			for _, at := range n.Attr {
				a[at.Key] = at.Val
			}
			switch n.Data {
			case "meta":
				if k := a["property"] + a["name"]; k != "" {
					meta[k] = a["content"]
				}
			case "link":
				links[a["rel"]+" "+a["type"]] = a["href"]
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return meta, links
}

func TestLinkPreviewTags(t *testing.T) {
	f := newFeedRig(t)
	base, v := f.http.URL, f.real
	_, page := f.fetch(t, "/w/"+v.ShortUUID, nil)
	meta, links := metaTags(t, page)
	embed := base + "/videos/embed/" + v.UUID
	want := map[string]string{
		"og:type": "video.other", "og:title": v.Name, "og:url": base + "/videos/watch/" + v.UUID, "og:site_name": "Cabane",
		"og:platform": "PeerTube", // how yt-dlp recognises an instance it does not know
		"og:image":    base + "/lazy-static/previews/" + v.UUID + ".jpg", "og:image:width": "850", "og:image:height": "480",
		"og:video": embed, "og:video:url": embed, "og:video:type": "text/html", "og:video:width": "560", "og:video:height": "315",
		"twitter:card": "player", "twitter:player": embed, "twitter:player:width": "560", "twitter:player:height": "315",
		"twitter:title": v.Name, "twitter:image": base + "/lazy-static/previews/" + v.UUID + ".jpg",
	}
	for k, w := range want {
		if meta[k] != w {
			t.Errorf("watch page %s = %q, want %q", k, meta[k], w)
		}
	}
	if _, ok := meta["og:video:secure_url"]; ok {
		t.Error("og:video:secure_url names an http URL")
	}
	oe := links["alternate application/json+oembed"]
	if oe != base+"/services/oembed?url="+url.QueryEscape(base+"/videos/watch/"+v.UUID) {
		t.Errorf("oEmbed discovery %q", oe)
	}
	if res, _ := f.fetch(t, strings.TrimPrefix(oe, base), nil); res.StatusCode != http.StatusOK {
		t.Errorf("the discovered oEmbed URL answers %d", res.StatusCode)
	}

	// Behind an https public URL, secure_url appears and every URL uses it.
	f.server.Config.PublicURL = "https://videos.example.org"
	_, page = f.fetch(t, "/w/"+v.ShortUUID, nil)
	meta, _ = metaTags(t, page)
	if meta["og:video:secure_url"] != "https://videos.example.org/videos/embed/"+v.UUID || meta["og:url"] != "https://videos.example.org/videos/watch/"+v.UUID {
		t.Errorf("public URL: %v", meta)
	}
	f.server.Config.PublicURL = ""

	// A video only its owner sees gets no player card (the card's reader
	// could not open it) and no oEmbed link.
	priv := f.hidden[1]
	_, page = f.send(t, http.MethodGet, "/w/"+priv.ShortUUID, nil, nil, "user", false)
	meta, links = metaTags(t, page)
	if meta["og:title"] != priv.Name || meta["og:video"] != "" || meta["twitter:card"] == "player" || links["alternate application/json+oembed"] != "" {
		t.Errorf("private video's tags: %v %v", meta, links)
	}

	// Channel and account pages are profiles, with their feed.
	_, page = f.fetch(t, "/c/"+f.userChannel.Name, nil)
	meta, links = metaTags(t, page)
	if meta["og:type"] != "profile" || meta["og:title"] != f.userChannel.DisplayName || meta["og:url"] != base+"/c/"+f.userChannel.Name {
		t.Errorf("channel tags %v", meta)
	}
	if feed := links["alternate application/rss+xml"]; feed == "" {
		t.Error("no feed link on the channel page")
	} else if res, body := f.fetch(t, strings.TrimPrefix(feed, base), nil); res.StatusCode != http.StatusOK || len(parseFeed(t, body).Items) != 2 {
		t.Errorf("channel page's feed %s: %d", feed, res.StatusCode)
	}
	_, page = f.fetch(t, "/a/user", nil)
	meta, links = metaTags(t, page)
	if meta["og:type"] != "profile" || meta["og:url"] != base+"/a/user" || links["alternate application/rss+xml"] != base+"/feeds/videos.xml?accountId="+itoa64(f.userAccountID) {
		t.Errorf("account tags %v %v", meta, links)
	}
}

func itoa64(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestEmbedPage(t *testing.T) {
	f := newFeedRig(t)
	v := f.real
	for _, id := range []string{v.UUID, v.ShortUUID} {
		res, page := f.fetch(t, "/videos/embed/"+id, map[string]string{"Accept-Language": "fr-FR,fr;q=0.9"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("embed %s: %d", id, res.StatusCode)
		}
		if res.Header.Get("Content-Security-Policy") != "frame-ancestors *" || res.Header.Get("X-Frame-Options") != "" {
			t.Errorf("embed %s headers: %v", id, res.Header)
		}
		doc, _ := html.Parse(strings.NewReader(page))
		var video, button, back map[string]string
		var scripts []string
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				a := map[string]string{}
				for _, at := range n.Attr {
					a[at.Key] = at.Val
				}
				switch {
				case n.Data == "video":
					video = a
				case n.Data == "button" && a["data-play-for"] != "":
					button = a
				case n.Data == "a" && a["class"] == "embed-title":
					back = a
				case n.Data == "script":
					scripts = append(scripts, a["src"])
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		// Nothing of the video is loaded before play: no src, no preload,
		// hls.js not included (player.js fetches it on the click).
		if video == nil || video["src"] != "" || video["preload"] != "none" || video["data-start"] != "click" || video["poster"] == "" {
			t.Errorf("embed %s video: %v", id, video)
		}
		if button == nil || button["data-play-for"] != video["id"] || !strings.HasPrefix(button["aria-label"], "Lire") {
			t.Errorf("embed %s play button: %v", id, button)
		}
		for _, s := range scripts {
			if strings.Contains(s, "hls") {
				t.Errorf("embed %s loads %s before play", id, s)
			}
		}
		if back == nil || back["href"] != f.http.URL+"/w/"+v.ShortUUID || back["target"] != "_blank" {
			t.Errorf("embed %s link back: %v", id, back)
		}
	}
	// Other pages still refuse framing.
	if res, _ := f.fetch(t, "/w/"+v.ShortUUID, nil); res.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("watch page X-Frame-Options %q", res.Header.Get("X-Frame-Options"))
	}
	// Privacy: a private video's embed is nobody else's.
	if res, _ := f.fetch(t, "/videos/embed/"+f.hidden[1].UUID, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("private embed: %d", res.StatusCode)
	}
	if res, _ := f.send(t, http.MethodGet, "/videos/embed/"+f.hidden[1].UUID, nil, nil, "user", false); res.StatusCode != http.StatusOK {
		t.Errorf("private embed for its owner: %d", res.StatusCode)
	}
}
