package web

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// apiVideoPlaylist is PeerTube's VideoPlaylist. videosLength is what
// PeerTube sends; PeerTube 7.0's OpenAPI document names it videoLength:
// both are sent.
type apiVideoPlaylist struct {
	ID            int64     `json:"id"`
	UUID          string    `json:"uuid"`
	ShortUUID     string    `json:"shortUUID"`
	IsLocal       bool      `json:"isLocal"`
	URL           string    `json:"url"`
	DisplayName   string    `json:"displayName"`
	Description   *string   `json:"description"`
	Privacy       idLabel   `json:"privacy"`
	ThumbnailPath *string   `json:"thumbnailPath"`
	ThumbnailURL  *string   `json:"thumbnailUrl"`
	EmbedPath     string    `json:"embedPath"`
	EmbedURL      string    `json:"embedUrl"`
	VideosLength  int       `json:"videosLength"`
	VideoLength   int       `json:"videoLength"`
	Type          idLabel   `json:"type"`
	OwnerAccount  apiActor  `json:"ownerAccount"`
	VideoChannel  *apiActor `json:"videoChannel"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
}

type apiPlaylistList = listJSON[apiVideoPlaylist]

type apiPlaylistCreated struct {
	VideoPlaylist struct {
		ID        int64  `json:"id"`
		UUID      string `json:"uuid"`
		ShortUUID string `json:"shortUUID"`
	} `json:"videoPlaylist"`
}

// apiPlaylistElement is PeerTube's VideoPlaylistElement: video is null
// unless type is 0 (the viewer may see it).
type apiPlaylistElement struct {
	ID             int64     `json:"id"`
	Position       int       `json:"position"`
	StartTimestamp *int      `json:"startTimestamp"`
	StopTimestamp  *int      `json:"stopTimestamp"`
	Type           int       `json:"type"`
	Video          *apiVideo `json:"video"`
}

type apiPlaylistElements = listJSON[apiPlaylistElement]

type apiElementAdded struct {
	VideoPlaylistElement struct {
		ID int64 `json:"id"`
	} `json:"videoPlaylistElement"`
}

// apiVideoInPlaylist is one entry of videos-exist.
type apiVideoInPlaylist struct {
	PlaylistElementID int64 `json:"playlistElementId"`
	PlaylistID        int64 `json:"playlistId"`
	StartTimestamp    *int  `json:"startTimestamp"`
	StopTimestamp     *int  `json:"stopTimestamp"`
}

func (s *Server) playlistJSON(c echo.Context, p model.Playlist) apiVideoPlaylist {
	u := s.urls(c)
	out := apiVideoPlaylist{ID: p.ID, UUID: p.UUID, ShortUUID: p.ShortUUID, IsLocal: true, URL: u.Abs(uris.Playlist(p.UUID)),
		DisplayName: p.DisplayName, Description: nullable(p.Description), Privacy: il(p.Privacy, playlists.PrivacyLabel(p.Privacy)),
		EmbedPath: uris.PlaylistEmbed(p.UUID), EmbedURL: u.Abs(uris.PlaylistEmbed(p.UUID)),
		VideosLength: p.Length, VideoLength: p.Length, Type: il(p.Type, playlists.TypeLabel(p.Type)),
		OwnerAccount: s.accountJSON(u, p.Account), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.ThumbnailVideo != "" {
		out.ThumbnailPath = nullable(uris.Thumbnail(p.ThumbnailVideo))
		out.ThumbnailURL = nullable(u.Abs(uris.Thumbnail(p.ThumbnailVideo)))
	}
	if p.ChannelID != 0 {
		ch := s.channelJSON(u, p.Channel)
		out.VideoChannel = &ch
	}
	return out
}

func (s *Server) elementJSON(c echo.Context, e playlists.Element) apiPlaylistElement {
	out := apiPlaylistElement{ID: e.ID, Position: e.Position, StartTimestamp: e.Start, StopTimestamp: e.Stop, Type: int(e.Kind)}
	if e.Kind == visibility.ElementRegular {
		v := s.videoJSON(c, e.Video)
		out.Video = &v
	}
	return out
}

// socialError answers a playlists, subscriptions or notifications error as
// PeerTube does.
func socialError(err error) error {
	var fe *playlists.FieldError
	if errors.As(err, &fe) {
		return fieldError(fe.Field, "%s", fe.Msg)
	}
	switch {
	case errors.Is(err, playlists.ErrLoginRequired):
		return apiError(http.StatusUnauthorized, "authentication required: log in or send a Bearer token")
	case errors.Is(err, playlists.ErrForbidden):
		return apiError(http.StatusForbidden, "%s", err.Error())
	case errors.Is(err, playlists.ErrWatchLater):
		return apiError(http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Video playlist or element not found")
	}
	return subscriptionError(err)
}

func (s *Server) apiPlaylistPrivacies(c echo.Context) error {
	out := map[string]string{}
	for id, label := range playlists.Privacies() {
		out[strconv.Itoa(id)] = label
	}
	return c.JSON(http.StatusOK, out)
}

// playlistQuery reads a listing's start, count, sort and playlistType.
func playlistQuery(c echo.Context) (playlists.Query, error) {
	start, count, err := pagination(c)
	if err != nil {
		return playlists.Query{}, err
	}
	q := playlists.Query{Start: start, Count: count, Sort: c.QueryParam("sort")}
	if t := c.QueryParam("playlistType"); t != "" {
		if q.Type, err = strconv.Atoi(t); err != nil {
			return q, fieldError("playlistType", "Should have a valid playlist type")
		}
	}
	return q, nil
}

func (s *Server) playlistList(c echo.Context, ps []model.Playlist, total int) error {
	out := apiPlaylistList{Total: total, Data: make([]apiVideoPlaylist, 0, len(ps))}
	for _, p := range ps {
		out.Data = append(out.Data, s.playlistJSON(c, p))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiPlaylists(c echo.Context) error {
	q, err := playlistQuery(c)
	if err != nil {
		return err
	}
	ps, total, err := s.Playlists.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return socialError(err)
	}
	return s.playlistList(c, ps, total)
}

func (s *Server) apiAccountPlaylists(c echo.Context) error {
	q, err := playlistQuery(c)
	if err != nil {
		return err
	}
	_, ps, total, err := s.Playlists.OfAccount(c.Request().Context(), viewer(c), c.Param("name"), q)
	if errors.Is(err, model.ErrNotFound) {
		return apiError(http.StatusNotFound, "Account not found")
	} else if err != nil {
		return socialError(err)
	}
	return s.playlistList(c, ps, total)
}

func (s *Server) apiPlaylist(c echo.Context) error {
	p, err := s.Playlists.Get(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return socialError(err)
	}
	return c.JSON(http.StatusOK, s.playlistJSON(c, p))
}

// playlistInput reads PeerTube's playlist form (multipart, as its apps
// send it, url-encoded or JSON); fields absent stay nil.
func playlistInput(c echo.Context) (playlists.Input, error) {
	var in playlists.Input
	r := c.Request()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var b struct {
			DisplayName    *string          `json:"displayName"`
			Description    *string          `json:"description"`
			Privacy        *json.RawMessage `json:"privacy"`
			VideoChannelID *json.RawMessage `json:"videoChannelId"`
		}
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			return in, fieldError("body", "the JSON body could not be read")
		}
		in.DisplayName, in.Description = b.DisplayName, b.Description
		var err error
		if in.Privacy, err = jsonInt(b.Privacy, "privacy"); err != nil {
			return in, err
		}
		id, err := jsonInt(b.VideoChannelID, "videoChannelId")
		if err != nil {
			return in, err
		}
		if id != nil {
			n := int64(*id)
			in.ChannelID = &n
		}
		return in, nil
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return in, fieldError("body", "the form could not be read")
	}
	form := func(k string) (string, bool) {
		if r.Form == nil {
			r.ParseForm()
		}
		v, ok := r.Form[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	if v, ok := form("displayName"); ok {
		in.DisplayName = &v
	}
	if v, ok := form("description"); ok {
		in.Description = &v
	}
	if v, ok := form("privacy"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return in, fieldError("privacy", "Should have correct playlist privacy")
		}
		in.Privacy = &n
	}
	if v, ok := form("videoChannelId"); ok {
		var n int64
		if v != "" && v != "null" {
			var err error
			if n, err = strconv.ParseInt(v, 10, 64); err != nil {
				return in, fieldError("videoChannelId", "Should have correct video channel id")
			}
		}
		in.ChannelID = &n
	}
	return in, nil
}

// jsonInt reads an optional JSON integer (a number or a numeric string, as
// PeerTube's validators take); null reads as 0.
func jsonInt(raw *json.RawMessage, field string) (*int, error) {
	if raw == nil {
		return nil, nil
	}
	s := strings.Trim(string(*raw), `"`)
	if s == "null" || s == "" {
		n := 0
		return &n, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, fieldError(field, "Should have a valid %s", field)
	}
	return &n, nil
}

func (s *Server) apiCreatePlaylist(c echo.Context) error {
	in, err := playlistInput(c)
	if err != nil {
		return err
	}
	p, err := s.Playlists.Create(c.Request().Context(), viewer(c), in)
	if err != nil {
		return socialError(err)
	}
	var out apiPlaylistCreated
	out.VideoPlaylist.ID, out.VideoPlaylist.UUID, out.VideoPlaylist.ShortUUID = p.ID, p.UUID, p.ShortUUID
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiUpdatePlaylist(c echo.Context) error {
	in, err := playlistInput(c)
	if err != nil {
		return err
	}
	if err := s.Playlists.Update(c.Request().Context(), viewer(c), c.Param("id"), in); err != nil {
		return socialError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiDeletePlaylist(c echo.Context) error {
	if err := s.Playlists.Delete(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return socialError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiPlaylistVideos(c echo.Context) error {
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	_, es, total, err := s.Playlists.Elements(c.Request().Context(), viewer(c), c.Param("id"), start, count)
	if err != nil {
		return socialError(err)
	}
	out := apiPlaylistElements{Total: total, Data: make([]apiPlaylistElement, 0, len(es))}
	for _, e := range es {
		out.Data = append(out.Data, s.elementJSON(c, e))
	}
	return c.JSON(http.StatusOK, out)
}

// elementBody is PeerTube's addVideoPlaylistVideo and putVideoPlaylistVideo
// body; videoId is a number, a UUID or a short UUID.
type elementBody struct {
	VideoID        json.RawMessage `json:"videoId"`
	StartTimestamp *int            `json:"startTimestamp"`
	StopTimestamp  *int            `json:"stopTimestamp"`
}

func readElementBody(c echo.Context) (elementBody, error) {
	var b elementBody
	r := c.Request()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			return b, fieldError("body", "the JSON body could not be read")
		}
		return b, nil
	}
	num := func(k string) (*int, error) {
		v := c.FormValue(k)
		if v == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fieldError(k, "Should have a valid %s", k)
		}
		return &n, nil
	}
	var err error
	if b.StartTimestamp, err = num("startTimestamp"); err != nil {
		return b, err
	}
	if b.StopTimestamp, err = num("stopTimestamp"); err != nil {
		return b, err
	}
	if v := c.FormValue("videoId"); v != "" {
		b.VideoID, _ = json.Marshal(v)
	}
	return b, nil
}

func (s *Server) apiAddPlaylistVideo(c echo.Context) error {
	b, err := readElementBody(c)
	if err != nil {
		return err
	}
	ref := strings.Trim(string(b.VideoID), `"`)
	if ref == "" || ref == "null" {
		return fieldError("videoId", "Should have a valid video id")
	}
	_, e, err := s.Playlists.AddVideo(c.Request().Context(), viewer(c), c.Param("id"), ref,
		playlists.Times{Start: b.StartTimestamp, Stop: b.StopTimestamp})
	if err != nil {
		return socialError(err)
	}
	var out apiElementAdded
	out.VideoPlaylistElement.ID = e.ID
	return c.JSON(http.StatusOK, out)
}

func elementID(c echo.Context) (int64, error) {
	n, err := strconv.ParseInt(c.Param("elementId"), 10, 64)
	if err != nil || n <= 0 {
		return 0, apiError(http.StatusNotFound, "Video playlist element not found")
	}
	return n, nil
}

func (s *Server) apiUpdatePlaylistVideo(c echo.Context) error {
	id, err := elementID(c)
	if err != nil {
		return err
	}
	b, err := readElementBody(c)
	if err != nil {
		return err
	}
	err = s.Playlists.SetTimes(c.Request().Context(), viewer(c), c.Param("id"), id, playlists.Times{Start: b.StartTimestamp, Stop: b.StopTimestamp})
	if err != nil {
		return socialError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiDeletePlaylistVideo(c echo.Context) error {
	id, err := elementID(c)
	if err != nil {
		return err
	}
	if err := s.Playlists.Remove(c.Request().Context(), viewer(c), c.Param("id"), id); err != nil {
		return socialError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

type reorderBody struct {
	StartPosition       *int `json:"startPosition" form:"startPosition"`
	InsertAfterPosition *int `json:"insertAfterPosition" form:"insertAfterPosition"`
	ReorderLength       *int `json:"reorderLength" form:"reorderLength"`
}

func (s *Server) apiReorderPlaylist(c echo.Context) error {
	var b reorderBody
	if err := c.Bind(&b); err != nil {
		return fieldError("startPosition", "the body could not be read")
	}
	switch {
	case b.StartPosition == nil:
		return fieldError("startPosition", "Should have a valid start position")
	case b.InsertAfterPosition == nil:
		return fieldError("insertAfterPosition", "Should have a valid insert after position")
	}
	m := playlists.Move{Start: *b.StartPosition, After: *b.InsertAfterPosition, Length: 1}
	if b.ReorderLength != nil {
		m.Length = *b.ReorderLength
	}
	if err := s.Playlists.Reorder(c.Request().Context(), viewer(c), c.Param("id"), m); err != nil {
		return socialError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// queryIDs reads a list of numeric ids: repeated (videoIds=1&videoIds=2),
// with brackets (videoIds[]=1) or comma-separated.
func queryIDs(c echo.Context, name string) ([]int64, error) {
	q := c.QueryParams()
	var out []int64
	for _, v := range append(q[name], q[name+"[]"]...) {
		for _, part := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || n <= 0 {
				return nil, fieldError(name, "Should have a valid %s array", name)
			}
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fieldError(name, "Should have a valid %s array", name)
	}
	return out, nil
}

func (s *Server) apiVideosExist(c echo.Context) error {
	ids, err := queryIDs(c, "videoIds")
	if err != nil {
		return err
	}
	found, err := s.Playlists.VideosExist(c.Request().Context(), viewer(c), ids)
	if err != nil {
		return socialError(err)
	}
	out := make(map[string][]apiVideoInPlaylist, len(found))
	for id, es := range found {
		list := make([]apiVideoInPlaylist, 0, len(es))
		for _, e := range es {
			list = append(list, apiVideoInPlaylist{PlaylistElementID: e.ID, PlaylistID: e.PlaylistID, StartTimestamp: e.Start, StopTimestamp: e.Stop})
		}
		out[strconv.FormatInt(id, 10)] = list
	}
	return c.JSON(http.StatusOK, out)
}
