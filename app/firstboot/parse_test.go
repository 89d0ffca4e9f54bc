package firstboot

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func parseString(t *testing.T, root, text string) (Settings, []Problem) {
	t.Helper()
	return Parser{Root: root}.Parse(strings.NewReader(text))
}

// A file as Windows Notepad writes it: BOM, CRLF, a Latin-1 comment,
// spaces around everything, upper-case keys and values, quotes.
func TestParseWindowsFile(t *testing.T) {
	root := fakeRoot(t)
	key := newSSHKey(t, "moi@portable")
	text := "\xEF\xBB\xBF# R\xE9glages de la bo\xEEte (Latin-1 accents)\r\n" +
		"\r\n" +
		"  WiFi_SSID = \"Maison Dupont\"   \r\n" +
		"wifi_password=pa=ss#word 42\r\n" +
		"wifi_country = fr\r\n" +
		"hostname = Studio-2 \r\n" +
		"public_url = https://Video.Example.org/\r\n" +
		"timezone = Europe/Paris\t\r\n" +
		"ssh_key = " + key + "\r\n" +
		"ssh_key = " + key + "\r\n" + // the same key twice is one key
		"# the end, no line ending after this\r\n" +
		"   "
	s, problems := parseString(t, root, text)
	if len(problems) != 0 {
		t.Fatalf("problems: %+v", problems)
	}
	want := Settings{WiFiSSID: "Maison Dupont", WiFiPassword: "pa=ss#word 42", WiFiCountry: "FR", Hostname: "studio-2",
		PublicURL: "https://Video.Example.org", Timezone: "Europe/Paris", SSHKeys: []string{key},
		Lines: map[string][]int{"wifi_ssid": {3}, "wifi_password": {4}, "wifi_country": {5}, "hostname": {6},
			"public_url": {7}, "timezone": {8}, "ssh_key": {9, 10}}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
}

func TestParseEachKey(t *testing.T) {
	root := fakeRoot(t)
	key := newSSHKey(t, "a@b")
	wifi := "wifi_ssid = Net\nwifi_country = BE\n"
	cases := []struct {
		name, text string
		key        string // the problem's key; "" = no problem
		line       int
		check      func(Settings) bool
	}{
		{"ssid 32 bytes", "wifi_ssid = " + strings.Repeat("é", 16) + "\nwifi_country = FR", "", 0, func(s Settings) bool { return len(s.WiFiSSID) == 32 }},
		{"ssid 33 bytes", "wifi_ssid = " + strings.Repeat("x", 33) + "\nwifi_country = FR", "wifi_ssid", 1, nil},
		{"open network", wifi, "", 0, func(s Settings) bool { return s.WiFiSSID == "Net" && s.WiFiPassword == "" }},
		{"password 8", wifi + "wifi_password = 12345678", "", 0, func(s Settings) bool { return s.WiFiPassword == "12345678" }},
		{"password 7", wifi + "wifi_password = 1234567", "wifi_password", 3, nil},
		{"password 64 chars not hex", wifi + "wifi_password = " + strings.Repeat("z", 64), "wifi_password", 3, nil},
		{"password raw psk", wifi + "wifi_password = " + strings.Repeat("AB", 32), "", 0, func(s Settings) bool { return s.WiFiPassword == strings.Repeat("ab", 32) }},
		{"country lower", "wifi_ssid = n\nwifi_country = gb", "", 0, func(s Settings) bool { return s.WiFiCountry == "GB" }},
		{"country UK", "wifi_ssid = n\nwifi_country = UK", "wifi_country", 2, nil},
		{"country unknown", "wifi_ssid = n\nwifi_country = ZZ", "wifi_country", 2, nil},
		{"country three letters", "wifi_ssid = n\nwifi_country = FRA", "wifi_country", 2, nil},
		{"ssid without country", "wifi_ssid = n", "wifi_ssid", 1, func(s Settings) bool { return s.WiFiSSID == "" }},
		{"password without ssid", "wifi_password = 12345678", "wifi_password", 1, func(s Settings) bool { return s.WiFiPassword == "" }},
		{"country without ssid", "wifi_country = FR", "wifi_country", 1, func(s Settings) bool { return s.WiFiCountry == "" }},
		{"hostname", "hostname = Box-1", "", 0, func(s Settings) bool { return s.Hostname == "box-1" }},
		{"hostname digits", "hostname = 42", "", 0, func(s Settings) bool { return s.Hostname == "42" }},
		{"hostname dot", "hostname = box.local", "hostname", 1, nil},
		{"hostname accent", "hostname = boîte", "hostname", 1, nil},
		{"hostname leading hyphen", "hostname = -box", "hostname", 1, nil},
		{"hostname 64", "hostname = " + strings.Repeat("a", 64), "hostname", 1, nil},
		{"url http", "public_url = http://1.2.3.4:8080", "", 0, func(s Settings) bool { return s.PublicURL == "http://1.2.3.4:8080" }},
		{"url no scheme", "public_url = video.example.org", "public_url", 1, nil},
		{"url ftp", "public_url = ftp://video.example.org", "public_url", 1, nil},
		{"url path", "public_url = https://example.org/videos", "public_url", 1, nil},
		{"url user", "public_url = https://me@example.org", "public_url", 1, nil},
		{"url shell in host", "public_url = https://a;reboot", "public_url", 1, nil},
		{"url bad host", "public_url = https://a_b!.example", "public_url", 1, nil},
		{"url ipv6", "public_url = https://[2001:db8::1]:8443", "", 0, func(s Settings) bool { return s.PublicURL == "https://[2001:db8::1]:8443" }},
		{"url quote", "public_url = https://exa\"mple.org", "public_url", 1, nil},
		{"timezone", "timezone = America/Montreal", "", 0, func(s Settings) bool { return s.Timezone == "America/Montreal" }},
		{"timezone UTC", "timezone = UTC", "", 0, func(s Settings) bool { return s.Timezone == "UTC" }},
		{"timezone unknown", "timezone = Europe/Atlantis", "timezone", 1, nil},
		{"timezone directory", "timezone = Europe", "timezone", 1, nil},
		{"timezone escape", "timezone = ../../etc/passwd", "timezone", 1, nil},
		{"timezone absolute", "timezone = /usr/share/zoneinfo/UTC", "timezone", 1, nil},
		{"ssh key", "ssh_key = " + key, "", 0, func(s Settings) bool { return slices.Equal(s.SSHKeys, []string{key}) }},
		{"ssh key truncated", "ssh_key = " + key[:40], "ssh_key", 1, nil},
		{"ssh two keys on a line", "ssh_key = " + key + " " + key, "ssh_key", 1, nil},
		{"ssh private key", "ssh_key = -----BEGIN OPENSSH PRIVATE KEY-----", "ssh_key", 1, nil},
		{"no equals", "hostname box", "", 1, nil},
		{"unknown key", "wifi_passwd = secret123", "wifi_passwd", 1, nil},
		{"empty value", "hostname =", "hostname", 1, nil},
		{"control char", "hostname = a\x01b", "hostname", 1, nil},
		{"duplicate", "hostname = a\nhostname = b", "hostname", 2, func(s Settings) bool { return s.Hostname == "a" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, problems := parseString(t, root, c.text)
			if c.line == 0 && len(problems) > 0 {
				t.Fatalf("problems: %+v", problems)
			}
			if c.line != 0 {
				if len(problems) == 0 {
					t.Fatalf("no problem; settings %+v", s)
				}
				var p Problem
				for _, q := range problems {
					if q.Line == c.line {
						p = q
					}
				}
				if p.Line != c.line || p.Key != c.key || p.Message.EN == "" || p.Message.FR == "" || p.Message.EN == p.Message.FR {
					t.Fatalf("problem %+v, want line %d key %q in two languages", p, c.line, c.key)
				}
				if len(s.Lines[c.key]) > 0 && c.key != "hostname" {
					t.Errorf("bad %s still applied: %+v", c.key, s)
				}
			}
			if c.check != nil && !c.check(s) {
				t.Errorf("settings %+v", s)
			}
		})
	}
}

// A bad line does not stop the others, and problems come in line order.
func TestParseBadLinesDoNotStopOthers(t *testing.T) {
	root := fakeRoot(t)
	s, problems := parseString(t, root, "timezone = Mars/Olympus\nhostname = studio\nbogus\nwifi_ssid = x\nwifi_country = XX\n")
	if s.Hostname != "studio" || !slices.Equal(s.Keys(), []string{KeyHostname}) {
		t.Errorf("settings %+v", s)
	}
	var lines []int
	for _, p := range problems {
		lines = append(lines, p.Line)
	}
	if !slices.Equal(lines, []int{1, 3, 4, 5}) {
		t.Errorf("problem lines %v, want 1 3 4 5: %+v", lines, problems)
	}
}

// The password never appears in a problem, whatever went wrong with it.
func TestParseMasksSecrets(t *testing.T) {
	root := fakeRoot(t)
	for _, text := range []string{
		"wifi_password = hunter2",                         // too short
		"wifi_password = hunter22hunter22",                // no SSID
		"wifi_passwd = hunter22hunter22",                  // misspelt
		"wifi_ssid = n\nwifi_password = hunter22hunter22", // no country
		"wifi_ssid = n\nwifi_country = FR\nwifi_password = hunter22hunter22\nwifi_password = hunter22hunter22", // duplicate
	} {
		_, problems := parseString(t, root, text)
		if len(problems) == 0 {
			t.Errorf("%q: no problem", text)
		}
		for _, p := range problems {
			if strings.Contains(p.Text, "hunter2") || strings.Contains(p.Message.EN+p.Message.FR, "hunter2") {
				t.Errorf("%q: secret in problem %+v", text, p)
			}
		}
	}
}

func TestParseWholeFileProblems(t *testing.T) {
	root := fakeRoot(t)
	utf16 := []byte{0xFF, 0xFE, 'h', 0, '=', 0, 'x', 0}
	if s, p := (Parser{Root: root}).Parse(bytes.NewReader(utf16)); !s.Empty() || len(p) != 1 || p[0].Line != 0 {
		t.Errorf("UTF-16: %+v %+v", s, p)
	}
	big := bytes.Repeat([]byte("# padding\n"), maxFileSize/10+1)
	if s, p := (Parser{Root: root}).Parse(bytes.NewReader(big)); !s.Empty() || len(p) != 1 || p[0].Line != 0 {
		t.Errorf("large: %+v %+v", s, p)
	}
}

// Parse (no root given) checks time zones against this machine's tzdata.
func TestParseAgainstThisMachine(t *testing.T) {
	if _, err := os.Stat("/usr/share/zoneinfo/Europe/Paris"); err != nil {
		t.Skip("no tzdata here")
	}
	s, problems := Parse(strings.NewReader("timezone = Europe/Paris\nwifi_ssid = a\nwifi_country = DE\n"))
	if len(problems) != 0 || s.Timezone != "Europe/Paris" || s.WiFiCountry != "DE" {
		t.Errorf("%+v %+v", s, problems)
	}
}

func TestUnknownKeySuggests(t *testing.T) {
	m := unknownKey("wifi_pasword")
	if !strings.Contains(m.EN, "wifi_password") || !strings.Contains(m.FR, "wifi_password") {
		t.Errorf("%+v", m)
	}
}

func FuzzParse(f *testing.F) {
	root := fakeRoot(f)
	f.Add([]byte("\xEF\xBB\xBFwifi_ssid = x\r\nwifi_country = FR\r\nwifi_password = 12345678\r\n# caf\xE9\r\nhostname=a\n"))
	f.Add([]byte("timezone = Europe/Paris\nssh_key = ssh-ed25519 AAAA x\npublic_url = https://a.b\nbad\n=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, problems := Parser{Root: root}.Parse(bytes.NewReader(data))
		for k, lines := range s.Lines {
			if !slices.Contains(knownKeys, k) || len(lines) == 0 {
				t.Fatalf("bad Lines entry %q %v", k, lines)
			}
		}
		for _, p := range problems {
			if p.Message.EN == "" || p.Message.FR == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
			if p.Line > 0 && s.Lines[p.Key] != nil && slices.Contains(s.Lines[p.Key], p.Line) {
				t.Fatalf("line %d both applied and a problem", p.Line)
			}
		}
		if s.Hostname != "" {
			if _, m := checkHostname(s.Hostname); m != nil {
				t.Fatalf("accepted bad host name %q", s.Hostname)
			}
		}
		// Consuming what was parsed never loses a bad line's bytes.
		applied := map[int]bool{}
		for _, ls := range s.Lines {
			for _, n := range ls {
				applied[n] = true
			}
		}
		out := Consume(data, applied, problems, fixedNow)
		if len(problems) == 0 && len(applied) == 0 && !bytes.Contains(data, []byte(errorPrefix)) && !bytes.Equal(out, data) {
			t.Fatalf("file changed with nothing applied:\n%q\n%q", data, out)
		}
	})
}

// The example shipped on the card (image/cabane.txt, also in the README)
// applies nothing as it is, and each example line parses cleanly once its
// "#" is removed (but the SSH key, whose example is shortened).
func TestExampleFileParses(t *testing.T) {
	data, err := os.ReadFile("../../image/cabane.txt")
	if err != nil {
		t.Fatal(err)
	}
	p := Parser{Root: fakeRoot(t)}
	s, problems := p.Parse(bytes.NewReader(data))
	if len(problems) > 0 || len(s.Keys()) > 0 {
		t.Fatalf("as shipped: %+v %+v", s, problems)
	}
	var edited []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "#") && strings.Contains(line, " = ") && !strings.HasPrefix(line, "#ssh_key") {
			line = strings.TrimPrefix(line, "#")
		}
		edited = append(edited, line)
	}
	s, problems = p.Parse(strings.NewReader(strings.Join(edited, "\n")))
	want := []string{KeyWiFiSSID, KeyWiFiPassword, KeyWiFiCountry, KeyHostname, KeyPublicURL, KeyTimezone}
	if len(problems) > 0 || !slices.Equal(s.Keys(), want) {
		t.Errorf("uncommented: keys %v, problems %+v", s.Keys(), problems)
	}
}
