package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cabane.dev/cabane/internal/testrig"
)

// With the disk full, a login (which writes its session) is told so in
// words, as HTML for the page and JSON for the API, not a bare 500; and
// once there is room again the same login works.
func TestFullDiskIsSaidInWords(t *testing.T) {
	disk := testrig.SmallDisk(t, "8m")
	r := newRigIn(t, disk)
	free := testrig.FillDisk(t, disk, 0)
	login := func() (*http.Response, string) {
		form := url.Values{"username": {"user"}, "password": {"correct horse battery staple"}, csrfField: {testCSRF}}
		return r.send(t, http.MethodPost, "/login", strings.NewReader(form.Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "", true)
	}
	// Several sessions: SQLite may find room in pages it already has.
	var res *http.Response
	var body string
	for range 50 {
		if res, body = login(); res.StatusCode != http.StatusSeeOther {
			break
		}
	}
	if res.StatusCode != http.StatusInsufficientStorage || !strings.Contains(body, "disk is full") {
		t.Fatalf("login on a full disk: %d\n%.400s", res.StatusCode, body)
	}
	free()
	if res, _ := login(); res.StatusCode != http.StatusSeeOther {
		t.Errorf("login after making room: %d", res.StatusCode)
	}
}
