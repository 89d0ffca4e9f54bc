package firstboot

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The keys cabane.txt knows.
const (
	KeyWiFiSSID     = "wifi_ssid"
	KeyWiFiPassword = "wifi_password"
	KeyWiFiCountry  = "wifi_country"
	KeyHostname     = "hostname"
	KeyPublicURL    = "public_url"
	KeyTimezone     = "timezone"
	KeySSHKey       = "ssh_key"
)

var knownKeys = []string{KeyWiFiSSID, KeyWiFiPassword, KeyWiFiCountry, KeyHostname, KeyPublicURL, KeyTimezone, KeySSHKey}

// maxFileSize bounds what is read: cabane.txt is a few lines, and the
// parser runs before anything else on the box.
const maxFileSize = 1 << 20

// Settings are the accepted lines of cabane.txt; an empty field was not
// given (or its line was bad).
type Settings struct {
	WiFiSSID     string
	WiFiPassword string // the passphrase, or 64 hex digits (a raw PSK)
	WiFiCountry  string // upper case
	Hostname     string // lower case
	PublicURL    string // without a trailing slash
	Timezone     string
	SSHKeys      []string // authorized_keys lines

	// Lines maps each given key to the line numbers it came from, so the
	// card's copy can be rewritten line by line.
	Lines map[string][]int
}

// Empty says whether nothing is to be applied.
func (s Settings) Empty() bool { return len(s.Lines) == 0 }

// Keys lists the given keys in the file's order of knownKeys.
func (s Settings) Keys() []string {
	var out []string
	for _, k := range knownKeys {
		if len(s.Lines[k]) > 0 {
			out = append(out, k)
		}
	}
	return out
}

// Problem is a line that was not applied, and why.
type Problem struct {
	Line    int     `json:"line"` // 1-based; 0: the file as a whole
	Key     string  `json:"key,omitempty"`
	Text    string  `json:"text,omitempty"` // the line as written, secrets masked
	Message Message `json:"message"`
}

func (p Problem) Error() string {
	if p.Line == 0 {
		return "cabane.txt: " + p.Message.EN
	}
	return fmt.Sprintf("cabane.txt line %d: %s", p.Line, p.Message.EN)
}

// Parser checks values against a root file system (time zones, country
// codes are looked up under Root/usr/share/zoneinfo).
type Parser struct{ Root string }

// Parse reads cabane.txt, checking time zones against this machine.
func Parse(r io.Reader) (Settings, []Problem) { return Parser{Root: "/"}.Parse(r) }

// Parse reads cabane.txt: `key = value` lines, `#` comments, blank lines.
// A bad line is a Problem and is left out; the others are accepted.
func (p Parser) Parse(r io.Reader) (Settings, []Problem) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return Settings{}, []Problem{{Message: msg("could not be read: %v", "illisible : %v", err)}}
	}
	if len(data) > maxFileSize {
		return Settings{}, []Problem{{Message: msg("is larger than %d bytes: is it the right file?",
			"dépasse %d octets : est-ce le bon fichier ?", maxFileSize)}}
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return Settings{}, []Problem{{Message: msg("is saved as UTF-16 (\"Unicode\"): save it as UTF-8 or plain text",
			"est enregistré en UTF-16 (« Unicode ») : enregistrez-le en UTF-8 ou en texte brut")}}
	}
	lines, _ := splitLines(data)
	return p.parseLines(lines)
}

func (p Parser) parseLines(lines []rawLine) (Settings, []Problem) {
	s := Settings{Lines: map[string][]int{}}
	var problems []Problem
	for _, l := range lines {
		if isComment(l.text) {
			continue
		}
		key, value, ok := splitSetting(l.text)
		bad := func(m Message) {
			problems = append(problems, Problem{Line: l.num, Key: key, Text: masked(key, l.text), Message: m})
		}
		switch {
		case !ok:
			key = ""
			bad(msg("this line has no '=': write key = value, or put # in front to make it a comment",
				"cette ligne n'a pas de « = » : écrivez clé = valeur, ou mettez # devant pour en faire un commentaire"))
			continue
		case !slices.Contains(knownKeys, key):
			bad(unknownKey(key))
			continue
		case value == "":
			bad(msg("%s has no value: write one after '=', or put # in front of the line",
				"%s n'a pas de valeur : écrivez-en une après « = », ou mettez # devant la ligne", key))
			continue
		case key != KeySSHKey && len(s.Lines[key]) > 0:
			bad(msg("%s is already set on line %d: keep only one", "%s est déjà donné ligne %d : n'en gardez qu'un",
				key, s.Lines[key][0]))
			continue
		}
		v, m := p.check(key, value)
		if m != nil {
			bad(*m)
			continue
		}
		s.set(key, v)
		s.Lines[key] = append(s.Lines[key], l.num)
	}
	problems = append(problems, s.checkWiFi(lines)...)
	slices.SortStableFunc(problems, func(a, b Problem) int { return a.Line - b.Line })
	return s, problems
}

// splitSetting cuts "key = value" at the first '=' (values may hold '=' and
// '#': Wi-Fi passwords do). One pair of quotes around the value is removed.
func splitSetting(text string) (key, value string, ok bool) {
	k, v, ok := strings.Cut(text, "=")
	if !ok {
		return "", "", false
	}
	key, value = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
	if n := len(value); n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n-1] == value[0] {
		value = value[1 : n-1]
	}
	return key, value, true
}

func (s *Settings) set(key, v string) {
	switch key {
	case KeyWiFiSSID:
		s.WiFiSSID = v
	case KeyWiFiPassword:
		s.WiFiPassword = v
	case KeyWiFiCountry:
		s.WiFiCountry = v
	case KeyHostname:
		s.Hostname = v
	case KeyPublicURL:
		s.PublicURL = v
	case KeyTimezone:
		s.Timezone = v
	case KeySSHKey:
		if !slices.Contains(s.SSHKeys, v) {
			s.SSHKeys = append(s.SSHKeys, v)
		}
	}
}

// checkWiFi ties the three Wi-Fi keys together: a network needs its
// country (the radio's legal channels), a password or country alone sets
// nothing up. The lines that cannot apply become problems and stay on the
// card, so the creator fixes the one that is wrong.
func (s *Settings) checkWiFi(lines []rawLine) []Problem {
	var problems []Problem
	drop := func(key string, m Message) {
		for _, n := range s.Lines[key] {
			problems = append(problems, Problem{Line: n, Key: key, Text: masked(key, lines[n-1].text), Message: m})
		}
		delete(s.Lines, key)
		s.set(key, "")
	}
	hasSSID, hasCountry := s.WiFiSSID != "", s.WiFiCountry != ""
	switch {
	case hasSSID && !hasCountry:
		m := msg("Wi-Fi needs a valid wifi_country too (two letters, e.g. FR or GB): the radio may only use that country's channels",
			"le Wi-Fi a aussi besoin d'un wifi_country valable (deux lettres, par ex. FR ou BE) : la radio n'utilise que les canaux permis dans ce pays")
		drop(KeyWiFiSSID, m)
		drop(KeyWiFiPassword, m)
	case !hasSSID:
		m := msg("there is no valid wifi_ssid (the network's name), so Wi-Fi was not set up",
			"il n'y a pas de wifi_ssid valable (le nom du réseau) : le Wi-Fi n'a pas été configuré")
		drop(KeyWiFiPassword, m)
		drop(KeyWiFiCountry, m)
	}
	return problems
}

// masked hides the value of a secret line wherever it is shown (the setup
// page, the outcome file); a misspelt password key is a secret too.
func masked(key, text string) string {
	secret := editDistance(key, KeyWiFiPassword) <= 3
	for _, w := range []string{"pass", "psk", "secret", "pwd", "mdp"} {
		secret = secret || strings.Contains(key, w)
	}
	if secret {
		return key + " = ********"
	}
	return text
}

func unknownKey(key string) Message {
	best, dist := "", 3
	for _, k := range knownKeys {
		if d := editDistance(key, k); d < dist {
			best, dist = k, d
		}
	}
	if best != "" {
		return msg("unknown key %q: did you mean %s?", "clé inconnue « %s » : vouliez-vous dire %s ?", key, best)
	}
	return msg("unknown key %q: the keys are %s", "clé inconnue « %s » : les clés sont %s", key, strings.Join(knownKeys, ", "))
}

// editDistance is Levenshtein's, for "did you mean" on short keys.
func editDistance(a, b string) int {
	if d := len(a) - len(b); d > 3 || d < -3 {
		return max(len(a), len(b)) // far apart; spares a long line the table
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
