package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveContent is http.ServeContent with one correction to its Range
// parsing: a suffix range of zero bytes ("bytes=-0") asks for nothing, which
// RFC 9110 (section 14.1.3) calls unsatisfiable, yet ServeContent answers it
// with a 206 and the impossible "Content-Range: bytes size-(size-1)/size".
// Such ranges are dropped from the header; when none is left, the header is
// replaced by one that ServeContent itself finds unsatisfiable, so it still
// answers the conditional headers (If-Range, If-None-Match, ...) as usual
// and sends 416 with "Content-Range: bytes */size". An empty file is
// answered whole.
func serveContent(w http.ResponseWriter, r *http.Request, name string, mod time.Time, content io.ReadSeeker, size int64) {
	if h := r.Header.Get("Range"); h != "" && size == 0 {
		// Nothing to cut: ServeContent would answer "bytes 0--1/0". A
		// server may ignore Range; the empty body is the whole answer.
		r = r.Clone(r.Context())
		r.Header.Del("Range")
	} else if h != "" {
		if fixed, changed := dropEmptySuffixRanges(h, size); changed {
			r = r.Clone(r.Context())
			r.Header.Set("Range", fixed)
		}
	}
	http.ServeContent(w, r, name, mod, content)
}

// dropEmptySuffixRanges removes "-0" (and "-00", " - 0", ...) from a bytes
// Range header, spelling each remaining range as the client did. changed
// is false when there was nothing to drop. When every range was an empty
// suffix, the result is "bytes=<size>-", a range past the end.
func dropEmptySuffixRanges(h string, size int64) (string, bool) {
	const unit = "bytes="
	if !strings.HasPrefix(h, unit) {
		return h, false
	}
	specs := strings.Split(h[len(unit):], ",")
	kept := specs[:0:0]
	for _, spec := range specs {
		start, end, ok := strings.Cut(strings.TrimSpace(spec), "-")
		if ok && strings.TrimSpace(start) == "" {
			end = strings.TrimSpace(end)
			// Parsed as ServeContent parses it (it accepts "+0" too).
			if n, err := strconv.ParseInt(end, 10, 64); err == nil && n == 0 && end != "" && end[0] != '-' {
				continue
			}
		}
		kept = append(kept, spec)
	}
	if len(kept) == len(specs) {
		return h, false
	}
	if strings.TrimSpace(strings.Join(kept, "")) == "" {
		return unit + strconv.FormatInt(size, 10) + "-", true
	}
	return unit + strings.Join(kept, ","), true
}
