package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/videos"
)

// apiActorInfo is PeerTube's ActorInfo.
type apiActorInfo struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	DisplayName string     `json:"displayName"`
	Host        string     `json:"host"`
	Avatars     []apiImage `json:"avatars"`
}

// apiNotificationVideo is PeerTube's VideoInfo, with the channel for a new
// video.
type apiNotificationVideo struct {
	ID        int64         `json:"id"`
	UUID      string        `json:"uuid"`
	ShortUUID string        `json:"shortUUID"`
	Name      string        `json:"name"`
	State     idLabel       `json:"state"`
	Channel   *apiActorInfo `json:"channel,omitempty"`
}

type apiNotificationComment struct {
	ID            int64                `json:"id"`
	ThreadID      int64                `json:"threadId"`
	HeldForReview bool                 `json:"heldForReview"`
	Video         apiNotificationVideo `json:"video"`
	Account       apiActorInfo         `json:"account"`
}

// apiNotification is PeerTube's UserNotification: the objects a type does
// not carry are null, as PeerTube sends them.
type apiNotification struct {
	ID             int64                   `json:"id"`
	Type           int                     `json:"type"`
	Read           bool                    `json:"read"`
	Video          *apiNotificationVideo   `json:"video"`
	Comment        *apiNotificationComment `json:"comment"`
	VideoImport    *struct{}               `json:"videoImport"`
	VideoAbuse     *struct{}               `json:"videoAbuse"`
	VideoBlacklist *struct{}               `json:"videoBlacklist"`
	Account        *apiActorInfo           `json:"account"`
	ActorFollow    *struct{}               `json:"actorFollow"`
	CreatedAt      time.Time               `json:"createdAt"`
	UpdatedAt      time.Time               `json:"updatedAt"`
}

type apiNotificationList = listJSON[apiNotification]

func (s *Server) actorInfo(c echo.Context, name, display string, id int64) apiActorInfo {
	return apiActorInfo{ID: id, Name: name, DisplayName: display, Host: s.urls(c).Host(), Avatars: []apiImage{}}
}

func (s *Server) notificationJSON(c echo.Context, n model.Notification) apiNotification {
	out := apiNotification{ID: n.ID, Type: n.Type, Read: n.Read, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
	v := n.Video
	info := apiNotificationVideo{ID: v.ID, UUID: v.UUID, ShortUUID: v.ShortUUID, Name: v.Name, State: il(v.State, videos.StateLabel(v.State))}
	switch {
	case n.CommentID != 0 && n.Comment.ID != 0:
		cm := n.Comment
		out.Comment = &apiNotificationComment{ID: cm.ID, ThreadID: cm.Thread(), HeldForReview: cm.HeldForReview, Video: info,
			Account: s.actorInfo(c, cm.Account.Name, cm.Account.DisplayName, cm.Account.ID)}
	case v.ID != 0:
		ch := s.actorInfo(c, v.Channel.Name, v.Channel.DisplayName, v.Channel.ID)
		info.Channel = &ch
		out.Video = &info
	}
	return out
}

func (s *Server) apiNotifications(c echo.Context) error {
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	q := notifications.Query{Start: start, Count: count, Sort: c.QueryParam("sort")}
	if u := c.QueryParam("unread"); u != "" {
		if q.Unread, err = strconv.ParseBool(u); err != nil {
			return fieldError("unread", "Should have a valid unread boolean")
		}
	}
	ns, total, err := s.Notifications.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return subscriptionError(err)
	}
	out := apiNotificationList{Total: total, Data: make([]apiNotification, 0, len(ns))}
	for _, n := range ns {
		out.Data = append(out.Data, s.notificationJSON(c, n))
	}
	return c.JSON(http.StatusOK, out)
}

type readBody struct {
	IDs []int64 `json:"ids" form:"ids"`
}

func (s *Server) apiReadNotifications(c echo.Context) error {
	var b readBody
	if err := c.Bind(&b); err != nil {
		return fieldError("ids", "Should have a valid array of notification ids")
	}
	if err := s.Notifications.MarkRead(c.Request().Context(), viewer(c), b.IDs); err != nil {
		return subscriptionError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiReadAllNotifications(c echo.Context) error {
	if err := s.Notifications.MarkAllRead(c.Request().Context(), viewer(c)); err != nil {
		return subscriptionError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// apiNotificationSettings is PeerTube's UserNotificationSetting, sent in
// users/me and (a Cabane addition PeerTube lacks) on its own by GET.
type apiNotificationSettings map[string]int

func (s *Server) apiGetNotificationSettings(c echo.Context) error {
	st, err := s.Notifications.Settings(c.Request().Context(), viewer(c))
	if err != nil {
		return subscriptionError(err)
	}
	return c.JSON(http.StatusOK, apiNotificationSettings(st))
}

func (s *Server) apiPutNotificationSettings(c echo.Context) error {
	var b map[string]int
	if err := json.NewDecoder(c.Request().Body).Decode(&b); err != nil {
		return fieldError("body", "the settings must be a JSON object of numbers")
	}
	if err := s.Notifications.SetSettings(c.Request().Context(), viewer(c), b); err != nil {
		return subscriptionError(err)
	}
	return c.NoContent(http.StatusNoContent)
}
