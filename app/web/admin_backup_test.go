package web

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cabane.dev/cabane/app/backup"
)

// The admin makes a backup from the page, in the background, and downloads
// it; nobody else can do either, and the page explains why restoring is a
// command.
func TestAdminBackupPage(t *testing.T) {
	r := newRig(t)
	code, body := r.page(request{method: http.MethodGet, path: "/admin/backup", who: "admin"})
	if code != http.StatusOK || !strings.Contains(body, "No backup yet.") || !strings.Contains(body, "cabane restore") {
		t.Fatalf("backup page: %d\n%s", code, body)
	}
	code, body = r.page(request{method: http.MethodGet, path: "/admin/backup", who: "admin", lang: "fr"})
	if code != http.StatusOK || !strings.Contains(body, "Aucune sauvegarde pour l’instant.") {
		t.Errorf("backup page in French: %d\n%s", code, body)
	}
	if code, _ := r.page(request{method: http.MethodGet, path: "/admin", who: "admin"}); code != http.StatusOK {
		t.Errorf("overview: %d", code)
	} else if _, b := r.page(request{method: http.MethodGet, path: "/admin", who: "admin"}); !strings.Contains(b, `href="/admin/backup"`) {
		t.Errorf("the overview does not link the backup page")
	}
	// Refused before anything starts: the anonymous, a user, a forged form.
	for _, c := range []struct {
		req  request
		want int
	}{
		{request{method: http.MethodPost, path: "/admin/backup", withCSRF: true}, http.StatusSeeOther}, // to the login page
		{request{method: http.MethodPost, path: "/admin/backup", who: "user", withCSRF: true}, http.StatusNotFound},
		{request{method: http.MethodPost, path: "/admin/backup", who: "admin"}, http.StatusForbidden},
		{request{method: http.MethodGet, path: "/admin/backup", who: "user"}, http.StatusNotFound},
	} {
		if code, _ := r.page(c.req); code != c.want {
			t.Errorf("%s %s as %q (csrf %v): %d, want %d", c.req.method, c.req.path, c.req.who, c.req.withCSRF, code, c.want)
		}
	}
	if st := r.server.Backups.Status(); !st.Started.IsZero() {
		t.Fatalf("a refused request started a backup: %+v", st)
	}

	res := r.do(context.Background(), request{method: http.MethodPost, path: "/admin/backup", who: "admin", withCSRF: true})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/backup" {
		t.Fatalf("start: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	r.server.Backups.Wait()
	st := r.server.Backups.Status()
	if st.Err != "" || st.Name == "" {
		t.Fatalf("background backup: %+v", st)
	}
	_, body = r.page(request{method: http.MethodGet, path: "/admin/backup", who: "admin"})
	link := regexp.MustCompile(`href="(/admin/backup/cabane-\d{8}-\d{6}\.tar)"`).FindStringSubmatch(body)
	if link == nil || !strings.Contains(body, "is ready") {
		t.Fatalf("the page offers no download:\n%s", body)
	}
	if code, _ := r.page(request{method: http.MethodGet, path: link[1], who: "user"}); code != http.StatusNotFound {
		t.Errorf("a user downloads the backup: %d", code)
	}
	if code, _ := r.page(request{method: http.MethodGet, path: link[1]}); code != http.StatusSeeOther {
		t.Errorf("the anonymous download the backup: %d", code)
	}
	for _, p := range []string{"/admin/backup/..%2fcabane.db", "/admin/backup/cabane.db"} {
		if code, _ := r.page(request{method: http.MethodGet, path: p, who: "admin"}); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
	res = r.do(context.Background(), request{method: http.MethodGet, path: link[1], who: "admin"})
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/x-tar" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("download: %d %v", res.StatusCode, res.Header)
	}
	// What is downloaded restores.
	tr := tar.NewReader(res.Body)
	names := map[string]bool{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names[h.Name] = true
	}
	if !names["cabane.db.gz"] || !names["MANIFEST.json"] {
		t.Errorf("downloaded archive holds %v", names)
	}
	if _, err := backup.Restore(context.Background(), filepath.Join(r.layout.Backups(), filepath.Base(link[1])), filepath.Join(t.TempDir(), "data"), backup.RestoreOptions{}); err != nil {
		t.Errorf("restore of the page's backup: %v", err)
	}
}
