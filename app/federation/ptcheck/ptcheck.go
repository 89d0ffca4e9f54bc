// Package ptcheck checks ActivityPub documents against the rules PeerTube
// applies when it ingests them (its sanitizeAndCheckVideoTorrentObject,
// sanitizeAndCheckActorObject and the file attributes it builds from a
// Video's url array), so that a test can prove what Cabane emits would be
// accepted. The rules are rewritten from PeerTube's validators, not
// copied; PeerTube's own documents (testdata) pass them, which checks the
// checker. Input is any JSON: this package reads, it never emits.
package ptcheck

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type obj = map[string]any

// Video reports every rule the Video document breaks (nil: PeerTube would
// accept it).
func Video(doc []byte) error {
	var v obj
	if err := json.Unmarshal(doc, &v); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if v["type"] != "Video" {
		fail("type", "%v, want Video", v["type"])
	}
	if !apURL(v["id"]) {
		fail("id", "%v is not an http(s) URL of at most 2000 characters", v["id"])
	}
	if n, ok := v["name"].(string); !ok || utf8.RuneCountInString(n) < 3 || utf8.RuneCountInString(n) > 120 {
		fail("name", "%q must have 3 to 120 characters", v["name"])
	}
	if d, ok := v["duration"].(string); !ok || !strings.HasPrefix(d, "PT") || !strings.HasSuffix(d, "S") {
		fail("duration", "%v is not PT…S", v["duration"])
	} else if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(d, "PT"), "S")); err != nil || n < 0 {
		fail("duration", "%q is not a whole number of seconds", d)
	}
	if !uuidRe.MatchString(str(v["uuid"])) {
		fail("uuid", "%v is not a UUID", v["uuid"])
	}
	if !nonNegInt(v["views"]) {
		fail("views", "%v is not an integer ≥ 0", v["views"])
	}
	for _, f := range []string{"published", "updated"} {
		if !date(v[f]) {
			fail(f, "%v is not a date", v[f])
		}
	}
	for _, f := range []string{"originallyPublishedAt", "uploadDate"} {
		if v[f] != nil && !date(v[f]) {
			fail(f, "%v is not a date", v[f])
		}
	}
	if c, ok := v["category"].(obj); ok && !intString(c["identifier"]) {
		fail("category", "identifier %v is not an integer", c["identifier"])
	}
	if l, ok := v["licence"].(obj); ok && !intString(l["identifier"]) {
		fail("licence", "identifier %v is not an integer", l["identifier"])
	}
	if l, ok := v["language"].(obj); ok {
		if _, ok := l["identifier"].(string); !ok {
			fail("language", "identifier %v is not a string", l["identifier"])
		}
	}
	if c, ok := v["content"]; ok && c != nil {
		mt := v["mediaType"]
		n := utf8.RuneCountInString(str(c))
		if (mt != "text/markdown" && mt != "text/html") || n < 3 {
			fail("content", "mediaType %v and %d characters: want text/markdown or text/html, at least 3", mt, n)
		}
	}
	// Without commentsPolicy PeerTube turns comments off.
	if p, ok := v["commentsPolicy"].(float64); !ok || p < 1 || p > 3 || p != float64(int(p)) {
		fail("commentsPolicy", "%v is not 1, 2 or 3 (PeerTube would disable comments)", v["commentsPolicy"])
	}
	for _, f := range []string{"commentsEnabled", "downloadEnabled", "sensitive"} {
		if _, ok := v[f].(bool); v[f] != nil && !ok {
			fail(f, "%v is not a boolean", v[f])
		}
	}
	errs = append(errs, icons(v["icon"])...)
	errs = append(errs, attributedTo(v["attributedTo"], true)...)
	errs = append(errs, urls(v["url"])...)
	return errors.Join(errs...)
}

// icons: at least one valid image, PeerTube's setValidRemoteIcon.
func icons(raw any) []error {
	list, ok := raw.([]any)
	if !ok {
		if raw == nil {
			return []error{errors.New("icon: none")}
		}
		list = []any{raw}
	}
	valid := 0
	var errs []error
	for i, x := range list {
		ic, _ := x.(obj)
		switch {
		case ic == nil || ic["type"] != "Image":
			errs = append(errs, fmt.Errorf("icon[%d]: type is not Image", i))
		case !apURL(ic["url"]):
			errs = append(errs, fmt.Errorf("icon[%d]: url %v", i, ic["url"]))
		case !imageTypes[str(ic["mediaType"])]:
			errs = append(errs, fmt.Errorf("icon[%d]: mediaType %v", i, ic["mediaType"]))
		case !nonNegInt(ic["width"]) || !nonNegInt(ic["height"]):
			errs = append(errs, fmt.Errorf("icon[%d]: width %v height %v", i, ic["width"], ic["height"]))
		default:
			valid++
		}
	}
	if valid == 0 {
		errs = append(errs, errors.New("icon: no valid image"))
	}
	return errs
}

// attributedTo: URLs or {type: Person|Group, id}; a video needs a Group
// (else "Cannot find associated video channel"), a channel an account.
func attributedTo(raw any, needGroup bool) []error {
	list, ok := raw.([]any)
	if !ok && raw != nil {
		list = []any{raw}
	}
	valid, group := 0, false
	for _, x := range list {
		switch a := x.(type) {
		case string:
			if apURL(a) {
				valid++
			}
		case obj:
			if (a["type"] == "Group" || a["type"] == "Person") && apURL(a["id"]) {
				valid++
				group = group || a["type"] == "Group"
			}
		}
	}
	var errs []error
	if valid == 0 {
		errs = append(errs, errors.New("attributedTo: empty"))
	}
	if needGroup && !group {
		errs = append(errs, errors.New("attributedTo: no Group (PeerTube cannot find the video's channel)"))
	}
	return errs
}

// urls: an array whose first entry is the text/html page, with an HLS
// entry whose tag array holds the segments' hashes and, for every file, a
// magnet of the same height (PeerTube throws without one).
func urls(raw any) []error {
	list, ok := raw.([]any)
	if !ok {
		return []error{errors.New("url: not an array")}
	}
	if len(list) == 0 {
		return []error{errors.New("url: empty")}
	}
	var errs []error
	if first, _ := list[0].(obj); first["type"] != "Link" || first["mediaType"] != "text/html" || !apURL(first["href"]) {
		errs = append(errs, errors.New("url: the first entry is not the text/html page"))
	}
	hls := 0
	for i, x := range list {
		u, _ := x.(obj)
		if u == nil || firstOf(u["mediaType"], u["mimeType"]) != "application/x-mpegURL" {
			continue
		}
		hls++
		tags, ok := u["tag"].([]any)
		if !ok || !apURL(u["href"]) {
			errs = append(errs, fmt.Errorf("url[%d]: HLS entry without a valid href and tag array", i))
			continue
		}
		errs = append(errs, hlsTags(i, tags)...)
	}
	if hls == 0 {
		errs = append(errs, errors.New("url: no HLS (application/x-mpegURL) entry"))
	}
	return errs
}

func hlsTags(i int, tags []any) []error {
	var errs []error
	sha, files := false, 0
	magnets := map[float64]bool{}
	for _, x := range tags {
		t, _ := x.(obj)
		if t != nil && t["mediaType"] == "application/x-bittorrent;x-scheme-handler/magnet" && len(str(t["href"])) >= 5 && nonNegInt(t["height"]) {
			magnets[t["height"].(float64)] = true
		}
	}
	for j, x := range tags {
		t, _ := x.(obj)
		if t == nil {
			errs = append(errs, fmt.Errorf("url[%d].tag[%d]: not an object", i, j))
			continue
		}
		if t["name"] == "sha256" && t["mediaType"] == "application/json" && apURL(t["href"]) {
			sha = true
		}
		if !videoTypes[str(t["mediaType"])] {
			continue
		}
		files++
		fps := t["fps"]
		if !apURL(t["href"]) || !nonNegInt(t["height"]) || !nonNegInt(t["size"]) || fps != nil && fps != 0.0 && !intAtLeast(fps, -1) {
			errs = append(errs, fmt.Errorf("url[%d].tag[%d]: file link %v: href, integer height, size and fps needed", i, j, t["href"]))
			continue
		}
		if !magnets[t["height"].(float64)] {
			errs = append(errs, fmt.Errorf("url[%d].tag[%d]: no magnet of height %v for %v", i, j, t["height"], t["href"]))
		}
	}
	if !sha {
		errs = append(errs, fmt.Errorf("url[%d]: no segments sha256 link in the HLS tag array", i))
	}
	if files == 0 {
		errs = append(errs, fmt.Errorf("url[%d]: no file in the HLS tag array", i))
	}
	return errs
}

// Actor reports every rule an actor document breaks.
func Actor(doc []byte) error {
	var a obj
	if err := json.Unmarshal(doc, &a); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	typ := str(a["type"])
	if !actorTypes[typ] {
		fail("type", "%q is not an actor type", typ)
	}
	for _, f := range []string{"id", "inbox"} {
		if !apURL(a[f]) {
			fail(f, "%v is not a URL", a[f])
		}
	}
	for _, f := range []string{"outbox", "following", "followers"} {
		if a[f] != nil && !apURL(a[f]) {
			fail(f, "%v is not a URL", a[f])
		}
	}
	if !usernameRe.MatchString(str(a["preferredUsername"])) {
		fail("preferredUsername", "%v does not match %s", a["preferredUsername"], usernameRe)
	}
	if e, ok := a["endpoints"].(obj); ok && e["sharedInbox"] != nil && !apURL(e["sharedInbox"]) {
		fail("endpoints.sharedInbox", "%v is not a URL", e["sharedInbox"])
	}
	k, _ := a["publicKey"].(obj)
	if k == nil || !apURL(k["id"]) || !apURL(k["owner"]) {
		fail("publicKey", "id and owner must be URLs")
	} else if err := spki(str(k["publicKeyPem"])); err != nil {
		fail("publicKey.publicKeyPem", "%v", err)
	}
	if typ == "Group" {
		errs = append(errs, attributedTo(a["attributedTo"], false)...)
	}
	return errors.Join(errs...)
}

// spki: PeerTube takes only "-----BEGIN PUBLIC KEY-----" (SPKI), 10 to
// 5000 characters; it must also parse as one.
func spki(s string) error {
	if !strings.HasPrefix(s, "-----BEGIN PUBLIC KEY-----") || !strings.Contains(s, "-----END PUBLIC KEY-----") || len(s) < 10 || len(s) > 5000 {
		return errors.New("not an SPKI PEM (-----BEGIN PUBLIC KEY-----)")
	}
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return errors.New("PEM does not decode")
	}
	if _, err := x509.ParsePKIXPublicKey(b.Bytes); err != nil {
		return fmt.Errorf("SPKI does not parse: %w", err)
	}
	return nil
}

var (
	uuidRe     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	usernameRe = regexp.MustCompile(`^[A-Za-z0-9\-_.:]+$`)
	actorTypes = map[string]bool{"Person": true, "Application": true, "Group": true, "Service": true, "Organization": true}
	imageTypes = map[string]bool{"image/png": true, "image/jpg": true, "image/jpeg": true, "image/webp": true, "image/gif": true, "image/heic": true, "image/heif": true, "image/avif": true}
	videoTypes = map[string]bool{"video/mp4": true, "video/webm": true, "video/ogg": true, "audio/mp4": true, "video/quicktime": true, "audio/mpeg": true, "audio/ogg": true, "audio/x-m4a": true}
)

// apURL is PeerTube's isActivityPubUrlValid: http or https, a host with a
// top-level domain (or localhost, as PeerTube allows on a test
// instance), at most 2000 characters.
func apURL(x any) bool {
	s, ok := x.(string)
	if !ok || len(s) > 2000 {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1" || strings.Contains(h, ".") && !strings.HasSuffix(h, ".")
}

func date(x any) bool {
	s, ok := x.(string)
	if !ok {
		return false
	}
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func nonNegInt(x any) bool { return intAtLeast(x, 0) }

func intAtLeast(x any, min float64) bool {
	f, ok := x.(float64)
	return ok && f == float64(int64(f)) && f >= min
}

func intString(x any) bool {
	n, err := strconv.Atoi(str(x))
	return err == nil && n >= 0
}

func str(x any) string { s, _ := x.(string); return s }

func firstOf(xs ...any) string {
	for _, x := range xs {
		if s := str(x); s != "" {
			return s
		}
	}
	return ""
}
