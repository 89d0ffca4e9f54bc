package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"strings"
	"syscall"

	"golang.org/x/crypto/acme"
)

// explain turns an issuance error into words for the admin page: what went
// wrong and what the admin can do, without Go error chains. The raw error
// still goes to the log.
func explain(err error, host, directoryURL string, challengeSeen bool) string {
	if err == nil {
		return ""
	}
	ca := "the certificate authority"
	if u, perr := url.Parse(directoryURL); perr == nil && u.Host != "" {
		ca = "the certificate authority (" + u.Host + ")"
	}

	if _, ok := caRetryAfter(err); ok {
		return "Too many certificate requests: " + ca + " asks Cabane to wait before trying again (rate limit)."
	}

	var ae *acme.Error
	var authzErr *acme.AuthorizationError
	var orderErr *acme.OrderError
	switch {
	case errors.As(err, &authzErr), errors.As(err, &orderErr),
		strings.Contains(err.Error(), "no viable challenge type"):
		// autocert hides the CA's validation error behind "no viable
		// challenge type" once every challenge type failed: the useful
		// fact is whether the CA reached this box at all.
		msg := fmt.Sprintf("%s could not verify that this box answers for %s.", capitalize(ca), host)
		if challengeSeen {
			msg += " Its check reached this box but did not succeed."
		} else {
			msg += " Its check never reached this box."
		}
		return msg + fmt.Sprintf(" Make sure %s points to your public IP address and that your router forwards ports 80 and 443 to this box.", host)
	case errors.As(err, &ae) && strings.HasSuffix(ae.ProblemType, ":rejectedIdentifier"):
		return fmt.Sprintf("%s refuses to issue a certificate for %s: %s", capitalize(ca), host, detail(ae))
	case errors.As(err, &ae):
		return fmt.Sprintf("%s answered with an error: %s", capitalize(ca), detail(ae))
	}

	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return fmt.Sprintf("Cabane cannot use its certificate cache %s: %v.", pathErr.Path, pathErr.Err)
	}

	var dnsErr *net.DNSError
	var unknownAuth x509.UnknownAuthorityError
	var certInvalid x509.CertificateInvalidError
	var hostErr x509.HostnameError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return capitalize(ca) + " did not answer in time."
	case errors.As(err, &dnsErr):
		return "Cannot find the address of " + ca + ". Is this box connected to the internet, with working DNS?"
	case errors.As(err, &unknownAuth), errors.As(err, &certInvalid), errors.As(err, &hostErr):
		return "Cannot trust the HTTPS certificate of " + ca + ". Check the ACME directory URL and the box's clock."
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Cannot reach " + ca + ": the connection was refused. Check the ACME directory URL."
	case isNetError(err):
		return "Cannot reach " + ca + ". Is this box connected to the internet?"
	}
	return "Getting a certificate for " + host + " failed: " + err.Error()
}

func isNetError(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

// detail is the CA's own explanation, which is written for humans.
func detail(ae *acme.Error) string {
	if ae.Detail != "" {
		return ae.Detail
	}
	if ae.ProblemType != "" {
		return ae.ProblemType
	}
	return fmt.Sprintf("HTTP status %d", ae.StatusCode)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
