package web

import "github.com/labstack/echo/v4"

// socialAPIRoutes are PeerTube's playlist, subscription and notification
// endpoints. Reading a playlist is open to whoever may see it; everything
// of "me" needs a user (bearer token, or the session with its CSRF
// header).
func (s *Server) socialAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/video-playlists/privacies", s.apiPlaylistPrivacies, api...)
	g.GET("/video-playlists", s.apiPlaylists, api...)
	g.POST("/video-playlists", s.apiCreatePlaylist, user...)
	g.GET("/video-playlists/:id", s.apiPlaylist, api...)
	g.PUT("/video-playlists/:id", s.apiUpdatePlaylist, user...)
	g.DELETE("/video-playlists/:id", s.apiDeletePlaylist, user...)
	g.GET("/video-playlists/:id/videos", s.apiPlaylistVideos, api...)
	g.POST("/video-playlists/:id/videos", s.apiAddPlaylistVideo, user...)
	g.POST("/video-playlists/:id/videos/reorder", s.apiReorderPlaylist, user...)
	g.PUT("/video-playlists/:id/videos/:elementId", s.apiUpdatePlaylistVideo, user...)
	g.DELETE("/video-playlists/:id/videos/:elementId", s.apiDeletePlaylistVideo, user...)
	g.GET("/accounts/:name/video-playlists", s.apiAccountPlaylists, api...)
	g.GET("/users/me/video-playlists/videos-exist", s.apiVideosExist, user...)

	g.GET("/users/me/subscriptions", s.apiSubscriptions, user...)
	g.POST("/users/me/subscriptions", s.apiSubscribe, user...)
	g.GET("/users/me/subscriptions/exist", s.apiSubscriptionsExist, user...)
	g.GET("/users/me/subscriptions/videos", s.apiSubscriptionVideos, user...)
	g.GET("/users/me/subscriptions/:handle", s.apiSubscription, user...)
	g.DELETE("/users/me/subscriptions/:handle", s.apiUnsubscribe, user...)
	g.GET("/users/scoped-tokens", s.apiFeedToken(false), user...)
	g.POST("/users/scoped-tokens", s.apiFeedToken(true), user...)

	g.GET("/users/me/notifications", s.apiNotifications, user...)
	g.POST("/users/me/notifications/read", s.apiReadNotifications, user...)
	g.POST("/users/me/notifications/read-all", s.apiReadAllNotifications, user...)
	g.GET("/users/me/notification-settings", s.apiGetNotificationSettings, user...)
	g.PUT("/users/me/notification-settings", s.apiPutNotificationSettings, user...)
}

// socialPageRoutes are the pages of playlists, subscriptions and
// notifications, and their forms (which work without JavaScript).
func (s *Server) socialPageRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	if s.Playlists == nil || s.Subscriptions == nil || s.Notifications == nil {
		return
	}
}
