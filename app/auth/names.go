package auth

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"unicode/utf8"
)

// PeerTube's actor names: they end up in URLs and in @name@host handles.
var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._]{0,49}$`)

// reservedNames are actor names Cabane uses itself: "peertube" is the
// server actor (/accounts/peertube), which PeerTube servers follow and
// fetch keys from; an account of that name would be unreachable.
var reservedNames = map[string]bool{"peertube": true}

// ValidName checks a user or channel name.
func ValidName(what, name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("%s name %q: use 1 to 50 lower-case letters, digits, dots or underscores", what, name)
	}
	if reservedNames[name] {
		return fmt.Errorf("%s name %q is reserved for the server itself: choose another", what, name)
	}
	return nil
}

// ValidEmail checks an e-mail address.
func ValidEmail(addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr {
		return fmt.Errorf("e-mail address %q is not valid", addr)
	}
	return nil
}

// ValidPassword checks a new password's length.
func ValidPassword(p string) error {
	n := utf8.RuneCountInString(p)
	if n < 8 {
		return errors.New("password must be at least 8 characters")
	}
	if n > 255 {
		return errors.New("password must be at most 255 characters")
	}
	return nil
}
