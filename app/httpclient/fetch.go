package httpclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// AcceptActivity is what an ActivityPub fetch asks for: the two media types
// the spec names (PeerTube, Mastodon and GoToSocial answer either).
const AcceptActivity = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

var (
	// ErrTooLarge: a body went past its limit. Nothing is truncated silently.
	ErrTooLarge = errors.New("response body too large")
	// ErrNotActivity: the answer was not JSON (often an HTML page).
	ErrNotActivity = errors.New("response is not ActivityPub JSON")
)

// StatusError is a non-2xx answer; callers tell 404 and 410 (gone) from
// failures worth retrying.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Code) }

// ReadLimited reads r to the end, or fails with ErrTooLarge once it passes
// limit bytes.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return b, nil
}

// ReadBody reads resp's body under limit and closes it; a declared
// Content-Length over the limit fails before reading anything.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes announced, limit %d", ErrTooLarge, resp.ContentLength, limit)
	}
	return ReadLimited(resp.Body, limit)
}

// Document is a fetched body and where it finally came from (after
// redirects): an ActivityPub object's id must be checked against URL.
type Document struct {
	URL         string
	ContentType string
	Body        []byte
}

// GetActivity fetches an ActivityPub object, signed with sign when not nil
// (GoToSocial and Mastodon in authorized-fetch mode refuse unsigned GETs).
// The body is returned undecoded, at most Options.MaxBody bytes.
func (c *Client) GetActivity(ctx context.Context, url string, sign Signer) (*Document, error) {
	doc, err := c.get(ctx, url, AcceptActivity, sign)
	if err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(doc.ContentType)
	switch mt {
	case "application/activity+json", "application/ld+json", "application/json":
		return doc, nil
	}
	return nil, fmt.Errorf("GET %s: %w (Content-Type %q)", url, ErrNotActivity, doc.ContentType)
}

// GetJSON fetches url with the given Accept header (WebFinger's
// application/jrd+json, NodeInfo's application/json) and decodes it into v.
func (c *Client) GetJSON(ctx context.Context, url, accept string, v any) error {
	doc, err := c.get(ctx, url, accept, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(doc.Body, v); err != nil {
		return fmt.Errorf("GET %s: decode: %w", url, err)
	}
	return nil
}

func (c *Client) get(ctx context.Context, url, accept string, sign Signer) (*Document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.DoSigned(ctx, req, sign)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A little of the body is read so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
		return nil, &StatusError{URL: url, Code: resp.StatusCode}
	}
	body, err := ReadBody(resp, c.maxBody)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return &Document{URL: resp.Request.URL.String(), ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}

// GetMedia fetches a remote file (an actor's icon) of at most limit bytes,
// signed with sign when not nil, asking for accept. Unlike an activity it
// may come through redirects (pictures often live on a CDN): nothing in it
// is trusted but its pixels, which the caller decodes.
func (c *Client) GetMedia(ctx context.Context, url, accept string, limit int64, sign Signer) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("Accept", accept)
	resp, err := c.DoSigned(ctx, req, sign)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
		return nil, &StatusError{URL: url, Code: resp.StatusCode}
	}
	body, err := ReadBody(resp, limit)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return body, nil
}
