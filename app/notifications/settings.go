package notifications

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"cabane.dev/cabane/app/visibility"
)

// Sent are the settings of the notifications Cabane actually sends, in
// the order of their types: the only ones the settings page offers.
func Sent() []string {
	types := make([]int, 0, len(settingOf))
	for t := range settingOf {
		types = append(types, t)
	}
	sort.Ints(types)
	out := make([]string, 0, len(types))
	for _, t := range types {
		if !slices.Contains(out, settingOf[t]) { // two kinds may share one
			out = append(out, settingOf[t])
		}
	}
	return out
}

// SetWeb turns the web notifications of some of the sent kinds on or off
// for the viewer (the settings page's choice), keeping each setting's
// e-mail bit as it was (an app may have set it; Cabane sends no e-mail).
// A kind Cabane does not send is refused, naming it; nothing is stored
// then.
func (s *Service) SetWeb(ctx context.Context, viewer visibility.Viewer, web map[string]bool) error {
	cur, err := s.Settings(ctx, viewer)
	if err != nil {
		return err
	}
	sent := map[string]bool{}
	for _, k := range Sent() {
		sent[k] = true
	}
	values := make(map[string]int, len(web))
	for k, on := range web {
		if !sent[k] {
			return &FieldError{Field: k, Msg: fmt.Sprintf("Cabane sends no notification %q", k)}
		}
		v := cur[k] &^ Web
		if on {
			v |= Web
		}
		values[k] = v
	}
	return s.SetSettings(ctx, viewer, values)
}
