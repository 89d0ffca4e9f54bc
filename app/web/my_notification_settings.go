package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/notifications"
)

// The notification settings page (/my/settings/notifications): one row per
// kind of notification Cabane sends, each with a web or none choice (two
// labelled radio buttons in a fieldset: keyboard and screen-reader usable
// without script). Cabane sends no e-mail, so the page offers none; it
// saves through the service that PeerTube's PUT
// /users/me/notification-settings uses, which keeps the e-mail bit an app
// may have set.

// notifChoice is one kind's row.
type notifChoice struct {
	Name string // PeerTube's setting name
	Web  bool
}

type notifSettingsData struct {
	Kinds []notifChoice
}

func (s *Server) myNotificationSettings(c echo.Context) error {
	return s.renderNotificationSettings(c, http.StatusOK, "")
}

func (s *Server) renderNotificationSettings(c echo.Context, code int, problem string) error {
	st, err := s.Notifications.Settings(c.Request().Context(), viewer(c))
	if err != nil {
		return s.refuse(c, err)
	}
	var d notifSettingsData
	for _, k := range notifications.Sent() {
		d.Kinds = append(d.Kinds, notifChoice{Name: k, Web: st[k]&notifications.Web != 0})
	}
	v := s.view(c, "", d)
	v.Title, v.Notice, v.Error = v.T("my.notifsettings.title"), noticeOf(v, c), problem
	return s.renderView(c, code, "my_notification_settings", v)
}

// myNotificationSettingsSave reads each sent kind's choice ("web" or
// "none"; a kind the form leaves out stays as it is).
func (s *Server) myNotificationSettingsSave(c echo.Context) error {
	web := map[string]bool{}
	for _, k := range notifications.Sent() {
		switch c.FormValue(k) {
		case "web":
			web[k] = true
		case "none":
			web[k] = false
		case "":
		default:
			v := s.view(c, "", nil)
			return s.renderNotificationSettings(c, http.StatusBadRequest, v.T("my.error.invalid"))
		}
	}
	if err := s.Notifications.SetWeb(c.Request().Context(), viewer(c), web); err != nil {
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings/notifications?done=saved")
}
