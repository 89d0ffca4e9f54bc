package ptcheck

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func load(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encode(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// PeerTube's own documents pass: the checker asks no more than PeerTube.
func TestPeerTubeFixturesPass(t *testing.T) {
	for _, f := range []string{"captured-pt-video-ap.json", "lemmy-fixture-peertube-objects-video.json"} {
		if err := Video(encode(t, load(t, f))); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, f := range []string{"captured-pt-channel-ap.json", "captured-pt-instance-actor-ap.json", "lemmy-fixture-peertube-objects-group.json",
		"lemmy-fixture-peertube-objects-person.json", "lemmy-fixture-mastodon-objects-person.json"} {
		if err := Actor(encode(t, load(t, f))); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// Each rule, broken once in a real PeerTube video, is caught and named.
func TestVideoRulesCatch(t *testing.T) {
	hls := func(m map[string]any) map[string]any { return m["url"].([]any)[1].(map[string]any) }
	cases := []struct {
		want  string
		spoil func(m map[string]any)
	}{
		{"commentsPolicy", func(m map[string]any) { delete(m, "commentsPolicy") }},
		{"name", func(m map[string]any) { m["name"] = "ab" }},
		{"name", func(m map[string]any) { m["name"] = strings.Repeat("é", 121) }},
		{"duration", func(m map[string]any) { m["duration"] = "4" }},
		{"duration", func(m map[string]any) { m["duration"] = "PT4.5S" }},
		{"uuid", func(m map[string]any) { m["uuid"] = "not-a-uuid" }},
		{"views", func(m map[string]any) { m["views"] = 1.5 }},
		{"published", func(m map[string]any) { m["published"] = "yesterday" }},
		{"id", func(m map[string]any) { m["id"] = "https://" + strings.Repeat("a", 2000) + ".example/v" }},
		{"id", func(m map[string]any) { m["id"] = "ftp://host.example/v" }},
		{"content", func(m map[string]any) { m["content"] = "hi" }},
		{"icon", func(m map[string]any) { m["icon"] = []any{} }},
		{"icon", func(m map[string]any) { m["icon"].([]any)[0].(map[string]any)["mediaType"] = "text/plain" }},
		{"attributedTo", func(m map[string]any) { m["attributedTo"] = m["attributedTo"].([]any)[:1] }},
		{"text/html", func(m map[string]any) { u := m["url"].([]any); u[0], u[1] = u[1], u[0] }},
		{"HLS", func(m map[string]any) { m["url"] = m["url"].([]any)[:1] }},
		{"tag array", func(m map[string]any) { delete(hls(m), "tag") }},
		{"sha256", func(m map[string]any) {
			h := hls(m)
			var kept []any
			for _, t := range h["tag"].([]any) {
				if t.(map[string]any)["name"] != "sha256" {
					kept = append(kept, t)
				}
			}
			h["tag"] = kept
		}},
		{"magnet", func(m map[string]any) {
			h := hls(m)
			var kept []any
			for _, t := range h["tag"].([]any) {
				if mt, _ := t.(map[string]any)["mediaType"].(string); !strings.Contains(mt, "magnet") {
					kept = append(kept, t)
				}
			}
			h["tag"] = kept
		}},
		{"file link", func(m map[string]any) {
			for _, t := range hls(m)["tag"].([]any) {
				if t.(map[string]any)["mediaType"] == "video/mp4" {
					t.(map[string]any)["fps"] = 29.97
				}
			}
		}},
	}
	for _, c := range cases {
		m := load(t, "captured-pt-video-ap.json")
		c.spoil(m)
		err := Video(encode(t, m))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("broken %s: got %v", c.want, err)
		}
	}
}

func TestActorRulesCatch(t *testing.T) {
	pkcs1 := "-----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEA\n-----END RSA PUBLIC KEY-----\n"
	cases := []struct {
		want  string
		spoil func(m map[string]any)
	}{
		{"preferredUsername", func(m map[string]any) { m["preferredUsername"] = "root channel" }},
		{"publicKeyPem", func(m map[string]any) { m["publicKey"].(map[string]any)["publicKeyPem"] = pkcs1 }},
		{"publicKeyPem", func(m map[string]any) {
			m["publicKey"].(map[string]any)["publicKeyPem"] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
		}},
		{"attributedTo", func(m map[string]any) { m["attributedTo"] = []any{} }},
		{"inbox", func(m map[string]any) { delete(m, "inbox") }},
		{"type", func(m map[string]any) { m["type"] = "Video" }},
		{"sharedInbox", func(m map[string]any) { m["endpoints"] = map[string]any{"sharedInbox": "inbox"} }},
	}
	for _, c := range cases {
		m := load(t, "captured-pt-channel-ap.json")
		c.spoil(m)
		err := Actor(encode(t, m))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("broken %s: got %v", c.want, err)
		}
	}
}
