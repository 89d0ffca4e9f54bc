package web

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cabane.dev/cabane/app/i18n"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/assets"
)

// Every existing page speaks French to a French browser: its own words,
// the layout's, the dates and counts, the messages handlers put on it and
// the ones its scripts show; and no page ever shows a catalogue key.
func TestPagesSpeakFrench(t *testing.T) {
	cr := newCommunityRig(t)
	pub := cr.video(t, model.PrivacyPublic, 0)
	unlisted := cr.video(t, model.PrivacyUnlisted, 0)
	cat, err := i18n.Load(assets.Locales())
	if err != nil {
		t.Fatal(err)
	}
	fr := words{msgs: cat.Printer("fr")}
	chs, err := cr.server.Accounts.ChannelsOf(t.Context(), cr.userAccount(t, "user"))
	if err != nil || len(chs) == 0 {
		t.Fatal("no channel for user", err)
	}
	channel := chs[0].Name

	for _, pg := range []struct {
		name string
		req  request
		code int
		want []string
		js   map[string]string // the page's script messages
	}{
		{"home", request{method: http.MethodGet, path: "/", who: "admin"}, http.StatusOK,
			[]string{"Vidéos récentes", ">Se déconnecter<", ">Administration<", ">Publier<", ">À proximité<", "Rechercher des vidéos", "0 vue", "logiciel libre"}, nil},
		{"watch", request{method: http.MethodGet, path: "/w/" + unlisted.ShortUUID}, http.StatusOK,
			[]string{">Non répertoriée<", "0 vue", fr.Date(unlisted.CreatedAt), "Commentaires", "Aucun commentaire pour l’instant.", "Connectez-vous pour noter cette vidéo"},
			map[string]string{"player.quality": "Qualité", "processing.failed": "Échec du traitement"}},
		{"channel", request{method: http.MethodGet, path: "/c/" + channel}, http.StatusOK, []string{"par <a", "1 vidéo"}, nil},
		{"trending", request{method: http.MethodGet, path: "/videos/trending"}, http.StatusOK, []string{"Tendances", "Les plus aimées"}, nil},
		{"nearby", request{method: http.MethodGet, path: "/nearby"}, http.StatusOK, []string{"Cabanes à proximité", "Aucune autre Cabane"}, nil},
		{"login", request{method: http.MethodGet, path: "/login"}, http.StatusOK, []string{"Connexion", "Mot de passe"}, nil},
		{"wrong password", request{method: http.MethodPost, path: "/login", withCSRF: true, form: url.Values{"username": {"user"}, "password": {"nope nope"}}},
			http.StatusUnauthorized, []string{"Nom d’utilisateur ou mot de passe incorrect."}, nil},
		{"upload", request{method: http.MethodGet, path: "/upload", who: "user"}, http.StatusOK,
			[]string{"Publier une vidéo", "Visibilité", "Réseau local uniquement (famille)", "Jusqu’à"},
			map[string]string{"upload.cancel": "Annuler", "upload.lost": "Connexion perdue ; nouvel essai dans {s} s…"}},
		{"404", request{method: http.MethodGet, path: "/w/nothing-here"}, http.StatusNotFound,
			[]string{"<title>Page introuvable", "Il n’y a pas de vidéo à cette adresse.", "Retour aux vidéos"}, nil},
		{"csrf", request{method: http.MethodPost, path: "/logout", who: "user"}, http.StatusForbidden, []string{"Ce formulaire a expiré"}, nil},
		{"admin", request{method: http.MethodGet, path: "/admin", who: "admin"}, http.StatusOK,
			[]string{"Vue d’ensemble", "HTTPS est désactivé", "Stockage", " libres sur ", "0 en cours, 0 en attente,", "À propos"}, nil},
		{"admin transcoding", request{method: http.MethodGet, path: "/admin/transcoding?done=encoder", who: "admin"}, http.StatusOK,
			[]string{"Les vidéos sont encodées avec", "Choix de l’encodeur enregistré.", "Automatique (le meilleur encodeur qui fonctionne)", "Encodeur logiciel", ">Toutes<", "Aucune tâche."},
			map[string]string{"admin.state.failed": "en échec", "admin.left": "encore {t}"}},
		{"admin job", request{method: http.MethodPost, path: "/admin/jobs/99999/retry", who: "admin", withCSRF: true}, http.StatusNotFound,
			[]string{"Cette tâche n’existe pas."}, nil},
		{"admin update", request{method: http.MethodGet, path: "/admin/update", who: "admin"}, http.StatusOK,
			[]string{"Mises à jour", "Installer une mise à jour", "sans le programme de mise à jour"}, nil},
	} {
		t.Run(pg.name, func(t *testing.T) {
			pg.req.lang = "fr-FR,fr;q=0.9,en;q=0.5"
			code, body := cr.page(pg.req)
			if code != pg.code {
				t.Fatalf("%d, want %d", code, pg.code)
			}
			text := html.UnescapeString(body)
			if !strings.Contains(body, `<html lang="fr">`) {
				t.Error("not a French page")
			}
			for _, w := range pg.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q", w)
				}
			}
			if pg.js != nil {
				got := pageScriptMessages(t, body)
				for k, want := range pg.js {
					if got[k] != want {
						t.Errorf("script message %q = %q, want %q", k, got[k], want)
					}
				}
			}
			noKeys(t, cat, text)
		})
	}
	// The same pages in English by default, and the API's errors stay
	// English (as PeerTube's) whatever the browser asks.
	if _, body := cr.page(request{method: http.MethodGet, path: "/w/" + pub.ShortUUID}); !strings.Contains(body, `<html lang="en">`) ||
		!strings.Contains(body, "No comments yet.") || !strings.Contains(body, "0 views") {
		t.Error("the default watch page is not English")
	}
	res := cr.do(t.Context(), request{method: http.MethodPost, path: "/api/v1/videos/upload-resumable", who: "user", lang: "fr"})
	defer res.Body.Close()
	var p problem
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil || res.StatusCode != http.StatusForbidden ||
		p.Detail != "This form has expired or did not come from this site. Reload the page and try again." {
		t.Errorf("API error in French browser: %+v %v", p, err)
	}
}

// pageScriptMessages reads the <script type="application/json" id="msgs">
// that the page's scripts take their words from.
func pageScriptMessages(t *testing.T, body string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="msgs">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no script messages on the page")
	}
	out := map[string]string{}
	if err := json.Unmarshal([]byte(m[1]), &out); err != nil {
		t.Fatalf("script messages: %v\n%s", err, m[1])
	}
	return out
}

// noKeys fails when a catalogue key shows as text: a message that no
// catalogue has prints as its key.
func noKeys(t *testing.T, cat *i18n.Catalog, text string) {
	t.Helper()
	prefixes := map[string]bool{}
	for _, k := range cat.Keys("en") {
		prefixes[strings.SplitN(k, ".", 2)[0]] = true
	}
	for p := range prefixes {
		if m := regexp.MustCompile(`>\s*` + p + `\.[a-z_]+(\.[a-z_0-9]+)*\s*<`).FindString(text); m != "" {
			t.Errorf("a catalogue key shows: %s", m)
		}
	}
}
