package delivery

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/ldsig"
	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/jobs"
)

// quick keeps retries in milliseconds; holds out of the way unless a test
// wants them.
func quick() Options {
	return Options{Schedule: []time.Duration{20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond},
		HoldAfter: 1000, BusyDelay: 10 * time.Millisecond, ProbeWait: 20 * time.Millisecond}
}

func TestDeliveryIsSignedAndVerifies(t *testing.T) {
	rc := newReceiver(t, 0)
	r := newRig(t, quick())
	r.start()
	r.send(federation.Recipient{Actor: "https://a.test/users/ann", Inbox: rc.inbox("a.test", "/users/ann/inbox")})
	waitFor(t, 5*time.Second, "the delivery", func() bool { return r.jobStates()[jobs.StateDone] == 1 })
	rc.checkSigned()
	hits := rc.snapshot()
	if len(hits) != 1 || hits[0].path != "/users/ann/inbox" || !bytes.HasPrefix(hits[0].body, []byte(note[:len(note)-1])) {
		t.Fatalf("received %+v, want the note once at /users/ann/inbox", hits)
	}
	// The body carries the sender's linked-data signature too, for a
	// server that forwards it (ldsign.go).
	if err := ldsig.Verify(hits[0].body, &signingKey(t).PublicKey); err != nil {
		t.Errorf("linked-data signature: %v\n%s", err, hits[0].body)
	}
	if s, _ := ldsig.Read(hits[0].body); s.Creator != sender.IRI+"#main-key" {
		t.Errorf("signature creator %q", s.Creator)
	}
	// Delivered: nothing of it is kept.
	if n := r.count(`SELECT COUNT(*) FROM delivery_targets`) + r.count(`SELECT COUNT(*) FROM delivery_activities`); n != 0 {
		t.Errorf("%d delivery rows left after the delivery", n)
	}
	if h := r.health("a.test"); h.LastSuccess.IsZero() || h.Failures != 0 {
		t.Errorf("health of a.test = %+v, want a success", h)
	}
}

func TestOneRequestPerSharedInbox(t *testing.T) {
	rc := newReceiver(t, 0)
	r := newRig(t, quick())
	var to []federation.Recipient
	for _, name := range []string{"ann", "bob", "cid", "dan", "eve"} {
		to = append(to, federation.Recipient{Actor: "https://big.test/users/" + name, Inbox: rc.inbox("big.test", "/users/"+name+"/inbox"),
			SharedInbox: rc.inbox("big.test", "/inbox")})
	}
	// A server without a shared inbox: each follower's own.
	for _, name := range []string{"fay", "gus"} {
		to = append(to, federation.Recipient{Actor: "https://small.test/u/" + name, Inbox: rc.inbox("small.test", "/u/"+name+"/inbox")})
	}
	to = append(to, to[5]) // listed twice
	to = append(to, federation.Recipient{Actor: "https://broken.test/x", Inbox: "mailto:x@broken.test"})
	r.send(to...)
	// Queued before anything runs: one body, one job per inbox.
	if n := r.count(`SELECT COUNT(*) FROM delivery_activities`); n != 1 {
		t.Errorf("%d activity bodies stored, want 1", n)
	}
	if n := r.jobStates()[jobs.StateQueued]; n != 3 {
		t.Errorf("%d jobs queued, want 3 (one shared inbox, two own inboxes)", n)
	}
	r.start()
	waitFor(t, 5*time.Second, "3 deliveries", func() bool { return r.jobStates()[jobs.StateDone] == 3 })
	rc.checkSigned()
	if a, b := rc.count("big.test"), rc.count("small.test"); a != 1 || b != 2 {
		t.Errorf("requests: big.test %d, small.test %d; want 1 and 2", a, b)
	}
	for _, h := range rc.snapshot() {
		if h.host == "big.test" && h.path != "/inbox" {
			t.Errorf("big.test got %s, want its shared inbox", h.path)
		}
	}
}

func TestPerHostCap(t *testing.T) {
	rc := newReceiver(t, 0)
	rc.delay = 150 * time.Millisecond
	o := quick()
	o.Workers, o.PerHost = 6, 2
	r := newRig(t, o)
	var to []federation.Recipient
	for i := range 8 {
		name := string(rune('a' + i))
		to = append(to, federation.Recipient{Actor: "https://slow.test/" + name, Inbox: rc.inbox("slow.test", "/"+name+"/inbox")})
	}
	to = append(to, federation.Recipient{Actor: "https://fast.test/z", Inbox: rc.inbox("fast.test", "/z/inbox")})
	r.send(to...)
	r.start()
	waitFor(t, 10*time.Second, "9 deliveries", func() bool { return r.jobStates()[jobs.StateDone] == 9 })
	rc.checkSigned()
	rc.mu.Lock()
	peak, fast := rc.maxActive["slow.test"], rc.perHost["fast.test"]
	rc.mu.Unlock()
	if peak != 2 {
		t.Errorf("at most %d requests at once on slow.test, want exactly the cap, 2", peak)
	}
	if fast != 1 {
		t.Errorf("fast.test got %d requests, want 1", fast)
	}
	// The slow host never held every worker: fast.test was served before
	// slow.test's queue drained.
	hits := rc.snapshot()
	if last := hits[len(hits)-1]; last.host != "slow.test" {
		t.Errorf("the last request went to %s: slow.test should have been the one still draining", last.host)
	}
}

func TestDeliveredAfterReceiverComesBack(t *testing.T) {
	port := freePort(t)
	o := quick()
	o.Schedule = []time.Duration{50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond,
		50 * time.Millisecond, 50 * time.Millisecond, time.Hour}
	r := newRig(t, o)
	r.start()
	inbox := "http://down.test:" + strconv.Itoa(port) + "/inbox"
	r.send(federation.Recipient{Actor: "https://down.test/u", Inbox: inbox})
	waitFor(t, 5*time.Second, "failed tries", func() bool { return r.count(`SELECT COALESCE(MAX(tries), 0) FROM delivery_targets`) >= 2 })
	if h := r.health("down.test"); h.Failures < 2 || !strings.Contains(h.LastError, "refused") {
		t.Errorf("health of down.test = %+v, want failures and the connection refused", h)
	}
	// The process stops; the receiver comes back; a new process (a new
	// queue on the same database) delivers what the first one could not.
	r.stop()
	rc := newReceiver(t, port)
	r.build()
	r.start()
	waitFor(t, 5*time.Second, "the delivery after the restart", func() bool { return rc.count("down.test") == 1 })
	waitFor(t, 5*time.Second, "the job done", func() bool { return r.jobStates()[jobs.StateDone] == 1 })
	rc.checkSigned()
	if h := r.health("down.test"); h.Failures != 0 || h.LastSuccess.IsZero() {
		t.Errorf("health of down.test after the delivery = %+v, want cleared", h)
	}
}

func TestRefusalIsPermanent(t *testing.T) {
	rc := newReceiver(t, 0)
	rc.respond = func(host string, _ int) (int, http.Header, string) {
		if host == "gone.test" {
			return http.StatusGone, nil, "account deleted"
		}
		return http.StatusBadRequest, nil, "<p>bad   activity</p>"
	}
	o := quick()
	var mu sync.Mutex
	var gone []string
	o.Gone = func(_ context.Context, inbox, recipient string) {
		mu.Lock()
		defer mu.Unlock()
		gone = append(gone, recipient+" "+inbox)
	}
	r := newRig(t, o)
	r.start()
	r.send(federation.Recipient{Actor: "https://no.test/u", Inbox: rc.inbox("no.test", "/inbox")},
		federation.Recipient{Actor: "https://gone.test/u", Inbox: rc.inbox("gone.test", "/u/inbox")})
	waitFor(t, 5*time.Second, "2 failed jobs", func() bool { return r.jobStates()[jobs.StateFailed] == 2 })
	time.Sleep(100 * time.Millisecond) // past several retry delays: none may come
	if n := rc.total(); n != 2 {
		t.Errorf("%d requests, want 2 (a refusal is not retried)", n)
	}
	fs := r.failures()
	if len(fs) != 2 {
		t.Fatalf("failures = %+v, want 2", fs)
	}
	for _, f := range fs {
		switch f.Host {
		case "no.test":
			if !strings.Contains(f.Error, "HTTP 400: <p>bad activity</p>") || f.Tries != 1 || f.ActivityType != "Announce" ||
				f.Sender != sender.IRI {
				t.Errorf("failure recorded = %+v", f)
			}
		case "gone.test":
			if !strings.Contains(f.Error, "HTTP 410") {
				t.Errorf("failure recorded = %+v", f)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := "https://gone.test/u " + rc.inbox("gone.test", "/u/inbox"); len(gone) != 1 || gone[0] != want {
		t.Errorf("Gone hook calls = %q, want [%q]", gone, want)
	}
	// Refusing is an answer: the host is not failing.
	if h := r.health("no.test"); h.Failures != 0 || h.Held {
		t.Errorf("health of no.test = %+v, want not failing", h)
	}
	if n := r.count(`SELECT COUNT(*) FROM delivery_activities`); n != 0 {
		t.Errorf("%d activity bodies kept after every target ended", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	rc := newReceiver(t, 0)
	rc.respond = func(_ string, n int) (int, http.Header, string) {
		if n == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, "slow down"
		}
		return http.StatusAccepted, nil, ""
	}
	o := quick()
	o.Schedule = []time.Duration{time.Hour} // only Retry-After can bring it back soon
	o.PerHost = 1                           // the second job waits for the first's answer
	r := newRig(t, o)
	r.start()
	r.send(federation.Recipient{Actor: "https://busy.test/u", Inbox: rc.inbox("busy.test", "/inbox")},
		federation.Recipient{Actor: "https://busy.test/v", Inbox: rc.inbox("busy.test", "/v/inbox")})
	waitFor(t, 5*time.Second, "both delivered", func() bool { return r.jobStates()[jobs.StateDone] == 2 })
	hits := rc.snapshot()
	if len(hits) != 3 {
		t.Fatalf("%d requests, want 3 (one 429, then both)", len(hits))
	}
	// The pause applies to the host: neither job came back before it.
	for _, h := range hits[1:] {
		if gap := h.at.Sub(hits[0].at); gap < 950*time.Millisecond {
			t.Errorf("a request came %v after the 429 that asked for 1 s", gap)
		}
	}
	if h := r.health("busy.test"); h.Failures != 0 {
		t.Errorf("a 429 counted as a failure: %+v", h)
	}
}

func TestHoldAfterFailuresReleasedBySuccess(t *testing.T) {
	rc := newReceiver(t, 0)
	var mu sync.Mutex
	up := false
	rc.respond = func(string, int) (int, http.Header, string) {
		mu.Lock()
		defer mu.Unlock()
		if up {
			return http.StatusAccepted, nil, ""
		}
		return http.StatusServiceUnavailable, nil, "maintenance"
	}
	o := quick()
	o.PerHost = 1
	// A hold long enough to outlast the checks below on a loaded machine
	// (at 300 ms, the wait for the stored hold could outrun it and let a
	// failing probe through).
	o.HoldAfter, o.HoldBase, o.HoldMax = 2, 2*time.Second, 2*time.Second
	o.Schedule = []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond,
		10 * time.Millisecond, 10 * time.Millisecond}
	r := newRig(t, o)
	r.start()
	var to []federation.Recipient
	for _, name := range []string{"a", "b", "c", "d"} {
		to = append(to, federation.Recipient{Actor: "https://sick.test/" + name, Inbox: rc.inbox("sick.test", "/"+name+"/inbox")})
	}
	r.send(to...)
	waitFor(t, 5*time.Second, "sick.test on hold", func() bool { return r.health("sick.test").Held })
	h := r.health("sick.test")
	if h.Failures != 2 || !strings.Contains(h.LastError, "HTTP 503: maintenance") {
		t.Errorf("health on hold = %+v", h)
	}
	// The hold is written, for the admin and the next start.
	waitFor(t, time.Second, "the hold stored", func() bool {
		return r.count(`SELECT COUNT(*) FROM delivery_hosts WHERE host LIKE 'sick.test:%' AND held_until > 0`) == 1
	})
	held := rc.total()
	time.Sleep(150 * time.Millisecond) // within the hold: nothing is sent
	if n := rc.total(); n != held {
		t.Errorf("%d requests during the hold", n-held)
	}
	mu.Lock()
	up = true
	mu.Unlock()
	waitFor(t, 5*time.Second, "all delivered after the hold", func() bool { return r.jobStates()[jobs.StateDone] == 4 })
	if h := r.health("sick.test"); h.Failures != 0 || h.Held || h.LastSuccess.IsZero() {
		t.Errorf("health after a success = %+v, want cleared", h)
	}
	// Postponed jobs spent no try: none was given up, and the jobs that
	// never reached the host had no try to count.
	if fs := r.failures(); len(fs) != 0 {
		t.Errorf("failures = %+v, want none", fs)
	}
	hits := rc.snapshot()
	if gap := hits[2].at.Sub(hits[1].at); gap < 1900*time.Millisecond {
		t.Errorf("the probe came %v after the failure that started a 2 s hold", gap)
	}
	if n := len(hits); n != 2+4 {
		t.Errorf("%d requests, want 2 failures then the 4 deliveries", n)
	}
}

func TestGivesUpAfterTheSchedule(t *testing.T) {
	rc := newReceiver(t, 0)
	rc.respond = func(string, int) (int, http.Header, string) { return http.StatusInternalServerError, nil, "oops" }
	r := newRig(t, quick()) // three retries
	r.start()
	r.send(federation.Recipient{Actor: "https://broken.test/u", Inbox: rc.inbox("broken.test", "/inbox")})
	waitFor(t, 5*time.Second, "the job failed", func() bool { return r.jobStates()[jobs.StateFailed] == 1 })
	if n := rc.total(); n != 4 {
		t.Errorf("%d requests, want 4 (the first and three retries)", n)
	}
	fs := r.failures()
	if len(fs) != 1 || fs[0].Tries != 4 || !strings.Contains(fs[0].Error, "gave up after 4 tries") ||
		!strings.Contains(fs[0].Error, "HTTP 500: oops") {
		t.Errorf("failures = %+v", fs)
	}
	js, err := r.q.List(context.Background(), jobs.ListFilter{Kind: JobKind})
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || !strings.Contains(js[0].LastError, "gave up after 4 tries") || js[0].Attempts != 1 {
		t.Errorf("job = %+v, want failed with why, one run counted", js)
	}
}

func TestGivesUpWhenTooOld(t *testing.T) {
	rc := newReceiver(t, 0)
	o := quick()
	o.Now = func() time.Time { return time.Now().Add(4 * 24 * time.Hour) }
	// With the clock four days ahead, Run's start-up sweep would clear the
	// failed job away when the job ends first (a loaded machine): keep it.
	o.KeepJobs = 30 * 24 * time.Hour
	r := newRig(t, o)
	r.start()
	r.send(federation.Recipient{Actor: "https://late.test/u", Inbox: rc.inbox("late.test", "/inbox")})
	waitFor(t, 5*time.Second, "the job failed", func() bool { return r.jobStates()[jobs.StateFailed] == 1 })
	if n := rc.total(); n != 0 {
		t.Errorf("%d requests for a delivery past its age", n)
	}
	if fs := r.failures(); len(fs) != 1 || !strings.Contains(fs[0].Error, "not delivered") {
		t.Errorf("failures = %+v", fs)
	}
}

func TestPrivateAddressIsPermanent(t *testing.T) {
	rc := newReceiver(t, 0)
	r := newRig(t, quick())
	r.client = httpclient.New(httpclient.Options{Resolver: resolver{}}) // no --allow-private-fetch
	r.build()
	r.start()
	r.send(federation.Recipient{Actor: "https://home.test/u", Inbox: rc.inbox("home.test", "/inbox")})
	waitFor(t, 5*time.Second, "the job failed", func() bool { return r.jobStates()[jobs.StateFailed] == 1 })
	if n := rc.total(); n != 0 {
		t.Errorf("%d requests reached a loopback address", n)
	}
	if fs := r.failures(); len(fs) != 1 || !strings.Contains(fs[0].Error, "not allowed") {
		t.Errorf("failures = %+v", fs)
	}
	if h := r.health("home.test"); h.Failures != 0 {
		t.Errorf("a refused address counted against the host: %+v", h)
	}
}

func TestSweepDropsWhatNoJobNeeds(t *testing.T) {
	r := newRig(t, quick())
	r.send(federation.Recipient{Actor: "https://x.test/u", Inbox: "http://x.test/inbox"},
		federation.Recipient{Actor: "https://y.test/u", Inbox: "http://y.test/inbox"})
	js, err := r.q.List(context.Background(), jobs.ListFilter{Kind: JobKind})
	if err != nil || len(js) != 2 {
		t.Fatalf("jobs = %v, %v", js, err)
	}
	if err := r.q.Cancel(context.Background(), js[0].ID); err != nil {
		t.Fatal(err)
	}
	s, err := r.svc.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Targets != 1 || s.Activities != 0 {
		t.Errorf("sweep with one of two cancelled = %+v, want 1 target and no activity", s)
	}
	if err := r.q.Cancel(context.Background(), js[1].ID); err != nil {
		t.Fatal(err)
	}
	if s, err = r.svc.Sweep(context.Background()); err != nil || s.Targets != 1 || s.Activities != 1 {
		t.Errorf("sweep with both cancelled = %+v, %v; want the target and the activity", s, err)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"120":                           2 * time.Minute,
		"-5":                            0,
		"Sat, 01 Mar 2025 12:00:30 GMT": 30 * time.Second,
		"Sat, 01 Mar 2025 11:00:00 GMT": 0,
		"soon":                          0,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestHoldGrowsToItsMax(t *testing.T) {
	o := Options{HoldAfter: 3, HoldBase: time.Minute, HoldMax: 10 * time.Minute}
	g := newHostGate(&o, nil, nil)
	for failures, want := range map[int]time.Duration{3: time.Minute, 4: 2 * time.Minute, 5: 4 * time.Minute, 6: 8 * time.Minute,
		7: 10 * time.Minute, 40: 10 * time.Minute} {
		if got := g.holdFor(failures); got != want {
			t.Errorf("holdFor(%d) = %v, want %v", failures, got, want)
		}
	}
}

// The production schedule is about two days; the test knob scales it and
// the host holds from the first wait, and changes nothing when unset.
func TestScaledTo(t *testing.T) {
	var total time.Duration
	for _, d := range DefaultSchedule {
		total += d
	}
	if total != 47*time.Hour+42*time.Minute+30*time.Second || DefaultSchedule[0] != 30*time.Second {
		t.Errorf("default schedule: first %s, %s in all", DefaultSchedule[0], total)
	}
	o := Options{HoldAfter: 3}.ScaledTo(0)
	o.defaults()
	if len(o.Schedule) != len(DefaultSchedule) || o.Schedule[9] != 16*time.Hour || o.HoldBase != time.Minute ||
		o.HoldMax != time.Hour || o.ProbeWait != 30*time.Second || o.HoldAfter != 3 {
		t.Errorf("no knob: %+v", o)
	}
	s := Options{HoldAfter: 3}.ScaledTo(500 * time.Millisecond)
	if len(s.Schedule) != len(DefaultSchedule) || s.Schedule[0] != 500*time.Millisecond || s.Schedule[1] != 2*time.Second ||
		s.Schedule[9] != 16*time.Hour/60 || s.HoldBase != time.Second || s.HoldMax != time.Minute ||
		s.ProbeWait != 500*time.Millisecond || s.HoldAfter != 3 {
		t.Errorf("scaled from 500ms: %+v", s)
	}
	if DefaultSchedule[0] != 30*time.Second || DefaultSchedule[9] != 16*time.Hour {
		t.Errorf("scaling changed the default schedule: %v", DefaultSchedule)
	}
}

// What is not the sender's own, what is signed already, and what is never
// forwarded goes out byte for byte as it was given.
func TestLinkedDataSignatureOnlyOnOwnActivities(t *testing.T) {
	r := newRig(t, quick())
	ctx := context.Background()
	forwarded := strings.Replace(note, `"actor":"https://cabane.example/video-channels/garden"`, `"actor":"https://pt.test/accounts/zoe"`, 1)
	follow := strings.Replace(note, `"type":"Announce"`, `"type":"Follow"`, 1)
	noContext := strings.Replace(note, `"@context":"https://www.w3.org/ns/activitystreams",`, ``, 1)
	signed := string(r.svc.ldSign(ctx, sender, []byte(note)))
	for name, body := range map[string]string{"forwarded": forwarded, "Follow": follow, "no @context": noContext, "signed": signed} {
		if got := r.svc.ldSign(ctx, sender, []byte(body)); string(got) != body {
			t.Errorf("%s: changed to %s", name, got)
		}
	}
	if signed == note {
		t.Error("the sender's own Announce was not signed")
	}
	// A context ldsig does not hold: sent unsigned rather than not at all.
	foreign := strings.Replace(note, `"https://www.w3.org/ns/activitystreams"`, `"https://elsewhere.test/ns"`, 1)
	if got := r.svc.ldSign(ctx, sender, []byte(foreign)); string(got) != foreign {
		t.Errorf("unknown context: %s", got)
	}
}
