package discovery

import (
	"strconv"
	"unicode/utf8"
)

// maxNames caps the candidates tried: cabane, cabane-2 … cabane-32. A LAN
// with 32 Cabanes is unlikely; a broken device that answers every probe must
// not keep the box probing for ever.
const maxNames = 32

// candidate is the n-th choice of names (n ≥ 1): the host label and the
// instance name. One counter drives both, so a box that became cabane-2.local
// shows up as "Cabane (2)" in every browser and the two names tell the same
// story. The first choice is the configured pair itself.
func candidate(host, instance string, n int) (string, string) {
	if n <= 1 {
		return host, instance
	}
	return hostCandidate(host, n), instanceCandidate(instance, n)
}

// hostCandidate is "cabane-2" for n = 2, shortening the base so the label
// stays within 63 bytes.
func hostCandidate(base string, n int) string {
	suffix := "-" + strconv.Itoa(n)
	if len(base)+len(suffix) > 63 {
		base = base[:63-len(suffix)]
	}
	// A cut base may end in '-': drop it so the name reads cabane-2, not cabane--2.
	for len(base) > 1 && base[len(base)-1] == '-' {
		base = base[:len(base)-1]
	}
	return base + suffix
}

// instanceCandidate is "Cabane (2)" for n = 2 (the DNS-SD convention of RFC
// 6763 §9 that macOS and avahi follow), cutting the base at a rune boundary so
// the whole stays within the 63 bytes of one label.
func instanceCandidate(base string, n int) string {
	suffix := " (" + strconv.Itoa(n) + ")"
	for len(base)+len(suffix) > 63 {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return base + suffix
}
