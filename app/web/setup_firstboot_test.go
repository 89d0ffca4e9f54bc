package web

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/accounts"
	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/firstboot"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/lan"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
)

// runFirstboot applies a cabane.txt with one bad line, as the first-boot
// unit does, recording its outcome in dataDir.
func runFirstboot(t *testing.T, dataDir, text string) {
	t.Helper()
	boot, root := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(boot, firstboot.FileName), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := firstboot.Run(context.Background(), firstboot.Options{Boot: boot, Root: root, Data: dataDir,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
}

// A fresh box (no admin yet) whose home network is loopback, so the setup
// page is served to the test's client.
func newSetupServer(t *testing.T, mdns func() (string, string)) (*httptest.Server, string) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	l := config.Layout{Root: cfg.DataDir}
	if err := l.Prepare(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, l.DB(), store.Options{BackupDir: l.Backups()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	q := jobs.New(st.DB(), log, jobs.Options{Poll: time.Second})
	s, err := New(Deps{Config: cfg, Auth: &auth.Service{Store: st.Repo()}, Accounts: &accounts.Service{Store: st.Repo()},
		Videos: &videos.Service{Store: st.Repo(), Jobs: q, Layout: l, Log: log}, Jobs: q, Log: log,
		LAN: &lan.Policy{Home: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, MDNSName: mdns})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, cfg.DataDir
}

func getPage(t *testing.T, url, acceptLanguage string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return html.UnescapeString(string(b))
}

// The setup page says the box took another name, and shows the line of
// cabane.txt that was not applied, in the visitor's language.
func TestSetupPageShowsRenameAndFirstbootProblems(t *testing.T) {
	srv, data := newSetupServer(t, func() (string, string) { return "cabane-2.local", "cabane.local" })
	runFirstboot(t, data, "hostname = studio\r\ntimezone = Mars/Olympus\r\n")

	en := getPage(t, srv.URL+"/setup", "en-GB,en;q=0.8")
	for _, want := range []string{
		`This box is at <a href="http://cabane-2.local">http://cabane-2.local</a> because cabane.local was already taken on your network.`,
		"Some lines of cabane.txt were not applied",
		"<td>2</td><td><code>timezone = Mars/Olympus</code></td>",
		`timezone "Mars/Olympus" is not a known time zone`,
		"<code>hostname</code>",
	} {
		if !strings.Contains(en, want) {
			t.Errorf("English setup page lacks %q", want)
		}
	}
	fr := getPage(t, srv.URL+"/setup", "fr-FR,fr;q=0.9,en;q=0.5")
	for _, want := range []string{
		`Cette box est à l'adresse <a href="http://cabane-2.local">http://cabane-2.local</a> car cabane.local était déjà pris sur votre réseau.`,
		"Des lignes de cabane.txt n'ont pas été appliquées",
		"timezone « Mars/Olympus » n'est pas un fuseau horaire connu",
	} {
		if !strings.Contains(fr, want) {
			t.Errorf("French setup page lacks %q", want)
		}
	}
	if strings.Contains(fr, "is not a known time zone") {
		t.Error("the French page shows the English message")
	}
}

// Not renamed, no cabane.txt: the page gives the address and nothing else.
func TestSetupPageWithoutFirstboot(t *testing.T) {
	srv, _ := newSetupServer(t, func() (string, string) { return "cabane.local", "" })
	page := getPage(t, srv.URL+"/setup", "")
	if !strings.Contains(page, `This box is at <a href="http://cabane.local">http://cabane.local</a>.`) {
		t.Error("no address on the setup page")
	}
	if strings.Contains(page, "already taken") || strings.Contains(page, "cabane.txt") {
		t.Error("the page speaks of a rename or of cabane.txt")
	}
	// The MDNSName function is optional: the configured name is shown.
	srv2, _ := newSetupServer(t, nil)
	if page := getPage(t, srv2.URL+"/setup", ""); !strings.Contains(page, "http://cabane.local") {
		t.Error("no address without MDNSName")
	}
}

// The admin overview shows the lines of cabane.txt that were not applied,
// and nothing when all were.
func TestAdminOverviewShowsFirstbootProblems(t *testing.T) {
	r := newRig(t)
	runFirstboot(t, r.layout.Root, "hostname = studio\nwifi_ssid = Maison\n")
	_, page := r.page(request{method: http.MethodGet, path: "/admin", who: "admin"})
	page = html.UnescapeString(page)
	if !strings.Contains(page, "Some lines of cabane.txt were not applied") || !strings.Contains(page, "<td>2</td><td><code>wifi_ssid = Maison</code></td>") {
		t.Errorf("overview lacks the problem:\n%s", page)
	}
	runFirstboot(t, r.layout.Root, "hostname = studio\n")
	if _, page := r.page(request{method: http.MethodGet, path: "/admin", who: "admin"}); strings.Contains(page, "cabane.txt") {
		t.Error("overview shows cabane.txt with nothing wrong")
	}
}
