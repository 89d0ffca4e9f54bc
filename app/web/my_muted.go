package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/model"
)

// Muting (#9 point 8) on the pages: the user's own account blocklist, the
// one PeerTube's /users/me/blocklist/accounts keeps. A muted account's
// videos and comments leave the user's own listings through visibility
// (Listing.MutedBy, Blocked); these pages only keep the list.

// muteView is the channel and account pages' "mute" button: nil for the
// anonymous, and on one's own pages.
type muteView struct {
	Account string // the handle the form sends
	Muted   bool
	Next    string
}

// muteButton is the button for the account accountID (named name), as the
// signed-in visitor sees it.
func (s *Server) muteButton(c echo.Context, accountID int64, name string) (*muteView, error) {
	u := currentUser(c)
	if s.Blocklist == nil || u == nil || u.AccountID == accountID {
		return nil, nil
	}
	b, err := s.Blocklist.Blocks(c.Request().Context(), viewer(c), accountID)
	if err != nil {
		return nil, err
	}
	return &muteView{Account: name, Muted: b.Muted, Next: c.Request().URL.RequestURI()}, nil
}

type myMutedData struct {
	Accounts   []model.AccountBlock
	Total      int
	Prev, Next string
}

// myMuted lists the accounts the user muted, newest first.
func (s *Server) myMuted(c echo.Context) error {
	start := pageStart(c)
	bs, total, err := s.Blocklist.Accounts(c.Request().Context(), viewer(c), blocklist.Mine, start, pageSize, "-createdAt")
	if err != nil {
		return s.muteRefused(c, err)
	}
	d := myMutedData{Accounts: bs, Total: total}
	d.Prev, d.Next = pageLinks(c, start, total)
	return s.renderMine(c, "my_muted", "mycreator.muted.title", d)
}

// myMute mutes the account the form names, then goes back where it came
// from (the account or channel page).
func (s *Server) myMute(c echo.Context) error {
	if err := s.Blocklist.BlockAccount(c.Request().Context(), viewer(c), blocklist.Mine, c.FormValue("account")); err != nil {
		return s.muteRefused(c, err)
	}
	return back(c, "/my/muted?done=muted")
}

// myUnmute removes a mute; one that was not there is done already.
func (s *Server) myUnmute(c echo.Context) error {
	err := s.Blocklist.UnblockAccount(c.Request().Context(), viewer(c), blocklist.Mine, c.FormValue("account"))
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return s.muteRefused(c, err)
	}
	return back(c, "/my/muted?done=unmuted")
}

func (s *Server) muteRefused(c echo.Context, err error) error {
	w := s.pageWords(c)
	switch {
	case errors.Is(err, blocklist.ErrSelf):
		return echo.NewHTTPError(http.StatusConflict, w.T("mycreator.muted.self"))
	case errors.Is(err, model.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, w.T("errors.no_account"))
	}
	return s.refuse(c, err)
}
