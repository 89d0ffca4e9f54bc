package web

import (
	"context"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/instance"
)

// about is the instance's settings, what the admin's form edits.
func (s *Server) about(ctx context.Context) instance.About {
	if s.Instance == nil {
		return instance.About{Name: s.instanceName(), VideoQuota: defaultQuota(s.Config.Limits.VideoQuota),
			VideoQuotaDaily: defaultQuota(s.Config.Limits.VideoQuotaDaily)}
	}
	a, err := s.Instance.Get(ctx)
	if err != nil {
		s.Log.Error("read the instance's settings", "err", err)
	}
	return a
}

// aboutView is the public /about page: the texts as safe HTML, the
// optional ones only when written.
type aboutView struct {
	Name, ShortDescription string
	Description, Terms     template.HTML
	Texts                  []aboutText
}

type aboutText struct {
	Name string
	HTML template.HTML
}

// aboutPage is /about: the descriptions and terms the admin wrote, their
// Markdown rendered by app/markup (goldmark, then a sanitiser's allowlist).
func (s *Server) aboutPage(c echo.Context) error {
	a := s.about(c.Request().Context())
	d := aboutView{Name: a.Name, ShortDescription: a.ShortDescription,
		Description: template.HTML(s.md.HTML(a.Description)), Terms: template.HTML(s.md.HTML(a.Terms))}
	for _, f := range a.Fields() {
		if strings.TrimSpace(f.Text) != "" {
			d.Texts = append(d.Texts, aboutText{Name: f.Name, HTML: template.HTML(s.md.HTML(f.Text))})
		}
	}
	v := s.view(c, "", d)
	v.Title = v.T("adminpages.about.heading", a.Name)
	return s.renderView(c, http.StatusOK, "about", v)
}

// instanceForm is the admin's form, quotas in MiB.
type instanceForm struct {
	instance.About
	QuotaMiB, DailyMiB int64
	Federation         federationState // federation.go
}

func (s *Server) adminInstance(c echo.Context) error {
	a := s.about(c.Request().Context())
	v := s.view(c, "", instanceForm{About: a, QuotaMiB: quotaMiB(a.VideoQuota), DailyMiB: quotaMiB(a.VideoQuotaDaily),
		Federation: s.federationState()})
	v.Title = v.T("adminpages.instance.title")
	adminMessages(c, &v)
	return s.renderView(c, http.StatusOK, "admin_instance", v)
}

func (s *Server) adminInstanceSave(c echo.Context) error {
	if s.Instance == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	a := instance.About{Name: strings.TrimSpace(c.FormValue("name")), ShortDescription: strings.TrimSpace(c.FormValue("short_description")),
		Description: c.FormValue("description"), Terms: c.FormValue("terms"),
		Texts: instance.Texts{CodeOfConduct: c.FormValue("codeOfConduct"), CreationReason: c.FormValue("creationReason"),
			ModerationInformation: c.FormValue("moderationInformation"), Administrator: c.FormValue("administrator"),
			MaintenanceLifetime: c.FormValue("maintenanceLifetime"), BusinessModel: c.FormValue("businessModel"),
			HardwareInformation: c.FormValue("hardwareInformation")}}
	quota, err := mebibytes(c.FormValue("video_quota"))
	if err == nil && quota == nil {
		err = &instance.FieldError{Field: "videoQuota", Msg: "required"}
	}
	if err != nil {
		return adminDone(c, "/admin/instance", err, "")
	}
	daily, err := mebibytes(c.FormValue("video_quota_daily"))
	if err == nil && daily == nil {
		err = &instance.FieldError{Field: "videoQuotaDaily", Msg: "required"}
	}
	if err != nil {
		return adminDone(c, "/admin/instance", err, "")
	}
	a.VideoQuota, a.VideoQuotaDaily = *quota, *daily
	return adminDone(c, "/admin/instance", s.Instance.Update(c.Request().Context(), viewer(c), a), "saved")
}

// configAbout is PeerTube's GET /api/v1/config/about (ServerConfigAbout):
// the instance's texts; Cabane has no categories or languages yet, which
// PeerTube sends empty too when unset.
type configAbout struct {
	Instance configAboutInstance `json:"instance"`
}

type configAboutInstance struct {
	Name                  string       `json:"name"`
	ShortDescription      string       `json:"shortDescription"`
	Description           string       `json:"description"`
	Terms                 string       `json:"terms"`
	CodeOfConduct         string       `json:"codeOfConduct"`
	HardwareInformation   string       `json:"hardwareInformation"`
	CreationReason        string       `json:"creationReason"`
	ModerationInformation string       `json:"moderationInformation"`
	Administrator         string       `json:"administrator"`
	MaintenanceLifetime   string       `json:"maintenanceLifetime"`
	BusinessModel         string       `json:"businessModel"`
	Languages             []string     `json:"languages"`
	Categories            []int        `json:"categories"`
	Avatars               []aboutImage `json:"avatars"`
	Banners               []aboutImage `json:"banners"`
}

// aboutImage is PeerTube's ActorImage; Cabane's instance has none yet.
type aboutImage struct {
	Path      string `json:"path"`
	Width     int    `json:"width"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

func (s *Server) apiConfigAbout(c echo.Context) error {
	a := s.about(c.Request().Context())
	return c.JSON(http.StatusOK, configAbout{Instance: configAboutInstance{Name: a.Name, ShortDescription: a.ShortDescription,
		Description: a.Description, Terms: a.Terms, CodeOfConduct: a.CodeOfConduct, HardwareInformation: a.HardwareInformation,
		CreationReason: a.CreationReason, ModerationInformation: a.ModerationInformation, Administrator: a.Administrator,
		MaintenanceLifetime: a.MaintenanceLifetime, BusinessModel: a.BusinessModel, Languages: []string{}, Categories: []int{},
		Avatars: []aboutImage{}, Banners: []aboutImage{}}})
}
