package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cabane.dev/cabane/app/notifications"
)

// TestNotificationSettingsPage: one labelled web/none choice per kind
// Cabane sends (none for what it never sends, no e-mail), saved through
// the same service as PeerTube's API: the API reads back what the page
// saved, the e-mail bit an app set is kept, and notifications follow.
func TestNotificationSettingsPage(t *testing.T) {
	m := newMyRig(t)
	if code, _ := m.get(t, "/my/settings/notifications", ""); code != http.StatusSeeOther {
		t.Errorf("anonymous: %d", code)
	}
	code, body := m.get(t, "/my/settings/notifications", "user")
	if code != http.StatusOK {
		t.Fatalf("page: %d", code)
	}
	for _, k := range notifications.Sent() {
		for _, v := range []string{"web", "none"} {
			if !strings.Contains(body, `name="`+k+`" value="`+v+`"`) {
				t.Errorf("no %s choice for %s", v, k)
			}
		}
	}
	if strings.Count(body, "<fieldset") != len(notifications.Sent()) || strings.Count(body, "<legend>") != len(notifications.Sent()) {
		t.Error("not one labelled group per kind")
	}
	for _, absent := range []string{"abuseAsModerator", "newPeerTubeVersion", `value="email"`, `value="3"`, "my.notifsettings."} {
		if strings.Contains(body, absent) {
			t.Errorf("the page offers or leaks %q", absent)
		}
	}
	// An app set the e-mail bit of one kind.
	m.decode(t, "PUT", "/api/v1/users/me/notification-settings", "user", map[string]int{"newCommentOnMyVideo": 3}, http.StatusNoContent, nil)
	if loc := m.mustPost(t, "/my/settings/notifications", "user", url.Values{
		"newCommentOnMyVideo": {"none"}, "commentMention": {"none"}, "newVideoFromSubscription": {"web"}}); loc != "/my/settings/notifications?done=saved" {
		t.Errorf("saved to %s", loc)
	}
	var got map[string]int
	// GET notification-settings is Cabane's (PeerTube sends them in
	// users/me): not in the document, unchecked.
	settingsOf := func(who string) {
		t.Helper()
		code, body := m.callChecked(t, "GET", "/api/v1/users/me/notification-settings", who, nil, false)
		if code != http.StatusOK || json.Unmarshal(body, &got) != nil {
			t.Fatalf("settings of %s: %d %s", who, code, body)
		}
	}
	settingsOf("user")
	if got["newCommentOnMyVideo"] != notifications.Email || got["commentMention"] != notifications.None || got["newVideoFromSubscription"] != notifications.Web {
		t.Errorf("API after the page: %v", got)
	}
	if got["abuseAsModerator"] != notifications.SettingNames["abuseAsModerator"] {
		t.Errorf("a kind the page does not offer changed: %v", got["abuseAsModerator"])
	}
	_, body = m.get(t, "/my/settings/notifications?done=saved", "user")
	if !strings.Contains(body, `name="commentMention" value="none" checked`) || !strings.Contains(body, `name="newVideoFromSubscription" value="web" checked`) {
		t.Errorf("the page does not show what was saved:\n%s", body)
	}
	// A forged value is refused, nothing changes; so is a form without CSRF.
	if res := m.post(t, "/my/settings/notifications", "user", url.Values{"commentMention": {"email"}, "newVideoFromSubscription": {"none"}}, true); res.StatusCode != http.StatusBadRequest {
		t.Errorf("forged value: %d", res.StatusCode)
	}
	if res := m.post(t, "/my/settings/notifications", "user", url.Values{"newVideoFromSubscription": {"none"}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF: %d", res.StatusCode)
	}
	settingsOf("user")
	if got["newVideoFromSubscription"] != notifications.Web {
		t.Errorf("a refused form changed a setting: %v", got)
	}
	// Another user's settings are theirs.
	settingsOf("other")
	if got["commentMention"] != notifications.Web {
		t.Errorf("other's settings changed: %v", got)
	}
	// French.
	res, body := m.send(t, "GET", "/my/settings/notifications", nil, map[string]string{"Accept-Language": "fr"}, "user", false)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Réglages des notifications") || !strings.Contains(body, "Quelqu&#39;un commente une de mes vidéos") {
		t.Errorf("French page: %d", res.StatusCode)
	}
}
