package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/search"
)

// Reading PeerTube's search and listing filters from a query string.
// Arrays come as repeated parameters (tagsOneOf=a&tagsOneOf=b), with
// brackets (tagsOneOf[]=a) as some clients send them, or as one value.

// queryList is every value of name and name[], empty values dropped.
func queryList(q url.Values, name string) []string {
	var out []string
	for _, v := range append(q[name], q[name+"[]"]...) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func queryInts(q url.Values, name string) ([]int, error) {
	var out []int
	for _, v := range queryList(q, name) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fieldError(name, "%s must hold integers", name)
		}
		out = append(out, n)
	}
	return out, nil
}

func queryBool(q url.Values, name string) (*bool, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, fieldError(name, "%s must be true or false", name)
	}
	return &b, nil
}

func queryDate(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fieldError(name, "%s must be an ISO 8601 date", name)
}

// pageParams reads start and count as PeerTube checks them (count 0..100;
// its default is 15).
func pageParams(q url.Values) (start, count int, err error) {
	start, count, err = pageBounds(q)
	return min(start, maxStart), count, err
}

// pageBounds reads start and count as PeerTube bounds them (count 0 to
// 100, 15 by default).
func pageBounds(q url.Values) (start, count int, err error) {
	count = 15
	if v := q.Get("start"); v != "" {
		if start, err = strconv.Atoi(v); err != nil || start < 0 {
			return 0, 0, fieldError("start", "start must be a non-negative integer")
		}
	}
	if v := q.Get("count"); v != "" {
		if count, err = strconv.Atoi(v); err != nil || count < 0 || count > 100 {
			return 0, 0, fieldError("count", "count must be an integer from 0 to 100")
		}
	}
	return start, count, nil
}

// videoQuery reads a search or listing's query string, for the API's
// lists: only what their JSON shows is read (Summary).
func (s *Server) videoQuery(c echo.Context) (search.VideoQuery, error) {
	q := c.QueryParams()
	out := search.VideoQuery{Summary: true}
	var err error
	if out.Start, out.Count, err = pageParams(q); err != nil {
		return out, err
	}
	out.Search, out.Sort, out.Host = q.Get("search"), q.Get("sort"), q.Get("host")
	out.LocalHost = s.urls(c).Host()
	out.SkipCount = q.Get("skipCount") == "true"
	out.UUIDs = queryList(q, "uuids")
	out.TagsOneOf, out.TagsAllOf = queryList(q, "tagsOneOf"), queryList(q, "tagsAllOf")
	out.LanguageOneOf = queryList(q, "languageOneOf")
	if out.CategoryOneOf, err = queryInts(q, "categoryOneOf"); err != nil {
		return out, err
	}
	if out.LicenceOneOf, err = queryInts(q, "licenceOneOf"); err != nil {
		return out, err
	}
	// nsfw: "true" only NSFW, "false" none, "both" (or absent) all.
	switch v := q.Get("nsfw"); v {
	case "", "both":
	case "true", "false":
		b := v == "true"
		out.NSFW = &b
	default:
		return out, fieldError("nsfw", "nsfw must be true, false or both")
	}
	if out.IsLocal, err = queryBool(q, "isLocal"); err != nil {
		return out, err
	}
	// Cabane has no lives, nor stores remote ones: asking for lives
	// finds nothing (isLocal=false would now find remote videos).
	if live, err := queryBool(q, "isLive"); err != nil {
		return out, err
	} else if live != nil && *live {
		out.Nothing = true
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"durationMin", &out.DurationMin}, {"durationMax", &out.DurationMax}} {
		if v := q.Get(d.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return out, fieldError(d.name, "%s must be a number of seconds", d.name)
			}
			*d.dst = time.Duration(n) * time.Second
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"startDate", &out.StartDate}, {"endDate", &out.EndDate},
		{"originallyPublishedStartDate", &out.OriginallyPublishedStart}, {"originallyPublishedEndDate", &out.OriginallyPublishedEnd}} {
		if *d.dst, err = queryDate(q, d.name); err != nil {
			return out, err
		}
	}
	return out, nil
}

// searchError renders the search service's refusals as PeerTube's 400.
func searchError(err error) error {
	if b, ok := search.AsBadQuery(err); ok {
		return fieldError(b.Field, "%s", b.Msg)
	}
	return err
}
