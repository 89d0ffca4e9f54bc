package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/instance"
)

// PeerTube's GET, PUT and DELETE /api/v1/config/custom (ServerConfigCustom),
// for administrators, answered from app/instance, the service the admin's
// instance page uses too.
//
// What Cabane honours, read and written: instance.name, shortDescription,
// description, terms, and the about texts (codeOfConduct, creationReason,
// moderationInformation, administrator, maintenanceLifetime, businessModel,
// hardwareInformation); user.videoQuota and user.videoQuotaDaily (the
// default quotas).
//
// Everything else is sent so that PeerTube's admin clients find every
// field, and ignored on PUT (neither stored nor refused):
//   - what Cabane does not offer, said as it is: signup, the contact form,
//     imports, channel synchronisation, automatic blocks, web videos,
//     instance followers and NSFW are off (false), the admin's e-mail is
//     PeerTube's default address (Cabane sends no e-mail), support, social
//     links, customisations, languages and categories are empty;
//   - what Cabane fixes itself: HLS on with audio split from video, the
//     resolutions /api/v1/config announces, the "default" profile, audio
//     files and extra extensions allowed, the originals not kept after
//     transcoding, the processing workers as concurrency (threads 0: ffmpeg
//     chooses);
//   - PeerTube's defaults for what has no meaning here: the theme
//     ("default"), the cache sizes (500), the signup limit (10), the
//     default client route and NSFW policy.

type customConfig struct {
	Instance      customInstance      `json:"instance"`
	Theme         customTheme         `json:"theme"`
	Services      customServices      `json:"services"`
	Cache         customCache         `json:"cache"`
	Signup        customSignup        `json:"signup"`
	Admin         customAdmin         `json:"admin"`
	ContactForm   enabled             `json:"contactForm"`
	User          customUser          `json:"user"`
	Transcoding   customTranscoding   `json:"transcoding"`
	Import        customImport        `json:"import"`
	AutoBlacklist customAutoBlacklist `json:"autoBlacklist"`
	Followers     customFollowers     `json:"followers"`
}

type enabled struct {
	Enabled bool `json:"enabled"`
}

type customInstance struct {
	Name                  string         `json:"name"`
	ShortDescription      string         `json:"shortDescription"`
	Description           string         `json:"description"`
	Terms                 string         `json:"terms"`
	CodeOfConduct         string         `json:"codeOfConduct"`
	CreationReason        string         `json:"creationReason"`
	ModerationInformation string         `json:"moderationInformation"`
	Administrator         string         `json:"administrator"`
	MaintenanceLifetime   string         `json:"maintenanceLifetime"`
	BusinessModel         string         `json:"businessModel"`
	HardwareInformation   string         `json:"hardwareInformation"`
	Languages             []string       `json:"languages"`
	Categories            []int          `json:"categories"`
	IsNSFW                bool           `json:"isNSFW"`
	DefaultNSFWPolicy     string         `json:"defaultNSFWPolicy"`
	ServerCountry         string         `json:"serverCountry"`
	Support               customText     `json:"support"`
	Social                customSocial   `json:"social"`
	DefaultClientRoute    string         `json:"defaultClientRoute"`
	Customizations        customizations `json:"customizations"`
}

type customText struct {
	Text string `json:"text"`
}

type customSocial struct {
	ExternalLink string `json:"externalLink"`
	MastodonLink string `json:"mastodonLink"`
	BlueskyLink  string `json:"blueskyLink"`
}

type customizations struct {
	CSS        string `json:"css"`
	JavaScript string `json:"javascript"`
}

type customTheme struct {
	Default string `json:"default"`
}

type customServices struct {
	Twitter struct {
		Username string `json:"username"`
	} `json:"twitter"`
}

type cacheSize struct {
	Size int `json:"size"`
}

type customCache struct {
	Previews cacheSize `json:"previews"`
	Captions cacheSize `json:"captions"`
}

type customSignup struct {
	Enabled                   bool `json:"enabled"`
	Limit                     int  `json:"limit"`
	RequiresEmailVerification bool `json:"requiresEmailVerification"`
}

type customAdmin struct {
	Email string `json:"email"`
}

type customUser struct {
	VideoQuota      int64 `json:"videoQuota"`
	VideoQuotaDaily int64 `json:"videoQuotaDaily"`
}

type customTranscoding struct {
	Enabled      bool `json:"enabled"`
	OriginalFile struct {
		Keep bool `json:"keep"`
	} `json:"originalFile"`
	AllowAdditionalExtensions bool            `json:"allowAdditionalExtensions"`
	AllowAudioFiles           bool            `json:"allowAudioFiles"`
	Threads                   int             `json:"threads"`
	Concurrency               int             `json:"concurrency"`
	Profile                   string          `json:"profile"`
	Resolutions               map[string]bool `json:"resolutions"`
	WebVideos                 enabled         `json:"web_videos"`
	HLS                       struct {
		Enabled            bool `json:"enabled"`
		SplitAudioAndVideo bool `json:"splitAudioAndVideo"`
	} `json:"hls"`
}

type customImport struct {
	Videos struct {
		HTTP    enabled `json:"http"`
		Torrent enabled `json:"torrent"`
	} `json:"videos"`
	VideoChannelSynchronization enabled `json:"video_channel_synchronization"`
}

type customAutoBlacklist struct {
	Videos struct {
		OfUsers enabled `json:"ofUsers"`
	} `json:"videos"`
}

type customFollowers struct {
	Instance struct {
		Enabled        bool `json:"enabled"`
		ManualApproval bool `json:"manualApproval"`
	} `json:"instance"`
}

// peerTubeResolutions are the resolutions PeerTube's form lists.
var peerTubeResolutions = [...]int{0, 144, 240, 360, 480, 720, 1080, 1440, 2160}

// enabledResolutions are the heights Cabane encodes to, as /api/v1/config
// announces them.
func enabledResolutions() []int { return []int{360, 480, 720, 1080} }

// customConfigJSON is the About, and what Cabane fixes, as PeerTube's
// ServerConfigCustom.
func (s *Server) customConfigJSON(a instance.About) customConfig {
	out := customConfig{
		Instance: customInstance{Name: a.Name, ShortDescription: a.ShortDescription, Description: a.Description, Terms: a.Terms,
			CodeOfConduct: a.CodeOfConduct, CreationReason: a.CreationReason, ModerationInformation: a.ModerationInformation,
			Administrator: a.Administrator, MaintenanceLifetime: a.MaintenanceLifetime, BusinessModel: a.BusinessModel,
			HardwareInformation: a.HardwareInformation, Languages: []string{}, Categories: []int{},
			DefaultNSFWPolicy: "do_not_list", DefaultClientRoute: "/videos/browse"},
		Theme:  customTheme{Default: "default"},
		Cache:  customCache{Previews: cacheSize{500}, Captions: cacheSize{500}},
		Signup: customSignup{Limit: 10},
		Admin:  customAdmin{Email: "admin@example.com"},
		User:   customUser{VideoQuota: a.VideoQuota, VideoQuotaDaily: a.VideoQuotaDaily},
	}
	t := &out.Transcoding
	t.Enabled, t.AllowAdditionalExtensions, t.AllowAudioFiles = true, true, true
	t.Concurrency, t.Profile = max(s.Config.Workers, 1), "default"
	t.HLS.Enabled, t.HLS.SplitAudioAndVideo = true, true
	t.Resolutions = make(map[string]bool, len(peerTubeResolutions))
	for _, r := range peerTubeResolutions {
		t.Resolutions[strconv.Itoa(r)+"p"] = false
	}
	for _, r := range enabledResolutions() {
		t.Resolutions[strconv.Itoa(r)+"p"] = true
	}
	return out
}

// customConfigInput is the part of a PUT that Cabane honours; a field left
// out keeps its value (PeerTube's clients send them all).
type customConfigInput struct {
	Instance struct {
		Name                  *string `json:"name"`
		ShortDescription      *string `json:"shortDescription"`
		Description           *string `json:"description"`
		Terms                 *string `json:"terms"`
		CodeOfConduct         *string `json:"codeOfConduct"`
		CreationReason        *string `json:"creationReason"`
		ModerationInformation *string `json:"moderationInformation"`
		Administrator         *string `json:"administrator"`
		MaintenanceLifetime   *string `json:"maintenanceLifetime"`
		BusinessModel         *string `json:"businessModel"`
		HardwareInformation   *string `json:"hardwareInformation"`
	} `json:"instance"`
	User struct {
		VideoQuota      *int64 `json:"videoQuota"`
		VideoQuotaDaily *int64 `json:"videoQuotaDaily"`
	} `json:"user"`
}

// apply writes the given fields over a.
func (in customConfigInput) apply(a instance.About) instance.About {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	i := in.Instance
	set(&a.Name, i.Name)
	set(&a.ShortDescription, i.ShortDescription)
	set(&a.Description, i.Description)
	set(&a.Terms, i.Terms)
	set(&a.CodeOfConduct, i.CodeOfConduct)
	set(&a.CreationReason, i.CreationReason)
	set(&a.ModerationInformation, i.ModerationInformation)
	set(&a.Administrator, i.Administrator)
	set(&a.MaintenanceLifetime, i.MaintenanceLifetime)
	set(&a.BusinessModel, i.BusinessModel)
	set(&a.HardwareInformation, i.HardwareInformation)
	if in.User.VideoQuota != nil {
		a.VideoQuota = *in.User.VideoQuota
	}
	if in.User.VideoQuotaDaily != nil {
		a.VideoQuotaDaily = *in.User.VideoQuotaDaily
	}
	return a
}

// instanceError answers an instance-service error as PeerTube would.
func instanceError(err error) error {
	var fe *instance.FieldError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, instance.ErrForbidden):
		return apiError(http.StatusForbidden, "User does not have the right to manage the configuration.")
	case errors.As(err, &fe):
		return fieldError(fe.Field, "%s", fe.Msg)
	}
	return err
}

func (s *Server) needInstance() error {
	if s.Instance == nil {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	return nil
}

func (s *Server) apiGetCustomConfig(c echo.Context) error {
	if err := s.needInstance(); err != nil {
		return err
	}
	a, err := s.Instance.ForAdmin(c.Request().Context(), viewer(c))
	if err != nil {
		return instanceError(err)
	}
	return c.JSON(http.StatusOK, s.customConfigJSON(a))
}

func (s *Server) apiPutCustomConfig(c echo.Context) error {
	if err := s.needInstance(); err != nil {
		return err
	}
	ctx, who := c.Request().Context(), viewer(c)
	cur, err := s.Instance.ForAdmin(ctx, who)
	if err != nil {
		return instanceError(err)
	}
	var in customConfigInput
	if err := json.NewDecoder(c.Request().Body).Decode(&in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fieldError(te.Field, "Should have a valid %s (%s expected)", te.Field, te.Type)
		}
		return fieldError("body", "the body must be PeerTube's custom configuration, as JSON")
	}
	a := in.apply(cur)
	if err := s.Instance.Update(ctx, who, a); err != nil {
		// The field as the body names it ("instance.name", "user.videoQuota").
		var fe *instance.FieldError
		if errors.As(err, &fe) {
			section := "instance."
			if fe.Field == "videoQuota" || fe.Field == "videoQuotaDaily" {
				section = "user."
			}
			return fieldError(section+fe.Field, "%s", fe.Msg)
		}
		return instanceError(err)
	}
	return c.JSON(http.StatusOK, s.customConfigJSON(a))
}

func (s *Server) apiDeleteCustomConfig(c echo.Context) error {
	if err := s.needInstance(); err != nil {
		return err
	}
	ctx, who := c.Request().Context(), viewer(c)
	if err := s.Instance.Reset(ctx, who); err != nil {
		return instanceError(err)
	}
	a, err := s.Instance.Get(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.customConfigJSON(a))
}
