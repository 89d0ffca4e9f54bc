package signature

import (
	"fmt"
	"strings"
)

// params are a Signature header's parameters (draft-cavage section 2.1).
type params struct {
	keyID     string
	algorithm string
	headers   []string // lower case; "date" when the header omits them
	signature string
	created   string
	expires   string
}

// parseParams reads `keyId="…",algorithm="…",headers="…",signature="…"`,
// tolerating spaces after commas and parameters in any order (the
// library's own parser splits on bare commas only; Verify hands it the
// canonical form this returns).
func parseParams(s string) (params, error) {
	var p params
	seen := map[string]bool{}
	for s = strings.TrimSpace(s); s != ""; {
		k, rest, ok := strings.Cut(s, "=")
		if !ok {
			return params{}, fmt.Errorf("%w: parameter without a value", ErrMalformed)
		}
		k = strings.TrimSpace(k)
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return params{}, fmt.Errorf("%w: unterminated %s", ErrMalformed, k)
			}
			v, rest = rest[1:1+end], rest[2+end:]
		} else {
			v, rest, _ = strings.Cut(rest, ",")
			rest = "," + rest
			v = strings.TrimSpace(v)
			if strings.Contains(v, `"`) {
				return params{}, fmt.Errorf("%w: stray quote in %s", ErrMalformed, k)
			}
		}
		rest = strings.TrimSpace(rest)
		if rest != "" && !strings.HasPrefix(rest, ",") {
			return params{}, fmt.Errorf("%w: junk after %s", ErrMalformed, k)
		}
		s = strings.TrimSpace(strings.TrimLeft(rest, ","))
		if seen[k] {
			return params{}, fmt.Errorf("%w: %s twice", ErrMalformed, k)
		}
		seen[k] = true
		switch k {
		case "keyId":
			p.keyID = v
		case "algorithm":
			p.algorithm = strings.ToLower(v)
		case "headers":
			p.headers = strings.Fields(strings.ToLower(v))
		case "signature":
			p.signature = v
		case "created":
			p.created = v
		case "expires":
			p.expires = v
		}
	}
	switch {
	case p.keyID == "":
		return params{}, fmt.Errorf("%w: no keyId", ErrMalformed)
	case p.signature == "":
		return params{}, fmt.Errorf("%w: no signature", ErrMalformed)
	case strings.ContainsAny(p.keyID, `",`), strings.ContainsAny(p.signature, `",`):
		return params{}, fmt.Errorf("%w: quote in keyId or signature", ErrMalformed)
	case !digits(p.created), !digits(p.expires):
		return params{}, fmt.Errorf("%w: created or expires", ErrMalformed)
	}
	if seen["headers"] && len(p.headers) == 0 {
		return params{}, fmt.Errorf("%w: empty headers", ErrMalformed)
	}
	if len(p.headers) == 0 {
		p.headers = []string{"date"} // the draft's default
	}
	return p, nil
}

// canonical is the header as the library parses it: no spaces, fixed order.
func (p params) canonical() string {
	var b strings.Builder
	b.WriteString(`keyId="` + p.keyID + `",`)
	if p.created != "" {
		b.WriteString("created=" + p.created + ",")
	}
	if p.expires != "" {
		b.WriteString("expires=" + p.expires + ",")
	}
	b.WriteString(`headers="` + strings.Join(p.headers, " ") + `",signature="` + p.signature + `"`)
	return b.String()
}

func (p params) signs(h string) bool {
	for _, x := range p.headers {
		if x == h {
			return true
		}
	}
	return false
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
