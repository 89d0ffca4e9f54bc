package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/assets"
)

func assetRequest(t *testing.T, e *echo.Echo, url string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// Static files are linked under content-hashed names, cached as immutable,
// gzipped for clients that accept it, and still served under their plain
// names with a short cache.
func TestHashedAssets(t *testing.T) {
	e := echo.New()
	e.GET("/static-assets/*", (&Server{}).serveAsset)
	want, err := fs.ReadFile(assets.Static(), "vendor/hls.js/hls.min.js")
	if err != nil {
		t.Fatal(err)
	}
	url, err := assets.Hashed().URL("vendor/hls.js/hls.min.js")
	if err != nil || !regexp.MustCompile(`^/static-assets/vendor/hls\.js/hls\.min\.[0-9a-f]{12}\.js$`).MatchString(url) {
		t.Fatalf("URL = %q, %v", url, err)
	}
	if _, err := assets.Hashed().URL("js/nothing.js"); err == nil {
		t.Error("an unknown asset has a URL")
	}

	gz := assetRequest(t, e, url, map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
	h := gz.Header()
	if gz.Code != 200 || h.Get("Content-Encoding") != "gzip" || h.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		h.Get("Content-Type") != "text/javascript; charset=utf-8" || h.Get("Vary") != "Accept-Encoding" || h.Get("ETag") == "" {
		t.Fatalf("gzip answer: %d %v", gz.Code, h)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("gunzipped body differs from hls.min.js (%d vs %d bytes, %v)", len(got), len(want), err)
	}
	if n := gz.Body.Len(); n > len(want)/2 {
		t.Errorf("gzipped hls.js is %d bytes of %d", n, len(want))
	}

	for _, ae := range []string{"", "identity", "gzip;q=0", "gzip;q=0, *"} {
		plain := assetRequest(t, e, url, map[string]string{"Accept-Encoding": ae})
		if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), want) {
			t.Errorf("Accept-Encoding %q: %d, encoding %q, %d bytes", ae, plain.Code, plain.Header().Get("Content-Encoding"), plain.Body.Len())
		}
		if plain.Header().Get("ETag") == h.Get("ETag") {
			t.Errorf("plain and gzip answers share the ETag %s", h.Get("ETag"))
		}
	}
	if r := assetRequest(t, e, url, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": h.Get("ETag")}); r.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: %d, want 304", r.Code)
	}

	old := assetRequest(t, e, "/static-assets/vendor/hls.js/hls.min.js", nil)
	if old.Code != 200 || old.Header().Get("Cache-Control") != "public, max-age=3600" || !bytes.Equal(old.Body.Bytes(), want) {
		t.Errorf("plain URL: %d %q", old.Code, old.Header().Get("Cache-Control"))
	}
	for _, p := range []string{"/static-assets/vendor/hls.js/hls.min.000000000000.js", "/static-assets/../embed.go", "/static-assets/js/", "/static-assets/%00"} {
		if r := assetRequest(t, e, p, nil); r.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.Code)
		}
	}
	if a, _, ok := assets.Hashed().Lookup("css/cabane.css"); !ok || a.Gzip() == nil {
		t.Error("cabane.css is not gzipped")
	}
}

func TestAcceptsGzip(t *testing.T) {
	for ae, want := range map[string]bool{"gzip": true, "GZIP": true, "deflate, gzip": true, "gzip;q=0": false, "gzip; q=0.0": false,
		"*": true, "*;q=0": false, "gzip;q=0, *": false, "identity": false, "": false, "x-gzip": true, "br;q=1, gzip;q=0.5": true} {
		if got := acceptsGzip([]string{ae}); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", ae, got, want)
		}
	}
}
