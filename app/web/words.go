package web

import (
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/i18n"
	"cabane.dev/cabane/app/model"
)

// words are a page's strings in its language: the catalogue's messages
// and the few things that are formatted differently per language (counts,
// dates, how long ago). The page view and the blocks that templates
// render on their own (the comments) carry one.
type words struct {
	msgs i18n.Printer
}

// T is the message key in the page's language ({{.T "home.recent"}}, or
// {{$.T ...}} inside a range), formatted with args when there are any.
func (w words) T(key string, args ...any) string { return w.msgs.T(key, args...) }

// N is the form of key that fits the count n ({{$.N "video.views" .Views}}).
func (w words) N(key string, n any, args ...any) string { return w.msgs.N(key, toInt(n), args...) }

// Label is the message for a state or kind the code names (prefix+name,
// "admin.job.state." "failed"), or the name itself when the catalogue has
// none: a new state shows as its name, never as a key.
func (w words) Label(prefix, name string) string {
	if msg := w.T(prefix + name); msg != prefix+name {
		return msg
	}
	return name
}

// Views is "12 views" / "12 vues".
func (w words) Views(n int64) string { return w.N("video.views", n) }

// Date is a day as people write it in the page's language: "2 January
// 2006", "2 janvier 2006".
func (w words) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	key := "date.day"
	if t.Day() == 1 {
		key = "date.day_first" // "1er janvier"
	}
	return w.T(key, t.Day(), w.month(t.Month()), t.Year())
}

// DateTime is a day and an hour ("2 January 2006 at 15:04").
func (w words) DateTime(t time.Time) string {
	return w.T("date.day_time", w.Date(t), t.Format("15:04"))
}

func (w words) month(m time.Month) string {
	return w.T("date.month." + strings.ToLower(m.String()))
}

// Ago is how long ago t was ("3 days ago", "il y a 3 jours"); past a month,
// the day itself.
func (w words) Ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return w.T("date.just_now")
	case d < time.Hour:
		return w.N("date.minutes_ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return w.N("date.hours_ago", int(d.Hours()))
	case d < 30*24*time.Hour:
		return w.N("date.days_ago", int(d.Hours()/24))
	}
	return w.Date(t)
}

// State is a video's processing state, for its badge.
func (w words) State(state int) string {
	switch state {
	case model.StatePublished:
		return w.T("video.state.published")
	case model.StateToTranscode:
		return w.T("video.state.to_transcode")
	case model.StateTranscodingFailed:
		return w.T("video.state.failed")
	}
	return w.T("video.state.unknown")
}

// Privacy is a video's privacy, for its badge.
func (w words) Privacy(p int) string { return w.T(privacyKey(p)) }

func privacyKey(p int) string {
	switch p {
	case model.PrivacyPublic:
		return "video.privacy.public"
	case model.PrivacyUnlisted:
		return "video.privacy.unlisted"
	case model.PrivacyPrivate:
		return "video.privacy.private"
	case model.PrivacyInternal:
		return "video.privacy.internal"
	case model.PrivacyLocal:
		return "video.privacy.local"
	case model.PrivacySupporters:
		return "video.privacy.supporters"
	}
	return "video.privacy.unknown"
}

// Bytes is a size with the page's units ("1.5 GB", "1,5 Go").
func (w words) Bytes(n int64) string {
	units := []string{"bytes", "kb", "mb", "gb", "tb"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	num := strconv.FormatInt(int64(f), 10)
	if f != float64(int64(f)) {
		num = strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", w.T("number.decimal"), 1)
	}
	return w.T("units."+units[i], num)
}

// JSMessages are the messages under the "js.<area>." keys, for the page's
// scripts: a page renders them in <script type="application/json"
// id="msgs">{{.JSMessages "upload"}}</script> (html/template writes the map
// as JSON) and its scripts read them there, keyed without the prefix
// ("js.upload.cancel" is "upload.cancel").
func (w words) JSMessages(areas ...string) map[string]string {
	out := map[string]string{}
	for _, a := range areas {
		for _, k := range w.msgs.Keys("js." + a + ".") {
			out[strings.TrimPrefix(k, "js.")] = w.msgs.T(k)
		}
	}
	return out
}

// toInt accepts the integer types templates hand over (counts are int64 in
// the models).
func toInt(n any) int {
	switch x := n.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case int32:
		return int(x)
	case uint64:
		return int(x)
	}
	return 0
}
