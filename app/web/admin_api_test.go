package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
)

// customConfigOf reads GET /config/custom as the admin.
func customConfigOf(t *testing.T, sr *socialRig) customConfig {
	t.Helper()
	var cc customConfig
	sr.decode(t, "GET", "/api/v1/config/custom", "admin", nil, http.StatusOK, &cc)
	return cc
}

// TestCustomConfigAPI: PUT /config/custom changes what the admin's page,
// /about, /config and /config/about show and the default quotas uploads
// get; what Cabane cannot honour is ignored and echoed as it is; invalid
// values and anyone but an admin are refused with nothing stored; DELETE
// brings the defaults back.
func TestCustomConfigAPI(t *testing.T) {
	sr := newAdminPagesRig(t)
	cc := customConfigOf(t, sr)
	if cc.Instance.Name != "Cabane" || cc.User.VideoQuota != -1 || cc.Signup.Enabled || !cc.Transcoding.Resolutions["720p"] || cc.Transcoding.Resolutions["2160p"] {
		t.Fatalf("defaults: %+v", cc)
	}
	put := map[string]any{
		"instance": map[string]any{"name": "Chez nous", "shortDescription": "Films de famille", "terms": "Be kind.",
			"creationReason": "For the **family**", "administrator": "Grandma", "isNSFW": true},
		"user":        map[string]any{"videoQuota": 50 << 20, "videoQuotaDaily": 10 << 20},
		"signup":      map[string]any{"enabled": true, "limit": 3},
		"transcoding": map[string]any{"resolutions": map[string]any{"2160p": true}},
		"admin":       map[string]any{"email": "me@example.org"},
	}
	var got customConfig
	sr.decode(t, "PUT", "/api/v1/config/custom", "admin", put, http.StatusOK, &got)
	if got.Instance.Name != "Chez nous" || got.Instance.CreationReason != "For the **family**" || got.User.VideoQuotaDaily != 10<<20 {
		t.Errorf("PUT's answer: %+v", got.Instance)
	}
	// Ignored: signup, resolutions, NSFW and the e-mail stay what Cabane does.
	if got.Signup.Enabled || got.Signup.Limit != 10 || got.Transcoding.Resolutions["2160p"] || got.Instance.IsNSFW || got.Admin.Email != "admin@example.com" {
		t.Errorf("ignored fields were taken: %+v %+v", got.Signup, got.Admin)
	}
	if again := customConfigOf(t, sr); !reflect.DeepEqual(again, got) {
		t.Errorf("GET after PUT: %+v", again.Instance)
	}
	var config struct {
		Instance struct{ Name, ShortDescription string }
		User     struct{ VideoQuota, VideoQuotaDaily int64 }
	}
	sr.decode(t, "GET", "/api/v1/config", "", nil, http.StatusOK, &config)
	if config.Instance.Name != "Chez nous" || config.Instance.ShortDescription != "Films de famille" || config.User.VideoQuota != 50<<20 || config.User.VideoQuotaDaily != 10<<20 {
		t.Errorf("/config after PUT: %+v", config)
	}
	var about struct {
		Instance struct{ CreationReason, Administrator, Terms string }
	}
	sr.decode(t, "GET", "/api/v1/config/about", "", nil, http.StatusOK, &about)
	if about.Instance.CreationReason != "For the **family**" || about.Instance.Administrator != "Grandma" || about.Instance.Terms != "Be kind." {
		t.Errorf("/config/about: %+v", about)
	}
	if q, err := sr.videos.QuotaOf(t.Context(), userByName(t, sr, "other").ID); err != nil || q.VideoQuota != 50<<20 {
		t.Errorf("default quota of uploads: %+v %v", q, err)
	}
	// The admin's page reads the same service.
	if _, body := sr.page(request{method: "GET", path: "/admin/instance", who: "admin"}); !strings.Contains(body, `value="Chez nous"`) || !strings.Contains(body, ">Grandma</textarea>") {
		t.Errorf("/admin/instance does not show the API's change:\n%s", body)
	}
	if _, body := sr.page(request{method: "GET", path: "/about"}); !strings.Contains(body, "Why this instance exists") || !strings.Contains(body, "<strong>family</strong>") {
		t.Errorf("/about lacks the creation reason:\n%s", body)
	}

	// Refusals: the field named as the body names it, nothing stored.
	for _, bad := range []struct {
		body  string
		field string
	}{
		{`{"instance":{"name":""}}`, "instance.name"},
		{`{"instance":{"name":42}}`, "instance.name"},
		{`{"user":{"videoQuota":-7}}`, "user.videoQuota"},
		{`{"user":{"videoQuotaDaily":"lots"}}`, "user.videoQuotaDaily"},
		{`{"instance":{"codeOfConduct":"` + strings.Repeat("x", 10001) + `"}}`, "instance.codeOfConduct"},
		{`not json`, "body"},
	} {
		res, text := sr.send(t, "PUT", "/api/v1/config/custom", strings.NewReader(bad.body),
			map[string]string{"Content-Type": "application/json", csrfHeader: testCSRF}, "admin", true)
		var p problem
		json.Unmarshal([]byte(text), &p)
		if _, ok := p.InvalidParams[bad.field]; res.StatusCode != http.StatusBadRequest || !ok {
			t.Errorf("%.40s: %d %s", bad.body, res.StatusCode, text)
		}
	}
	for who, want := range map[string]int{"mod": http.StatusForbidden, "user": http.StatusForbidden, "": http.StatusUnauthorized} {
		if code, _ := sr.call(t, "PUT", "/api/v1/config/custom", who, map[string]any{"instance": map[string]any{"name": "Forged"}}); code != want {
			t.Errorf("PUT as %q: %d, want %d", who, code, want)
		}
		if code, _ := sr.call(t, "DELETE", "/api/v1/config/custom", who, nil); code != want {
			t.Errorf("DELETE as %q: %d, want %d", who, code, want)
		}
		if code, _ := sr.call(t, "GET", "/api/v1/config/custom", who, nil); code != want {
			t.Errorf("GET as %q: %d, want %d", who, code, want)
		}
	}
	if cc := customConfigOf(t, sr); cc.Instance.Name != "Chez nous" || cc.User.VideoQuota != 50<<20 {
		t.Errorf("a refused change was stored: %+v", cc.Instance)
	}

	sr.decode(t, "DELETE", "/api/v1/config/custom", "admin", nil, http.StatusOK, &got)
	if got.Instance.Name != "Cabane" || got.Instance.CreationReason != "" || got.User.VideoQuota != -1 {
		t.Errorf("after DELETE: %+v", got)
	}
	sr.decode(t, "GET", "/api/v1/config", "", nil, http.StatusOK, &config)
	if config.Instance.Name != "Cabane" || config.User.VideoQuota != -1 {
		t.Errorf("/config after DELETE: %+v", config)
	}
}

// TestUsersAPIForStaff: the staff list users with PeerTube's filters and
// read one with their channels; a moderator blocks, unblocks and sets the
// quota of a User, and is refused (403, nothing changed) on an admin,
// another moderator, a promotion and a deletion.
func TestUsersAPIForStaff(t *testing.T) {
	sr := newAdminPagesRig(t)
	other, admin := userByName(t, sr, "other"), userByName(t, sr, "admin")
	var page struct {
		Total int
		Data  []apiAdminUser
	}
	sr.decode(t, "GET", "/api/v1/users?sort=username&count=100", "mod", nil, http.StatusOK, &page)
	if page.Total < 4 || len(page.Data) != page.Total {
		t.Fatalf("list: %d of %d", len(page.Data), page.Total)
	}
	for i := 1; i < len(page.Data); i++ {
		if page.Data[i-1].Username > page.Data[i].Username {
			t.Errorf("not sorted by name: %s before %s", page.Data[i-1].Username, page.Data[i].Username)
		}
	}
	for _, u := range page.Data {
		if u.Username == "mod" && (u.Role.Label != "Moderator" || *u.Role.ID != model.RoleModerator || u.Account.Name != "mod" || u.VideoQuota != -1) {
			t.Errorf("mod as listed: %+v", u)
		}
	}
	path := "/api/v1/users/" + itoa(other.ID)
	// /block and /unblock are not in PeerTube 7.0's document: unchecked.
	if code, body := sr.callChecked(t, "POST", path+"/block", "mod", map[string]any{"reason": "spam"}, false); code != http.StatusNoContent {
		t.Fatalf("moderator blocks a user: %d %s", code, body)
	}
	sr.decode(t, "GET", "/api/v1/users?blocked=true", "mod", nil, http.StatusOK, &page)
	if page.Total != 1 || page.Data[0].ID != other.ID || !page.Data[0].Blocked || page.Data[0].BlockedReason != "spam" {
		t.Errorf("blocked filter: %+v", page)
	}
	sr.decode(t, "GET", "/api/v1/users?blocked=false&search=oth", "mod", nil, http.StatusOK, &page)
	if page.Total != 0 {
		t.Errorf("unblocked search finds the blocked: %+v", page)
	}
	if code, body := sr.callChecked(t, "POST", path+"/unblock", "mod", nil, false); code != http.StatusNoContent {
		t.Fatalf("moderator unblocks a user: %d %s", code, body)
	}
	sr.decode(t, "PUT", path, "mod", map[string]any{"videoQuota": 7 << 20}, http.StatusNoContent, nil)
	var one apiAdminUser
	sr.decode(t, "GET", path, "mod", nil, http.StatusOK, &one)
	if one.Blocked || one.VideoQuota != 7<<20 || len(one.VideoChannels) != 1 || one.VideoChannels[0].Name != "other_channel" || one.Account.ID != other.AccountID {
		t.Errorf("one user: %+v", one)
	}

	mod2, _, err := sr.server.Auth.CreateUser(t.Context(), authReq("mod2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sr.store.Users().SetRole(t.Context(), mod2.ID, model.RoleModerator); err != nil {
		t.Fatal(err)
	}
	denied := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/users/" + itoa(admin.ID) + "/block", nil},
		{"POST", "/api/v1/users/" + itoa(mod2.ID) + "/block", nil},
		{"PUT", "/api/v1/users/" + itoa(admin.ID), map[string]any{"videoQuota": 1}},
		{"PUT", "/api/v1/users/" + itoa(mod2.ID), map[string]any{"videoQuota": 1}},
		{"PUT", path, map[string]any{"role": model.RoleModerator}},
		{"PUT", path, map[string]any{"role": model.RoleAdmin}},
		{"DELETE", path, nil},
	}
	for _, d := range denied {
		if code, body := sr.callChecked(t, d.method, d.path, "mod", d.body, !strings.HasSuffix(d.path, "/block")); code != http.StatusForbidden {
			t.Errorf("moderator %s %s %v: %d %s", d.method, d.path, d.body, code, body)
		}
	}
	for _, u := range []struct {
		name string
		role int
	}{{"admin", model.RoleAdmin}, {"mod2", model.RoleModerator}, {"other", model.RoleUser}} {
		got := userByName(t, sr, u.name)
		if got.Blocked || got.Role != u.role {
			t.Errorf("%s after the refusals: %+v", u.name, got)
		}
	}
	for _, name := range []string{"admin", "mod2"} {
		if q, _ := sr.videos.QuotaOf(t.Context(), userByName(t, sr, name).ID); q.VideoQuota == 1 {
			t.Errorf("quota of %s set by a moderator", name)
		}
	}
	if code, _ := sr.call(t, "PUT", path, "user", map[string]any{"videoQuota": 1}); code != http.StatusForbidden {
		t.Errorf("a user sets a quota: %d", code)
	}
}

// TestAdminUsersPageForModerators: a moderator reaches /admin/users and
// sees, for each user, only what they may do; each form they may not use
// is refused on the server.
func TestAdminUsersPageForModerators(t *testing.T) {
	sr := newAdminPagesRig(t)
	other, admin := userByName(t, sr, "other"), userByName(t, sr, "admin")
	code, body := sr.page(request{method: "GET", path: "/admin/users", who: "mod"})
	if code != http.StatusOK {
		t.Fatalf("moderator /admin/users: %d", code)
	}
	row := func(id int64) string {
		i := strings.Index(body, `<tr id="user-`+itoa(id)+`">`)
		if i < 0 {
			t.Fatalf("no row for user %d", id)
		}
		return body[i : i+strings.Index(body[i:], "</tr>")]
	}
	if r := row(other.ID); !strings.Contains(r, "/ban") || !strings.Contains(r, `name="video_quota"`) || strings.Contains(r, `name="role"`) || strings.Contains(r, "/delete") {
		t.Errorf("a User's row for a moderator:\n%s", r)
	}
	if r := row(admin.ID); strings.Contains(r, "<form") || !strings.Contains(r, "Only an administrator may change this account.") {
		t.Errorf("an admin's row for a moderator:\n%s", r)
	}
	if strings.Contains(body, `action="/admin/users" class="admin-form"`) || strings.Contains(body, `href="/admin"`) {
		t.Error("a moderator is offered the creation form or the admin page")
	}
	if _, body := sr.page(request{method: "GET", path: "/admin/users", who: "admin"}); !strings.Contains(body, `action="/admin/users" class="admin-form"`) || !strings.Contains(body, `name="role"`) {
		t.Error("the admin lost the creation form or the role selector")
	}
	if code, loc := post(sr, "/admin/users/"+itoa(other.ID)+"/ban", "mod", url.Values{"reason": {"spam"}}, true); code != http.StatusSeeOther || loc != "/admin/users?done=banned" {
		t.Errorf("moderator bans a user: %d %s", code, loc)
	}
	if code, loc := post(sr, "/admin/users/"+itoa(other.ID)+"/unban", "mod", nil, true); code != http.StatusSeeOther || loc != "/admin/users?done=unbanned" {
		t.Errorf("moderator unbans a user: %d %s", code, loc)
	}
	if code, loc := post(sr, "/admin/users/"+itoa(other.ID), "mod", url.Values{"video_quota": {"20"}}, true); code != http.StatusSeeOther || loc != "/admin/users?done=changed" {
		t.Errorf("moderator sets a quota: %d %s", code, loc)
	}
	for _, d := range []struct {
		path string
		form url.Values
	}{
		{"/admin/users/" + itoa(admin.ID) + "/ban", url.Values{"reason": {"coup"}}},
		{"/admin/users/" + itoa(admin.ID), url.Values{"video_quota": {"1"}}},
		{"/admin/users/" + itoa(other.ID), url.Values{"role": {"1"}}},
		{"/admin/users/" + itoa(other.ID) + "/delete", nil},
		{"/admin/users", url.Values{"username": {"eve"}, "email": {"eve@example.org"}, "password": {"correct horse battery staple"}, "role": {"2"}}},
	} {
		if code, _ := post(sr, d.path, "mod", d.form, true); code != http.StatusForbidden {
			t.Errorf("moderator POST %s: %d", d.path, code)
		}
	}
	if code, _ := post(sr, "/admin/users/"+itoa(other.ID)+"/ban", "user", nil, true); code != http.StatusForbidden {
		t.Errorf("a user bans: %d", code)
	}
	if u := userByName(t, sr, "admin"); u.Blocked {
		t.Error("the admin was banned by a moderator")
	}
	if u := userByName(t, sr, "other"); u.Role != model.RoleUser || u.Blocked {
		t.Errorf("other after the refusals: %+v", u)
	}
	if _, err := sr.store.Accounts.UserByLogin(t.Context(), "eve"); err == nil {
		t.Error("a moderator created a user")
	}
	if q, _ := sr.videos.QuotaOf(t.Context(), other.ID); q.VideoQuota != 20<<20 {
		t.Errorf("quota set by the moderator: %d", q.VideoQuota)
	}
	// French.
	res, body := sr.send(t, "GET", "/admin/users", nil, map[string]string{"Accept-Language": "fr"}, "mod", false)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Seul un administrateur peut modifier ce compte.") || strings.Contains(body, "adminpages.") {
		t.Errorf("French /admin/users for a moderator: %d", res.StatusCode)
	}
}

func authReq(name string) auth.NewUserRequest {
	return auth.NewUserRequest{Username: name, Email: name + "@example.org", Password: "correct horse battery staple"}
}
