package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/supporters"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/internal/testrig"
)

// fediverse is a second server on 127.0.0.1, as Mastodon shows itself:
// WebFinger, actors with an inbox and a shared inbox, and inboxes that
// record what they are sent.
type fediverse struct {
	srv *httptest.Server
	mu  sync.Mutex
	got map[string][]posted // inbox path → POSTs
	pem string              // the actors' key (nothing here signs with it)
}

type posted struct {
	Signature string
	Body      []byte
}

func newFediverse(t *testing.T) *fediverse {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	f := &fediverse{got: map[string][]posted{}, pem: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/webfinger", func(w http.ResponseWriter, r *http.Request) {
		name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Query().Get("resource"), "acct:"), "@")
		w.Header().Set("Content-Type", "application/jrd+json")
		json.NewEncoder(w).Encode(map[string]any{"subject": r.URL.Query().Get("resource"),
			"links": []map[string]string{{"rel": "self", "type": "application/activity+json", "href": f.srv.URL + "/users/" + name}}})
	})
	mux.HandleFunc("GET /users/{name}", func(w http.ResponseWriter, r *http.Request) {
		iri := f.srv.URL + "/users/" + r.PathValue("name")
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(map[string]any{"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id": iri, "type": "Person", "preferredUsername": r.PathValue("name"), "name": r.PathValue("name"),
			"inbox": iri + "/inbox", "outbox": iri + "/outbox", "followers": iri + "/followers",
			"endpoints": map[string]string{"sharedInbox": f.srv.URL + "/inbox"},
			"publicKey": map[string]string{"id": iri + "#main-key", "owner": iri, "publicKeyPem": f.pem}})
	})
	record := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.got[r.URL.Path] = append(f.got[r.URL.Path], posted{Signature: r.Header.Get("Signature"), Body: b})
		f.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}
	mux.HandleFunc("POST /users/{name}/inbox", record)
	mux.HandleFunc("POST /inbox", record)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fediverse) posts() map[string][]posted {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]posted{}
	for k, v := range f.got {
		out[k] = append([]posted(nil), v...)
	}
	return out
}

// A creator makes a video supporter-only: the one remote supporter
// (found by handle, through WebFinger and their actor) receives a direct
// Note at their own inbox, signed by the creator, addressed to them alone;
// a revoked supporter and the server's shared inbox receive nothing; the
// link in the Note lets its reader in.
func TestDirectNoteReachesOnlyTheRemoteSupporter(t *testing.T) {
	ctx := context.Background()
	fed := newFediverse(t)
	a, aBase := fedApp(t)
	cara, ch, _ := fedUser(t, a, aBase, "cara")
	owner := visibility.Viewer{UserID: cara.ID, AccountID: cara.AccountID}
	host := strings.TrimPrefix(fed.srv.URL, "http://")
	sam, err := a.Supporters.Add(ctx, owner, supporters.AddRequest{Kind: model.SupporterRemote, Who: "@sam@" + host})
	if err != nil {
		t.Fatal(err)
	}
	if sam.ActorIRI != fed.srv.URL+"/users/sam" || sam.Inbox != fed.srv.URL+"/users/sam/inbox" || sam.Name != "sam@"+host {
		t.Fatalf("remote supporter resolved as %+v", sam.Supporter)
	}
	rita, err := a.Supporters.Add(ctx, owner, supporters.AddRequest{Kind: model.SupporterRemote, Who: "rita@" + host})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Supporters.Revoke(ctx, owner, rita.ID); err != nil {
		t.Fatal(err)
	}
	// A published private video, made supporter-only.
	id := uuid.New()
	v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: ch.ID, Name: "For my supporters", Privacy: model.PrivacyPrivate}
	if err := a.Store.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "360p", Width: 640, Height: 360, Bandwidth: 800_000}); err != nil {
		t.Fatal(err)
	}
	dir := a.Layout.HLS(v.UUID)
	os.MkdirAll(dir, 0o755)
	for name, body := range map[string]string{"master.m3u8": "#EXTM3U\n", v.UUID + "-360-fragmented.mp4": "segment"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Cara uses the interface in French (her settings page keeps it):
	// her Note speaks French.
	if err := a.Store.Profiles().SetLanguage(ctx, cara.ID, "fr"); err != nil {
		t.Fatal(err)
	}
	p := model.PrivacySupporters
	if _, err := a.Videos.Update(ctx, owner, v.UUID, videos.Edit{Privacy: &p}); err != nil {
		t.Fatal(err)
	}
	samInbox := "/users/sam/inbox"
	testrig.WaitFor(t, 30*time.Second, func() bool { return len(fed.posts()[samInbox]) > 0 })
	time.Sleep(time.Second) // anything else on its way
	got := fed.posts()
	if len(got) != 1 || len(got[samInbox]) != 1 {
		t.Fatalf("posts by inbox: %v, want one to sam's inbox only", keysOf(got))
	}
	post := got[samInbox][0]
	if !strings.Contains(post.Signature, `keyId="`+aBase+`/accounts/cara#main-key"`) {
		t.Errorf("not signed by the creator: %s", post.Signature)
	}
	var act struct {
		Type   string   `json:"type"`
		To     []string `json:"to"`
		Cc     []string `json:"cc"`
		Object struct {
			Type    string   `json:"type"`
			To      []string `json:"to"`
			Cc      []string `json:"cc"`
			Content string   `json:"content"`
			Tag     []struct{ Type, Href string }
		} `json:"object"`
	}
	if err := json.Unmarshal(post.Body, &act); err != nil {
		t.Fatal(err)
	}
	samIRI := fed.srv.URL + "/users/sam"
	if act.Type != "Create" || act.Object.Type != "Note" || len(act.To) != 1 || act.To[0] != samIRI || len(act.Cc) != 0 ||
		len(act.Object.To) != 1 || act.Object.To[0] != samIRI || len(act.Object.Cc) != 0 ||
		len(act.Object.Tag) != 1 || act.Object.Tag[0].Type != "Mention" || act.Object.Tag[0].Href != samIRI {
		t.Fatalf("the direct Note: %s", post.Body)
	}
	link := aBase + "/s/" + sam.Token
	if !strings.Contains(act.Object.Content, link) || !strings.Contains(act.Object.Content, v.Name) {
		t.Fatalf("the Note's content lacks the link or the title: %s", act.Object.Content)
	}
	if !strings.Contains(act.Object.Content, "Nouvelle vidéo pour les soutiens :") || !strings.Contains(act.Object.Content, "Votre lien personnel :") ||
		strings.Contains(act.Object.Content, "New video") {
		t.Errorf("the Note is not in its creator's language (French): %s", act.Object.Content)
	}
	// Nothing of the video federated publicly: no Create{Video} queued.
	if n := countJobs(t, a, "federation.video"); n != 0 {
		t.Errorf("%d video federation jobs for a supporter-only video", n)
	}
	// The link lets its reader in.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if strings.HasPrefix(c.Name, "cabane_sp_") {
			cookie = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || cookie == nil {
		t.Fatalf("the link: %d", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, aBase+"/api/v1/videos/"+v.UUID, nil)
	req.AddCookie(cookie)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the video by the link's cookie: %v %v", res, err)
	}
	if res, err := http.Get(aBase + "/api/v1/videos/" + v.UUID); err != nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("the video without it: %v %v", res, err)
	}
}

func keysOf(m map[string][]posted) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func countJobs(t *testing.T, a *App, kind string) int {
	t.Helper()
	var n int
	if err := a.Store.DB().QueryRow("SELECT COUNT(*) FROM jobs WHERE kind = ?", kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// An early-access video whose date passes while the box is off turns
// public when it starts again, and federates then as a new public video
// (a Create queued for the followers).
func TestEarlyAccessTurnsPublicAfterRestart(t *testing.T) {
	ctx := context.Background()
	addr := testrig.FreeAddr(t)
	cfg := config.Default()
	cfg.DataDir, cfg.PublicURL, cfg.MDNS, cfg.Listen = t.TempDir(), "http://"+addr, false, addr
	cfg.AllowPrivateFetch = []string{"127.0.0.0/8"} // federation on, at a loopback public URL
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := Open(ctx, cfg, log, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Auth.CreateUser(ctx, auth.NewUserRequest{Username: "root", Email: "root@example.org", Password: "correct horse root", Admin: true}); err != nil {
		t.Fatal(err)
	}
	_, ch, err := a.Auth.CreateUser(ctx, auth.NewUserRequest{Username: "cara", Email: "cara@example.org", Password: "correct horse cara"})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.New()
	v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: ch.ID, Name: "Early for supporters", Privacy: model.PrivacySupporters}
	if err := a.Store.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "360p", Width: 640, Height: 360, Bandwidth: 800_000}); err != nil {
		t.Fatal(err)
	}
	v, _ = a.Store.Videos.ByID(ctx, v.ID)
	due := time.Now().Add(time.Second)
	if err := a.Supporters.SetEarlyAccess(ctx, v, due); err != nil {
		t.Fatal(err)
	}
	a.Close() // off before the date
	time.Sleep(time.Until(due) + 100*time.Millisecond)
	if got := countJobs0(t, cfg.DataDir); got != 0 {
		t.Fatalf("%d video federation jobs before the restart", got)
	}
	a, err = Open(ctx, cfg, log, "test")
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done; a.Close() }()
	testrig.WaitFor(t, 30*time.Second, func() bool {
		got, err := a.Store.Videos.ByID(ctx, v.ID)
		return err == nil && got.Privacy == model.PrivacyPublic
	})
	got, _ := a.Store.Videos.ByID(ctx, v.ID)
	if got.PublishedAt.Before(due) {
		t.Errorf("published at %v, before its date %v", got.PublishedAt, due)
	}
	var payload string
	if err := a.Store.DB().QueryRow("SELECT payload FROM jobs WHERE kind = 'federation.video'").Scan(&payload); err != nil || !strings.Contains(payload, `"act":"create"`) {
		t.Errorf("the federation of the now public video: %q %v", payload, err)
	}
}

// countJobs0 counts the video federation jobs in a closed data directory.
func countJobs0(t *testing.T, dir string) int {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	st.DB().QueryRow("SELECT COUNT(*) FROM jobs WHERE kind = 'federation.video'").Scan(&n)
	return n
}
