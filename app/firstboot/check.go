package firstboot

import (
	"bufio"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/crypto/ssh"
)

// check validates one value and returns it in the form it is applied.
func (p Parser) check(key, v string) (string, *Message) {
	fail := func(en, fr string, args ...any) (string, *Message) {
		m := msg(en, fr, args...)
		return "", &m
	}
	if hasControl(v) {
		return fail("%s contains a control character", "%s contient un caractère de contrôle", key)
	}
	switch key {
	case KeyWiFiSSID:
		if len(v) > 32 {
			return fail("wifi_ssid is longer than 32 bytes, the most a Wi-Fi network name can be",
				"wifi_ssid dépasse 32 octets, la longueur maximale d'un nom de réseau Wi-Fi")
		}
	case KeyWiFiPassword:
		if len(v) == 64 && isHex(v) {
			return strings.ToLower(v), nil // already a PSK
		}
		if len(v) < 8 || len(v) > 63 {
			return fail("wifi_password must have 8 to 63 characters (WPA); this one has %d",
				"wifi_password doit avoir de 8 à 63 caractères (WPA) ; celui-ci en a %d", len(v))
		}
	case KeyWiFiCountry:
		return p.checkCountry(v)
	case KeyHostname:
		return checkHostname(v)
	case KeyPublicURL:
		return checkPublicURL(v)
	case KeyTimezone:
		return p.checkTimezone(v)
	case KeySSHKey:
		return checkSSHKey(v)
	}
	return v, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7F })
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

func (p Parser) checkCountry(v string) (string, *Message) {
	c := strings.ToUpper(v)
	if c == "UK" {
		m := msg("wifi_country is UK: the ISO code of the United Kingdom is GB", "wifi_country vaut UK : le code ISO du Royaume-Uni est GB")
		return "", &m
	}
	ok := len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
	if ok {
		if codes := countryCodes(p.Root); codes != nil {
			ok = codes[c]
		}
	}
	if !ok {
		m := msg("wifi_country %q is not a two-letter country code (ISO 3166-1, e.g. FR, BE, CH, CA, GB, US)",
			"wifi_country « %s » n'est pas un code pays à deux lettres (ISO 3166-1, par ex. FR, BE, CH, CA, GB, US)", v)
		return "", &m
	}
	return c, nil
}

// countryCodes reads tzdata's list of ISO 3166-1 alpha-2 codes; nil when
// the root has none (then any two letters pass).
func countryCodes(root string) map[string]bool {
	f, err := os.Open(filepath.Join(root, "usr/share/zoneinfo/iso3166.tab"))
	if err != nil {
		return nil
	}
	defer f.Close()
	codes := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); len(l) > 2 && l[0] != '#' && l[2] == '\t' {
			codes[l[:2]] = true
		}
	}
	if len(codes) == 0 {
		return nil
	}
	return codes
}

// checkHostname accepts an RFC 1123 label: the name the box gives itself
// and answers to on the LAN (name.local).
func checkHostname(v string) (string, *Message) {
	h := strings.ToLower(v)
	ok := len(h) >= 1 && len(h) <= 63 && h[0] != '-' && h[len(h)-1] != '-'
	for i := 0; ok && i < len(h); i++ {
		c := h[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
	}
	if !ok {
		m := msg("hostname %q: use 1 to 63 letters (a-z), digits and hyphens, not starting or ending with a hyphen (no dots, no accents)",
			"hostname « %s » : utilisez de 1 à 63 lettres (a-z), chiffres et tirets, sans tiret au début ni à la fin (ni points, ni accents)", v)
		return "", &m
	}
	return h, nil
}

// publicHost is a host name (letters, digits, hyphens, dots), an IPv4
// address or a bracketed IPv6 address, and an optional port.
var publicHost = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$`)

func checkPublicURL(v string) (string, *Message) {
	u, err := url.Parse(v)
	// The host is a DNS name or an address, with an optional port: the value
	// ends up in an environment file that shells may read.
	bad := err != nil || (u.Scheme != "http" && u.Scheme != "https") || !publicHost.MatchString(u.Host) || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(v, " \"'\\`$;&|<>(){}")
	if bad {
		m := msg("public_url %q must be a full address such as https://video.example.org",
			"public_url « %s » doit être une adresse complète comme https://video.example.org", v)
		return "", &m
	}
	if u.Path != "" && u.Path != "/" {
		m := msg("public_url %q: Cabane must be at the root of its address (https://video.example.org, not …/videos)",
			"public_url « %s » : Cabane doit être à la racine de son adresse (https://video.example.org, pas …/videos)", v)
		return "", &m
	}
	return u.Scheme + "://" + u.Host, nil
}

func (p Parser) checkTimezone(v string) (string, *Message) {
	ok := !strings.HasPrefix(v, "/") && !strings.HasSuffix(v, "/")
	for part := range strings.SplitSeq(v, "/") {
		ok = ok && part != "" && part != "." && part != ".." && !strings.ContainsFunc(part, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+-", r))
		})
	}
	if ok {
		fi, err := os.Stat(filepath.Join(p.Root, "usr/share/zoneinfo", v))
		ok = err == nil && fi.Mode().IsRegular()
	}
	if !ok {
		m := msg("timezone %q is not a known time zone: write it as Region/City, e.g. Europe/Paris or America/Montreal",
			"timezone « %s » n'est pas un fuseau horaire connu : écrivez-le Région/Ville, par ex. Europe/Paris ou America/Montreal", v)
		return "", &m
	}
	return v, nil
}

func checkSSHKey(v string) (string, *Message) {
	if strings.Contains(v, "PRIVATE KEY") {
		m := msg("ssh_key is a PRIVATE key: never share it; copy the one line of the .pub file instead (e.g. id_ed25519.pub)",
			"ssh_key est une clé PRIVÉE : ne la donnez jamais ; copiez plutôt la ligne du fichier .pub (par ex. id_ed25519.pub)")
		return "", &m
	}
	_, comment, _, rest, err := ssh.ParseAuthorizedKey([]byte(v))
	if err == nil && comment != "" {
		// Two keys pasted on one line: the second would pass for a comment.
		if _, _, _, _, err2 := ssh.ParseAuthorizedKey([]byte(comment)); err2 == nil {
			m := msg("ssh_key holds two keys: give each its own ssh_key line", "ssh_key contient deux clés : donnez à chacune sa ligne ssh_key")
			return "", &m
		}
	}
	if err != nil || len(rest) > 0 {
		m := msg("ssh_key is not one SSH public key: copy the whole line of your .pub file (ssh-ed25519 AAAA… name)",
			"ssh_key n'est pas une clé publique SSH : copiez la ligne entière de votre fichier .pub (ssh-ed25519 AAAA… nom)")
		return "", &m
	}
	return v, nil
}
