package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// counted serves h and counts the requests that reached it.
func counted(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func ok(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/activity+json")
	fmt.Fprintf(w, `{"ua":%q,"accept":%q,"sig":%q}`, r.UserAgent(), r.Header.Get("Accept"), r.Header.Get("Signature"))
}

func get(ctx context.Context, c *Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req)
}

// fakeResolver answers from a map, as a DNS server under an attacker's
// control would.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoopbackRefusedWithoutAllowList(t *testing.T) {
	srv, hits := counted(t, ok)
	c := New(Options{})
	_, err := get(context.Background(), c, srv.URL)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("server reached %d times", hits.Load())
	}
}

func TestAllowListLetsLoopbackThrough(t *testing.T) {
	srv, _ := counted(t, ok)
	c := New(Options{Allow: loopback, Version: "1.2.3", PublicURL: "https://videos.example"})
	doc, err := c.GetActivity(context.Background(), srv.URL+"/accounts/alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ua":"Cabane/1.2.3 (+https://videos.example)","accept":` + strconv.Quote(AcceptActivity) + `,"sig":""}`
	if string(doc.Body) != want || doc.URL != srv.URL+"/accounts/alice" {
		t.Fatalf("got %s from %s, want %s", doc.Body, doc.URL, want)
	}
	if ua := New(Options{}).UserAgent(); ua != "Cabane/dev" {
		t.Errorf("bare User-Agent %q", ua)
	}
}

func TestRedirectToRefusedAddress(t *testing.T) {
	// The allow-list names 127.0.0.1 only; 127.0.0.2 is another loopback
	// address, refused like any other.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	var inner atomic.Int32
	target := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inner.Add(1) }))
	target.Listener = ln
	target.Start()
	t.Cleanup(target.Close)
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/secret", http.StatusFound)
	})
	c := New(Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	_, err = c.GetActivity(context.Background(), srv.URL, nil)
	if !errors.Is(err, ErrBlockedAddress) || !strings.Contains(err.Error(), "127.0.0.2") {
		t.Fatalf("err = %v, want ErrBlockedAddress naming 127.0.0.2", err)
	}
	if inner.Load() != 0 {
		t.Fatal("the refused address was reached")
	}
}

func TestNamesResolvingToLoopbackRefused(t *testing.T) {
	srv, hits := counted(t, ok)
	p := port(t, srv)

	// The system resolver: localhost is 127.0.0.1 (and ::1).
	_, err := get(context.Background(), New(Options{}), "http://localhost:"+p+"/")
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("localhost: err = %v", err)
	}

	// A public-looking name whose DNS answers 127.0.0.1 (rebinding); the
	// first answer is a private address, the second loopback: both refused.
	res := fakeResolver{"rebind.example": {netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("127.0.0.1")}}
	_, err = get(context.Background(), New(Options{Resolver: res}), "http://rebind.example:"+p+"/")
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("rebind.example: err = %v", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("server reached %d times", hits.Load())
	}

	// The same name with loopback allowed goes through (the 10.0.0.1 answer is
	// still refused, and the next address tried): the resolver is the one used.
	resp, err := get(context.Background(), New(Options{Resolver: res, Allow: loopback}), "http://rebind.example:"+p+"/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Fatalf("server reached %d times, want 1", hits.Load())
	}
}

// A name with many addresses is tried on the first maxAddrs only.
func TestAddressesTriedPerName(t *testing.T) {
	srv, _ := counted(t, ok)
	refused := func(n int) []netip.Addr {
		var out []netip.Addr
		for i := range n {
			out = append(out, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		}
		return append(out, netip.MustParseAddr("127.0.0.1"))
	}
	res := fakeResolver{"within.example": refused(maxAddrs - 1), "beyond.example": refused(maxAddrs)}
	c := New(Options{Resolver: res, Allow: loopback})
	if _, err := c.GetActivity(context.Background(), "http://within.example:"+port(t, srv)+"/", nil); err != nil {
		t.Fatalf("last of %d addresses: %v", maxAddrs, err)
	}
	if _, err := c.GetActivity(context.Background(), "http://beyond.example:"+port(t, srv)+"/", nil); !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("address %d tried: %v", maxAddrs+1, err)
	}
}

// A proxy named by the environment would connect for us, past the dial check:
// it is never used.
func TestEnvironmentProxyIgnored(t *testing.T) {
	proxy, proxied := counted(t, ok)
	srv, direct := counted(t, ok)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	res := fakeResolver{"origin.example": {netip.MustParseAddr("127.0.0.1")}}
	resp, err := get(context.Background(), New(Options{Resolver: res, Allow: loopback}), "http://origin.example:"+port(t, srv)+"/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if proxied.Load() != 0 || direct.Load() != 1 {
		t.Fatalf("proxy %d, direct %d", proxied.Load(), direct.Load())
	}
}

func TestBodyLimit(t *testing.T) {
	big := strings.Repeat("x", 2048)
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length: the limit is met while reading
		}
		io.WriteString(w, big)
	})
	c := New(Options{Allow: loopback, MaxBody: 1024})
	for _, path := range []string{"/declared", "/chunked"} {
		if _, err := c.GetActivity(context.Background(), srv.URL+path, nil); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", path, err)
		}
	}
	c = New(Options{Allow: loopback, MaxBody: 2048})
	if doc, err := c.GetActivity(context.Background(), srv.URL+"/chunked", nil); err != nil || len(doc.Body) != 2048 {
		t.Errorf("exactly at the limit: %v", err)
	}
	if b, err := ReadLimited(strings.NewReader("abcd"), 4); err != nil || string(b) != "abcd" {
		t.Errorf("ReadLimited at the limit: %q %v", b, err)
	}
	if _, err := ReadLimited(strings.NewReader("abcde"), 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadLimited past the limit: %v", err)
	}
}

func TestRedirectLimit(t *testing.T) {
	srv, hits := counted(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if n > 0 {
			http.Redirect(w, r, "/r/"+strconv.Itoa(n-1), http.StatusFound)
			return
		}
		ok(w, r)
	})
	c := New(Options{Allow: loopback, MaxRedirects: 3})
	doc, err := c.GetActivity(context.Background(), srv.URL+"/r/3", nil)
	if err != nil || doc.URL != srv.URL+"/r/0" {
		t.Fatalf("3 redirects: %v", err)
	}
	hits.Store(0)
	if _, err := c.GetActivity(context.Background(), srv.URL+"/r/10", nil); !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("10 redirects: err = %v", err)
	}
	if hits.Load() != 4 {
		t.Fatalf("%d requests for a 3-redirect limit, want 4", hits.Load())
	}
	hits.Store(0)
	if _, err := New(Options{Allow: loopback, MaxRedirects: -1}).GetActivity(context.Background(), srv.URL+"/r/1", nil); !errors.Is(err, ErrTooManyRedirects) || hits.Load() != 1 {
		t.Fatalf("no redirects allowed: err = %v after %d requests", err, hits.Load())
	}
}

// A signature covers the request line and host, so each hop is signed anew.
func TestSignerSignsEachHop(t *testing.T) {
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
			return
		}
		ok(w, r)
	})
	var calls int
	sign := func(r *http.Request) error {
		calls++
		r.Header.Set("Signature", r.Method+" "+r.URL.Path)
		return nil
	}
	doc, err := New(Options{Allow: loopback}).GetActivity(context.Background(), srv.URL+"/old", sign)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc.Body), `"sig":"GET /new"`) || calls != 2 {
		t.Fatalf("body %s after %d signatures", doc.Body, calls)
	}
	boom := errors.New("no key")
	if _, err := New(Options{Allow: loopback}).GetActivity(context.Background(), srv.URL+"/new", func(*http.Request) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("signer error lost: %v", err)
	}
}

// A delivery answered with a redirect is not turned into a GET elsewhere.
func TestPostRedirectNotFollowed(t *testing.T) {
	target, reached := counted(t, ok)
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusSeeOther)
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/inbox", strings.NewReader(`{"type":"Like"}`))
	resp, err := New(Options{Allow: loopback}).Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || reached.Load() != 0 {
		t.Fatalf("status %d, redirect target reached %d times", resp.StatusCode, reached.Load())
	}
	if ua := req.Header.Get("User-Agent"); ua != "" {
		t.Fatalf("the caller's request was changed: User-Agent %q", ua)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestTimeouts(t *testing.T) {
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/trickle" {
			w.Header().Set("Content-Type", "application/activity+json")
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done() // never finishes: the client must give up
	})
	ctx := context.Background()

	start := time.Now()
	_, err := New(Options{Allow: loopback, ResponseHeaderTimeout: 100 * time.Millisecond}).GetActivity(ctx, srv.URL+"/silent", nil)
	if !isTimeout(err) || time.Since(start) > 5*time.Second {
		t.Errorf("response header timeout: %v after %s", err, time.Since(start))
	}

	// Headers arrive, the body never ends: the total timeout stops it.
	start = time.Now()
	_, err = New(Options{Allow: loopback, Timeout: 200 * time.Millisecond}).GetActivity(ctx, srv.URL+"/trickle", nil)
	if !isTimeout(err) || time.Since(start) > 5*time.Second {
		t.Errorf("total timeout: %v after %s", err, time.Since(start))
	}

	// The caller's context bounds it too.
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := New(Options{Allow: loopback}).GetActivity(cctx, srv.URL+"/silent", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("context deadline: %v", err)
	}

	// A server that accepts and never speaks TLS.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start = time.Now()
	_, err = New(Options{Allow: loopback, TLSHandshakeTimeout: 100 * time.Millisecond}).GetActivity(ctx, "https://"+ln.Addr().String()+"/", nil)
	if !isTimeout(err) || time.Since(start) > 5*time.Second {
		t.Errorf("TLS handshake timeout: %v after %s", err, time.Since(start))
	}
}

func TestHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(ok))
	defer srv.Close()
	roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	if _, err := New(Options{Allow: loopback}).GetActivity(context.Background(), srv.URL, nil); err == nil {
		t.Fatal("an unknown certificate was trusted")
	}
	if _, err := New(Options{Allow: loopback, RootCAs: roots}).GetActivity(context.Background(), srv.URL, nil); err != nil {
		t.Fatal(err)
	}
}

func TestSchemesRefused(t *testing.T) {
	srv, hits := counted(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	c := New(Options{Allow: loopback})
	for _, u := range []string{"ftp://example.org/x", "file:///etc/passwd", "gopher://example.org/", "http:///nohost", srv.URL} {
		if _, err := c.GetActivity(context.Background(), u, nil); !errors.Is(err, ErrScheme) {
			t.Errorf("%s: err = %v, want ErrScheme", u, err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("%d requests", hits.Load())
	}
}

func TestGetActivityAnswers(t *testing.T) {
	srv, _ := counted(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			http.Error(w, "gone", http.StatusGone)
		case "/html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<html></html>")
		case "/ld":
			w.Header().Set("Content-Type", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
			io.WriteString(w, `{"type":"Person"}`)
		case "/jrd":
			w.Header().Set("Content-Type", "application/jrd+json")
			fmt.Fprintf(w, `{"subject":"acct:alice@example","accept":%q}`, r.Header.Get("Accept"))
		}
	})
	c := New(Options{Allow: loopback})
	ctx := context.Background()
	var se *StatusError
	if _, err := c.GetActivity(ctx, srv.URL+"/gone", nil); !errors.As(err, &se) || se.Code != http.StatusGone {
		t.Errorf("gone: %v", err)
	}
	if _, err := c.GetActivity(ctx, srv.URL+"/html", nil); !errors.Is(err, ErrNotActivity) {
		t.Errorf("html: %v", err)
	}
	if doc, err := c.GetActivity(ctx, srv.URL+"/ld", nil); err != nil || string(doc.Body) != `{"type":"Person"}` {
		t.Errorf("ld+json: %v", err)
	}
	var jrd struct{ Subject, Accept string }
	if err := c.GetJSON(ctx, srv.URL+"/jrd", "application/jrd+json", &jrd); err != nil || jrd.Subject != "acct:alice@example" || jrd.Accept != "application/jrd+json" {
		t.Errorf("GetJSON: %+v %v", jrd, err)
	}
	if err := c.GetJSON(ctx, srv.URL+"/html", "application/json", &jrd); err == nil {
		t.Error("GetJSON decoded HTML")
	}
}

// The phases are bounded as configured, and no proxy function is set.
func TestTransportSettings(t *testing.T) {
	c := New(Options{DialTimeout: 3 * time.Second, TLSHandshakeTimeout: 4 * time.Second, ResponseHeaderTimeout: 5 * time.Second, Timeout: 6 * time.Second})
	tr := c.hc.Transport.(*http.Transport)
	if tr.Proxy != nil || c.dial.net.Timeout != 3*time.Second || tr.TLSHandshakeTimeout != 4*time.Second || tr.ResponseHeaderTimeout != 5*time.Second || c.hc.Timeout != 6*time.Second || tr.MaxResponseHeaderBytes != maxHeaderBytes {
		t.Fatalf("transport %+v", tr)
	}
	d := New(Options{})
	if d.hc.Timeout != DefaultTimeout || d.maxRedirects != DefaultMaxRedirects || d.maxBody != DefaultMaxBody {
		t.Fatalf("defaults: %v %d %d", d.hc.Timeout, d.maxRedirects, d.maxBody)
	}
}
