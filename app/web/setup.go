package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/i18n"
	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/firstboot"
)

// The first-run form makes whoever submits it the administrator. It is
// taken:
//   - from the home network, as it is;
//   - from the box itself (a browser on localhost, while the home network
//     is found automatically) only with the setup code that Cabane prints
//     in its log and writes to <data>/setup-code: loopback is also where a
//     reverse proxy's visitors come from, and nginx's plain proxy_pass adds
//     no header that would tell them apart;
//   - never from outside, and never through the public URL.

// setupCode is made once per run, while nobody is admin.
type setupCode struct {
	once sync.Once
	code string
	err  error
}

// SetupCode returns the code a first-run setup from the box itself needs,
// and writes it to the data directory for a person with a shell on the
// box; ok is false once an admin exists. app logs it at start.
func (s *Server) SetupCode(ctx context.Context) (code string, path string, ok bool, err error) {
	if s.setupDone(ctx) {
		return "", "", false, nil
	}
	s.setup.once.Do(func() {
		const digits = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ" // no I or O
		var b strings.Builder
		for i := range 10 {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(digits))))
			if err != nil {
				s.setup.err = err
				return
			}
			if i == 5 {
				b.WriteByte('-')
			}
			b.WriteByte(digits[n.Int64()])
		}
		s.setup.code = b.String()
		s.setup.err = durable.WriteFile(s.layout.SetupCode(), []byte(s.setup.code+"\n"), 0o600)
	})
	return s.setup.code, s.layout.SetupCode(), s.setup.err == nil, s.setup.err
}

// setupAccess says whether this request may set up, and whether it must
// give the code.
func (s *Server) setupAccess(c echo.Context) (needCode bool, err error) {
	switch {
	case s.viaPublicURL(c):
	case atHome(c):
		return false, nil
	case len(s.LAN.Home) == 0 && directLoopback(c.Request()):
		return true, nil
	}
	return false, pageError(http.StatusForbidden, "setup.home_only", "http://"+s.lanHost())
}

// checkSetupCode compares the code sent with the run's.
func (s *Server) checkSetupCode(ctx context.Context, sent string) bool {
	code, _, ok, _ := s.SetupCode(ctx)
	sent = strings.ToUpper(strings.TrimSpace(sent))
	return ok && code != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(code)) == 1
}

// setupFinished forgets the code: it made an admin and is worth nothing now.
func (s *Server) setupFinished() {
	os.Remove(s.layout.SetupCode())
}

// directLoopback reports a connection from the box itself with no proxy
// header (a proxy that adds one is not a browser on the box).
func directLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback() &&
		r.Header.Get("X-Forwarded-For") == "" && r.Header.Get("Forwarded") == "" && r.Header.Get("X-Real-Ip") == ""
}

// viaPublicURL reports whether the request reached the box by its public
// name (as set with --public-url).
func (s *Server) viaPublicURL(c echo.Context) bool {
	if s.Config.PublicURL == "" {
		return false
	}
	pub, err := url.Parse(s.Config.PublicURL)
	if err != nil {
		return false
	}
	host := c.Request().Host
	if s.LAN.Trusted(c.Request()) {
		if h := c.Request().Header.Get("X-Forwarded-Host"); h != "" {
			host = h
		}
	}
	return strings.EqualFold(host, pub.Host) || strings.EqualFold(host, pub.Hostname())
}

func (s *Server) lanHost() string {
	if s.MDNSName != nil {
		if name, _ := s.MDNSName(); name != "" {
			return name
		}
	}
	if s.Config.MDNSHostname != "" {
		return s.Config.MDNSHostname + ".local"
	}
	return "cabane.local"
}

// The setup page also says where the box is on the LAN and what became of
// cabane.txt, in the visitor's language: the creator may have written that
// file in French.

// visitorLang is the visitor's language, chosen once per request by
// s.language.
func visitorLang(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return i18n.Default
}

// boxView is the LAN address sentence: URL, and Wanted when the box had to
// take another name because Wanted was in use.
type boxView struct {
	URL, Name, Wanted string
}

func (s *Server) boxAddress() *boxView {
	if !s.Config.MDNS {
		return nil
	}
	name, wanted := s.lanHost(), ""
	if s.MDNSName != nil {
		if n, w := s.MDNSName(); n != "" {
			name, wanted = n, w
		}
	}
	if wanted == name {
		wanted = ""
	}
	return &boxView{URL: "http://" + name, Name: name, Wanted: wanted}
}

// firstBootView is the outcome of cabane.txt in one language.
type firstBootView struct {
	Applied  []string
	Problems []firstBootProblem
	When     time.Time // local time
}

type firstBootProblem struct {
	Line          int
	Text, Message string
}

// firstBoot reads the outcome that `cabane firstboot` left in the data
// directory; nil when there is none (no cabane.txt was given).
func (s *Server) firstBoot(lang string) *firstBootView {
	o, ok, err := firstboot.ReadOutcome(s.Config.DataDir)
	if err != nil {
		s.Log.Warn("first-boot outcome", "err", err)
	}
	if !ok {
		return nil
	}
	v := &firstBootView{Applied: o.Applied, When: o.Time.Local()}
	for _, p := range o.Problems {
		v.Problems = append(v.Problems, firstBootProblem{Line: p.Line, Text: p.Text, Message: p.Message.In(lang)})
	}
	return v
}
