package federation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/ptcheck"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
)

// golden compares doc, indented, with testdata/name (go test -update
// rewrites it).
func golden(t *testing.T, name string, doc any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from its golden file (go test -update to accept):\n%s", name, b)
	}
	return b
}

func TestIdentity(t *testing.T) {
	for _, c := range []struct {
		url    string
		allow  []string
		reason string
		base   string
	}{
		{"", nil, federation.ReasonNoPublicURL, ""},
		{"https://videos.example.org/", nil, "", "https://videos.example.org"},
		{"https://videos.example.org:8443", nil, "", "https://videos.example.org:8443"},
		{"http://cabane.local", nil, federation.ReasonLANName, ""},
		{"http://cabane-2.local:8080", nil, federation.ReasonLANName, ""},
		{"http://cabane", nil, federation.ReasonLANName, ""},
		{"http://localhost:8080", nil, federation.ReasonLANName, ""},
		{"http://192.168.1.20", nil, federation.ReasonPrivateHost, ""},
		{"http://10.0.0.2:8080", nil, federation.ReasonPrivateHost, ""},
		{"http://100.64.3.4", nil, federation.ReasonPrivateHost, ""},
		{"http://[fd00::1]:8080", nil, federation.ReasonPrivateHost, ""},
		{"http://[fe80::1]", nil, federation.ReasonPrivateHost, ""},
		// Tests run instances on 127.0.0.1 with private fetches allowed.
		{"http://127.0.0.1:9000", []string{"127.0.0.0/8"}, "", "http://127.0.0.1:9000"},
		{"http://127.0.0.1:9000", []string{"10.0.0.0/8"}, federation.ReasonPrivateHost, ""},
		{"http://198.41.0.4", nil, "", "http://198.41.0.4"},
		// A documentation address is no more reachable than a private one,
		// and a bare address in the allow-list counts as the client does.
		{"http://203.0.113.7", nil, federation.ReasonPrivateHost, ""},
		{"https://10.0.0.5", []string{"10.0.0.5"}, "", "https://10.0.0.5"},
		{"ftp://videos.example.org", nil, federation.ReasonBadPublicURL, ""},
	} {
		id := federation.NewIdentity(c.url, c.allow)
		if id.Reason() != c.reason || id.On() != (c.reason == "") || id.On() && id.URIs().Base() != c.base {
			t.Errorf("%q %v: on %v reason %q base %q; want reason %q base %q", c.url, c.allow, id.On(), id.Reason(), id.URIs().Base(), c.reason, c.base)
		}
	}
}

// The kinds this package asks keys for are the keyring's.
func TestKeyKinds(t *testing.T) {
	if federation.KindAccount != string(keys.Account) || federation.KindChannel != string(keys.Channel) || federation.KindServer != string(keys.Server) {
		t.Error("key kinds differ from app/federation/keys'")
	}
}

func TestActors(t *testing.T) {
	s, k := service(t)
	ctx := context.Background()
	p, err := s.Person(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.Group(ctx, "alice_channel")
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Application(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]any{"person.json": p, "group.json": g, "application.json": a} {
		if err := ptcheck.Actor(golden(t, name, doc)); err != nil {
			t.Errorf("%s breaks PeerTube's rules: %v", name, err)
		}
	}
	if strings.Join(k.asked, ",") != "account,channel,server" {
		t.Errorf("keys asked for %v", k.asked)
	}
	if p.PublicKey.ID != p.ID+"#main-key" || p.PublicKey.Owner != p.ID || g.AttributedTo[0] != (vocab.Ref{Type: "Person", ID: p.ID}) ||
		a.ID != "https://videos.example.org/accounts/peertube" || a.PreferredUsername != "peertube" || a.Type != "Application" {
		t.Errorf("actors do not point at each other: %+v %+v %+v", p.PublicKey, g.AttributedTo, a.ID)
	}
	if _, err := s.Person(ctx, "nobody"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
	if _, err := s.Group(ctx, "alice"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("an account is not a channel: %v", err)
	}
}

func TestVideoObject(t *testing.T) {
	s, _ := service(t)
	v, err := s.Video(context.Background(), uuidPublic)
	if err != nil {
		t.Fatal(err)
	}
	b := golden(t, "video.json", v)
	if err := ptcheck.Video(b); err != nil {
		t.Errorf("Cabane's Video breaks PeerTube's rules: %v", err)
	}
	followers := "https://videos.example.org/accounts/alice/followers"
	if strings.Join(v.To, ",") != vocab.Public || strings.Join(v.Cc, ",") != followers {
		t.Errorf("public video: to %v cc %v", v.To, v.Cc)
	}
	if v.Duration != "PT64S" || v.Views != 42 || v.CanReply != nil || !v.CommentsEnabled || *v.AspectRatio != 1.7778 {
		t.Errorf("duration %s views %d canReply %v aspect %v", v.Duration, v.Views, v.CanReply, *v.AspectRatio)
	}
	hls := v.URL[1]
	if v.URL[0].MediaType != "text/html" || hls.MediaType != "application/x-mpegURL" || hls.Tag[0].Name != "sha256" {
		t.Fatalf("url: %+v", v.URL)
	}
	// Largest first; the audio rendition last, height 0 kept (not omitted).
	if *hls.Tag[1].Height != 720 || *hls.Tag[1].FPS != 30 || *hls.Tag[len(hls.Tag)-1].Height != 0 || !strings.Contains(string(b), `"height": 0`) {
		t.Errorf("renditions: %s", b)
	}
	magnets := 0
	for _, l := range hls.Tag {
		if l.MediaType == vocab.MediaMagnet {
			magnets++
			if !strings.HasPrefix(l.Href, "magnet:?xt=urn:btih:") || !strings.Contains(l.Href, "xs=https%3A%2F%2Fvideos.example.org%2Flazy-static%2Ftorrents%2F") {
				t.Errorf("magnet %s", l.Href)
			}
		}
	}
	if magnets != 3 {
		t.Errorf("%d magnets for 3 files", magnets)
	}

	u, err := s.Video(context.Background(), uuidUnlisted)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(u.To, ",") != followers || strings.Join(u.Cc, ",") != vocab.Public {
		t.Errorf("unlisted video: to %v cc %v, want the reverse of public", u.To, u.Cc)
	}
}

// Comments that need approval, or none: canReply is the public collection
// and commentsPolicy says which; a short description is no content (PeerTube
// refuses a content of fewer than 3 characters).
func TestVideoPolicies(t *testing.T) {
	v := published("7d161a1a-ec38-43d2-b03a-984b05fb8f7a", model.PrivacyPublic)
	v.CommentsPolicy, v.Description, v.Category, v.Licence, v.Language, v.Tags = model.CommentsRequiresApproval, "ok", 0, 0, "", nil
	s, _ := service(t, v)
	got, err := s.Video(context.Background(), v.UUID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if got.CanReply == nil || *got.CanReply != vocab.Public || got.CommentsPolicy != 3 || !got.CommentsEnabled || got.Content != nil {
		t.Errorf("approval: %s", b)
	}
	var fields map[string]json.RawMessage
	json.Unmarshal(b, &fields)
	if fields["category"] != nil || fields["licence"] != nil || fields["language"] != nil || string(fields["tag"]) != "[]" {
		t.Errorf("unset metadata should be absent, tags an empty array: %s", b)
	}
	if err := ptcheck.Video(b); err != nil {
		t.Errorf("breaks PeerTube's rules: %v", err)
	}
}

// What is not public or unlisted, or not published yet, is not found:
// never federated.
func TestVideosThatNeverLeave(t *testing.T) {
	var extra []model.Video
	uuids := map[string]string{}
	for i, p := range []int{model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyPassword, model.PrivacyLocal} {
		v := published("8d161a1a-ec38-43d2-b03a-984b05fb8f7"+string(rune('0'+i)), p)
		extra = append(extra, v)
		uuids[v.UUID] = "privacy " + strconv.Itoa(p)
	}
	processing := published("9d161a1a-ec38-43d2-b03a-984b05fb8f7a", model.PrivacyPublic)
	processing.State = model.StateToTranscode
	extra = append(extra, processing)
	uuids[processing.UUID] = "processing"
	// Seen by its owner, a local-only video would be found: the remote
	// server must not be treated as one.
	s, _ := service(t, extra...)
	for id, what := range uuids {
		if _, err := s.Video(context.Background(), id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s video: %v, want not found", what, err)
		}
	}
}

func TestFederationOff(t *testing.T) {
	s, _ := service(t)
	s.Identity = federation.NewIdentity("", nil)
	ctx := context.Background()
	_, e1 := s.Person(ctx, "alice")
	_, e2 := s.Video(ctx, uuidPublic)
	_, e3 := s.Webfinger(ctx, "acct:alice@videos.example.org")
	_, e4 := s.NodeInfo(ctx, "2.0")
	_, e5 := s.Application(ctx)
	_, e6 := s.HostMeta()
	for i, err := range []error{e1, e2, e3, e4, e5, e6} {
		if !errors.Is(err, federation.ErrOff) {
			t.Errorf("call %d with federation off: %v", i+1, err)
		}
	}
	if on, why := s.On(); on || why != federation.ReasonNoPublicURL {
		t.Errorf("On: %v %q", on, why)
	}
	var none *federation.Service // not wired: off
	if on, _ := none.On(); on {
		t.Error("a nil service federates")
	}
}
