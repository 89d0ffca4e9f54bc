package certs

import (
	"strings"
	"testing"
)

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"Box.Example.ORG":       "box.example.org",
		"box.example.org:8443":  "box.example.org",
		"box.example.org.":      "box.example.org",
		" box.example.org ":     "box.example.org",
		"[::1]:80":              "::1",
		"192.168.1.20:8080":     "192.168.1.20",
		"café.example":          "xn--caf-dma.example",
		"":                      "",
		"bad host.example:8080": "",
	} {
		if got := normalizeHost(in); got != want {
			t.Errorf("normalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigDefaultsAndErrors(t *testing.T) {
	c, err := Config{}.withDefaults()
	if err != nil || c.Mode != ModeOff || c.HTTPAddr != ":80" || c.RetryMin != DefaultRetryMin {
		t.Fatalf("zero config: %+v, %v", c, err)
	}
	c, err = Config{Mode: "ACME", Hosts: []string{"a.example:443", "A.example", ""}, CacheDir: "x"}.withDefaults()
	if err != nil || strings.Join(c.Hosts, ",") != "a.example" || c.HTTPSAddr != ":443" ||
		c.DirectoryURL != "https://acme-v02.api.letsencrypt.org/directory" {
		t.Fatalf("acme config: %+v, %v", c, err)
	}
	for name, bad := range map[string]Config{
		"acme without hosts":    {Mode: ModeACME, CacheDir: "x"},
		"acme with an IP":       {Mode: ModeACME, Hosts: []string{"192.0.2.1"}, CacheDir: "x"},
		"acme with a bare name": {Mode: ModeACME, Hosts: []string{"cabane"}, CacheDir: "x"},
		"acme without cache":    {Mode: ModeACME, Hosts: []string{"a.example"}},
		"manual without key":    {Mode: ModeManual, CertFile: "c.pem"},
		"unknown mode":          {Mode: "letsencrypt"},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(Config{Mode: "letsencrypt"}, appHandler(), nil); err == nil || !strings.Contains(err.Error(), "unknown tls mode") {
		t.Fatalf("New with a bad mode: %v", err)
	}
}
