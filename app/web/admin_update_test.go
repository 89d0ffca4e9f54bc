package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cabane.dev/cabane/app/update"
)

// updateRig gives the rig's server a real stager over a releases
// directory, and counts restarts.
func updateRig(t *testing.T) (*rig, update.Dir, ed25519.PrivateKey, *atomic.Int32) {
	r := newRig(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	dir := update.Dir(r.layout.Releases())
	// What the page shows of the last rollback.
	if err := dir.Save(update.State{LastRollback: &update.Rollback{From: "1.2.2", Reason: update.ReasonCrashed, At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	var restarts atomic.Int32
	st := update.Stager{Dir: dir, DB: r.layout.DB(),
		Running:  update.Running{Key: pub, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Version: "1.2.3-test"},
		Snapshot: func(ctx context.Context, dst string) error { return update.VacuumInto(ctx, r.store.DB(), dst) }}
	r.server.Update = &UpdateHooks{State: dir.Load, Stage: st.Stage, Restart: func() { restarts.Add(1) }}
	return r, dir, priv, &restarts
}

// release is a signed update whose "binary" passes the trial migration.
func release(t *testing.T, priv ed25519.PrivateKey, v string) []byte {
	var b bytes.Buffer
	if err := update.Sign(&b, priv, update.Manifest{Version: v, GOOS: "linux", GOARCH: runtime.GOARCH}, []byte("#!/bin/sh\nexit 0\n")); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postUpdate sends the admin page's form: the CSRF field (unless csrf is
// empty), then the file.
func (r *rig) postUpdate(who, csrf string, file []byte) (int, string) {
	r.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField(csrfField, csrf)
	}
	fw, _ := mw.CreateFormFile("update", "cabane.update")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, r.http.URL+"/admin/update", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
	if who != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: r.sessions[who]})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestAdminUpdatePage(t *testing.T) {
	r, dir, priv, restarts := updateRig(t)
	code, body := r.page(request{method: http.MethodGet, path: "/admin/update", who: "admin"})
	if code != http.StatusOK || !strings.Contains(body, `<dd class="running-version">1.2.3-test</dd>`) ||
		!strings.Contains(body, "<strong>1.2.2</strong> was rolled back") || !strings.Contains(body, update.ReasonCrashed) {
		t.Fatalf("update page: %d\n%s", code, body)
	}
	if code, _ := r.page(request{method: http.MethodGet, path: "/admin/update", who: "user"}); code != http.StatusNotFound {
		t.Errorf("non-admin GET: %d", code)
	}

	good := release(t, priv, "1.3.0")
	// Refused before anything is staged: the anonymous, a user, a forged
	// form.
	if code, _ := r.postUpdate("", testCSRF, good); code != http.StatusSeeOther {
		t.Errorf("anonymous POST: %d", code)
	}
	if code, _ := r.postUpdate("user", testCSRF, good); code != http.StatusNotFound {
		t.Errorf("non-admin POST: %d", code)
	}
	if code, _ := r.postUpdate("admin", "", good); code != http.StatusForbidden {
		t.Errorf("POST without the CSRF field: %d", code)
	}
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	code, body = r.postUpdate("admin", testCSRF, release(t, otherPriv, "1.3.0"))
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "signature does not match") {
		t.Errorf("badly signed: %d %s", code, body)
	}
	if st, _ := dir.Load(); st.Current != "" || st.Pending || restarts.Load() != 0 {
		t.Fatalf("refused uploads changed the state %+v or restarted (%d)", st, restarts.Load())
	}

	code, body = r.postUpdate("admin", testCSRF, good)
	if code != http.StatusOK || !strings.Contains(body, "Installing version 1.3.0: Cabane restarts") {
		t.Fatalf("good update: %d\n%s", code, body)
	}
	st, _ := dir.Load()
	if st.Current != "1.3.0" || !st.Pending || restarts.Load() != 1 {
		t.Errorf("after the upload: %+v, %d restarts", st, restarts.Load())
	}
	if b, err := os.ReadFile(dir.Binary("1.3.0")); err != nil || string(b) != "#!/bin/sh\nexit 0\n" {
		t.Errorf("staged binary: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(string(dir), "1.3.0", "pre-update.db")); err != nil {
		t.Errorf("no database copy beside the release: %v", err)
	}
}
