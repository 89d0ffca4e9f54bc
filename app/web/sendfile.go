package web

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/labstack/echo/v4"
)

// serveOpenFile sends an open file with Range, ETag and Last-Modified
// (conditional requests answered by http.ServeContent), through a writer
// that reaches net/http's ReadFrom: there an *os.File goes out with
// sendfile(2), kernel to socket, instead of being copied through user space
// in 32 KiB reads and writes (echo's Response has no ReadFrom of its own,
// so io.Copy could not see the connection's). The caller sets the content
// type and cache headers and closes f.
func serveOpenFile(c echo.Context, f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	if st.IsDir() {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	h := c.Response().Header()
	if h.Get("ETag") == "" {
		// As nginx spells it: mtime and size, so a file replaced in place
		// (a master playlist that grows) gets another one.
		h.Set("ETag", `"`+strconv.FormatInt(st.ModTime().UnixNano(), 16)+"-"+strconv.FormatInt(st.Size(), 16)+`"`)
	}
	serveContent(sendfileWriter(c.Response()), c.Request(), "", st.ModTime(), f, st.Size())
	return nil
}

// sendfileWriter is r, with ReadFrom when the writer echo wraps has one
// (net/http's own, which sends an *os.File with sendfile). A middleware
// that replaced r.Writer with one that must see the bytes (the microcache's
// recorder) has no ReadFrom, so the bytes still pass through it.
func sendfileWriter(r *echo.Response) http.ResponseWriter {
	if rf, ok := r.Writer.(io.ReaderFrom); ok {
		return fileResponse{Response: r, rf: rf}
	}
	return r
}

// fileResponse keeps echo's bookkeeping (status, committed, size, the
// Before hooks) while the body goes through the connection's ReadFrom.
type fileResponse struct {
	*echo.Response
	rf io.ReaderFrom
}

func (w fileResponse) ReadFrom(src io.Reader) (int64, error) {
	if !w.Committed {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.rf.ReadFrom(src)
	w.Size += n
	return n, err
}
