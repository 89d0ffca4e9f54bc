package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// bodyRules bound what a client may send in a request body. Without them a
// body sent one byte every few seconds held a connection forever, and a
// 600 MB file part sent to /login became 605 MB in the temporary directory
// (echo's FormValue parses multipart forms to disk).
type bodyRules struct {
	// MaxBody is the largest body of a request that is not an upload: forms
	// and JSON are small, so it is read into memory whole.
	MaxBody int64
	// BodyTimeout is how long a request that is not an upload may take to
	// send its body.
	BodyTimeout time.Duration
	// UploadIdle is the longest an upload may go without sending a byte.
	// Uploads are bounded by progress, not time: a large file on a slow
	// link may take hours.
	UploadIdle time.Duration
	// filesAllowed lets a buffered body carry a file part (the image
	// routes: isImageUpload).
	filesAllowed bool
}

var defaultBodyRules = bodyRules{MaxBody: 1 << 20, BodyTimeout: 30 * time.Second, UploadIdle: 60 * time.Second}

// isUpload reports the routes that stream a file to disk (videos, and the
// admin's update file).
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/upload" || r.URL.Path == "/api/v1/videos/upload" || r.URL.Path == "/admin/update") ||
		r.Method == http.MethodPut && strings.TrimSuffix(r.URL.Path, "/") == resumablePath || // a chunk
		isImportChunk(r) || // an account archive's chunk (user_imports.go)
		isCreatorUpload(r) // captions and images: their handlers bound them (creator_routes.go)
}

// limitBodies applies rules to every request that has a body. It must run
// before anything reads the body (the CSRF check reads forms).
func limitBodies(rules bodyRules) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Body == nil || r.Body == http.NoBody {
				return next(c)
			}
			rc := http.NewResponseController(c.Response())
			if isUpload(r) {
				r.Body = &progressBody{ReadCloser: r.Body, rc: rc, idle: rules.UploadIdle}
				return next(c)
			}
			if isImageUpload(r) {
				// An avatar (my pages): a file, read whole within its
				// own bound, and decoded from memory.
				img := rules
				img.MaxBody, img.filesAllowed = maxImageBody, true
				rules = img
			}
			if max := maxMyVideoFileBody(r); max > 0 {
				// The edit page's thumbnail and caption forms
				// (my_video_extras.go), bounded likewise.
				rules.MaxBody, rules.filesAllowed = max, true
			}
			if err := bufferBody(r, rc, rules); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// bufferBody reads a small body whole, within the time and size limits, and
// refuses file parts; handlers then parse it from memory, never from disk.
func bufferBody(r *http.Request, rc *http.ResponseController, rules bodyRules) error {
	// The deadline also bounds what net/http reads of a refused body before
	// it closes the connection. SetReadDeadline fails only where there is
	// no connection to time out (tests with a recorder).
	_ = rc.SetReadDeadline(time.Now().Add(rules.BodyTimeout))
	if r.ContentLength > rules.MaxBody {
		return tooLarge(rules.MaxBody)
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, rules.MaxBody+1))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &echo.HTTPError{Code: http.StatusRequestTimeout, Internal: err,
			Message: fmt.Sprintf("The request's body took longer than %s to arrive.", rules.BodyTimeout)}
	case err != nil:
		return &echo.HTTPError{Code: http.StatusBadRequest, Internal: err, Message: "The request's body was cut off."}
	case int64(len(buf)) > rules.MaxBody:
		return tooLarge(rules.MaxBody)
	}
	if !rules.filesAllowed {
		if err := refuseFileParts(r.Header.Get("Content-Type"), buf); err != nil {
			return err
		}
	}
	// Once the body is read, net/http watches the connection for a hang-up,
	// and an expired deadline there would cancel the request: clear it
	// (net/http does too when the body ends). On the refusals above it
	// stays, so net/http stops reading the rest at once.
	_ = rc.SetReadDeadline(time.Time{})
	r.Body = io.NopCloser(bytes.NewReader(buf))
	r.ContentLength = int64(len(buf))
	return nil
}

func tooLarge(max int64) error {
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("The request's body is larger than the %d KiB this address accepts.", max>>10))
}

// refuseFileParts answers 415 when a multipart body carries a file: only
// the upload routes take files.
func refuseFileParts(contentType string, body []byte) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &echo.HTTPError{Code: http.StatusBadRequest, Internal: err, Message: "The form is not valid multipart data."}
		}
		if p.FileName() != "" {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType,
				fmt.Sprintf("This address does not accept files (the form sent %q).", p.FormName()))
		}
	}
}

// progressBody keeps an upload's read deadline UploadIdle ahead of the last
// byte received, and clears it at the end of the body.
type progressBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	idle     time.Duration
	extended time.Time // when the deadline was last moved
	started  bool
	ended    bool // the body returned an error or EOF
}

func (b *progressBody) Read(p []byte) (int, error) {
	if b.ended {
		// Past the end net/http is watching the connection for a hang-up:
		// a deadline set now would cancel the request when it expires.
		return b.ReadCloser.Read(p)
	}
	now := time.Now()
	// Each read may wait idle for its bytes. Moving the deadline costs a
	// timer update: do it at most every idle/8, which keeps the effective
	// limit between 7/8 idle and idle.
	if !b.started || now.Sub(b.extended) > b.idle/8 {
		b.started = true
		b.extended = now
		_ = b.rc.SetReadDeadline(now.Add(b.idle))
	}
	n, err := b.ReadCloser.Read(p)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.ended = true
		return n, &echo.HTTPError{Code: http.StatusRequestTimeout, Internal: err,
			Message: fmt.Sprintf("No data arrived for %s: the upload was stopped.", b.idle)}
	case err != nil:
		b.ended = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
