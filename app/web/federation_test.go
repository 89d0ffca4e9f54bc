package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/ptcheck"
	"cabane.dev/cabane/app/model"
)

const fedPublicURL = "https://videos.example.org"

// fedRig is a rig that federates as publicURL ("" : federation off),
// wired as the App wires it: the real services and a real keyring.
func fedRig(t *testing.T, publicURL string) *rig {
	t.Helper()
	r := newRig(t)
	kr := keys.NewKeyring(r.store.ActorKeys())
	fs := &federation.Service{Identity: federation.NewIdentity(publicURL, []string{"127.0.0.0/8"}),
		Accounts: r.server.Accounts, Videos: r.videos, Torrents: r.server.Torrents, Version: "1.2.3-test",
		Keys: federation.PublicKeyFunc(func(ctx context.Context, kind string, id int64) (string, error) {
			p, err := kr.Get(ctx, keys.Actor{Kind: keys.Kind(kind), ID: id})
			if err != nil {
				return "", err
			}
			return p.PublicPEM, nil
		})}
	if r.server.Profile != nil { // a nil *profile.Service must not become a non-nil interface
		fs.Avatars = r.server.Profile
	}
	r.server.Federation = fs
	r.server.Config.PublicURL = publicURL
	return r
}

const (
	acceptAP   = "application/activity+json"
	acceptLDAP = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// fedGet fetches path with an Accept header, as if it came to host.
func (r *rig) fedGet(t *testing.T, path, accept, host string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if host != "" {
		req.Host = host
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// Cabane's own Video, Group, Person and Application, served at PeerTube's
// URLs to a server, pass PeerTube's ingest rules; browsers still get pages.
func TestActivityPubDocumentsServed(t *testing.T) {
	r := fedRig(t, fedPublicURL)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	ch := r.channelName(t)
	docs := map[string]func([]byte) error{
		"/videos/watch/" + v.UUID: ptcheck.Video, "/accounts/admin": ptcheck.Actor,
		"/video-channels/" + ch: ptcheck.Actor, "/accounts/peertube": ptcheck.Actor,
	}
	for path, check := range docs {
		for _, accept := range []string{acceptAP, acceptLDAP} {
			res, body := r.fedGet(t, path, accept, "")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/activity+json; charset=utf-8" ||
				!strings.Contains(res.Header.Get("Vary"), "Accept") {
				t.Errorf("GET %s (%s): %d %q vary %q: %s", path, accept, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Vary"), body)
				continue
			}
			if err := check(body); err != nil {
				t.Errorf("GET %s breaks PeerTube's rules: %v\n%s", path, err, body)
			}
			var doc struct{ ID string }
			if json.Unmarshal(body, &doc); doc.ID != fedPublicURL+path {
				t.Errorf("GET %s: id %q", path, doc.ID)
			}
		}
	}
	var g struct {
		AttributedTo []struct{ Type, ID string }
		PublicKey    struct{ ID, PublicKeyPem string }
	}
	_, body := r.fedGet(t, "/video-channels/"+ch, acceptAP, "")
	json.Unmarshal(body, &g)
	if len(g.AttributedTo) != 1 || g.AttributedTo[0].ID != fedPublicURL+"/accounts/admin" || g.PublicKey.ID != fedPublicURL+"/video-channels/"+ch+"#main-key" {
		t.Errorf("group: %s", body)
	}
	// The key served is the keyring's, the one signatures will use.
	// Asked twice, it is the same.
	_, again := r.fedGet(t, "/video-channels/"+ch, acceptAP, "")
	var g2 struct{ PublicKey struct{ PublicKeyPem string } }
	json.Unmarshal(again, &g2)
	if g2.PublicKey.PublicKeyPem != g.PublicKey.PublicKeyPem || !strings.HasPrefix(g.PublicKey.PublicKeyPem, "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("key changed between fetches or is not SPKI: %q", g.PublicKey.PublicKeyPem)
	}
}

// The negotiation matrix: ActivityPub only for its two media types;
// anything else (a browser, curl, a JSON client) gets the page.
func TestFederationNegotiationMatrix(t *testing.T) {
	r := fedRig(t, fedPublicURL)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	for _, path := range []string{"/videos/watch/" + v.UUID, "/accounts/admin", "/video-channels/" + r.channelName(t)} {
		for accept, ap := range map[string]bool{
			acceptAP: true, acceptLDAP: true, "application/activity+json, application/ld+json": true,
			"text/html": false, "": false, "*/*": false, "text/html,application/xhtml+xml,*/*;q=0.8": false, "application/ld+json": false,
		} {
			res, body := r.fedGet(t, path, accept, "")
			isAP := strings.HasPrefix(res.Header.Get("Content-Type"), "application/activity+json")
			isHTML := strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && strings.Contains(string(body), "<html")
			if res.StatusCode != http.StatusOK || isAP != ap || isHTML == ap || !strings.Contains(res.Header.Get("Vary"), "Accept") {
				t.Errorf("GET %s Accept %q: %d %q vary %q", path, accept, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Vary"))
			}
		}
	}
}

// Private, internal, password-protected and local-only videos are never
// federated (404 to a server, even one asking from the home network);
// an unlisted one is, addressed to followers.
func TestFederationVideoPrivacies(t *testing.T) {
	r := fedRig(t, fedPublicURL)
	for _, p := range []int{model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyPassword, model.PrivacyLocal} {
		v := r.publishedVideo(t, r.adminChannel, p)
		for _, from := range []bool{false, true} {
			req, _ := http.NewRequest(http.MethodGet, r.http.URL+"/videos/watch/"+v.UUID, nil)
			req.Header.Set("Accept", acceptAP)
			for k, val := range viewerFrom(from) {
				req.Header.Set(k, val)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusNotFound || strings.Contains(string(body), v.UUID) {
				t.Errorf("privacy %d (home %v): %d %s", p, from, res.StatusCode, body)
			}
		}
	}
	u := r.publishedVideo(t, r.adminChannel, model.PrivacyUnlisted)
	res, body := r.fedGet(t, "/videos/watch/"+u.UUID, acceptAP, "")
	var doc struct{ To, Cc []string }
	json.Unmarshal(body, &doc)
	if res.StatusCode != http.StatusOK || len(doc.To) != 1 || doc.To[0] != fedPublicURL+"/accounts/admin/followers" ||
		len(doc.Cc) != 1 || doc.Cc[0] != "https://www.w3.org/ns/activitystreams#Public" {
		t.Errorf("unlisted: %d to %v cc %v", res.StatusCode, doc.To, doc.Cc)
	}
	if err := ptcheck.Video(body); err != nil {
		t.Errorf("unlisted video breaks PeerTube's rules: %v", err)
	}
}

// Identity stays public: asked as cabane.local (or by its LAN address),
// every document names the box by its public URL only.
func TestFederationNoLANNamesInIRIs(t *testing.T) {
	r := fedRig(t, fedPublicURL)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	ch := r.channelName(t)
	private := regexp.MustCompile(`\.local\b|127\.0\.0\.1|\blocalhost\b|\b10\.\d+\.\d+\.\d+|\b192\.168\.|\b172\.(1[6-9]|2\d|3[01])\.`)
	paths := []string{"/videos/watch/" + v.UUID, "/accounts/admin", "/video-channels/" + ch, "/accounts/peertube",
		"/accounts/admin/followers", "/accounts/admin/followers?page=1", "/video-channels/" + ch + "/outbox", "/accounts/peertube/following",
		"/.well-known/webfinger?resource=acct:admin@videos.example.org", "/.well-known/webfinger?resource=acct:" + ch + "@videos.example.org",
		"/.well-known/webfinger?resource=acct:peertube@videos.example.org", "/.well-known/host-meta", "/.well-known/nodeinfo",
		"/nodeinfo/2.0.json", "/nodeinfo/2.1.json"}
	for _, host := range []string{"cabane.local", "cabane.local:8080", "192.168.1.20"} {
		for _, p := range paths {
			res, body := r.fedGet(t, p, acceptAP, host)
			if res.StatusCode != http.StatusOK {
				t.Errorf("GET %s as %s: %d %s", p, host, res.StatusCode, body)
				continue
			}
			if m := private.Find(body); m != nil {
				t.Errorf("GET %s as %s names %q:\n%s", p, host, m, body)
			}
			if !strings.HasPrefix(p, "/nodeinfo/") && !strings.Contains(string(body), "videos.example.org") { // NodeInfo names no URL
				t.Errorf("GET %s as %s: no public name in %s", p, host, body)
			}
		}
		// A WebFinger query for the LAN name is not ours to answer.
		if res, _ := r.fedGet(t, "/.well-known/webfinger?resource=acct:admin@cabane.local", "", host); res.StatusCode != http.StatusBadRequest {
			t.Errorf("webfinger for acct:admin@cabane.local: %d", res.StatusCode)
		}
	}
}

// Without a public URL (or with a LAN one) federation is off: every
// federation document is a 404, pages still work.
func TestFederationOffWithoutPublicURL(t *testing.T) {
	for _, pub := range []string{"", "http://cabane.local"} {
		r := fedRig(t, pub)
		v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
		for _, p := range []string{"/videos/watch/" + v.UUID, "/accounts/admin", "/accounts/peertube", "/video-channels/" + r.channelName(t),
			"/accounts/admin/followers", "/.well-known/webfinger?resource=acct:admin@cabane.local", "/.well-known/host-meta",
			"/.well-known/nodeinfo", "/nodeinfo/2.0.json"} {
			res, body := r.fedGet(t, p, acceptAP, "")
			if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/activity+json") {
				t.Errorf("public URL %q: GET %s: %d %q %s", pub, p, res.StatusCode, res.Header.Get("Content-Type"), body)
			}
		}
		if res, body := r.fedGet(t, "/videos/watch/"+v.UUID, "text/html", ""); res.StatusCode != http.StatusOK || !strings.Contains(string(body), "<html") {
			t.Errorf("public URL %q: the watch page: %d", pub, res.StatusCode)
		}
	}
	// Not wired at all: off too.
	r := newRig(t)
	if res, _ := r.fedGet(t, "/accounts/admin", acceptAP, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("no federation service: %d", res.StatusCode)
	}
}

// The discovery documents' shapes, as PeerTube, Mastodon and NodeInfo
// crawlers read them.
func TestFederationDiscovery(t *testing.T) {
	r := fedRig(t, fedPublicURL)
	ch := r.channelName(t)
	for resource, self := range map[string]string{
		"acct:admin@videos.example.org":        "/accounts/admin",
		"acct:" + ch + "@videos.example.org":   "/video-channels/" + ch,
		"acct:peertube@videos.example.org":     "/accounts/peertube",
		fedPublicURL + "/accounts/admin":       "/accounts/admin",
		fedPublicURL + "/video-channels/" + ch: "/video-channels/" + ch,
	} {
		res, body := r.fedGet(t, "/.well-known/webfinger?resource="+resource, "", "")
		var j struct {
			Subject string
			Aliases []string
			Links   []struct{ Rel, Type, Href string }
		}
		json.Unmarshal(body, &j)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/jrd+json; charset=utf-8" ||
			res.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.HasPrefix(j.Subject, "acct:") ||
			len(j.Links) < 1 || j.Links[0].Rel != "self" || j.Links[0].Type != "application/activity+json" || j.Links[0].Href != fedPublicURL+self {
			t.Errorf("webfinger %s: %d %q %s", resource, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	for resource, code := range map[string]int{"acct:nobody@videos.example.org": 404, "acct:admin@elsewhere.example": 400, "": 400} {
		if res, _ := r.fedGet(t, "/.well-known/webfinger?resource="+resource, "", ""); res.StatusCode != code {
			t.Errorf("webfinger %q: %d, want %d", resource, res.StatusCode, code)
		}
	}
	res, body := r.fedGet(t, "/.well-known/host-meta", "", "")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/xrd+xml") ||
		!strings.Contains(string(body), `template="https://videos.example.org/.well-known/webfinger?resource={uri}"`) {
		t.Errorf("host-meta: %d %s", res.StatusCode, body)
	}
	res, body = r.fedGet(t, "/.well-known/nodeinfo", "", "")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"href":"https://videos.example.org/nodeinfo/2.0.json"`) {
		t.Errorf("nodeinfo links: %d %s", res.StatusCode, body)
	}
	for _, v := range []string{"2.0", "2.1"} {
		res, body := r.fedGet(t, "/nodeinfo/"+v+".json", "", "")
		var n struct {
			Version   string
			Software  struct{ Name, Version string }
			Protocols []string
		}
		json.Unmarshal(body, &n)
		if res.StatusCode != http.StatusOK || n.Version != v || n.Software.Name != "cabane" || n.Software.Version != "1.2.3-test" ||
			len(n.Protocols) != 1 || n.Protocols[0] != "activitypub" ||
			res.Header.Get("Content-Type") != `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/`+v+`#"` {
			t.Errorf("nodeinfo %s: %d %q %s", v, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	if res, _ := r.fedGet(t, "/nodeinfo/1.0.json", "", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("nodeinfo 1.0: %d", res.StatusCode)
	}
	// Collections: empty for now, in PeerTube's shape; a bad page is 400.
	res, body = r.fedGet(t, "/accounts/admin/followers", acceptAP, "")
	if res.StatusCode != http.StatusOK || string(body) != `{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"}],"id":"https://videos.example.org/accounts/admin/followers","type":"OrderedCollection","totalItems":0}`+"\n" {
		t.Errorf("followers: %d %s", res.StatusCode, body)
	}
	if res, _ := r.fedGet(t, "/video-channels/"+ch+"/outbox?page=x", acceptAP, ""); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad page: %d", res.StatusCode)
	}
	if res, _ := r.fedGet(t, "/accounts/nobody/followers", acceptAP, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("followers of nobody: %d", res.StatusCode)
	}
}

// The admin's instance page says whether federation is on and, when it
// is off, why and how to turn it on, in the admin's language.
func TestAdminPageSaysWhyFederationIsOff(t *testing.T) {
	for _, c := range []struct{ public, lang, want, not string }{
		{"", "en", "has no public URL", "Federation is on"},
		{"", "fr", "--public-url", "La fédération est active"},
		{"http://192.168.1.20", "en", "an address of a private network", "Federation is on"},
		{"http://cabane.local", "fr", "réseau de la maison", "La fédération est active"},
		{fedPublicURL, "en", "find this Cabane as videos.example.org", "Federation is off"},
	} {
		r := fedRig(t, c.public)
		code, body := r.page(request{method: http.MethodGet, path: "/admin/instance", who: "admin", lang: c.lang})
		if code != http.StatusOK || !strings.Contains(body, c.want) || strings.Contains(body, c.not) {
			t.Errorf("public URL %q (%s): %d, want %q:\n%s", c.public, c.lang, code, c.want, body)
		}
	}
}
