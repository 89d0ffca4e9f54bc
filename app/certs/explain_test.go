package certs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/acme"

	"cabane.dev/cabane/internal/testrig"
)

func TestExplainInPlainWords(t *testing.T) {
	const dir = "https://acme.example/directory"

	// A real connection refused, as the HTTP client reports it.
	_, refused := (&http.Client{Timeout: time.Second}).Get("http://" + testrig.FreeAddr(t) + "/dir")
	if refused == nil {
		t.Fatal("connecting to a closed port succeeded")
	}

	for _, tc := range []struct {
		name string
		err  error
		seen bool
		want []string
	}{
		{"refused", refused, false, []string{"Cannot reach the certificate authority (acme.example)", "refused"}},
		{"timeout", fmt.Errorf("x: %w", context.DeadlineExceeded), false, []string{"did not answer in time"}},
		{"rate limit", &acme.Error{StatusCode: 429, ProblemType: "urn:ietf:params:acme:error:rateLimited"}, false,
			[]string{"Too many certificate requests", "rate limit"}},
		{"rejected", &acme.Error{StatusCode: 400, ProblemType: "urn:ietf:params:acme:error:rejectedIdentifier", Detail: "forbidden by policy"}, false,
			[]string{"refuses to issue a certificate for box.example: forbidden by policy"}},
		{"unreached", errors.New(`acme/autocert: unable to satisfy "x" for domain "box.example": no viable challenge type found`), false,
			[]string{"could not verify that this box answers for box.example", "never reached this box", "ports 80 and 443"}},
		{"cache", fmt.Errorf("write account key: %w", &fs.PathError{Op: "mkdir", Path: "/data/certs", Err: syscall.EACCES}), false,
			[]string{"cannot use its certificate cache /data/certs: permission denied"}},
		{"reached", errors.New(`acme/autocert: unable to satisfy "x" for domain "box.example": no viable challenge type found`), true,
			[]string{"reached this box but did not succeed"}},
	} {
		got := explain(tc.err, "box.example", dir, tc.seen)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		if strings.Contains(got, "dial tcp") || strings.Contains(got, "acme/autocert") {
			t.Errorf("%s: %q leaks a Go error chain", tc.name, got)
		}
	}
}
