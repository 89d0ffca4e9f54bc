package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/funding"
	"cabane.dev/cabane/app/model"
)

// supportView is the Support block of the channel, account and watch
// pages and the embed's end screen (#11): the support text (Markdown,
// rendered through app/markup by the template) and the funding links.
type supportView struct {
	Text  string
	Links []model.FundingLink
}

// supportOf is the support block for text and o's links; nil when there
// is neither, so no button shows.
func (s *Server) supportOf(ctx context.Context, text string, o model.FundingOwner) (*supportView, error) {
	v := &supportView{Text: strings.TrimSpace(text)}
	if s.Funding != nil {
		links, err := s.Funding.Links(ctx, o)
		if err != nil {
			return nil, err
		}
		v.Links = links
	}
	if v.Text == "" && len(v.Links) == 0 {
		return nil, nil
	}
	return v, nil
}

// mySupportRoutes are the page where a creator says how to support them:
// their account's links (its Person) and each channel's support text and
// links. Plain POSTs with the page's CSRF field, then a redirect back.
func (s *Server) mySupportRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	user := whenReady(append(page[:len(page):len(page)], s.requireLogin), func() bool { return s.Funding != nil })
	e.GET("/my/support", s.mySupport, user...)
	e.POST("/my/support/account", s.mySupportAccount, user...)
	e.POST("/my/support/channels/:id", s.mySupportChannel, user...)
}

// fundingRow is one row of a links form.
type fundingRow struct {
	N     int // 1-based, for the labels
	Kinds []option
	Label string
	Value string // the URL, or a bank transfer's note
}

type fundingForm struct {
	Action string
	ID     string // DOM id prefix
	Rows   []fundingRow
}

type supportChannelForm struct {
	Form                       fundingForm
	Name, DisplayName, Support string
}

type mySupportData struct {
	Account  fundingForm
	Channels []supportChannelForm
	Max      int
}

// spareRows are the empty rows a links form offers beyond the stored ones.
const spareRows = 3

func (s *Server) fundingRows(v view, links []model.FundingLink) []fundingRow {
	n := max(min(len(links)+spareRows, funding.MaxLinks), len(links))
	rows := make([]fundingRow, 0, n)
	for i := range n {
		var l model.FundingLink
		if i < len(links) {
			l = links[i]
		}
		r := fundingRow{N: i + 1, Label: l.Label, Value: l.URL}
		if l.Kind == model.FundingBank {
			r.Value = l.Note
		}
		for _, k := range model.FundingKinds {
			r.Kinds = append(r.Kinds, option{Value: k, Label: v.T("support.kind." + k), Selected: k == l.Kind})
		}
		rows = append(rows, r)
	}
	return rows
}

func (s *Server) mySupport(c echo.Context) error {
	return s.renderSupport(c, http.StatusOK, "", nil)
}

// refusedForm is what a refused form sent, shown again as typed so that
// nothing is lost while the one mistake is fixed.
type refusedForm struct {
	Action  string
	Links   []model.FundingLink
	Support *string
}

// renderSupport shows the page, with a refusal's sentence and the
// refused form's values when a form was refused.
func (s *Server) renderSupport(c echo.Context, code int, problem string, refused *refusedForm) error {
	ctx, who := c.Request().Context(), viewer(c)
	v := s.view(c, "", nil)
	links, err := s.Funding.Links(ctx, model.AccountFunding(who.AccountID))
	if err != nil {
		return err
	}
	typed := func(action string, links []model.FundingLink) []model.FundingLink {
		if refused != nil && refused.Action == action {
			return refused.Links
		}
		return links
	}
	d := mySupportData{Max: funding.MaxLinks,
		Account: fundingForm{Action: "/my/support/account", ID: "acc", Rows: s.fundingRows(v, typed("/my/support/account", links))}}
	chs, err := s.Accounts.ChannelsOf(ctx, who.AccountID)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		links, err := s.Funding.Links(ctx, model.ChannelFunding(ch.ID))
		if err != nil {
			return err
		}
		id := strconv.FormatInt(ch.ID, 10)
		action, support := "/my/support/channels/"+id, ch.Support
		if refused != nil && refused.Action == action && refused.Support != nil {
			support = *refused.Support
		}
		d.Channels = append(d.Channels, supportChannelForm{Name: ch.Name, DisplayName: ch.DisplayName, Support: support,
			Form: fundingForm{Action: action, ID: "ch" + id, Rows: s.fundingRows(v, typed(action, links))}})
	}
	v.Data, v.Title, v.Error = d, v.T("support.title"), problem
	if c.QueryParam("done") == "saved" {
		v.Notice = v.T("my.done.saved")
	}
	return s.renderView(c, code, "my_support", v)
}

// formLinks reads a links form: rows of kind, label and value (a URL, or
// a bank transfer's note), in order.
func formLinks(c echo.Context) []model.FundingLink {
	f := c.Request().PostForm
	kinds, labels, values := f["kind"], f["label"], f["value"]
	n := min(len(kinds), len(labels), len(values))
	out := make([]model.FundingLink, 0, n)
	for i := range n {
		l := model.FundingLink{Kind: kinds[i], Label: labels[i]}
		if kinds[i] == model.FundingBank {
			l.Note = values[i]
		} else {
			l.URL = values[i]
		}
		out = append(out, l)
	}
	return out
}

func (s *Server) mySupportAccount(c echo.Context) error {
	if err := c.Request().ParseForm(); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	links := formLinks(c)
	if err := s.Funding.SetAccountLinks(c.Request().Context(), viewer(c), links); err != nil {
		return s.supportRefused(c, err, &refusedForm{Action: "/my/support/account", Links: links})
	}
	return c.Redirect(http.StatusSeeOther, "/my/support?done=saved")
}

func (s *Server) mySupportChannel(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err := c.Request().ParseForm(); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	links := formLinks(c)
	u := funding.ChannelUpdate{Links: &links}
	if _, ok := c.Request().PostForm["support"]; ok {
		text := c.FormValue("support")
		u.Support = &text
	}
	if err := s.Funding.UpdateChannel(c.Request().Context(), viewer(c), id, u); err != nil {
		return s.supportRefused(c, err, &refusedForm{Action: c.Request().URL.Path, Links: links, Support: u.Support})
	}
	return c.Redirect(http.StatusSeeOther, "/my/support?done=saved")
}

// supportRefused shows the page again with why, or hands err on.
func (s *Server) supportRefused(c echo.Context, err error, typed *refusedForm) error {
	v := s.view(c, "", nil)
	var fe *funding.FieldError
	switch {
	case errors.As(err, &fe) && fe.Field == "support":
		return s.renderSupport(c, http.StatusBadRequest, v.T("my.error.field", v.T("support.field.support"), fe.Msg), typed)
	case errors.As(err, &fe) && fe.Field == "count":
		return s.renderSupport(c, http.StatusBadRequest, v.T("support.error.count", funding.MaxLinks), typed)
	case errors.As(err, &fe):
		return s.renderSupport(c, http.StatusBadRequest, v.T("support.error.link", fe.Index+1, fe.Msg), typed)
	case errors.Is(err, funding.ErrForbidden), errors.Is(err, model.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return err
}
