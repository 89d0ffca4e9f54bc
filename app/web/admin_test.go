package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/certs"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// adminRoutesForTest is every admin route, forms included.
func adminRoutesForTest(jobID int64) []request {
	id := fmt.Sprint(jobID)
	return []request{
		{method: http.MethodGet, path: "/admin"},
		{method: http.MethodGet, path: "/admin/"},
		{method: http.MethodGet, path: "/admin/transcoding"},
		{method: http.MethodGet, path: "/admin/jobs/events"},
		{method: http.MethodPost, path: "/admin/transcoding/encoder", form: url.Values{"encoder": {"libx264"}}},
		{method: http.MethodPost, path: "/admin/jobs/" + id + "/retry"},
		{method: http.MethodPost, path: "/admin/jobs/" + id + "/cancel"},
	}
}

func TestAdminRoutesRefuseOthers(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	// A queued job the forms would cancel if the check let them through.
	id, err := r.jobs.Enqueue(ctx, "test.noop", map[string]int{"n": 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range adminRoutesForTest(id) {
		// With a valid CSRF token: what refuses must be the admin check.
		req.withCSRF = true
		t.Run(req.method+" "+req.path, func(t *testing.T) {
			anon := r.do(ctx, req)
			anon.Body.Close()
			loc := anon.Header.Get("Location")
			if anon.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
				t.Errorf("anonymous: %d Location %q, want 303 to /login", anon.StatusCode, loc)
			}
			if req.method == http.MethodGet {
				if want := "/login?next=" + url.QueryEscape(req.path); loc != want {
					t.Errorf("anonymous: Location %q, want %q", loc, want)
				}
			}
			req.who = "user"
			code, body := r.page(req)
			if code != http.StatusNotFound {
				t.Errorf("non-admin: %d, want 404", code)
			}
			if strings.Contains(body, "Transcoding") || strings.Contains(body, "event: ") {
				t.Errorf("non-admin saw admin content: %.200s", body)
			}
		})
	}
	j, err := r.jobs.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != jobs.StateQueued {
		t.Errorf("job is %s after refused requests, want queued", j.State)
	}
	if len(r.choices) != 0 {
		t.Errorf("SetEncoder called by refused requests: %v", r.choices)
	}
	// The admin gets every page.
	for _, p := range []string{"/admin", "/admin/", "/admin/transcoding"} {
		if code, _ := r.page(request{method: http.MethodGet, path: p, who: "admin"}); code != http.StatusOK {
			t.Errorf("admin GET %s: %d", p, code)
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	res, _ := r.openStream(sctx, "/admin/jobs/events", "admin")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("admin job events: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	cancel()
	// The nav links to /admin for admins only.
	_, adminHome := r.page(request{method: http.MethodGet, path: "/", who: "admin"})
	_, userHome := r.page(request{method: http.MethodGet, path: "/", who: "user"})
	if !strings.Contains(adminHome, `href="/admin"`) || strings.Contains(userHome, `href="/admin"`) {
		t.Errorf("nav link to /admin: admin %v, user %v; want only the admin's", strings.Contains(adminHome, `href="/admin"`), strings.Contains(userHome, `href="/admin"`))
	}
}

func TestAdminRetryAndCancelForms(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	// The queue is not running: the job stays where the forms put it.
	id, err := r.jobs.Enqueue(ctx, "test.noop", map[string]int{"n": 1})
	if err != nil {
		t.Fatal(err)
	}
	state := func() string {
		t.Helper()
		j, err := r.jobs.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return j.State
	}
	cancelPath, retryPath := fmt.Sprintf("/admin/jobs/%d/cancel", id), fmt.Sprintf("/admin/jobs/%d/retry", id)

	// The job list offers Cancel (not Retry) for a queued job.
	_, page := r.page(request{method: http.MethodGet, path: "/admin/transcoding", who: "admin"})
	row := jobRowHTML(t, page, id)
	if !strings.Contains(row, `action="`+cancelPath+`" class="job-cancel">`) || !strings.Contains(row, `class="job-retry" hidden`) {
		t.Errorf("queued job's row should show cancel and hide retry:\n%s", row)
	}
	if !strings.Contains(row, `name="_csrf" value="`+testCSRF+`"`) {
		t.Errorf("the forms carry no CSRF token:\n%s", row)
	}

	if code, _ := r.page(request{method: http.MethodPost, path: cancelPath, who: "admin"}); code != http.StatusForbidden {
		t.Errorf("cancel without CSRF: %d, want 403", code)
	}
	if s := state(); s != jobs.StateQueued {
		t.Fatalf("cancel without CSRF changed the job to %s", s)
	}
	res := r.do(ctx, request{method: http.MethodPost, path: cancelPath, who: "admin", withCSRF: true})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/transcoding?done=cancelled") {
		t.Errorf("cancel: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if s := state(); s != jobs.StateCancelled {
		t.Fatalf("after cancel the job is %s", s)
	}
	_, page = r.page(request{method: http.MethodGet, path: "/admin/transcoding?done=cancelled", who: "admin"})
	if !strings.Contains(page, "The job is cancelled.") {
		t.Error("no notice after cancelling")
	}
	if row := jobRowHTML(t, page, id); !strings.Contains(row, `class="job-cancel" hidden`) || strings.Contains(row, `class="job-retry" hidden`) {
		t.Errorf("cancelled job's row should show retry and hide cancel:\n%s", row)
	}
	// Cancelling a cancelled job is a no-op; the filter lists it.
	if code, _ := r.page(request{method: http.MethodPost, path: cancelPath, who: "admin", withCSRF: true}); code != http.StatusOK && code != http.StatusSeeOther {
		t.Errorf("second cancel: %d", code)
	}
	if _, page := r.page(request{method: http.MethodGet, path: "/admin/transcoding?state=cancelled", who: "admin"}); !strings.Contains(page, fmt.Sprintf(`data-job-id="%d"`, id)) {
		t.Error("the cancelled filter does not list the job")
	}

	if code, _ := r.page(request{method: http.MethodPost, path: retryPath, who: "admin"}); code != http.StatusForbidden {
		t.Errorf("retry without CSRF: %d, want 403", code)
	}
	if s := state(); s != jobs.StateCancelled {
		t.Fatalf("retry without CSRF changed the job to %s", s)
	}
	res = r.do(ctx, request{method: http.MethodPost, path: retryPath, who: "admin", withCSRF: true})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/transcoding?done=retried") {
		t.Errorf("retry: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if s := state(); s != jobs.StateQueued {
		t.Fatalf("after retry the job is %s", s)
	}
	// Retrying a queued job is refused with the reason.
	code, body := r.page(request{method: http.MethodPost, path: retryPath, who: "admin", withCSRF: true})
	if code != http.StatusConflict || !strings.Contains(body, "Only a failed or cancelled job can be retried") {
		t.Errorf("retry of a queued job: %d %.300s", code, body)
	}
	if code, _ := r.page(request{method: http.MethodPost, path: "/admin/jobs/999999/cancel", who: "admin", withCSRF: true}); code != http.StatusNotFound {
		t.Errorf("cancel of a missing job: %d, want 404", code)
	}
	if code, _ := r.page(request{method: http.MethodGet, path: "/admin/transcoding?state=bogus", who: "admin"}); code != http.StatusBadRequest {
		t.Errorf("unknown state filter: %d, want 400", code)
	}
}

// jobRowHTML cuts job id's <tr> out of the admin page.
func jobRowHTML(t *testing.T, page string, id int64) string {
	t.Helper()
	i := strings.Index(page, fmt.Sprintf(`<tr data-job-id="%d"`, id))
	if i < 0 {
		t.Fatalf("job %d not in the list", id)
	}
	end := strings.Index(page[i:], "</tr>")
	return page[i : i+end]
}

func TestAdminTranscodingPage(t *testing.T) {
	r := newRig(t)
	board := hardware.Board{Kind: hardware.KindIntel, Model: "Beelink EQ12", CPU: "Intel(R) N100", Cores: 4, MemTotal: 8 << 30, MemAvail: 6 << 30,
		RenderNodes: []hardware.RenderNode{{Path: "/dev/dri/renderD128", Driver: "i915"}},
		Thermal:     []hardware.ThermalZone{{Zone: "thermal_zone0", Type: "x86_pkg_temp", MilliCelsius: 47500}}}
	vaapi := hardware.VAAPI{}
	pol := hardware.DefaultPolicy(board, vaapi)
	if len(pol.Reasons) == 0 {
		t.Fatal("the policy gives no reasons to show")
	}
	r.mu.Lock()
	r.status.Board = board
	r.status.Probe = hardware.ProbeResult{Listed: []string{"libx264", "h264_vaapi", "h264_qsv"}, Working: []string{"h264_vaapi"},
		Failures:    map[string]string{"h264_qsv": "the trial encode failed: MFX session could not be initialised"},
		DevicePaths: map[string]string{"h264_vaapi": "/dev/dri/renderD128"}}
	r.status.Encoder, r.status.Hardware, r.status.Profile = vaapi.Name(), true, transcoding.Build(board, r.status.Probe, true, "", 1)
	r.status.Failures = []transcoding.EncoderFailure{{Encoder: "h264_vaapi", Error: "encode 1 renditions with h264_vaapi: exit status 218", At: time.Now().Add(-time.Hour)}}
	r.mu.Unlock()

	code, page := r.page(request{method: http.MethodGet, path: "/admin/transcoding", who: "admin"})
	if code != http.StatusOK {
		t.Fatalf("transcoding page: %d", code)
	}
	text := html.UnescapeString(page)
	for _, want := range append([]string{
		"Videos are encoded with <strong>h264_vaapi</strong>", "chosen automatically",
		"Beelink EQ12 · Intel(R) N100", "/dev/dri/renderD128", "x86_pkg_temp: 47.5 °C", "8 GB",
		"the trial encode failed: MFX session could not be initialised", // a failed encoder's reason
		"exit status 218", // a recent hardware failure
		`<option value="h264_vaapi">h264_vaapi (hardware)</option>`,
		`<option value="" selected>Automatic`,
	}, pol.Reasons...) {
		if !strings.Contains(text, want) {
			t.Errorf("transcoding page lacks %q", want)
		}
	}
	if strings.Contains(text, `<option value="h264_qsv"`) {
		t.Error("a failed encoder is offered in the form")
	}

	// The form: a working encoder is saved, a failed one refused.
	res := r.do(context.Background(), request{method: http.MethodPost, path: "/admin/transcoding/encoder", who: "admin", withCSRF: true,
		form: url.Values{"encoder": {"h264_vaapi"}}})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/transcoding?done=encoder" {
		t.Errorf("set encoder: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if code, _ := r.page(request{method: http.MethodPost, path: "/admin/transcoding/encoder", who: "admin", withCSRF: true,
		form: url.Values{"encoder": {"h264_qsv"}}}); code != http.StatusBadRequest {
		t.Errorf("choosing a failed encoder: %d, want 400", code)
	}
	if code, _ := r.page(request{method: http.MethodPost, path: "/admin/transcoding/encoder", who: "admin",
		form: url.Values{"encoder": {"libx264"}}}); code != http.StatusForbidden {
		t.Errorf("encoder form without CSRF: %d, want 403", code)
	}
	r.mu.Lock()
	got := slices.Clone(r.choices)
	r.mu.Unlock()
	if !slices.Equal(got, []string{"h264_vaapi"}) {
		t.Errorf("SetEncoder calls %q, want [h264_vaapi]", got)
	}
	_, page = r.page(request{method: http.MethodGet, path: "/admin/transcoding?done=encoder", who: "admin"})
	text = html.UnescapeString(page)
	if !strings.Contains(text, `<option value="h264_vaapi" selected>`) || !strings.Contains(text, "chosen by you") || !strings.Contains(text, "Encoder choice saved") {
		t.Error("the page does not show the saved choice")
	}
}

func TestAdminOverview(t *testing.T) {
	r := newRig(t)
	expires := time.Now().Add(20 * 24 * time.Hour)
	r.mu.Lock()
	r.tls = certs.Status{Mode: certs.ModeACME, State: certs.StateFailing, Hosts: []string{"video.example.org"}, NotAfter: expires,
		LastError: "Let's Encrypt could not reach video.example.org on port 80: check the router's port forwarding."}
	r.mu.Unlock()
	ctx := context.Background()
	if _, err := r.jobs.Enqueue(ctx, "test.noop", nil); err != nil {
		t.Fatal(err)
	}
	code, page := r.page(request{method: http.MethodGet, path: "/admin", who: "admin"})
	if code != http.StatusOK {
		t.Fatalf("overview: %d", code)
	}
	text := html.UnescapeString(page)
	for _, want := range []string{
		"HTTPS is not working", "check the router's port forwarding", "video.example.org",
		"expires on " + expires.Local().Format("2 January 2006"),
		"1.2.3-test", " free of ", r.layout.Root, "0 running, 1 queued",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
}

// TestAdminJobList shows a failed job with its reason and a retry button.
func TestAdminJobList(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.jobs.Register("test.fail", func(ctx context.Context, j *jobs.Job) error {
		return fmt.Errorf("%w: the file is not a video", jobs.ErrPermanent)
	})
	id, err := r.jobs.Enqueue(ctx, "test.fail", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.runQueue()
	eventually(t, 10*time.Second, "the job fails", func() bool {
		j, err := r.jobs.Get(ctx, id)
		return err == nil && j.State == jobs.StateFailed
	})
	_, page := r.page(request{method: http.MethodGet, path: "/admin/transcoding?state=failed", who: "admin"})
	row := html.UnescapeString(jobRowHTML(t, page, id))
	if !strings.Contains(row, "the file is not a video") || strings.Contains(row, `class="job-retry" hidden`) {
		t.Errorf("failed job's row should show the reason and a retry button:\n%s", row)
	}
}
