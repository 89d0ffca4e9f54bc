package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
)

// A supporter's notification of a new supporter-only video (Cabane's
// type 101) reads as such on the notifications page, in English and
// French, and links the watch page.
func TestSupporterVideoNotificationPage(t *testing.T) {
	m := newMyRig(t)
	ctx := context.Background()
	v := m.video(t, model.PrivacyPublic, model.CommentsEnabled)
	other := viewerOf(t, m, "other")
	if _, err := m.store.Notifications().Add(ctx, []int64{other.UserID}, model.Notification{Type: model.NotifyNewSupporterVideo, VideoID: v.ID}); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "published for their supporters:", "fr": "a publié pour ses soutiens :"} {
		code, body := m.page(request{method: http.MethodGet, path: "/my/notifications", who: "other", lang: lang})
		if code != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, `href="/w/`+v.ShortUUID+`">`+v.Name) {
			t.Errorf("%s notifications page: %d, lacks %q or the link", lang, code, want)
		}
	}
}
