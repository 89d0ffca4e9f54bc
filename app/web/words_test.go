package web

import (
	"testing"
	"time"

	"cabane.dev/cabane/app/i18n"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/assets"
)

// privacyLabel is a privacy's English name, for test names.
func privacyLabel(p int) string {
	cat, err := i18n.Load(assets.Locales())
	if err != nil {
		panic(err)
	}
	return words{msgs: cat.Printer("en")}.Privacy(p)
}

// Counts, dates and "ago" follow each language's rules: French counts 0
// as singular and writes its months in lower case.
func TestWordsPerLanguage(t *testing.T) {
	cat, err := i18n.Load(assets.Locales())
	if err != nil {
		t.Fatal(err)
	}
	en, fr := words{msgs: cat.Printer("en")}, words{msgs: cat.Printer("fr")}
	day := time.Date(2006, time.January, 2, 15, 4, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{en.Views(0), "0 views"}, {en.Views(1), "1 view"}, {en.Views(12), "12 views"},
		{fr.Views(0), "0 vue"}, {fr.Views(1), "1 vue"}, {fr.Views(12), "12 vues"},
		{en.Date(day), "2 January 2006"}, {fr.Date(day), "2 janvier 2006"}, {fr.Date(day.AddDate(0, 6, -1)), "1er juillet 2006"},
		{en.Bytes(8 << 30), "8 GB"}, {fr.Bytes(3 << 29), "1,5 Go"}, {fr.Bytes(12), "12 octets"},
		{en.DateTime(day), "2 January 2006 at 15:04"}, {fr.DateTime(day), "2 janvier 2006 à 15:04"},
		{en.Ago(time.Now().Add(-3 * 24 * time.Hour)), "3 days ago"}, {fr.Ago(time.Now().Add(-3 * 24 * time.Hour)), "il y a 3 jours"},
		{en.Ago(time.Now().Add(-90 * time.Minute)), "1 hour ago"}, {fr.Ago(time.Now().Add(-90 * time.Minute)), "il y a 1 heure"},
		{en.Ago(time.Now()), "just now"}, {fr.Ago(time.Now()), "à l’instant"},
		{en.Ago(day), "2 January 2006"},
		{en.Privacy(model.PrivacyLocal), "Local network only"}, {fr.Privacy(model.PrivacyUnlisted), "Non répertoriée"},
		{fr.State(model.StateTranscodingFailed), "Échec du traitement"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// The keys templates and handlers build from a state name exist.
	var built []string
	for _, st := range []string{"queued", "running", "failed", "done", "cancelled"} {
		built = append(built, "admin.job.state."+st, "admin.job.filter."+st, "js.admin.state."+st)
	}
	for _, st := range []string{"off", "ok", "obtaining", "failing"} {
		built = append(built, "admin.tls.state."+st)
	}
	for _, st := range []string{"working", "failed", "listed"} {
		built = append(built, "admin.encoder.status."+st)
	}
	for _, k := range built {
		if got := fr.T(k); got == k {
			t.Errorf("no message for %q", k)
		}
	}
	// The scripts' messages: one area's, without the "js." prefix.
	m := fr.JSMessages("upload")
	if m["upload.cancel"] != "Annuler" || len(m) < 5 {
		t.Errorf("French upload script messages: %v", m)
	}
	for k := range m {
		if k[:7] != "upload." {
			t.Errorf("upload script gets %q", k)
		}
	}
}
