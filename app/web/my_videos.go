package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// myVideoRow is one line of "my videos": the video and what processing
// made of it so far.
type myVideoRow struct {
	model.Video
	Progress float64 // percent, while it is encoded
	Views    int64
}

type myVideosData struct {
	Videos     []myVideoRow
	Total      int
	Prev, Next string
}

// myVideos lists the signed-in user's videos, whatever their state or
// privacy, newest first.
func (s *Server) myVideos(c echo.Context) error {
	u := currentUser(c)
	q := videos.ListQuery{OwnerAccountID: u.AccountID, AccountOnly: true, Start: pageStart(c), Count: pageSize, Sort: "-createdAt"}
	vs, total, err := s.Videos.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return err
	}
	d := myVideosData{Total: total}
	for _, v := range vs {
		d.Videos = append(d.Videos, myVideoRow{Video: v, Progress: s.Videos.Progress(v), Views: s.Videos.Views(v)})
	}
	d.Prev, d.Next = pageLinks(c, q.Start, total)
	return s.renderMine(c, "my_videos", "my.videos.title", d)
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// myVideoEditData is the edit form: the video and the constants' choices.
type myVideoEditData struct {
	Video                                      model.Video
	Tags                                       string
	Published                                  string // originally published, yyyy-mm-dd
	Categories, Licences, Languages, Privacies []option
	CommentPolicies                            []option
	// Extras are the thumbnail, captions, chapters and passwords
	// (my_video_extras.go).
	Extras myVideoExtras
	// PublicOn is when a supporter-only video turns public (supporters.go).
	PublicOn string
}

func intOptions(m map[int]string, selected int, none string) []option {
	out := []option{}
	if none != "" {
		out = append(out, option{Value: "", Label: none, Selected: selected == 0})
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		out = append(out, option{Value: strconv.Itoa(k), Label: m[k], Selected: k == selected})
	}
	return out
}

// editData builds the form for v in the page's language.
func (s *Server) editData(v view, vid model.Video) myVideoEditData {
	d := myVideoEditData{Video: vid, Tags: strings.Join(vid.Tags, ", ")}
	if !vid.OriginallyPublishedAt.IsZero() {
		d.Published = vid.OriginallyPublishedAt.UTC().Format("2006-01-02")
	}
	d.Categories = intOptions(videos.Categories(), vid.Category, v.T("my.none"))
	d.Licences = intOptions(videos.Licences(), vid.Licence, v.T("my.none"))
	langs := videos.Languages()
	codes := make([]string, 0, len(langs))
	for k := range langs {
		codes = append(codes, k)
	}
	sort.Slice(codes, func(i, j int) bool { return langs[codes[i]] < langs[codes[j]] })
	d.Languages = []option{{Value: "", Label: v.T("my.none"), Selected: vid.Language == ""}}
	for _, k := range codes {
		d.Languages = append(d.Languages, option{Value: k, Label: langs[k], Selected: k == vid.Language})
	}
	for _, p := range []int{model.PrivacyPublic, model.PrivacyUnlisted, model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyPassword, model.PrivacyLocal, model.PrivacySupporters} {
		d.Privacies = append(d.Privacies, option{Value: strconv.Itoa(p), Label: v.T("my.privacy." + strconv.Itoa(p)), Selected: p == vid.Privacy})
	}
	for _, p := range []int{model.CommentsEnabled, model.CommentsDisabled, model.CommentsRequiresApproval} {
		d.CommentPolicies = append(d.CommentPolicies, option{Value: strconv.Itoa(p), Label: v.T("my.comments." + strconv.Itoa(p)), Selected: p == vid.CommentsPolicy})
	}
	return d
}

// myVideoEdit is the edit form of one of the user's videos (an admin may
// edit any, as through the API; nobody a remote one: visibility.Edit).
func (s *Server) myVideoEdit(c echo.Context) error {
	vid, err := s.Videos.Details(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return notFound(err, "errors.no_video")
	}
	v := s.view(c, "", nil)
	if !visibility.Edit(viewer(c), vid) {
		return echo.NewHTTPError(http.StatusForbidden, v.T("my.error.forbidden"))
	}
	d := s.editData(v, vid)
	if err := s.fillExtras(c, &d, nil); err != nil {
		return err
	}
	v.Data, v.Title = d, v.T("my.edit.title", vid.Name)
	v.Notice = noticeOf(v, c)
	return s.renderView(c, http.StatusOK, "my_video_edit", v)
}

// myVideoUpdate applies the form through the same parser as PUT
// /api/v1/videos/{id}; a refused field shows the form again with what was
// typed and the reason.
func (s *Server) myVideoUpdate(c echo.Context) error {
	ctx, who, ref := c.Request().Context(), viewer(c), c.Param("id")
	f, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	form := editForm(f)
	e, err := videos.ParseEdit(form)
	publicOn, perr := parseEarlyAccess(f) // supporters.go
	if err == nil && perr != nil {
		err = perr
	}
	if err == nil {
		var updated model.Video
		if updated, err = s.Videos.Update(ctx, who, ref, e); err == nil && s.Supporters != nil {
			err = s.Supporters.SetEarlyAccess(ctx, updated, publicOn)
		}
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/my/videos/"+url.PathEscape(ref)+"?done=saved")
	}
	v := s.view(c, "", nil)
	code, msg, ok := myError(v, err)
	if !ok || code != http.StatusBadRequest {
		if ok {
			return echo.NewHTTPError(code, msg)
		}
		return err
	}
	vid, gerr := s.Videos.Details(ctx, who, ref)
	if gerr != nil {
		return notFound(gerr, "errors.no_video")
	}
	// Show what was typed, so nothing is lost.
	if pe, perr := videos.ParseEdit(typedOnly(form)); perr == nil {
		pe.Apply(&vid)
	}
	d := s.editData(v, vid)
	if err := s.fillExtras(c, &d, nil); err != nil {
		return err
	}
	d.Extras.Passwords = f.Get("videoPasswords") // as typed
	v.Data, v.Title, v.Error = d, v.T("my.edit.title", vid.Name), msg
	return s.renderView(c, code, "my_video_edit", v)
}

// editForm maps the page's fields onto the API's: tags come as one
// comma-separated field, the booleans as checkboxes (absent: false).
func editForm(f url.Values) videos.Form {
	form := videos.Form{}
	for _, k := range []string{"name", "description", "privacy", "category", "licence", "language", "support", "commentsPolicy", "originallyPublishedAt"} {
		if vs, ok := f[k]; ok {
			form[k] = vs
		}
	}
	tags := []string{}
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	form["tags"] = tags
	form["downloadEnabled"] = []string{boolField(f, "downloadEnabled")}
	form["nsfw"] = []string{boolField(f, "nsfw")}
	// Passwords, one per line, when the video is (or becomes) password
	// protected: none typed keeps a protected video's passwords.
	if f.Get("privacy") == strconv.Itoa(model.PrivacyPassword) {
		if ps := passwordLines(f.Get("videoPasswords")); len(ps) > 0 {
			form["videoPasswords"] = ps
		}
	}
	return form
}

func boolField(f url.Values, name string) string {
	if f.Get(name) != "" {
		return "true"
	}
	return "false"
}

// typedOnly keeps the fields that parse on their own, to refill the form
// after a refusal.
func typedOnly(f videos.Form) videos.Form {
	out := videos.Form{}
	for k, v := range f {
		if _, err := videos.ParseEdit(videos.Form{k: v}); err == nil {
			out[k] = v
		}
	}
	return out
}

// myVideoDelete deletes one of the user's videos; the form asks for
// confirmation (a checkbox, and a dialog where JavaScript runs).
func (s *Server) myVideoDelete(c echo.Context) error {
	v := s.view(c, "", nil)
	if c.FormValue("confirm") == "" {
		return echo.NewHTTPError(http.StatusBadRequest, v.T("my.delete.confirm_needed"))
	}
	if err := s.Videos.Delete(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/videos?done=deleted")
}

// noticeOf is the sentence for ?done=… after a redirect: a fixed key, so
// a link cannot make the page say anything.
// renderMine renders one of the signed-in user's pages: its title from the
// catalogue, and the notice of what the form before it did (?done=).
func (s *Server) renderMine(c echo.Context, page, titleKey string, data any) error {
	v := s.view(c, "", data)
	v.Title, v.Notice = v.T(titleKey), noticeOf(v, c)
	return s.renderView(c, http.StatusOK, page, v)
}

func noticeOf(v view, c echo.Context) string {
	switch d := c.QueryParam("done"); d {
	case "saved", "deleted", "created", "password", "avatar", "read", "subscribed", "unsubscribed", "renewed", "added", "removed":
		return v.T("my.done." + d)
	case "thumbnail", "caption_added", "caption_deleted", "chapters", "muted", "unmuted": // my_video_extras.go, my_muted.go
		return v.T("mycreator.done." + d)
	case "follower_approved", "follower_rejected", "follower_policy": // my_followers.go (#10)
		return v.T("follows.done." + d)
	case "export_requested", "export_busy", "export_deleted", "export_too_large": // user_exports.go (#11)
		return v.T("export.done." + d)
	case "import_requested", "import_busy", "import_refused", "import_too_big": // user_imports.go (#11)
		return v.T("import.done." + d)
	case "recommended", "unrecommended": // my_recommendations.go (#11)
		return v.T("recommend.done." + d)
	}
	return ""
}
