package web

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// fillRandom sets every field v reaches to a random value, the awkward
// ones often: strings with what JSON escapes (quotes, controls, <>&,
// U+2028, invalid UTF-8), floats tiny and huge, times in odd zones, nil
// and empty pointers and slices.
func fillRandom(rng *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(randomTime(rng)))
			return
		}
		for i := range v.NumField() {
			fillRandom(rng, v.Field(i))
		}
	case reflect.Pointer:
		if rng.IntN(3) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		fillRandom(rng, p.Elem())
		v.Set(p)
	case reflect.Slice:
		switch rng.IntN(3) {
		case 0:
			v.SetZero()
		default:
			s := reflect.MakeSlice(v.Type(), rng.IntN(3), 3)
			for i := range s.Len() {
				fillRandom(rng, s.Index(i))
			}
			v.Set(s)
		}
	case reflect.String:
		v.SetString(randomString(rng))
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt(rng.Int64N(1<<40) - 1<<39)
	case reflect.Float64:
		v.SetFloat([]float64{0, 100, 1.7777777777777777, 0.5625, 1e-7, 3.2e-9, 1e21, 1.5e300, -2.25, rng.Float64() * 100}[rng.IntN(10)])
	default:
		panic("fillRandom: no case for " + v.Type().String())
	}
}

func randomString(rng *rand.Rand) string {
	parts := []string{"", "plain", `"quoted"`, `back\slash`, "<b>&amp;</b>", "\n\r\t\b\f\x00\x1f\x7f", "été ∑ 日本",
		"\u2028\u2029", "\xff\xfe bad", "😀", "https://example.org/w/abc?x=1&y=2", strings.Repeat("é", 260)}
	var b strings.Builder
	for range rng.IntN(4) {
		b.WriteString(parts[rng.IntN(len(parts))])
	}
	return b.String()
}

func randomTime(rng *rand.Rand) time.Time {
	if rng.IntN(5) == 0 {
		return time.Time{}
	}
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("plus", 5*3600+30*60), time.FixedZone("minus", -(9*3600 + 15)),
		time.FixedZone("far", 23*3600+59*60)}
	t := time.Unix(rng.Int64N(253402300799), rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])
	if rng.IntN(3) == 0 {
		t = t.Truncate(time.Millisecond) // as the store reads them
	}
	return t
}

// TestVideoJSONAppendMatchesEncoding: the lists' hand-written JSON is
// encoding/json's, byte for byte, for every field of apiVideo (a field
// added to the struct and not to appendJSON fails here), and so is a
// whole list answer.
func TestVideoJSONAppendMatchesEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2026))
	for i := range 3000 {
		var a apiVideo
		fillRandom(rng, reflect.ValueOf(&a).Elem())
		want, wantErr := json.Marshal(&a)
		got, err := a.appendJSON(nil)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("case %d: error %v, encoding/json's %v", i, err, wantErr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
	// What encoding/json refuses is refused: the caller falls back to it.
	for _, a := range []apiVideo{{ProcessingProgress: math.NaN()}, {CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{UpdatedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}, {CreatedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 24*3600))}} {
		if _, err := json.Marshal(&a); err == nil {
			t.Fatalf("encoding/json accepts %+v", a)
		}
		if _, err := a.appendJSON(nil); err == nil {
			t.Errorf("appendJSON accepts what encoding/json refuses: %+v", a)
		}
	}

	// A whole answer, through the route: the bytes encoding/json wrote.
	r := newRig(t)
	for _, p := range []int{model.PrivacyPublic, model.PrivacyPublic, model.PrivacyInternal} {
		r.publishedVideo(t, r.adminChannel, p)
	}
	r.server.cache.ttl = 0
	for _, who := range []string{"", "user"} {
		vs, total, err := r.videos.List(t.Context(), viewerOfRig(t, r, who), videos.ListQuery{Count: 25, Summary: true})
		if err != nil {
			t.Fatal(err)
		}
		res, body := r.send(t, http.MethodGet, "/api/v1/videos?count=25", nil, nil, who, false)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET /api/v1/videos as %q: %d %s", who, res.StatusCode, res.Header.Get("Content-Type"))
		}
		u := uris.New(r.http.URL)
		page := videoPage{Total: total, Data: []apiVideo{}}
		for _, v := range vs {
			page.Data = append(page.Data, r.server.videoSummaryJSON(context.Background(), u, v))
		}
		var want bytes.Buffer
		json.NewEncoder(&want).Encode(page)
		if body != want.String() {
			t.Errorf("GET /api/v1/videos as %q:\n got %s\nwant %s", who, body, want.String())
		}
	}
}

func viewerOfRig(t *testing.T, r *rig, who string) visibility.Viewer {
	t.Helper()
	if who == "" {
		return visibility.Anonymous(false)
	}
	u, err := r.server.Auth.SessionUser(t.Context(), r.sessions[who])
	if err != nil {
		t.Fatal(err)
	}
	return visibility.Of(&u, false)
}

// truncate cuts at n runes (not bytes), as it did with a rune slice for
// every description.
func TestTruncate(t *testing.T) {
	old := func(s string, n int) string {
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		return string(r[:n-3]) + "..."
	}
	for _, s := range []string{"", "short", strings.Repeat("a", 250), strings.Repeat("a", 251), strings.Repeat("é", 250),
		strings.Repeat("é", 251), strings.Repeat("日", 300), "\xff\xfe" + strings.Repeat("x", 249), "\xff" + strings.Repeat("x", 250)} {
		if got, want := truncate(s, 250), old(s, 250); got != want {
			t.Errorf("truncate(%q…, 250) = %q, want %q", s[:min(len(s), 8)], got, want)
		}
	}
}
