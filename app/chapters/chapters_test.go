package chapters

import (
	"errors"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
)

func TestCheckSortsAndRefuses(t *testing.T) {
	got, err := Check([]model.Chapter{{Timecode: 30, Title: " Fin "}, {Timecode: 0, Title: "Début"}}, time.Minute)
	if err != nil || len(got) != 2 || got[0].Title != "Début" || got[1].Title != "Fin" {
		t.Fatalf("got %v, %v", got, err)
	}
	long := string(make([]rune, 101))
	for name, cs := range map[string][]model.Chapter{
		"empty title": {{Timecode: 1, Title: " "}},
		"long title":  {{Timecode: 1, Title: long}},
		"negative":    {{Timecode: -1, Title: "x"}},
		"twice":       {{Timecode: 1, Title: "a"}, {Timecode: 1, Title: "b"}},
		"after end":   {{Timecode: 60, Title: "a"}},
		"newline":     {{Timecode: 1, Title: "a\nb"}},
	} {
		var fe *FieldError
		if _, err := Check(cs, time.Minute); !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a refusal", name, err)
		}
	}
}

func TestVTT(t *testing.T) {
	got := string(VTT([]model.Chapter{{Timecode: 0, Title: "A <b>"}, {Timecode: 10, Title: "B"}}, 25*time.Second))
	want := "WEBVTT\n\n1\n00:00:00.000 --> 00:00:10.000\nA &lt;b&gt;\n\n2\n00:00:10.000 --> 00:00:25.000\nB\n"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
