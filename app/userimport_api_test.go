package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/userimport"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/openapi"
)

// PeerTube's API for imports: the archive goes up with the resumable
// protocol (init, chunks, a question after a "dropped" connection, the
// last chunk answering the import's id), the import runs, and
// imports/latest answers PeerTube's UserImport, checked against its
// OpenAPI document. Another user may neither upload into the account,
// write to the upload, nor read its imports (403).
func TestUserImportAPI(t *testing.T) {
	a, base := fedApp(t)
	alice, _, aliceTok := fedUser(t, a, base, "alice")
	_, _, bobTok := fedUser(t, a, base, "bob")
	contract := openapi.Load(t)
	archive, _ := os.ReadFile(writeZip(t, filepath.Join(t.TempDir(), "a.zip"),
		peertubeArchive(t, "peertube.example", []string{"garden_birds"}, nil, nil)))
	size := len(archive)
	endpoint := fmt.Sprintf("%s/api/v1/users/%d/imports/import-resumable", base, alice.ID)

	do := func(method, u, token string, headers map[string]string, body []byte) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, u, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	init := map[string]string{"Content-Type": "application/json", "X-Upload-Content-Length": fmt.Sprint(size)}
	if resp, b := do(http.MethodPost, endpoint, bobTok, init, []byte(`{"filename":"archive.zip"}`)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("bob starts an upload into alice's account: %d %s", resp.StatusCode, b)
	}
	resp, b := do(http.MethodPost, endpoint, aliceTok, init, []byte(`{"filename":"archive.zip"}`))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusCreated || !strings.Contains(loc, "upload_id=") {
		t.Fatalf("init: %d %s, Location %q", resp.StatusCode, b, loc)
	}
	half := size / 2
	resp, b = do(http.MethodPut, loc, aliceTok, map[string]string{"Content-Range": fmt.Sprintf("bytes 0-%d/%d", half-1, size)}, archive[:half])
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Range") != fmt.Sprintf("bytes=0-%d", half-1) {
		t.Fatalf("first chunk: %d %s, Range %q", resp.StatusCode, b, resp.Header.Get("Range"))
	}
	if resp, _ := do(http.MethodPut, loc, bobTok, map[string]string{"Content-Range": fmt.Sprintf("bytes */%d", size)}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob asks about alice's upload: %d, want 403", resp.StatusCode)
	}
	// A client whose connection dropped asks how much is stored.
	resp, _ = do(http.MethodPut, loc, aliceTok, map[string]string{"Content-Range": fmt.Sprintf("bytes */%d", size)}, nil)
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Range") != fmt.Sprintf("bytes=0-%d", half-1) {
		t.Fatalf("question: %d, Range %q", resp.StatusCode, resp.Header.Get("Range"))
	}
	resp, b = do(http.MethodPut, loc, aliceTok, map[string]string{"Content-Range": fmt.Sprintf("bytes %d-%d/%d", half, size-1, size)}, archive[half:])
	var created struct {
		UserImport struct{ ID int64 } `json:"userImport"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &created) != nil || created.UserImport.ID == 0 {
		t.Fatalf("last chunk: %d %s", resp.StatusCode, b)
	}

	latest := fmt.Sprintf("%s/api/v1/users/%d/imports/latest", base, alice.ID)
	if r := apiDo(t, contract, http.MethodGet, latest, bobTok, nil); r.Status != http.StatusForbidden {
		t.Errorf("bob reads alice's latest import: %d, want 403", r.Status)
	}
	var got struct {
		ID    int64
		State struct {
			ID    int
			Label string
		}
		CreatedAt time.Time
	}
	testrig.WaitFor(t, 60*time.Second, func() bool {
		r := apiDo(t, contract, http.MethodGet, latest, aliceTok, nil)
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &got) != nil {
			t.Fatalf("latest: %d %s", r.Status, r.Body)
		}
		return got.State.ID == userimport.StateCompleted || got.State.ID == userimport.StateErrored
	})
	if got.ID != created.UserImport.ID || got.State.ID != userimport.StateCompleted || got.State.Label != "Completed" || got.CreatedAt.IsZero() {
		row, _ := a.Store.UserImports().Get(t.Context(), got.ID)
		t.Fatalf("latest import: %+v (%s)", got, row.Error)
	}
	if ch, err := a.Store.Accounts.ChannelByName(t.Context(), "garden_birds"); err != nil || ch.AccountID != alice.AccountID {
		t.Errorf("the archive's channel: %+v %v", ch, err)
	}
	// A cancelled upload leaves nothing.
	resp, _ = do(http.MethodPost, endpoint, aliceTok, init, []byte(`{"filename":"again.zip"}`))
	loc = resp.Header.Get("Location")
	if resp, _ := do(http.MethodDelete, loc, aliceTok, nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("cancel: %d", resp.StatusCode)
	}
	if left, _ := os.ReadDir(a.Imports.Dir()); len(left) != 0 {
		t.Errorf("the imports folder keeps %d files", len(left))
	}
}

// postArchive sends the settings page's import form (multipart, the CSRF
// field first) as the browser.
func postArchive(t *testing.T, br *testrig.Browser, base, csrf string, archive []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField("_csrf", csrf)
	}
	fw, _ := mw.CreateFormFile("archive", "archive.zip")
	fw.Write(archive)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/my/settings/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := br.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Request.URL.String()
}

// The settings page offers "Import an archive" beside the export: the
// form (CSRF checked) takes an archive, the page shows the import's state
// and what it brought, in English and French, and a refused archive's
// reason.
func TestUserImportSettingsPage(t *testing.T) {
	a, base := fedApp(t)
	fedUser(t, a, base, "gina")
	br := login(t, base, "gina", "correct horse gina")
	body, _, csrf := br.Get(base + "/my/settings")
	if !strings.Contains(body, `action="/my/settings/import"`) || !strings.Contains(body, "Import an archive") {
		t.Fatalf("the settings page offers no import:\n%s", body)
	}
	archive, _ := os.ReadFile(writeZip(t, filepath.Join(t.TempDir(), "a.zip"),
		peertubeArchive(t, "peertube.example", []string{"gina_birds"}, nil, nil)))
	// No room on the disk: refused before a byte is stored.
	a.Imports.FreeSpace = func(string) (int64, error) { return 1 << 20, nil }
	if code, final := postArchive(t, br, base, csrf, archive); code != http.StatusOK || !strings.Contains(final, "done=import_too_big") {
		t.Errorf("import without room: %d %s", code, final)
	}
	a.Imports.FreeSpace = nil
	if left, _ := os.ReadDir(a.Layout.Uploads()); len(left) != 0 {
		t.Errorf("the refused archive left %d files in uploads", len(left))
	}
	if code, _ := postArchive(t, br, base, "", archive); code != http.StatusForbidden {
		t.Errorf("import form without CSRF: %d, want 403", code)
	}
	code, final := postArchive(t, br, base, csrf, archive)
	if code != http.StatusOK || !strings.Contains(final, "done=import_requested") {
		t.Fatalf("import form: %d %s", code, final)
	}
	testrig.WaitFor(t, 60*time.Second, func() bool {
		body, _, _ = br.Get(base + "/my/settings")
		return strings.Contains(body, `class="import" data-state="completed"`)
	})
	if !strings.Contains(body, "Channels: 1 imported, 0 already there, 0 left out") {
		t.Errorf("the page does not say what was imported:\n%s", body)
	}
	br.Get(base + "/lang/fr")
	if body, _, _ := br.Get(base + "/my/settings"); !strings.Contains(body, "Importer une archive") || !strings.Contains(body, "Importé.") {
		t.Errorf("the import section is not in French")
	}
	br.Get(base + "/lang/en")
	body, _, csrf = br.Get(base + "/my/settings")
	if code, _ := postArchive(t, br, base, csrf, []byte("PK not really a zip")); code != http.StatusOK {
		t.Fatalf("second import: %d", code)
	}
	testrig.WaitFor(t, 60*time.Second, func() bool {
		body, _, _ = br.Get(base + "/my/settings")
		return strings.Contains(body, `data-state="errored"`)
	})
	if !strings.Contains(body, "Refused, nothing was kept: this archive cannot be imported: it is not a ZIP file") {
		t.Errorf("the refusal's reason is not shown:\n%s", body)
	}
}
