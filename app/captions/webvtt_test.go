package captions

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeKeepsCuesAndDropsStyle(t *testing.T) {
	in := "\ufeffWEBVTT - family\r\n\r\nSTYLE\r\n::cue { background: url(http://evil/) }\r\n\r\nNOTE hello\r\n\r\nintro\r\n00:01.000 --> 00:02.500 align:start bogus:1\r\n<v Anna>Bonjour <b>tous</b></v> & <script>x</script>\r\n"
	out, err := Normalize([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "WEBVTT\n\nintro\n00:00:01.000 --> 00:00:02.500 align:start\n<v Anna>Bonjour <b>tous</b></v> &amp; x\n"
	if string(out) != want {
		t.Fatalf("got %q\nwant %q", out, want)
	}
}

func TestNormalizeConvertsSubRip(t *testing.T) {
	in := "1\n00:00:01,000 --> 00:00:02,000\n<font color=\"red\">Salut</font> <i>toi</i>\n\n2\n00:00:03,000 --> 00:00:04,000\nÉté\n"
	out, err := Normalize([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSalut <i>toi</i>\n\n00:00:03.000 --> 00:00:04.000\nÉté\n"
	if string(out) != want {
		t.Fatalf("got %q\nwant %q", out, want)
	}
}

func TestNormalizeRefusesHostileInput(t *testing.T) {
	for name, in := range map[string]string{
		"html":         "<html><script>alert(1)</script></html>",
		"binary":       "WEBVTT\n\n00:01.000 --> 00:02.000\na\x00b\n",
		"latin1":       "WEBVTT\n\n00:01.000 --> 00:02.000\n\xe9t\xe9\n",
		"no cue":       "WEBVTT\n\n",
		"backwards":    "WEBVTT\n\n00:05.000 --> 00:02.000\nx\n",
		"bad time":     "WEBVTT\n\n00:61.000 --> 00:62.000\nx\n",
		"arrow inside": "WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03.000 --> 00:04.000\n",
		"too big":      "WEBVTT\n\n" + strings.Repeat("x", MaxBytes),
		"srt garbage":  "1\nnot a timing\nx\n",
	} {
		if _, err := Normalize([]byte(in)); !errors.Is(err, ErrBadCaption) {
			t.Errorf("%s: got %v, want a refusal", name, err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add([]byte("WEBVTT\n\n00:01.000 --> 00:02.000\n<b>x</b>\n"))
	f.Add([]byte("1\n00:00:01,000 --> 00:00:02,000\nx\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Normalize(in)
		if err != nil {
			return
		}
		// What is stored must itself be valid, and stable.
		again, err := Normalize(out)
		if err != nil || string(again) != string(out) {
			t.Fatalf("not stable: %q -> %q (%v)", out, again, err)
		}
	})
}
