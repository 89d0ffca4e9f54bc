package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q, %v", h, err)
	}
	h2, _ := HashPassword("correct horse")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if err := CheckPassword(h, "correct horse"); err != nil {
		t.Errorf("right password refused: %v", err)
	}
	if err := CheckPassword(h, "correct horsE"); !errors.Is(err, ErrBadPassword) {
		t.Errorf("wrong password: %v", err)
	}
	for _, bad := range []string{"", "plain", "$2a$10$bcrypt", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=1,t=1,p=1$!!$!!"} {
		if err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("CheckPassword(%q) accepted", bad)
		}
	}
}

func TestTokens(t *testing.T) {
	a, ah := NewToken()
	b, _ := NewToken()
	if a == b || len(a) < 40 || string(ah) != string(HashToken(a)) {
		t.Errorf("tokens %q %q", a, b)
	}
}

func TestValidation(t *testing.T) {
	for _, n := range []string{"alice", "a.b_c", "x1"} {
		if err := ValidName("user", n); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
	for _, n := range []string{"", "Alice", "_x", "a b", "a/b", "../x", strings.Repeat("a", 51), "peertube"} {
		if ValidName("user", n) == nil {
			t.Errorf("%q accepted", n)
		}
	}
	if ValidEmail("a@example.org") != nil || ValidEmail("Alice <a@example.org>") == nil || ValidEmail("nope") == nil {
		t.Error("e-mail validation")
	}
	if ValidPassword("1234567") == nil || ValidPassword("12345678") != nil {
		t.Error("password length rule")
	}
}
