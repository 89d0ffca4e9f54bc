package delivery

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/store"
)

func (r *rig) report() map[string]HostReport {
	r.t.Helper()
	rs, err := r.svc.Report(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]HostReport{}
	for _, h := range rs {
		name, _, _ := strings.Cut(h.Host, ":")
		out[name] = h
	}
	return out
}

// The admin's per-host report: queued before anything ran, then in retry
// with the last error for a failing host, a last success and nothing
// waiting for a working one, and the given-up count.
func TestHostReport(t *testing.T) {
	rc := newReceiver(t, 0)
	rc.respond = func(host string, _ int) (int, http.Header, string) {
		switch host {
		case "down.test":
			return http.StatusServiceUnavailable, nil, "maintenance"
		case "no.test":
			return http.StatusForbidden, nil, "blocked"
		}
		return http.StatusAccepted, nil, ""
	}
	o := quick()
	o.Schedule = []time.Duration{time.Hour} // one retry, far away
	r := newRig(t, o)
	r.send(federation.Recipient{Actor: "https://up.test/u", Inbox: rc.inbox("up.test", "/u/inbox")},
		federation.Recipient{Actor: "https://down.test/u", Inbox: rc.inbox("down.test", "/u/inbox")},
		federation.Recipient{Actor: "https://no.test/u", Inbox: rc.inbox("no.test", "/u/inbox")})
	before := r.report()
	for _, h := range []string{"up.test", "down.test", "no.test"} {
		if got := before[h]; got.Queued != 1 || got.Retrying != 0 || !got.LastSuccess.IsZero() {
			t.Errorf("%s before any try: %+v, want 1 queued", h, got)
		}
	}
	r.start()
	waitFor(t, 5*time.Second, "the three tries", func() bool { return rc.total() == 3 })
	waitFor(t, 5*time.Second, "the outcomes recorded", func() bool {
		rep := r.report()
		return rep["down.test"].Retrying == 1 && rep["no.test"].GivenUp == 1 && rep["up.test"].Queued == 0
	})
	rep := r.report()
	if up := rep["up.test"]; up.LastSuccess.IsZero() || up.Queued+up.Retrying+up.GivenUp != 0 {
		t.Errorf("up.test: %+v, want a success and nothing waiting", up)
	}
	if down := rep["down.test"]; down.Queued != 0 || down.Failures != 1 || !strings.Contains(down.LastError, "HTTP 503") {
		t.Errorf("down.test: %+v, want one in retry after a 503", down)
	}
	if no := rep["no.test"]; no.Queued+no.Retrying != 0 || no.GivenUp != 1 {
		t.Errorf("no.test: %+v, want one given up", no)
	}
}

// A follower whose own inbox answers 410 Gone is forgotten: its follows
// go, through follows.Service.Gone wired as the App wires it. A follower
// whose inbox still answers stays; so do the followers behind
// a shared inbox that answered 410, which names none of them.
func TestGoneFollowerRemoved(t *testing.T) {
	rc := newReceiver(t, 0)
	rc.respond = func(host string, _ int) (int, http.Header, string) {
		if host == "gone.test" || host == "shared.test" {
			return http.StatusGone, nil, "account deleted"
		}
		return http.StatusAccepted, nil, ""
	}
	r := newRig(t, quick())
	fo := &follows.Service{Store: r.st.Follows()}
	r.opt.Gone = fo.GoneHook(testLog(t))
	r.build()
	ctx := context.Background()
	actors := map[string]store.RemoteActor{}
	add := func(name, host, inbox, shared string, targets ...store.FollowTarget) {
		t.Helper()
		a := store.RemoteActor{IRI: "https://" + host + "/users/" + name, Type: "Person", PreferredUsername: name, Host: host,
			Inbox: inbox, SharedInbox: shared, FetchedAt: time.Now()}
		actors[name] = a
		_, err := r.st.Follows().Apply(ctx, "https://"+host+"/follows/"+name, func(tx *store.FollowsTx) error {
			id, err := tx.PutActor(ctx, a)
			if err != nil {
				return err
			}
			for _, tg := range targets {
				if _, err := tx.PutFollow(ctx, id, tg, store.FollowAccepted, a.IRI+"/follow/"+tg.Kind); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	channel, server := store.FollowTarget{Kind: "channel", ID: 7}, store.FollowTarget{Kind: "server"}
	// ann's account was deleted on gone.test: her own inbox answers 410.
	gone := rc.inbox("gone.test", "/users/ann/inbox")
	add("ann", "gone.test", gone, "", channel, server)
	add("bob", "alive.test", rc.inbox("alive.test", "/users/bob/inbox"), "", channel)
	add("cid", "shared.test", rc.inbox("shared.test", "/users/cid/inbox"), rc.inbox("shared.test", "/inbox"), channel)
	var to []federation.Recipient
	for _, a := range actors {
		to = append(to, federation.Recipient{Actor: a.IRI, Inbox: a.Inbox, SharedInbox: a.SharedInbox})
	}
	r.start()
	r.send(to...)
	waitFor(t, 5*time.Second, "three deliveries ended", func() bool {
		s := r.jobStates()
		return s[jobs.StateDone]+s[jobs.StateFailed] == 3
	})
	left, total, err := r.st.Follows().AllFollowers(ctx, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range left {
		names = append(names, f.Follower.PreferredUsername)
	}
	if total != 2 || strings.Contains(strings.Join(names, " "), "ann") {
		t.Errorf("follows left: %v (%d), want bob's and cid's only", names, total)
	}
	// An actor whose stored inbox moved is not the one found gone.
	if n, err := r.st.Follows().RemoveFollowsAt(ctx, actors["bob"].IRI, gone); err != nil || n != 0 {
		t.Errorf("removal by a stale inbox: %d, %v", n, err)
	}
	if rep := r.report(); rep["gone.test"].GivenUp != 1 || rep["shared.test"].GivenUp != 1 {
		t.Errorf("given up: %+v", rep)
	}
}
