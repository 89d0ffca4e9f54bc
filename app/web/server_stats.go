package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// apiServerStats is PeerTube's ServerStats (GET /api/v1/server/stats):
// the local counts are this server's own rows, the totals add the remote
// ones federation stores (model.Usage). What Cabane does not keep
// (activity dates, ActivityPub message counters, registration requests)
// is left out rather than guessed: PeerTube's schema requires none.
type apiServerStats struct {
	TotalUsers               int        `json:"totalUsers"`
	TotalModerators          int        `json:"totalModerators"`
	TotalAdmins              int        `json:"totalAdmins"`
	TotalLocalVideos         int        `json:"totalLocalVideos"`
	TotalLocalVideoViews     int64      `json:"totalLocalVideoViews"`
	TotalLocalVideoComments  int        `json:"totalLocalVideoComments"`
	TotalLocalVideoFilesSize int64      `json:"totalLocalVideoFilesSize"`
	TotalVideos              int        `json:"totalVideos"`
	TotalVideoComments       int        `json:"totalVideoComments"`
	TotalLocalVideoChannels  int        `json:"totalLocalVideoChannels"`
	TotalLocalPlaylists      int        `json:"totalLocalPlaylists"`
	TotalInstanceFollowers   int        `json:"totalInstanceFollowers"`
	TotalInstanceFollowing   int        `json:"totalInstanceFollowing"`
	VideosRedundancy         []struct{} `json:"videosRedundancy"`
}

func (s *Server) apiServerStats(c echo.Context) error {
	if s.Usage == nil {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	u, err := s.Usage(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiServerStats{TotalUsers: u.LocalUsers, TotalModerators: u.Moderators, TotalAdmins: u.Admins,
		TotalLocalVideos: u.LocalVideos, TotalLocalVideoViews: u.LocalVideoViews, TotalLocalVideoComments: u.LocalComments,
		TotalLocalVideoFilesSize: u.LocalVideoFilesSize, TotalVideos: u.Videos, TotalVideoComments: u.Comments,
		TotalLocalVideoChannels: u.LocalChannels, TotalLocalPlaylists: u.LocalPlaylists,
		TotalInstanceFollowers: u.InstanceFollowers, TotalInstanceFollowing: u.InstanceFollowing, VideosRedundancy: []struct{}{}})
}
