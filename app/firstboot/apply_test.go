package firstboot

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestPSKMatchesWpaPassphrase(t *testing.T) {
	if _, err := exec.LookPath("wpa_passphrase"); err != nil {
		t.Skip("wpa_passphrase not installed (Debian package wpasupplicant)")
	}
	for _, c := range []struct{ ssid, pass string }{
		{"Maison", "correct horse battery staple"},
		{"Café wifi", "p@ss=wörd#1"},
		{"x", "12345678"},
		{strings.Repeat("s", 32), strings.Repeat("p", 63)},
	} {
		out, err := exec.Command("wpa_passphrase", c.ssid, c.pass).Output()
		if err != nil {
			t.Fatalf("wpa_passphrase %q: %v", c.ssid, err)
		}
		m := regexp.MustCompile(`(?m)^\s*psk=([0-9a-f]{64})$`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("no psk in %s", out)
		}
		got, err := PSK(c.pass, c.ssid)
		if err != nil || got != string(m[1]) {
			t.Errorf("PSK(%q, %q) = %s, %v; wpa_passphrase says %s", c.pass, c.ssid, got, err, m[1])
		}
	}
}

// fakeSystem records what would touch the running system.
type fakeSystem struct {
	hostname string
	calls    [][]string
}

func (f *fakeSystem) applier(root string, live bool) applier {
	return applier{root: root, live: live, log: discardLog(),
		sethostname: func(h string) error { f.hostname = h; return nil },
		systemctl:   func(_ context.Context, args ...string) error { f.calls = append(f.calls, args); return nil }}
}

func fullSettings(t *testing.T, root string, keys ...string) Settings {
	t.Helper()
	text := "wifi_ssid = Maison\nwifi_password = correct horse battery staple\nwifi_country = FR\nhostname = studio\n" +
		"public_url = https://video.example.org\ntimezone = Europe/Paris\n"
	for _, k := range keys {
		text += "ssh_key = " + k + "\n"
	}
	s, problems := Parser{Root: root}.Parse(strings.NewReader(text))
	if len(problems) > 0 {
		t.Fatalf("problems: %+v", problems)
	}
	return s
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func TestApplyWritesTheSystemFiles(t *testing.T) {
	root := fakeRoot(t)
	k1, k2, old := newSSHKey(t, "one"), newSSHKey(t, "two"), newSSHKey(t, "already-there")
	if err := os.MkdirAll(filepath.Join(root, "root/.ssh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "root/.ssh/authorized_keys"), []byte(old+"\n"+k1), 0o644); err != nil {
		t.Fatal(err)
	}
	// The image masks nothing, but a box set up by hand may have.
	if err := os.Symlink("/dev/null", filepath.Join(root, "etc/systemd/system/ssh.service")); err != nil {
		if err := os.MkdirAll(filepath.Join(root, "etc/systemd/system"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/dev/null", filepath.Join(root, "etc/systemd/system/ssh.service")); err != nil {
			t.Fatal(err)
		}
	}
	s := fullSettings(t, root, k1, k2)
	var sys fakeSystem
	r, err := sys.applier(root, true).apply(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	wantApplied := []string{KeyHostname, KeyTimezone, KeyPublicURL, KeyWiFiSSID, KeyWiFiPassword, KeyWiFiCountry, KeySSHKey}
	if !slices.Equal(r.Applied, wantApplied) || !slices.Equal(r.Enabled, []string{unitWiFi, unitSSH}) || len(r.Failed) != 0 {
		t.Errorf("result %+v", r)
	}

	if got := readFile(t, filepath.Join(root, "etc/hostname")); got != "studio\n" {
		t.Errorf("hostname %q", got)
	}
	if got := readFile(t, filepath.Join(root, "etc/hosts")); got != "127.0.0.1\tlocalhost\n127.0.1.1\tstudio\n::1\tlocalhost ip6-localhost\n" {
		t.Errorf("hosts %q", got)
	}
	if dest, err := os.Readlink(filepath.Join(root, "etc/localtime")); err != nil || dest != "../usr/share/zoneinfo/Europe/Paris" {
		t.Errorf("localtime -> %q, %v", dest, err)
	}
	if got := readFile(t, filepath.Join(root, "etc/localtime")); got != "TZif fake" { // the relative link resolves inside root
		t.Errorf("localtime reads %q", got)
	}
	if got := readFile(t, filepath.Join(root, "etc/timezone")); got != "Europe/Paris\n" {
		t.Errorf("timezone %q", got)
	}
	env := readFile(t, filepath.Join(root, "etc/cabane/cabane.env"))
	if env != "# site settings\nCABANE_LISTEN=:80\nCABANE_PUBLIC_URL=https://video.example.org\nCABANE_MDNS_HOSTNAME=studio\n" {
		t.Errorf("cabane.env %q", env)
	}

	wpa := filepath.Join(root, "etc/wpa_supplicant/wpa_supplicant-wlan0.conf")
	conf := readFile(t, wpa)
	psk, _ := PSK("correct horse battery staple", "Maison")
	for _, want := range []string{"country=FR\n", "ctrl_interface=DIR=/run/wpa_supplicant GROUP=netdev\n", "\tssid=\"Maison\"\n", "\tpsk=" + psk + "\n"} {
		if !strings.Contains(conf, want) {
			t.Errorf("wpa_supplicant conf lacks %q:\n%s", want, conf)
		}
	}
	if strings.Contains(conf, "horse") {
		t.Errorf("passphrase stored:\n%s", conf)
	}
	if m := mode(t, wpa).Perm(); m != 0o600 {
		t.Errorf("wpa conf mode %v", m)
	}

	ak := filepath.Join(root, "root/.ssh/authorized_keys")
	if got := readFile(t, ak); got != old+"\n"+k1+"\n"+k2+"\n" {
		t.Errorf("authorized_keys %q", got)
	}
	if m := mode(t, ak).Perm(); m != 0o600 {
		t.Errorf("authorized_keys mode %v", m)
	}
	if m := mode(t, filepath.Join(root, "root/.ssh")).Perm(); m != 0o700 {
		t.Errorf(".ssh mode %v", m)
	}

	wants := filepath.Join(root, "etc/systemd/system/multi-user.target.wants")
	for unit, target := range map[string]string{unitSSH: "/usr/lib/systemd/system/ssh.service", unitWiFi: "/usr/lib/systemd/system/wpa_supplicant@.service"} {
		if dest, err := os.Readlink(filepath.Join(wants, unit)); err != nil || dest != target {
			t.Errorf("%s -> %q, %v", unit, dest, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "etc/systemd/system/ssh.service")); !os.IsNotExist(err) {
		t.Errorf("ssh.service still masked: %v", err)
	}

	// Live: the host name now, a reload for the removed mask, the units
	// started without waiting.
	if sys.hostname != "studio" {
		t.Errorf("live host name %q", sys.hostname)
	}
	want := [][]string{{"daemon-reload"}, {"--no-block", "start", unitWiFi, unitSSH}}
	if len(sys.calls) != 2 || !slices.Equal(sys.calls[0], want[0]) || !slices.Equal(sys.calls[1], want[1]) {
		t.Errorf("systemctl calls %v, want %v", sys.calls, want)
	}

	// Applying again changes nothing (a power cut before the card was
	// rewritten means a second run at the next boot).
	if _, err := sys.applier(root, false).apply(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, ak); got != old+"\n"+k1+"\n"+k2+"\n" {
		t.Errorf("authorized_keys after a second run %q", got)
	}
	if got := readFile(t, filepath.Join(root, "etc/cabane/cabane.env")); got != env {
		t.Errorf("cabane.env after a second run %q", got)
	}
	entries, _ := os.ReadDir(filepath.Join(root, "etc"))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// Without a key, SSH stays off; without an SSID, no Wi-Fi; not live, the
// running system is left alone.
func TestApplyLeavesSSHOffWithoutKey(t *testing.T) {
	root := fakeRoot(t)
	s, problems := Parser{Root: root}.Parse(strings.NewReader("hostname = box\n"))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var sys fakeSystem
	r, err := sys.applier(root, false).apply(context.Background(), s)
	if err != nil || !slices.Equal(r.Applied, []string{KeyHostname}) || len(r.Enabled) != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	for _, p := range []string{"etc/systemd/system/multi-user.target.wants", "root/.ssh", "etc/wpa_supplicant"} {
		if _, err := os.Stat(filepath.Join(root, p)); !os.IsNotExist(err) {
			t.Errorf("%s exists: %v", p, err)
		}
	}
	if sys.hostname != "" || len(sys.calls) != 0 {
		t.Errorf("touched the running system: %+v", sys)
	}
}

// A part that cannot be written fails alone: here wpa_supplicant is not
// installed, and the host name still applies.
func TestApplyPartFailsAlone(t *testing.T) {
	root := fakeRoot(t)
	if err := os.Remove(filepath.Join(root, "usr/lib/systemd/system/wpa_supplicant@.service")); err != nil {
		t.Fatal(err)
	}
	s := fullSettings(t, root)
	var sys fakeSystem
	r, err := sys.applier(root, false).apply(context.Background(), s)
	if err == nil || !strings.Contains(err.Error(), "wpa_supplicant@.service is not installed") {
		t.Errorf("error %v", err)
	}
	var failed []string
	for _, f := range r.Failed {
		failed = append(failed, f.Key)
	}
	if !slices.Equal(failed, []string{KeyWiFiSSID, KeyWiFiPassword, KeyWiFiCountry}) || !slices.Contains(r.Applied, KeyHostname) {
		t.Errorf("result %+v", r)
	}
}

func TestApplyCreatesHostsAndEnv(t *testing.T) {
	root := t.TempDir()
	var sys fakeSystem
	s := Settings{Hostname: "box", PublicURL: "http://box.example", Lines: map[string][]int{KeyHostname: {1}, KeyPublicURL: {2}}}
	if _, err := sys.applier(root, false).apply(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(root, "etc/hosts")); !strings.Contains(got, "127.0.0.1\tlocalhost\n") || !strings.HasSuffix(got, "127.0.1.1\tbox\n") {
		t.Errorf("hosts %q", got)
	}
	if got := readFile(t, filepath.Join(root, "etc/cabane/cabane.env")); got != "CABANE_MDNS_HOSTNAME=box\nCABANE_PUBLIC_URL=http://box.example\n" {
		t.Errorf("env %q", got)
	}
}

func TestWPASSIDHexWhenNotPlain(t *testing.T) {
	if got := wpaSSID(`Le "wifi" é`); got != "4c652022776966692220c3a9" {
		t.Errorf("got %s", got)
	}
	if got := wpaSSID("Plain net"); got != `"Plain net"` {
		t.Errorf("got %s", got)
	}
}
