package discovery

import (
	"fmt"
	"strconv"
	"strings"
)

// TXT keys of _cabane._tcp. Short keys keep the record small (RFC 6763 §6.2
// recommends staying under 200 bytes); txtvers lets the format evolve.
const (
	txtVersion   = "txtvers"
	txtName      = "name"
	txtCabaneVer = "version"
	txtPath      = "path"
	txtPublicURL = "url"
	txtHost      = "host" // the host name won by probing: cabane.local or cabane-2.local
)

// cabaneTXT builds the _cabane._tcp TXT strings. The instance name is repeated
// in the TXT record because the DNS label comes back escaped (\032, \195\169)
// from some stacks, while the TXT value is the raw UTF-8 the user typed. host is
// the name in use ("cabane-2.local"), which may not be the configured one.
func cabaneTXT(cfg Config, host string) ([]string, error) {
	kv := []string{txtVersion + "=1", txtName + "=" + cfg.Instance, txtPath + "=" + cfg.Path, txtHost + "=" + host}
	if cfg.Version != "" {
		kv = append(kv, txtCabaneVer+"="+cfg.Version)
	}
	if cfg.PublicURL != "" {
		kv = append(kv, txtPublicURL+"="+cfg.PublicURL)
	}
	for _, s := range kv {
		if len(s) > 255 {
			return nil, fmt.Errorf("mdns: TXT entry %.20q… longer than 255 bytes", s)
		}
	}
	return kv, nil
}

// httpTXT follows the DNS-SD convention for _http._tcp: path= is the page to open.
func httpTXT(cfg Config) []string { return []string{txtPath + "=" + cfg.Path} }

// parseTXT turns TXT strings as the resolver hands them over into a map. They
// are in presentation form (miekg/dns writes "é" as \195\169 and '"' as \"),
// so each is unescaped first. Keys are case-insensitive (RFC 6763 §6.4) and the
// first occurrence wins.
func parseTXT(txt []string) map[string]string {
	m := make(map[string]string, len(txt))
	for _, s := range txt {
		k, v, _ := strings.Cut(unescapeLabel(s), "=")
		k = strings.ToLower(k)
		if _, dup := m[k]; !dup && k != "" {
			m[k] = v
		}
	}
	return m
}

// escapeInstance makes an instance name safe to hand to zeroconf, which joins it
// into a presentation-format domain name: a dot would split the label in two and
// a backslash would start an escape.
func escapeInstance(s string) string {
	return strings.NewReplacer(`\`, `\\`, `.`, `\.`).Replace(s)
}

// unescapeLabel decodes a presentation-format DNS label as miekg/dns writes it:
// "\." "\ " "\\" and "\DDD" (decimal byte) escapes.
func unescapeLabel(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			if n, err := strconv.Atoi(s[i+1 : i+4]); err == nil && n < 256 {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
