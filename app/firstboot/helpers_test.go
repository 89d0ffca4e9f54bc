package firstboot

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// fakeRoot is a system root with the few files firstboot reads: two time
// zones, tzdata's country list, and the units it enables.
func fakeRoot(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"usr/share/zoneinfo/Europe/Paris":                "TZif fake",
		"usr/share/zoneinfo/America/Montreal":            "TZif fake",
		"usr/share/zoneinfo/UTC":                         "TZif fake",
		"usr/share/zoneinfo/iso3166.tab":                 "# comment\nBE\tBelgium\nCA\tCanada\nFR\tFrance\nGB\tBritain (UK)\n",
		"usr/lib/systemd/system/ssh.service":             "[Unit]\n",
		"usr/lib/systemd/system/wpa_supplicant@.service": "[Unit]\n",
		"etc/hosts":             "127.0.0.1\tlocalhost\n127.0.1.1\tcabane\n::1\tlocalhost ip6-localhost\n",
		"etc/hostname":          "cabane\n",
		"etc/cabane/cabane.env": "# site settings\nCABANE_LISTEN=:80\nCABANE_PUBLIC_URL=http://old.example\n",
		"usr/share/zoneinfo/Europe/.hidden-not-a-zone-ok": "",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// newSSHKey returns a fresh authorized_keys line.
func newSSHKey(t testing.TB, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " " + comment
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
