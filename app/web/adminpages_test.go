package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/instance"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/users"
)

// newAdminPagesRig is the moderation rig with the instance settings, the
// user management, and a moderator ("mod").
func newAdminPagesRig(t *testing.T) *socialRig {
	t.Helper()
	sr := newModerationRig(t)
	st := sr.store
	inst := &instance.Service{Settings: st.Settings, Defaults: instance.About{Name: "Cabane", VideoQuota: -1, VideoQuotaDaily: -1}}
	sr.server.Instance = inst
	sr.videos.DefaultQuotas = inst.DefaultQuotas
	sr.videos.Quotas = st.Quotas()
	sr.server.Users = &users.Service{Store: st.Users(), Auth: sr.server.Auth, Videos: sr.videos}
	ctx := context.Background()
	u, _, err := sr.server.Auth.CreateUser(ctx, auth.NewUserRequest{Username: "mod", Email: "mod@example.org", Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Users().SetRole(ctx, u.ID, model.RoleModerator); err != nil {
		t.Fatal(err)
	}
	if sr.sessions["mod"], err = sr.server.Auth.StartSession(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	return sr
}

// post submits a page form as who, with the CSRF token or without.
func post(sr *socialRig, path, who string, form url.Values, csrf bool) (int, string) {
	res := sr.do(context.Background(), request{method: http.MethodPost, path: path, who: who, form: form, withCSRF: csrf})
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

func userByName(t *testing.T, sr *socialRig, name string) model.User {
	t.Helper()
	u, err := sr.store.Accounts.UserByLogin(t.Context(), name)
	if err != nil {
		t.Fatal(name, err)
	}
	return u
}

// TestAdminPagesAccess: anonymous visitors are sent to log in, plain
// users refused (403), moderators let into the moderation queue only,
// admins everywhere; forms without the CSRF token change nothing.
func TestAdminPagesAccess(t *testing.T) {
	sr := newAdminPagesRig(t)
	pages := []struct {
		path      string
		moderator bool
	}{{"/admin/instance", false}, {"/admin/users", false}, {"/admin/moderation", true}}
	for _, p := range pages {
		res := sr.do(context.Background(), request{method: "GET", path: p.path})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
			t.Errorf("anonymous %s: %d %s", p.path, res.StatusCode, res.Header.Get("Location"))
		}
		if code, _ := sr.page(request{method: "GET", path: p.path, who: "user"}); code != http.StatusForbidden {
			t.Errorf("user %s: %d", p.path, code)
		}
		want := http.StatusForbidden
		if p.moderator {
			want = http.StatusOK
		}
		if code, _ := sr.page(request{method: "GET", path: p.path, who: "mod"}); code != want {
			t.Errorf("moderator %s: %d, want %d", p.path, code, want)
		}
		if code, body := sr.page(request{method: "GET", path: p.path, who: "admin"}); code != http.StatusOK {
			t.Errorf("admin %s: %d %s", p.path, code, body)
		}
	}
	other := userByName(t, sr, "other")
	// The forms too are checked on the server.
	if code, _ := post(sr, "/admin/users/"+itoa(other.ID), "user", url.Values{"role": {"0"}}, true); code != http.StatusForbidden {
		t.Errorf("user changes a role: %d", code)
	}
	if code, _ := post(sr, "/admin/users/"+itoa(other.ID), "mod", url.Values{"role": {"0"}}, true); code != http.StatusForbidden {
		t.Errorf("moderator changes a role: %d", code)
	}
	if code, _ := post(sr, "/admin/users/"+itoa(other.ID), "admin", url.Values{"role": {"0"}}, false); code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d", code)
	}
	if code, _ := post(sr, "/admin/instance", "admin", url.Values{"name": {"Forged"}, "video_quota": {"-1"}, "video_quota_daily": {"-1"}}, false); code != http.StatusForbidden {
		t.Errorf("instance without CSRF: %d", code)
	}
	if u := userByName(t, sr, "other"); u.Role != model.RoleUser {
		t.Errorf("role changed by a refused form: %d", u.Role)
	}
	if sr.server.instanceName() != "Cabane" {
		t.Errorf("name changed by a refused form: %q", sr.server.instanceName())
	}
}
