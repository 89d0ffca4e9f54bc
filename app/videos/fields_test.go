package videos

import (
	"strings"
	"testing"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
)

func TestParseUploadFieldsNamesTheField(t *testing.T) {
	long := strings.Repeat("é", 130)
	for _, c := range []struct {
		f     UploadFields
		field string
	}{
		{UploadFields{FileName: long + ".mp4"}, "name"},
		{UploadFields{Name: long, FileName: "a.mp4"}, "name"},
		{UploadFields{Name: "ok name", Description: strings.Repeat("x", 10001)}, "description"},
		{UploadFields{Name: "ok name", Privacy: "8"}, "privacy"},
		{UploadFields{Name: "ok name", Privacy: "5"}, "videoPasswords"}, // password protected needs passwords
		{UploadFields{Name: "ok name", Privacy: "public"}, "privacy"},
		{UploadFields{Name: "ok name", ChannelID: "-3"}, "channelId"},
		{UploadFields{FileName: ".mp4"}, "name"},
	} {
		_, _, err := ParseUploadFields(c.f)
		fe, ok := AsFieldError(err)
		if !ok || fe.Field != c.field {
			t.Errorf("%+.40v: %v, want an error on %s", c.f, err, c.field)
		}
	}
	// The file's message says the file's name was the problem.
	_, _, err := ParseUploadFields(UploadFields{FileName: long + ".mp4"})
	if !strings.Contains(err.Error(), "file's name") {
		t.Errorf("long file name: %v", err)
	}
	m, ch, err := ParseUploadFields(UploadFields{FileName: "/tmp/Holiday 2024.mov", Privacy: "6", ChannelID: "12"})
	if err != nil || m.Name != "Holiday 2024" || m.Privacy != model.PrivacyLocal || ch != 12 || m.OriginalName != "Holiday 2024.mov" {
		t.Errorf("got %+v %d %v", m, ch, err)
	}
}

// FuzzParseUploadFields: whatever a client sends, the fields either pass
// within every limit or are refused naming a field; nothing panics.
func FuzzParseUploadFields(f *testing.F) {
	f.Add("My holiday", "A description", "1", "3", "clip.mp4")
	f.Add("", "", "", "", strings.Repeat("a", 300)+".mp4")
	f.Add("\xff\xfe", "", "6", "", "../../etc/passwd")
	f.Add(" ", "x", "2147483648", "99999999999999999999", "")
	f.Fuzz(func(t *testing.T, name, desc, privacy, channel, file string) {
		m, ch, err := ParseUploadFields(UploadFields{Name: name, Description: desc, Privacy: privacy, ChannelID: channel, FileName: file})
		if err != nil {
			if fe, ok := AsFieldError(err); !ok || fe.Field == "" || fe.Msg == "" {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		if m.Name == "" || utf8.RuneCountInString(m.Name) > maxNameRunes || !utf8.ValidString(m.Name) {
			t.Fatalf("accepted name %q", m.Name)
		}
		if utf8.RuneCountInString(m.Description) > maxDescriptionRunes || !model.ValidPrivacy(m.Privacy) || ch < 0 {
			t.Fatalf("accepted %+v channel %d", m, ch)
		}
		if strings.Contains(m.OriginalName, "/") {
			t.Fatalf("original name keeps a path: %q", m.OriginalName)
		}
	})
}
