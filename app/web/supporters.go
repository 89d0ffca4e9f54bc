package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/feeds"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/supporters"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// Supporters (#11): a creator's supporter list, the personal links that
// let a supporter in (/s/<token> sets a cookie), and who supports whom on
// each request (Viewer.SupporterOf), asked again on every request so that
// revoking ends access at once, HLS segments included.

const (
	supporterCookiePrefix = "cabane_sp_" // + the creator's account id; value: the link's token
	supporterCookieFor    = 365 * 24 * time.Hour
	maxSupporterCookies   = 10
	// supporterTokenParam carries a link's token where no cookie goes: a
	// supporter's podcast feed and its enclosures.
	supporterTokenParam = "supporterToken"
	ctxSupporters       = "supporters"
	ctxFileHolder       = "fileHolder" // filetoken.go: the user a video file token was given to
)

// supporterRoutes are the access link, the creator's page and the
// per-request resolution of supporters.
func (s *Server) supporterRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	// Global, as the unlock cookies: pages, the API and files all ask.
	e.Use(s.supporterMiddleware)
	ready := func() bool { return s.Supporters != nil }
	e.GET("/s/:token", s.supporterLink, whenReady(page, ready)...)
	user := whenReady(append(page[:len(page):len(page)], s.requireLogin), ready)
	e.GET("/my/supporters", s.mySupporters, user...)
	e.POST("/my/supporters", s.mySupporterAdd, user...)
	e.POST("/my/supporters/:id/revoke", s.mySupporterRevoke, user...)
}

// supporterState resolves, once per request and viewer, the accounts the
// request's viewer supports.
type supporterState struct {
	s        *Server
	c        echo.Context
	done     bool
	account  int64
	owners   []int64
	holder   bool
	ofHolder []int64
}

func (s *Server) supporterMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Supporters != nil {
			c.Set(ctxSupporters, &supporterState{s: s, c: c})
		}
		return next(c)
	}
}

// hasSupporterCredential reports whether the request carries a link's
// token (cookie or parameter): its answers are its own, never cached for
// the anonymous.
func hasSupporterCredential(c echo.Context) bool {
	for _, ck := range c.Request().Cookies() {
		if strings.HasPrefix(ck.Name, supporterCookiePrefix) {
			return true
		}
	}
	return c.Request().URL.RawQuery != "" && c.QueryParam(supporterTokenParam) != ""
}

// withSupporters adds to v whom the request's viewer supports: as their
// local account, by their links' cookies or token, and (for files) as
// the holder of a video file token.
func withSupporters(c echo.Context, v *visibility.Viewer) {
	st, ok := c.Get(ctxSupporters).(*supporterState)
	if !ok {
		return
	}
	v.SupporterOf = st.of(v.AccountID)
	v.HolderSupports = st.holderSupports()
}

func (st *supporterState) of(account int64) []int64 {
	if st.done && st.account == account {
		return st.owners
	}
	ctx := st.c.Request().Context()
	sv := st.s.Supporters
	var owners []int64
	add := func(id int64) {
		if id != 0 && !containsID(owners, id) {
			owners = append(owners, id)
		}
	}
	if account != 0 {
		ids, err := sv.SupportedBy(ctx, account)
		if err != nil {
			st.s.Log.Warn("supporters of an account", "err", err)
		}
		for _, id := range ids {
			add(id)
		}
	}
	n := 0
	for _, ck := range st.c.Request().Cookies() {
		if !strings.HasPrefix(ck.Name, supporterCookiePrefix) || n >= maxSupporterCookies {
			continue
		}
		n++
		add(st.s.supportedByToken(ctx, ck.Value))
	}
	if st.c.Request().URL.RawQuery != "" {
		add(st.s.supportedByToken(ctx, st.c.QueryParam(supporterTokenParam)))
	}
	st.done, st.account, st.owners = true, account, owners
	return owners
}

// holderSupports: the accounts the holder of the request's file token
// supports, and their own (a creator's app plays their own videos).
func (st *supporterState) holderSupports() []int64 {
	if st.holder {
		return st.ofHolder
	}
	st.holder = true
	id, _ := st.c.Get(ctxFileHolder).(int64)
	if id == 0 {
		return nil
	}
	ctx := st.c.Request().Context()
	u, err := st.s.Auth.ActiveUser(ctx, id)
	if err != nil {
		return nil
	}
	owners, err := st.s.Supporters.SupportedBy(ctx, u.AccountID)
	if err != nil {
		st.s.Log.Warn("supporters of a file token's holder", "err", err)
	}
	st.ofHolder = append([]int64{u.AccountID}, owners...)
	return st.ofHolder
}

func (s *Server) supportedByToken(ctx context.Context, tok string) int64 {
	if tok == "" {
		return 0
	}
	id, err := s.Supporters.ByToken(ctx, tok)
	if err != nil {
		s.Log.Warn("supporter link", "err", err)
	}
	return id
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// supporterLink is /s/<token>: a valid link sets its cookie and leads to
// the creator's page; a revoked or unknown one is a 404.
func (s *Server) supporterLink(c echo.Context) error {
	ctx := c.Request().Context()
	owner := s.supportedByToken(ctx, c.Param("token"))
	if owner == 0 {
		return pageError(http.StatusNotFound, "supporters.no_link")
	}
	acc, err := s.Accounts.AccountByID(ctx, owner)
	if err != nil {
		return notFound(err, "supporters.no_link")
	}
	c.SetCookie(&http.Cookie{Name: supporterCookiePrefix + strconv.FormatInt(owner, 10), Value: c.Param("token"), Path: "/",
		MaxAge: int(supporterCookieFor.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c)})
	return c.Redirect(http.StatusSeeOther, "/a/"+url.PathEscape(acc.Name))
}

type supporterRow struct {
	ID       int64
	Kind     string
	Name     string
	Link     string
	Revoked  bool
	Added    time.Time
	ActorIRI string
}

type mySupportersData struct {
	Supporters []supporterRow
	Kinds      []option
	New        string // the link just made, shown first
}

func (s *Server) mySupporters(c echo.Context) error {
	return s.renderSupporters(c, http.StatusOK, "", "")
}

func (s *Server) renderSupporters(c echo.Context, code int, errKey, fresh string) error {
	es, err := s.Supporters.List(c.Request().Context(), viewer(c))
	if err != nil {
		return s.supportersRefused(c, err)
	}
	v := s.view(c, "", nil)
	d := mySupportersData{New: fresh}
	base := s.baseURL(c)
	for _, e := range es {
		d.Supporters = append(d.Supporters, supporterRow{ID: e.ID, Kind: v.T("supporters.kind." + e.Kind), Name: e.Name,
			Link: base + "/s/" + e.Token, Revoked: !e.Active(), Added: e.CreatedAt, ActorIRI: e.ActorIRI})
	}
	for _, k := range []string{model.SupporterLocal, model.SupporterRemote, model.SupporterNamed} {
		d.Kinds = append(d.Kinds, option{Value: k, Label: v.T("supporters.kind." + k)})
	}
	v.Data, v.Title = d, v.T("supporters.title")
	switch c.QueryParam("done") {
	case "added", "revoked":
		v.Notice = v.T("supporters.done." + c.QueryParam("done"))
	}
	if errKey != "" {
		v.Error = v.T(errKey)
	}
	return s.renderView(c, code, "my_supporters", v)
}

func (s *Server) mySupporterAdd(c echo.Context) error {
	if err := readSmallForm(c); err != nil {
		return err
	}
	f := c.Request().PostForm
	e, err := s.Supporters.Add(c.Request().Context(), viewer(c), supporters.AddRequest{Kind: f.Get("kind"), Who: f.Get("who")})
	switch {
	case errors.Is(err, supporters.ErrBadName):
		return s.renderSupporters(c, http.StatusBadRequest, "supporters.error.name", "")
	case errors.Is(err, supporters.ErrNoAccount):
		return s.renderSupporters(c, http.StatusBadRequest, "supporters.error.account", "")
	case errors.Is(err, supporters.ErrBadHandle):
		return s.renderSupporters(c, http.StatusBadRequest, "supporters.error.handle", "")
	case errors.Is(err, supporters.ErrDuplicate):
		return s.renderSupporters(c, http.StatusConflict, "supporters.error.duplicate", "")
	case err != nil:
		return s.supportersRefused(c, err)
	}
	return s.renderSupporters(c, http.StatusOK, "", s.baseURL(c)+"/s/"+e.Token)
}

func (s *Server) mySupporterRevoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return pageError(http.StatusNotFound, "supporters.no_supporter")
	}
	if err := s.Supporters.Revoke(c.Request().Context(), viewer(c), id); err != nil {
		return s.supportersRefused(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/supporters?done=revoked")
}

func (s *Server) supportersRefused(c echo.Context, err error) error {
	switch {
	case errors.Is(err, model.ErrNotFound):
		return pageError(http.StatusNotFound, "supporters.no_supporter")
	case errors.Is(err, supporters.ErrNotAllowed):
		return pageError(http.StatusForbidden, "supporters.not_allowed")
	}
	return err
}

// earlyAccessField is the edit form's "public on" date (datetime-local,
// in UTC as the form says), zero when empty.
const earlyAccessField = "publicOn"

func parseEarlyAccess(f url.Values) (time.Time, error) {
	raw := strings.TrimSpace(f.Get(earlyAccessField))
	if raw == "" || f.Get("privacy") != strconv.Itoa(model.PrivacySupporters) {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, raw, time.UTC); err == nil && t.After(time.Now()) {
			return t, nil
		}
	}
	return time.Time{}, &videos.FieldError{Field: earlyAccessField, Msg: supporters.ErrPastDate.Error()}
}

// earlyAccessValue is the form's value for a video's public date.
func (s *Server) earlyAccessValue(ctx context.Context, v model.Video) string {
	if s.Supporters == nil || v.Privacy != model.PrivacySupporters {
		return ""
	}
	at, err := s.Supporters.EarlyAccess(ctx, v.ID)
	if err != nil || at.IsZero() {
		return ""
	}
	return at.UTC().Format("2006-01-02T15:04")
}

// feedSupporter is who a podcast feed is for: a supporter by the link's
// token in ?supporterToken= (a podcast app sends no cookie), checked now.
func (s *Server) feedSupporter(c echo.Context) feeds.Supporter {
	tok := c.QueryParam(supporterTokenParam)
	if s.Supporters == nil || tok == "" {
		return feeds.Supporter{}
	}
	owner := s.supportedByToken(c.Request().Context(), tok)
	if owner == 0 {
		return feeds.Supporter{}
	}
	return feeds.Supporter{Of: []int64{owner}, Token: tok}
}
