package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/internal/testrig"
)

// An archive past the box's limit for exports fails, and the settings
// page says why in the user's words (and in French), not the bare
// error.
func TestUserExportPastTheLimit(t *testing.T) {
	a, base := fedApp(t)
	fedUser(t, a, base, "alice")
	a.Exports.MaxBytes = 100 // smaller than any archive
	br := login(t, base, "alice", "correct horse alice")
	_, _, csrf := br.Get(base + "/my/settings")
	code, final, _ := br.PostForm(base+"/my/settings/export", url.Values{"_csrf": {csrf}, "withVideoFiles": {"0"}})
	if code != http.StatusOK || !strings.Contains(final, "done=export_requested") {
		t.Fatalf("export form: %d %s", code, final)
	}
	var body string
	testrig.WaitFor(t, 60*time.Second, func() bool {
		body, _, _ = br.Get(base + "/my/settings")
		return strings.Contains(body, `data-state="errored"`)
	})
	if !strings.Contains(body, "The archive would be larger than an export may be") || strings.Contains(body, "href=\"/download/user-exports/") {
		t.Errorf("the settings page after an export past the limit:\n%s", body)
	}
}
