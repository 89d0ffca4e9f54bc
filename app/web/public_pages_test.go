package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// publicRig is the moderation rig (abuses, blocklists) with the settings
// service (avatars): "user" owns the videos, "other" reports them.
func newPublicRig(t *testing.T) *socialRig {
	t.Helper()
	sr := newModerationRig(t)
	sr.server.Profile = &profile.Service{Store: sr.store.Profiles(), Auth: sr.server.Auth, Layout: sr.layout}
	return sr
}

func viewerNamed(t *testing.T, sr *socialRig, who string) visibility.Viewer {
	t.Helper()
	u, err := sr.server.Auth.SessionUser(context.Background(), sr.sessions[who])
	if err != nil {
		t.Fatal(err)
	}
	return visibility.Of(&u, false)
}

// named is a published video of the user's channel with a name and,
// when given, a support text (set through the videos service, as the
// edit form does).
func named(t *testing.T, sr *socialRig, privacy int, name, support string) model.Video {
	t.Helper()
	v := sr.video(t, privacy, model.CommentsEnabled)
	f := videos.Form{"name": {name}}
	if support != "" {
		f["support"] = []string{support}
	}
	e, err := videos.ParseEdit(f)
	if err != nil {
		t.Fatal(err)
	}
	if v, err = sr.videos.Update(context.Background(), viewerNamed(t, sr, "user"), v.UUID, e); err != nil {
		t.Fatal(err)
	}
	return v
}

// section is the part of a page from the element with id on, up to the
// next closing tag given.
func section(body, id, end string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, end); j >= 0 {
		return rest[:j]
	}
	return rest
}

func TestWatchPageSharesSupportsAndSuggests(t *testing.T) {
	sr := newPublicRig(t)
	v := named(t, sr, model.PrivacyPublic, "Main clip", "Buy us **tea**")
	sibling := named(t, sr, model.PrivacyPublic, "Sibling clip", "")
	secret := named(t, sr, model.PrivacyPrivate, "Secret sibling", "")
	hidden := named(t, sr, model.PrivacyUnlisted, "Hidden sibling", "")
	elsewhere := sr.publishedVideo(t, sr.adminChannel, model.PrivacyPublic)
	if err := sr.store.Videos.SetState(context.Background(), elsewhere.ID, model.StatePublished); err != nil {
		t.Fatal(err)
	}

	for _, who := range []string{"", "other", "user"} {
		code, body := sr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID, who: who})
		if code != http.StatusOK {
			t.Fatalf("watch as %q: %d", who, code)
		}
		share := section(body, "share", "</details>")
		if !strings.Contains(share, `id="share-url"`) || !strings.Contains(share, sr.http.URL+"/w/"+v.ShortUUID) ||
			!strings.Contains(share, "&lt;iframe") || !strings.Contains(share, sr.http.URL+"/videos/embed/"+v.UUID) ||
			!strings.Contains(share, `data-copy="share-embed"`) {
			t.Errorf("share block as %q lacks the link or the embed code:\n%s", who, share)
		}
		if sup := section(body, "support", "</details>"); !strings.Contains(sup, "<strong>tea</strong>") {
			t.Errorf("support block as %q lacks the Markdown text:\n%s", who, sup)
		}
		next := section(body, "next-videos", "</aside>")
		if !strings.Contains(next, sibling.ShortUUID) || !strings.Contains(next, elsewhere.ShortUUID) {
			t.Errorf("next videos as %q lack the sibling or the recent one:\n%s", who, next)
		}
		if strings.Index(next, sibling.ShortUUID) > strings.Index(next, elsewhere.ShortUUID) {
			t.Errorf("next videos as %q: the channel's video does not come first", who)
		}
		// Never a video the viewer may not see listed, even the owner's
		// own private or unlisted one; never the video itself.
		for _, x := range []model.Video{secret, hidden, v} {
			if strings.Contains(next, x.ShortUUID) {
				t.Errorf("next videos as %q show %q", who, x.Name)
			}
		}
	}
	_, fr := sr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID, lang: "fr"})
	for _, want := range []string{"Partager", "Code d’intégration", "Soutenir", "À regarder ensuite", "Signaler cette vidéo"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French watch page lacks %q", want)
		}
	}
	// A video without support text has no support button.
	if _, body := sr.page(request{method: http.MethodGet, path: "/w/" + sibling.ShortUUID}); strings.Contains(body, `id="support"`) {
		t.Error("support button without a support text")
	}
}

func abuseTotal(t *testing.T, sr *socialRig) (int, []string) {
	t.Helper()
	var list struct {
		Total int
		Data  []struct {
			Reason            string
			PredefinedReasons []string
			Video             *struct{ UUID string }
			Comment           *struct{ ID int64 }
			FlaggedAccount    *struct{ Name string }
		}
	}
	code, text := sr.callChecked(t, "GET", "/api/v1/abuses?sort=createdAt", "admin", nil, true)
	if code != http.StatusOK {
		t.Fatalf("abuses: %d %s", code, text)
	}
	if err := json.Unmarshal(text, &list); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range list.Data {
		switch {
		case a.Comment != nil:
			kinds = append(kinds, "comment:"+a.Reason)
		case a.Video != nil:
			kinds = append(kinds, "video:"+a.Reason+":"+strings.Join(a.PredefinedReasons, ","))
		case a.FlaggedAccount != nil:
			kinds = append(kinds, "account:"+a.FlaggedAccount.Name+":"+a.Reason)
		}
	}
	return list.Total, kinds
}

func TestReportFormsFileAbuses(t *testing.T) {
	sr := newPublicRig(t)
	ctx := context.Background()
	v := named(t, sr, model.PrivacyPublic, "Reported clip", "")
	_, cm, err := sr.server.Comments.Post(ctx, viewerNamed(t, sr, "user"), v.UUID, "a rude comment")
	if err != nil {
		t.Fatal(err)
	}
	videoForm := url.Values{"reason": {"this is spam"}, "predefinedReasons": {"spamOrMisleading", "rights"}, "next": {"/w/" + v.ShortUUID}}
	videoPath := "/videos/watch/" + v.UUID + "/report"

	// The anonymous see login links, and their posts are refused.
	_, anon := sr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID})
	if !strings.Contains(anon, `class="report-login" id="report-video" href="/login?next=`) || strings.Contains(anon, `name="predefinedReasons"`) {
		t.Errorf("anonymous watch page: no login link, or a report form")
	}
	res := sr.do(ctx, request{method: http.MethodPost, path: videoPath, form: videoForm, withCSRF: true})
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous report: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if code, _ := post(sr, videoPath, "other", videoForm, false); code != http.StatusForbidden {
		t.Errorf("report without the CSRF field: %d, want 403", code)
	}
	if code, _ := post(sr, videoPath, "other", url.Values{"reason": {"x"}}, true); code != http.StatusBadRequest {
		t.Errorf("a one-letter reason: %d, want 400", code)
	}
	if code, _ := post(sr, videoPath, "other", url.Values{"reason": {"fine reason"}, "predefinedReasons": {"nonsense"}}, true); code != http.StatusBadRequest {
		t.Errorf("an unknown predefined reason: %d, want 400", code)
	}
	if n, _ := abuseTotal(t, sr); n != 0 {
		t.Fatalf("refused reports were stored: %d", n)
	}

	// Signed in: the forms are there, and each files a report.
	_, page := sr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID, who: "other"})
	for _, want := range []string{`action="` + videoPath + `"`, `action="/videos/watch/` + v.UUID + `/comments/` + itoa(cm.ID) + `/report"`,
		`value="spamOrMisleading"`, `id="report-video-reason"`} {
		if !strings.Contains(page, want) {
			t.Errorf("signed-in watch page lacks %s", want)
		}
	}
	res = sr.do(ctx, request{method: http.MethodPost, path: videoPath, who: "other", form: videoForm, withCSRF: true})
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || loc != "/w/"+v.ShortUUID+"?done=reported#report-video" {
		t.Fatalf("video report: %d to %q", res.StatusCode, loc)
	}
	_, back := sr.page(request{method: http.MethodGet, path: strings.Split(loc, "#")[0], who: "other", lang: "fr"})
	if !strings.Contains(back, "votre signalement a été transmis") {
		t.Error("no French notice after the report")
	}
	if code, _ := post(sr, "/videos/watch/"+v.UUID+"/comments/"+itoa(cm.ID)+"/report", "other", url.Values{"reason": {"insults"}}, true); code != http.StatusSeeOther {
		t.Errorf("comment report: %d", code)
	}
	if code, _ := post(sr, "/videos/watch/"+v.UUID+"/comments/999999/report", "other", url.Values{"reason": {"insults"}}, true); code != http.StatusNotFound {
		t.Errorf("report of a missing comment: %d, want 404", code)
	}
	// The account: from the channel page, not on one's own.
	_, ch := sr.page(request{method: http.MethodGet, path: "/c/" + sr.channelOf(t, "user").Name, who: "other"})
	if !strings.Contains(ch, `action="/accounts/user/report"`) {
		t.Error("channel page lacks the account report form")
	}
	if _, own := sr.page(request{method: http.MethodGet, path: "/a/user", who: "user"}); strings.Contains(own, `id="report-account"`) {
		t.Error("the account's owner is offered to report it")
	}
	if code, _ := post(sr, "/accounts/user/report", "other", url.Values{"reason": {"impersonation"}}, true); code != http.StatusSeeOther {
		t.Errorf("account report: %d", code)
	}

	n, kinds := abuseTotal(t, sr)
	want := []string{"video:this is spam:spamOrMisleading,rights", "comment:insults", "account:user:impersonation"}
	if n != 3 || strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Errorf("abuses: %d %q, want %q", n, kinds, want)
	}
}

func TestHomeTrendingAndRecent(t *testing.T) {
	sr := newPublicRig(t)
	v := named(t, sr, model.PrivacyPublic, "Home clip", "")
	private := named(t, sr, model.PrivacyPrivate, "Private home clip", "")
	for _, lang := range []string{"en", "fr"} {
		code, body := sr.page(request{method: http.MethodGet, path: "/", lang: lang})
		if code != http.StatusOK {
			t.Fatalf("home: %d", code)
		}
		trending, recent := section(body, "home-trending", "</section>"), section(body, "home-recent", "</section>")
		if !strings.Contains(trending, v.ShortUUID) || !strings.Contains(trending, `href="/videos/trending"`) {
			t.Errorf("%s: trending section lacks the video or its more link:\n%s", lang, trending)
		}
		if !strings.Contains(recent, v.ShortUUID) || !strings.Contains(recent, `href="/videos/recently-added"`) {
			t.Errorf("%s: recent section lacks the video or its more link:\n%s", lang, recent)
		}
		if strings.Contains(body, private.ShortUUID) {
			t.Errorf("%s: home lists a private video", lang)
		}
		words := map[string][]string{"en": {"Trending", "More recent videos"}, "fr": {"Tendances", "Plus de vidéos récentes"}}[lang]
		for _, w := range words {
			if !strings.Contains(body, w) {
				t.Errorf("%s home lacks %q", lang, w)
			}
		}
	}
	code, body := sr.page(request{method: http.MethodGet, path: "/videos/recently-added"})
	if code != http.StatusOK || !strings.Contains(body, v.ShortUUID) || strings.Contains(body, `id="home-trending"`) {
		t.Errorf("recently added: %d\n%s", code, body)
	}
}

func TestChannelAndAccountHeads(t *testing.T) {
	sr := newPublicRig(t)
	ctx := context.Background()
	ch := sr.channelOf(t, "user")
	v := named(t, sr, model.PrivacyPublic, "Channel clip", "")
	who := viewerNamed(t, sr, "user")
	name, pub, priv := "Garden walks", model.PlaylistPublic, model.PlaylistPrivate
	p, err := sr.server.Playlists.Create(ctx, who, playlists.Input{DisplayName: &name, Privacy: &pub, ChannelID: &ch.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sr.server.Playlists.AddVideo(ctx, who, p.UUID, v.UUID, playlists.Times{}); err != nil {
		t.Fatal(err)
	}
	secretName := "Secret list"
	if _, err := sr.server.Playlists.Create(ctx, who, playlists.Input{DisplayName: &secretName, Privacy: &priv, ChannelID: &ch.ID}); err != nil {
		t.Fatal(err)
	}

	_, body := sr.page(request{method: http.MethodGet, path: "/c/" + ch.Name, lang: "fr"})
	if !strings.Contains(body, `avatar-initial`) || !strings.Contains(body, ">"+strings.ToUpper(ch.DisplayName[:1])+"<") {
		t.Errorf("channel without avatar: no initial")
	}
	lists := section(body, "channel-playlists", "</section>")
	if !strings.Contains(lists, "Garden walks") || !strings.Contains(lists, "1 vidéo") || strings.Contains(body, "Secret list") {
		t.Errorf("channel playlists (public only, French):\n%s", lists)
	}
	if !strings.Contains(body, "Listes de lecture") || !strings.Contains(body, "Signaler ce compte") {
		t.Error("French channel page lacks its headings")
	}
	// The playlist's own page lists its video.
	if code, pl := sr.page(request{method: http.MethodGet, path: "/w/p/" + p.ShortUUID}); code != http.StatusOK || !strings.Contains(pl, v.ShortUUID) {
		t.Errorf("playlist page: %d", code)
	}

	// With an avatar, both pages show it.
	form := pngOf(t, 64, 64)
	if _, err := sr.server.Profile.SetAvatar(ctx, who, bytes.NewReader(form)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/c/" + ch.Name, "/a/user"} {
		_, body := sr.page(request{method: http.MethodGet, path: path})
		if !strings.Contains(body, `src="/lazy-static/avatars/`) {
			t.Errorf("%s shows no avatar", path)
		}
	}
	if _, acc := sr.page(request{method: http.MethodGet, path: "/a/user"}); !strings.Contains(acc, ch.DisplayName) || !strings.Contains(acc, v.ShortUUID) {
		t.Error("account page lacks its channels or videos")
	}
}

func TestUploadPageDropZoneMarkup(t *testing.T) {
	sr := newPublicRig(t)
	for lang, words := range map[string][]string{"en": {"Drop video files here"}, "fr": {"Déposez vos vidéos ici"}} {
		code, body := sr.page(request{method: http.MethodGet, path: "/upload", who: "user", lang: lang})
		if code != http.StatusOK {
			t.Fatalf("upload page: %d", code)
		}
		drop := section(body, "upload-drop", "</div>")
		// The drop zone is a labelled, ordinary file input (single without
		// JavaScript, made multiple by upload.js: the form's POST takes one).
		for _, want := range append(words, `<label for="upload-file" id="upload-drop-label">`, `id="upload-file" type="file" name="videofile"`, `data-multiple`, `aria-describedby="upload-drop-hint"`) {
			if !strings.Contains(drop, want) {
				t.Errorf("%s drop zone lacks %s:\n%s", lang, want, drop)
			}
		}
		if !strings.Contains(body, `<ol id="upload-files"`) {
			t.Errorf("%s: no list for the files' cards", lang)
		}
		msgs := pageScriptMessages(t, body)
		for _, k := range []string{"public.uploaded", "public.details", "processing.processing", "processing.published", "upload.cancel"} {
			if msgs[k] == "" || msgs[k] == k {
				t.Errorf("%s: the scripts lack the message %s", lang, k)
			}
		}
		if lang == "fr" && !strings.HasPrefix(msgs["public.uploaded"], "Envoyée") {
			t.Errorf("French script message: %q", msgs["public.uploaded"])
		}
	}
}
