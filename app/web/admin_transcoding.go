package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// transcodingStatus is the hardware and encoder state, if the wiring
// provides it (Deps.Transcoding returns a transcoding.Status).
func (s *Server) transcodingStatus() (transcoding.Status, bool) {
	if s.Transcoding == nil {
		return transcoding.Status{}, false
	}
	return s.Transcoding(), true
}

type transcodingData struct {
	Known    bool // false: the wiring gave no status
	Status   transcoding.Status
	Board    boardView
	Encoders []encoderRow
	Choices  []encoderChoice
	Heights  string
	Workers  int
	Jobs     jobList
}

// boardView is hardware.Board with units for people.
type boardView struct {
	Name    string
	Kind    string
	Cores   int
	Memory  string
	Thermal []string
}

// encoderRow is one encoder in the table: listed by ffmpeg, working (its
// trial encode passed) or failed with the reason.
type encoderRow struct {
	Name     string
	Hardware bool
	Status   string // "working", "failed", "listed"
	Reason   string
	Device   string
	Chosen   bool
}

// encoderChoice is one option of the encoder form.
type encoderChoice struct {
	Value, Label string
	Selected     bool
}

func (s *Server) adminTranscoding(c echo.Context) error {
	w := s.pageWords(c)
	d := transcodingData{Workers: max(1, s.Config.Workers)}
	d.Status, d.Known = s.transcodingStatus()
	if d.Known {
		d.Board = boardWords(w, d.Status.Board)
		d.Encoders = encoderRows(w, d.Status)
		d.Choices = encoderChoices(w, d.Status)
		h := make([]string, len(d.Status.Profile.Heights))
		for i, x := range d.Status.Profile.Heights {
			h[i] = fmt.Sprintf("%dp", x)
		}
		d.Heights = strings.Join(h, ", ")
	}
	var err error
	if d.Jobs, err = s.jobList(c); err != nil {
		return err
	}
	v := s.view(c, w.T("admin.transcoding.title"), d)
	v.Notice = noticeFrom(c, w)
	return s.renderView(c, http.StatusOK, "admin_transcoding", v)
}

func boardWords(w words, b hardware.Board) boardView {
	v := boardView{Name: b.Model, Kind: string(b.Kind), Cores: b.Cores}
	if b.CPU != "" && b.CPU != b.Model {
		v.Name = strings.TrimSpace(b.Model + " · " + b.CPU)
	}
	if v.Name == "" || v.Name == " · " {
		v.Name = w.T("admin.hw.unknown_machine")
	}
	if b.Virtual {
		v.Name += " " + w.T("admin.hw.virtual")
	}
	if b.MemTotal > 0 {
		v.Memory = w.T("admin.hw.memory_value", w.Bytes(int64(b.MemTotal)), w.Bytes(int64(b.MemAvail)))
	}
	for _, z := range b.Thermal {
		v.Thermal = append(v.Thermal, fmt.Sprintf("%s: %.1f °C", z.Type, float64(z.MilliCelsius)/1000))
	}
	return v
}

// encoderRows lists libx264 and every encoder the probe heard of.
func encoderRows(w words, st transcoding.Status) []encoderRow {
	libx264 := hardware.Libx264{}.Name()
	names := []string{libx264}
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range st.Probe.Listed {
		add(n)
	}
	for _, n := range st.Probe.Working {
		add(n)
	}
	for n := range st.Probe.Failures {
		add(n)
	}
	slices.Sort(names[1:])
	rows := make([]encoderRow, 0, len(names))
	for _, n := range names {
		r := encoderRow{Name: n, Status: "listed", Chosen: n == st.Encoder, Device: st.Probe.DevicePaths[n]}
		if e, ok := hardware.EncoderByName(n); ok {
			r.Hardware = e.Hardware()
		}
		switch {
		case n == libx264 || slices.Contains(st.Probe.Working, n):
			r.Status = "working"
			if n == libx264 {
				r.Reason = w.T("admin.encoder.libx264")
			}
		case st.Probe.Failures[n] != "":
			r.Status, r.Reason = "failed", st.Probe.Failures[n]
		case !st.Probed:
			r.Reason = w.T("admin.encoder.not_tried")
		}
		rows = append(rows, r)
	}
	return rows
}

// encoderChoices are automatic, libx264 and the encoders that passed
// their trial: offering one that failed would only fail the next job.
func encoderChoices(w words, st transcoding.Status) []encoderChoice {
	out := []encoderChoice{{Value: "", Label: w.T("admin.encoder.automatic"), Selected: st.Choice == ""}}
	names := []string{hardware.Libx264{}.Name()}
	for _, n := range st.Probe.Working {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range names {
		label := n
		if e, ok := hardware.EncoderByName(n); ok && e.Hardware() {
			label += " (" + w.T("admin.hardware") + ")"
		} else {
			label += " (" + w.T("admin.software") + ")"
		}
		out = append(out, encoderChoice{Value: n, Label: label, Selected: st.Choice == n})
	}
	return out
}

// adminSetEncoder stores the encoder choice: "" (automatic) or one that
// works here.
func (s *Server) adminSetEncoder(c echo.Context) error {
	choice := strings.TrimSpace(c.FormValue("encoder"))
	st, ok := s.transcodingStatus()
	if !ok || s.SetEncoder == nil {
		return pageError(http.StatusServiceUnavailable, "admin.encoder.cannot_change")
	}
	valid := false
	for _, ch := range encoderChoices(s.pageWords(c), st) {
		valid = valid || ch.Value == choice
	}
	if !valid {
		return pageError(http.StatusBadRequest, "admin.encoder.not_working", choice)
	}
	if err := s.SetEncoder(c.Request().Context(), choice); err != nil {
		return fmt.Errorf("set encoder %q: %w", choice, err)
	}
	s.Log.Info("encoder choice changed by the administrator", "encoder", choice, "user", currentUser(c).Username)
	return c.Redirect(http.StatusSeeOther, "/admin/transcoding?done=encoder")
}
