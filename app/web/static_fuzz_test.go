package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// rangeSeeds are Range headers players and hostile clients send: hls.js
// and Safari ask for byte ranges of segments, curl users try the rest.
var rangeSeeds = []string{
	"", "bytes=0-9", "bytes=0-", "bytes=-0", "bytes=-00", "bytes= -0 ", "bytes=-+0", "bytes=-0,0-1", "bytes=0-1,-0",
	"bytes=-0,-0", "bytes=-0,", "bytes=5-", "bytes=10-", "bytes=-100", "bytes=3-2", "bytes=0-0,2-3", "bytes=-1",
	"bytes=1-1,1-1", "items=0-1", "bytes=", "bytes=--1", "bytes=9223372036854775807-", "bytes=0-9223372036854775807",
}

// checkRangeAnswer serves content with rangeHdr through serveContent and
// checks the answer against RFC 9110: the status, Content-Range and the
// bytes all agree with the content.
func checkRangeAnswer(t *testing.T, content []byte, rangeHdr string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/seg.m4s", nil)
	if rangeHdr != "" {
		req.Header.Set("Range", rangeHdr)
	}
	rec := httptest.NewRecorder()
	serveContent(rec, req, "seg.m4s", time.Unix(1e9, 0), bytes.NewReader(content), int64(len(content)))
	size := int64(len(content))
	body := rec.Body.Bytes()
	switch rec.Code {
	case http.StatusOK:
		if !bytes.Equal(body, content) {
			t.Fatalf("Range %q: 200 with %d bytes, want the whole %d", rangeHdr, len(body), size)
		}
	case http.StatusRequestedRangeNotSatisfiable:
		if cr := rec.Header().Get("Content-Range"); cr != "" && cr != fmt.Sprintf("bytes */%d", size) {
			t.Fatalf("Range %q: 416 with Content-Range %q", rangeHdr, cr)
		}
	case http.StatusPartialContent:
		mt, params, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
		if mt != "multipart/byteranges" {
			checkPart(t, rangeHdr, content, rec.Header().Get("Content-Range"), body)
			return
		}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		parts := 0
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Range %q: bad multipart answer: %v", rangeHdr, err)
			}
			b, _ := io.ReadAll(p)
			checkPart(t, rangeHdr, content, p.Header.Get("Content-Range"), b)
			parts++
		}
		if parts < 2 {
			t.Fatalf("Range %q: multipart answer with %d parts", rangeHdr, parts)
		}
	default:
		t.Fatalf("Range %q: status %d", rangeHdr, rec.Code)
	}
}

// checkPart checks one "bytes first-last/size" range and its bytes.
func checkPart(t *testing.T, rangeHdr string, content []byte, cr string, b []byte) {
	t.Helper()
	var first, last, size int64
	if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &first, &last, &size); err != nil {
		t.Fatalf("Range %q: 206 with Content-Range %q: %v", rangeHdr, cr, err)
	}
	if size != int64(len(content)) || first < 0 || last < first || last >= size {
		t.Fatalf("Range %q: 206 with impossible Content-Range %q for %d bytes", rangeHdr, cr, len(content))
	}
	if !bytes.Equal(b, content[first:last+1]) {
		t.Fatalf("Range %q: Content-Range %q but %d bytes that differ", rangeHdr, cr, len(b))
	}
}

func TestRangeAnswers(t *testing.T) {
	content := []byte("0123456789")
	for _, h := range rangeSeeds {
		checkRangeAnswer(t, content, h)
		checkRangeAnswer(t, nil, h)
	}
	// The case of the issue, spelled out: an empty suffix is unsatisfiable.
	for _, h := range []string{"bytes=-0", "bytes=-00", "bytes=-0,-0"} {
		req := httptest.NewRequest(http.MethodGet, "/seg.m4s", nil)
		req.Header.Set("Range", h)
		rec := httptest.NewRecorder()
		serveContent(rec, req, "seg.m4s", time.Unix(1e9, 0), bytes.NewReader(content), 10)
		if rec.Code != http.StatusRequestedRangeNotSatisfiable || rec.Header().Get("Content-Range") != "bytes */10" {
			t.Errorf("Range %q: %d, Content-Range %q; want 416, bytes */10", h, rec.Code, rec.Header().Get("Content-Range"))
		}
	}
	// A satisfiable range beside it is still served.
	req := httptest.NewRequest(http.MethodGet, "/seg.m4s", nil)
	req.Header.Set("Range", "bytes=-0,2-4")
	rec := httptest.NewRecorder()
	serveContent(rec, req, "seg.m4s", time.Unix(1e9, 0), bytes.NewReader(content), 10)
	if rec.Code != http.StatusPartialContent || rec.Body.String() != "234" || rec.Header().Get("Content-Range") != "bytes 2-4/10" {
		t.Errorf("bytes=-0,2-4: %d %q %q", rec.Code, rec.Header().Get("Content-Range"), rec.Body)
	}
}

func FuzzRange(f *testing.F) {
	for _, h := range rangeSeeds {
		f.Add([]byte("0123456789"), h)
	}
	f.Add([]byte{}, "bytes=-0")
	f.Fuzz(func(t *testing.T, content []byte, rangeHdr string) {
		if !validHeaderValue(rangeHdr) {
			return // net/http would refuse to send or read it
		}
		checkRangeAnswer(t, content, rangeHdr)
	})
}

// validHeaderValue is what can travel in an HTTP/1.1 header field.
func validHeaderValue(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) && utf8.ValidString(v)
}

// hlsSeeds are paths an HLS player asks for, and paths an attacker tries.
var hlsSeeds = []string{
	"master.m3u8", "720p/index.m3u8", "720p/init.mp4", "720p/seg-00000.m4s", "audio/seg-00001.aac", "360p/seg-00001.ts",
	"../../cabane.db", "720p/../../original.mp4", ".partial-x/720p/index.m3u8", "original.mp4", "720p//index.m3u8",
	"720p/./index.m3u8", "\x00.m4s", "720p/seg\x00.m4s", strings.Repeat("a", 300) + ".m4s", "master.m3u8/x.m4s", "",
	"/master.m3u8", "720p/", "C:\\x.m4s",
}

func TestHLSPathRefusesJunk(t *testing.T) {
	ok := []string{"master.m3u8", "720p/index.m3u8", "720p/init.mp4", "720p/seg-00000.m4s", "360p/seg-00001.ts", "audio/a.aac"}
	for _, p := range ok {
		if _, _, good := hlsPath(p); !good {
			t.Errorf("hlsPath(%q) refused", p)
		}
	}
	junk := []string{"../../cabane.db", "720p/../../original.mp4", ".partial-x/720p/index.m3u8", "720p//index.m3u8",
		"720p/./index.m3u8", "\x00.m4s", "720p/seg\x00.m4s", strings.Repeat("a", 300) + ".m4s", "", "/master.m3u8", "720p/", "cabane.db"}
	for _, p := range junk {
		if _, _, good := hlsPath(p); good {
			t.Errorf("hlsPath(%q) accepted", p)
		}
	}
}

func FuzzHLSPath(f *testing.F) {
	for _, p := range hlsSeeds {
		f.Add(p)
	}
	root := filepath.FromSlash("/data/media/uuid/hls")
	f.Fuzz(func(t *testing.T, rel string) {
		clean, ctype, ok := hlsPath(rel)
		if !ok {
			return
		}
		if clean != rel || ctype == "" {
			t.Fatalf("hlsPath(%q) = %q, %q", rel, clean, ctype)
		}
		full := filepath.Join(root, filepath.FromSlash(clean))
		if !strings.HasPrefix(full, root+string(filepath.Separator)) {
			t.Fatalf("hlsPath(%q) leaves the video's folder: %s", rel, full)
		}
		for _, seg := range strings.Split(clean, "/") {
			if seg == "" || seg[0] == '.' || len(seg) > maxNameBytes || strings.IndexByte(seg, 0) >= 0 {
				t.Fatalf("hlsPath(%q) accepted the name %q", rel, seg)
			}
		}
	})
}

// Junk paths that reach the file system are answered 404, not with the
// kernel's error (which the error handler would log and answer 500).
func TestServeFileJunkIsNotFound(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "master.m3u8"), []byte("#EXTM3U\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	for _, p := range []string{"nothing.m4s", "a\x00b.m4s", strings.Repeat("s", 300) + ".m4s", "master.m3u8/seg.m4s"} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
		err := serveFile(c, filepath.Join(dir, p))
		var he *echo.HTTPError
		if !errors.As(err, &he) || he.Code != http.StatusNotFound {
			t.Errorf("serveFile(%q) = %v, want a 404", p, err)
		}
	}
	rec := httptest.NewRecorder()
	if err := serveFile(e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), filepath.Join(dir, "master.m3u8")); err != nil || rec.Body.String() != "#EXTM3U\n" {
		t.Errorf("serveFile(master.m3u8) = %v, %q", err, rec.Body)
	}
}
