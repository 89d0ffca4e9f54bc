package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// A hostile offset gives links within the listing, never a negative one.
func TestPageLinksStayInRange(t *testing.T) {
	e := echo.New()
	for _, q := range []string{"9223372036854775807", "9223372036854775800", "-5", "99999999999999999999999", "abc"} {
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/?start="+q, nil), httptest.NewRecorder())
		start := pageStart(c)
		prev, next := pageLinks(c, start, 30)
		if strings.Contains(prev+next, "start=-") || start < 0 || next != "" && start+pageSize >= 30 {
			t.Errorf("start=%s: start %d, prev %q, next %q", q, start, prev, next)
		}
	}
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/?start=9223372036854775807", nil), httptest.NewRecorder())
	if prev, _ := pageLinks(c, pageStart(c), 30); prev != "/?start=6" {
		t.Errorf("past the end, the newer link is %q, want the last page", prev)
	}
}
