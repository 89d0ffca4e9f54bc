package bandwidth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Uploader sends a request out of the box (httpclient.Client).
type Uploader interface {
	Do(ctx context.Context, req *http.Request) (*http.Response, error)
}

// Measurement is one measured upload: Bytes sent to Host, all of them
// received (the server answered) after Seconds.
type Measurement struct {
	Host    string    `json:"host"`
	Bytes   int64     `json:"bytes"`
	Seconds float64   `json:"seconds"`
	Kbps    int64     `json:"kbps"`
	At      time.Time `json:"at"`
}

// The measured upload's bounds: enough bytes that a connection's first
// round trips and the kernel's send buffer do not dominate, few enough
// that a slow line finishes in seconds.
const (
	measureMaxBytes = 24 << 20
	measureMaxTime  = 8 * time.Second
	measureMinBytes = 256 << 10
)

// ErrNoUploader: measuring is not offered.
var ErrNoUploader = errors.New("measuring is not available on this box")

// Measure uploads incompressible bytes to target (a URL that accepts a
// POST and discards it, such as a speed test server's upload endpoint)
// for a few seconds, and keeps the rate as the last measurement. The rate
// is the bytes sent over the time until the server answered, so bytes
// still in the box's buffers are not counted as sent. It measures the
// path to that server: a slow server makes it lower than the line.
func (s *Service) Measure(ctx context.Context, who Admin, target string) (Measurement, error) {
	if !who.Admin() {
		return Measurement{}, ErrForbidden
	}
	if s.Uploader == nil {
		return Measurement{}, ErrNoUploader
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Measurement{}, fmt.Errorf("%w: %q", ErrBadURL, target)
	}
	start := time.Now()
	body := &timedBody{deadline: start.Add(measureMaxTime), left: measureMaxBytes}
	ctx, cancel := context.WithTimeout(ctx, measureMaxTime+20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return Measurement{}, fmt.Errorf("measure the upload to %s: %w", u.Host, err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := s.Uploader.Do(ctx, req)
	if err != nil {
		return Measurement{}, fmt.Errorf("measure the upload to %s: %w", u.Host, err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	elapsed := time.Since(start)
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return Measurement{}, fmt.Errorf("measure the upload to %s: %w: %s", u.Host, ErrRefused, res.Status)
	}
	if body.sent < measureMinBytes {
		return Measurement{}, fmt.Errorf("measure the upload to %s: %w (%d bytes)", u.Host, ErrTooShort, body.sent)
	}
	m := Measurement{Host: u.Host, Bytes: body.sent, Seconds: elapsed.Seconds(),
		Kbps: int64(float64(body.sent) * 8 / 1000 / elapsed.Seconds()), At: start.UTC().Truncate(time.Second)}
	if err := s.update(ctx, func(c *Config) { c.Measured = &m }); err != nil {
		return m, err
	}
	return m, nil
}

// Errors of Measure, for the admin page's words.
var (
	ErrBadURL   = errors.New("not an http or https URL")
	ErrRefused  = errors.New("the server refused the upload")
	ErrTooShort = errors.New("the server answered before enough was sent")
)

// timedBody is random bytes (which nothing on the path can compress)
// until left runs out or the deadline passes.
type timedBody struct {
	deadline time.Time
	left     int64
	sent     int64
}

func (b *timedBody) Read(p []byte) (int, error) {
	if b.left <= 0 || time.Now().After(b.deadline) {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), b.left))
	rand.Read(p[:n])
	b.left -= int64(n)
	b.sent += int64(n)
	return n, nil
}
