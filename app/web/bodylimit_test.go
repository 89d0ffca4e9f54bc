package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// bodyServer serves limitBodies(rules) in front of a handler that reads the
// whole body and reports its size, on a real listener.
func bodyServer(t *testing.T, rules bodyRules) *httptest.Server {
	e := echo.New()
	e.Use(limitBodies(rules))
	read := func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, fmt.Sprint(len(b)))
	}
	e.POST("/login", read)
	e.POST("/upload", func(c echo.Context) error {
		if c.QueryParam("work") == "" {
			return read(c)
		}
		// Read to the end and once more (as a multipart reader does), then
		// work for longer than UploadIdle.
		body := c.Request().Body
		if _, err := io.ReadAll(body); err != nil {
			return err
		}
		body.Read(make([]byte, 1))
		select {
		case <-time.After(2 * rules.UploadIdle):
			return c.String(http.StatusOK, "done")
		case <-c.Request().Context().Done():
			return echo.NewHTTPError(http.StatusServiceUnavailable, "cancelled")
		}
	})
	// Reads its body, then works for longer than BodyTimeout: the body's
	// deadline must not reach into the work (net/http cancels a request
	// whose connection read fails).
	e.POST("/slow", func(c echo.Context) error {
		if _, err := io.ReadAll(c.Request().Body); err != nil {
			return err
		}
		select {
		case <-time.After(2 * rules.BodyTimeout):
			return c.String(http.StatusOK, "done")
		case <-c.Request().Context().Done():
			return echo.NewHTTPError(http.StatusServiceUnavailable, "cancelled")
		}
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// trickle sends a request whose body arrives one byte every gap, for at
// most n bytes or until the server answers, and returns the status (0 if
// the connection closed without one) and when it came.
func trickle(t *testing.T, addr, path string, n int, gap time.Duration) (int, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", path, n)
	answered := make(chan int, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- 0
			return
		}
		res.Body.Close()
		answered <- res.StatusCode
	}()
	for range n {
		select {
		case code := <-answered:
			return code, time.Since(start)
		case <-time.After(gap):
		}
		if _, err := conn.Write([]byte("a")); err != nil {
			break
		}
	}
	select {
	case code := <-answered:
		return code, time.Since(start)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no answer 10 s after the body was sent", path)
		return 0, 0
	}
}

// A form sent one byte at a time is cut off after BodyTimeout; an upload
// that keeps sending is not, however long it takes, but one that stalls for
// UploadIdle is.
func TestSlowBodiesAreCutOff(t *testing.T) {
	rules := bodyRules{MaxBody: 1 << 20, BodyTimeout: 400 * time.Millisecond, UploadIdle: 400 * time.Millisecond}
	srv := bodyServer(t, rules)
	addr := srv.Listener.Addr().String()

	code, took := trickle(t, addr, "/login", 100, 50*time.Millisecond) // would take 5 s
	if code != http.StatusRequestTimeout || took > 2*time.Second {
		t.Errorf("slow form: status %d after %v, want 408 after about %v", code, took, rules.BodyTimeout)
	}
	for _, path := range []string{"/slow", "/upload?work=1"} {
		res, err := http.Post(srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader("a=b"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: handler working past the body's limit after reading it: %d, want 200", path, res.StatusCode)
		}
	}
	// 20 bytes at 50 ms: 1 s in all, well past BodyTimeout, but never idle.
	code, took = trickle(t, addr, "/upload", 20, 50*time.Millisecond)
	if code != http.StatusOK || took < time.Second {
		t.Errorf("steady upload: status %d after %v, want 200 after about 1 s", code, took)
	}
	// A byte every 600 ms: idle longer than UploadIdle.
	code, took = trickle(t, addr, "/upload", 5, 600*time.Millisecond)
	if code != http.StatusRequestTimeout || took > 2*time.Second {
		t.Errorf("stalled upload: status %d after %v, want 408 after about %v", code, took, rules.UploadIdle)
	}
}

// repeatReader yields n bytes of 'x' without holding them.
type repeatReader struct{ n int64 }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range k {
		p[i] = 'x'
	}
	r.n -= k
	return int(k), nil
}

// multipartBody is a multipart form with the CSRF token, a user name and,
// when fileSize > 0, a file part of that size.
func multipartBody(fileSize int64) (io.Reader, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField(csrfField, testCSRF)
	mw.WriteField("username", "admin")
	mw.WriteField("password", "wrong password")
	if fileSize == 0 {
		mw.Close()
		return &head, mw.FormDataContentType()
	}
	mw.CreateFormFile("avatar", "big.bin")
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	return io.MultiReader(&head, &repeatReader{fileSize}, strings.NewReader(tail)), mw.FormDataContentType()
}

// Big bodies and file parts sent to /login are refused, and nothing lands
// in the temporary directory (echo parses multipart forms to disk).
func TestLoginRefusesBigBodiesAndFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	r := newRig(t)
	send := func(name string, body io.Reader, contentType string, length int64) (int, string) {
		req, err := http.NewRequest(http.MethodPost, r.http.URL+"/login", body)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = length // -1: chunked, the size is not announced
		req.Header.Set("Content-Type", contentType)
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	const big = 40 << 20 // above net/http's 32 MiB in-memory part limit
	body, ct := multipartBody(big)
	if code, _ := send("40 MB file, chunked", body, ct, -1); code != http.StatusRequestEntityTooLarge {
		t.Errorf("40 MB multipart file to /login, chunked: %d, want 413", code)
	}
	form := io.MultiReader(strings.NewReader("_csrf="+testCSRF+"&username=admin&password="), &repeatReader{10 << 20})
	if code, _ := send("10 MB form", form, "application/x-www-form-urlencoded", -1); code != http.StatusRequestEntityTooLarge {
		t.Errorf("10 MB form to /login: %d, want 413", code)
	}
	body, ct = multipartBody(10 << 20)
	if code, _ := send("10 MB file with a length", body, ct, -1); code != http.StatusRequestEntityTooLarge {
		t.Errorf("10 MB multipart file to /login: %d, want 413", code)
	}
	body, ct = multipartBody(1000)
	if code, page := send("small file", body, ct, -1); code != http.StatusUnsupportedMediaType || !strings.Contains(page, "does not accept files") {
		t.Errorf("small file part to /login: %d %.200s, want 415", code, page)
	}
	// The limit is on files and size, not on multipart itself: a plain
	// multipart login form still reaches the password check.
	body, ct = multipartBody(0)
	if code, _ := send("multipart form", body, ct, -1); code != http.StatusUnauthorized {
		t.Errorf("multipart login form without a file: %d, want 401 (wrong password)", code)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		t.Errorf("%d files left in TMPDIR, first %s", len(ents), ents[0].Name())
	}
	// On the API the refusal is JSON.
	req, _ := http.NewRequest(http.MethodPost, r.http.URL+"/api/v1/users/token", &repeatReader{2 << 20})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("2 MB body to the token endpoint: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
