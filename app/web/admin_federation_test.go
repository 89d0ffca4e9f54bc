package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/delivery"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/i18n"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/assets"
)

// fedAdminRig is inboxRig with the blocklist and a delivery service (its
// queue never runs: what is sent stays queued) wired as the App wires them.
func fedAdminRig(t *testing.T) (*rig, *delivery.Service) {
	t.Helper()
	r := inboxRig(t)
	r.server.Blocklist = &blocklist.Service{Store: r.store.Blocklist(), Directory: r.server.Accounts,
		LocalHost: func() string { return strings.TrimPrefix(fedPublicURL, "https://") }}
	client := httpclient.New(httpclient.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	q := jobs.New(r.store.DB(), r.server.Log, jobs.Options{Owner: "fedadmin-test"})
	d := delivery.New(r.store.Delivery(), q, client, keys.NewKeyring(r.store.ActorKeys()), r.server.Log, delivery.Options{})
	r.server.Delivery = d
	return r, d
}

type fakeFollowing []model.Following

func (f fakeFollowing) ServerFollowing(_ context.Context, v visibility.Viewer, start, count int) ([]model.Following, int, error) {
	return f, len(f), nil
}

// The admin's federation page: each section with data, the forms changing
// it through the same services as the API, and nobody else let in.
func TestAdminFederationPage(t *testing.T) {
	r, d := fedAdminRig(t)
	f := newFediverse(t)
	ctx := context.Background()
	ch, err := r.server.Accounts.ChannelByID(ctx, adminViewer(r), r.adminChannel)
	if err != nil {
		t.Fatal(err)
	}
	// alice follows the server (accepted) and the channel (which approves
	// followers by hand: pending).
	if err := r.store.Follows().SetManualFollowers(ctx, ch.ID, true); err != nil {
		t.Fatal(err)
	}
	for i, obj := range []string{fedPublicURL + "/accounts/peertube", fedPublicURL + "/video-channels/" + ch.Name} {
		b, _ := json.Marshal(map[string]any{"id": f.srv.URL + "/follows/" + itoa(int64(i)), "type": "Follow", "actor": f.alice(), "object": obj})
		if res, body := r.postActivity(t, f, "/inbox", acceptAP, b, false); res.StatusCode != 204 {
			t.Fatalf("Follow of %s: %d %s", obj, res.StatusCode, body)
		}
	}
	pending, _, err := r.store.Follows().Followers(ctx, []store.FollowTarget{{Kind: "channel", ID: ch.ID}}, store.FollowPending, 0, 10)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending follow: %+v %v", pending, err)
	}
	// Delivery: one activity queued for queue.example, a failing host on
	// hold, one given up.
	from := federation.LocalActor{Key: keys.Actor{Kind: keys.Channel, ID: ch.ID}, IRI: fedPublicURL + "/video-channels/" + ch.Name}
	if err := d.Send(ctx, from, []byte(`{"id":"https://x/1","type":"Announce"}`),
		[]federation.Recipient{{Actor: "https://queue.example/u/a", Inbox: "https://queue.example/u/a/inbox"}}); err != nil {
		t.Fatal(err)
	}
	held := time.Now().Add(time.Hour)
	if err := r.store.Delivery().SaveHost(ctx, store.DeliveryHost{Host: "down.example", Failures: 6, LastError: "POST https://down.example/inbox: HTTP 503: <b>busy</b>",
		HeldUntil: held, LastFailure: time.Now()}); err != nil {
		t.Fatal(err)
	}
	gaveUp := &store.DeliveryFailure{Host: "down.example", Inbox: "https://down.example/inbox", Sender: from.IRI, Tries: 11, Error: "gave up", At: time.Now()}
	if _, err := r.store.Delivery().Queue(ctx, store.OutgoingActivity{ActorKind: "channel", ActorID: ch.ID, ActorIRI: from.IRI, Body: []byte(`{}`)},
		[]store.DeliveryTarget{{Inbox: gaveUp.Inbox, Host: gaveUp.Host}}, func(_ *sql.Tx, _ store.DeliveryTarget) (int64, error) { return 999, nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Delivery().Finish(ctx, 999, gaveUp); err != nil {
		t.Fatal(err)
	}
	r.server.ServerFollowing = fakeFollowing{{ID: 1, Target: model.RemoteActor{IRI: "https://tube.example/accounts/peertube", PreferredUsername: "peertube",
		Host: "tube.example", Name: "Tube <i>instance</i>"}, FollowerKind: model.FollowerServer, State: model.FollowAccepted, CreatedAt: time.Now()}}

	// Nobody but an admin.
	res := r.do(ctx, request{method: http.MethodGet, path: "/admin/federation"})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if code, _ := r.page(request{method: http.MethodGet, path: "/admin/federation", who: "user"}); code != http.StatusForbidden {
		t.Errorf("user: %d, want 403", code)
	}
	post := func(path, who string, form url.Values) (int, string) {
		t.Helper()
		res := r.do(ctx, request{method: http.MethodPost, path: path, who: who, form: form, withCSRF: true})
		res.Body.Close()
		return res.StatusCode, res.Header.Get("Location")
	}
	pid := itoa(pending[0].ID)
	for _, p := range []struct {
		path string
		form url.Values
	}{{"/admin/federation/followers/" + pid + "/accept", nil}, {"/admin/federation/followers/" + pid + "/remove", nil},
		{"/admin/federation/blocks", url.Values{"host": {"evil.example"}}}, {"/admin/federation/blocks/remove", url.Values{"host": {"evil.example"}}}} {
		if code, _ := post(p.path, "user", p.form); code != http.StatusForbidden {
			t.Errorf("user POST %s: %d, want 403", p.path, code)
		}
	}
	if fo, err := r.store.Follows().FollowByID(ctx, pending[0].ID); err != nil || fo.State != store.FollowPending {
		t.Errorf("a refused form changed the follow: %+v %v", fo, err)
	}

	code, body := r.page(request{method: http.MethodGet, path: "/admin/federation", who: "admin"})
	if code != 200 {
		t.Fatalf("admin: %d %s", code, body)
	}
	host := f.srv.Listener.Addr().String()
	for _, want := range []string{
		"Federation is on", strings.TrimPrefix(fedPublicURL, "https://"), // status
		"2 follows", "@alice@" + host, ">Alice</a>", "waiting for approval", "This instance", ch.DisplayName, // followers
		"/admin/federation/followers/" + pid + "/accept", // the pending one's accept form
		"@peertube@tube.example", "Tube instance",        // following
		"queue.example", "down.example", "HTTP 503: &lt;b&gt;busy&lt;/b&gt;", "On hold", // delivery
		"No instance is blocked.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>x") || strings.Contains(body, "<i>instance") {
		t.Errorf("remote names not sanitised")
	}
	// The delivery table's counts, row by row.
	rows := map[string]string{}
	for _, row := range strings.Split(body, `<tr class="host`)[1:] {
		row = row[strings.Index(row, ">")+1:]
		name := row[strings.Index(row, `<th scope="row">`)+len(`<th scope="row">`):]
		name = name[:strings.Index(name, "<")]
		rows[name] = strings.Join(strings.Fields(stripTags(row[:strings.Index(row, "</tr>")])), " ")
	}
	if got := rows["queue.example"]; !strings.HasPrefix(got, "queue.example 1 0 0 never none Not on hold") {
		t.Errorf("queue.example row: %q", got)
	}
	if got := rows["down.example"]; !strings.HasPrefix(got, "down.example 0 0 1 never") || !strings.Contains(got, "On hold") {
		t.Errorf("down.example row: %q", got)
	}

	// Accept the pending follower; accepting again says it was.
	if code, loc := post("/admin/federation/followers/"+pid+"/accept", "admin", nil); code != http.StatusSeeOther || loc != "/admin/federation?done=follower_accepted" {
		t.Errorf("accept: %d %s", code, loc)
	}
	if fo, err := r.store.Follows().FollowByID(ctx, pending[0].ID); err != nil || fo.State != store.FollowAccepted {
		t.Errorf("after accept: %+v %v", fo, err)
	}
	if _, loc := post("/admin/federation/followers/"+pid+"/accept", "admin", nil); loc != "/admin/federation?error=not_pending" {
		t.Errorf("accept again: %s", loc)
	}
	if _, body := r.page(request{method: http.MethodGet, path: "/admin/federation?done=follower_accepted", who: "admin"}); !strings.Contains(body, "Follower accepted.") {
		t.Errorf("no notice after accept")
	}
	// Remove it: the follow is gone; removing again finds nothing.
	if _, loc := post("/admin/federation/followers/"+pid+"/remove", "admin", nil); loc != "/admin/federation?done=follower_removed" {
		t.Errorf("remove: %s", loc)
	}
	if _, err := r.store.Follows().FollowByID(ctx, pending[0].ID); err == nil {
		t.Errorf("follow still there after removal")
	}
	if _, loc := post("/admin/federation/followers/"+pid+"/remove", "admin", nil); loc != "/admin/federation?error=not_found" {
		t.Errorf("remove again: %s", loc)
	}
	if n, _ := r.store.Follows().FollowersCount(ctx, store.FollowTarget{Kind: "server"}); n != 1 {
		t.Errorf("the server's follower went too: %d left", n)
	}

	// Blocked instances: add, refuse nonsense and oneself, remove.
	blocked := func() []string {
		bs, _, err := r.server.Blocklist.Servers(ctx, adminViewer(r), blocklist.Server, 0, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		var hs []string
		for _, b := range bs {
			hs = append(hs, b.Host)
		}
		return hs
	}
	if _, loc := post("/admin/federation/blocks", "admin", url.Values{"host": {" Evil.Example "}}); loc != "/admin/federation?done=blocked" {
		t.Errorf("block: %s", loc)
	}
	if _, loc := post("/admin/federation/blocks", "admin", url.Values{"host": {"not a host"}}); loc != "/admin/federation?error=bad_host" {
		t.Errorf("block nonsense: %s", loc)
	}
	if _, loc := post("/admin/federation/blocks", "admin", url.Values{"host": {strings.TrimPrefix(fedPublicURL, "https://")}}); loc != "/admin/federation?error=self" {
		t.Errorf("block oneself: %s", loc)
	}
	if got := blocked(); !slices.Equal(got, []string{"evil.example"}) {
		t.Errorf("blocked = %v", got)
	}
	if _, body := r.page(request{method: http.MethodGet, path: "/admin/federation", who: "admin"}); !strings.Contains(body, `<span class="blocked-host">evil.example</span>`) {
		t.Errorf("the blocked instance is not listed")
	}
	if _, loc := post("/admin/federation/blocks/remove", "admin", url.Values{"host": {"evil.example"}}); loc != "/admin/federation?done=unblocked" {
		t.Errorf("unblock: %s", loc)
	}
	if got := blocked(); len(got) != 0 {
		t.Errorf("still blocked: %v", got)
	}

	// French.
	_, fr := r.page(request{method: http.MethodGet, path: "/admin/federation", who: "admin", lang: "fr"})
	for _, want := range []string{"Abonnés distants", "État des envois par serveur", "Instances bloquées", "La fédération est active"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French page lacks %q", want)
		}
	}
	if strings.Contains(fr, "fedadmin.") {
		t.Errorf("French page shows a catalogue key")
	}
}

// Without a public URL the page says federation is off, why, and how to
// turn it on; the lists are empty, not broken.
func TestAdminFederationPageOff(t *testing.T) {
	r := newRig(t)
	code, body := r.page(request{method: http.MethodGet, path: "/admin/federation", who: "admin"})
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	for _, want := range []string{"Federation is off.", "has no public URL", "--public-url", "Nobody on another server follows",
		"This instance follows no other server yet.", "Nothing has been sent"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if code, _ := r.page(request{method: http.MethodGet, path: "/admin/federation", who: "user"}); code != http.StatusForbidden {
		t.Errorf("user: %d", code)
	}
}

// The page's catalogue is complete in both languages.
func TestFedAdminCatalogues(t *testing.T) {
	cat, err := i18n.Load(assets.Locales())
	if err != nil {
		t.Fatal(err)
	}
	only := func(lang string) []string {
		var ks []string
		for _, k := range cat.Keys(lang) {
			if strings.HasPrefix(k, "fedadmin.") {
				ks = append(ks, k)
			}
		}
		return ks
	}
	en, fr := only("en"), only("fr")
	if len(en) < 40 || !slices.Equal(en, fr) {
		t.Errorf("fedadmin keys differ: en %d, fr %d\nen: %v\nfr: %v", len(en), len(fr), en, fr)
	}
}

// stripTags drops HTML tags, for comparing a table row's text.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
